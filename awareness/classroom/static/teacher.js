// The teacher page (awareness/classroom/teacher.py): live totals from server-sent events,
// the controls, and the key kept out of the address bar (this tab keeps it in
// sessionStorage; a reload without it opens the page again with it). Nothing here runs
// on a pupil's page.
(function () {
  "use strict";
  var KEY = "awareness.teacher";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { /* blocked: the key stays in the URL */ }
  var body = document.body;
  var params = new URLSearchParams(window.location.search);

  if (body.dataset.teacher === "forbidden") {
    var kept = store && store.getItem(KEY);
    if (kept && !params.get("key")) {
      params.set("key", kept);
      window.location.replace(window.location.pathname + "?" + params.toString());
    }
    return;
  }
  if (params.get("key") && store) {
    store.setItem(KEY, params.get("key"));
    params.delete("key");
    var rest = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
  }

  var root = document.querySelector(".aw-class");
  if (!root) return;
  var key = root.dataset.key;
  root.removeAttribute("data-key");
  var api = root.dataset.api;
  var words = JSON.parse(root.dataset.words);
  var shown = true;
  var source = null;

  function say(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, name) {
      return name in values ? String(values[name]) : m;
    });
  }
  function post(action, query) {
    var url = api + "/" + action + "?" + new URLSearchParams(Object.assign({ key: key }, query || {}));
    return fetch(url, { method: "POST", cache: "no-store" });
  }
  function fill(li, n, total) {
    li.querySelector(".aw-t-n").textContent = String(n);
    li.querySelector(".aw-t-fill").style.width = (total ? Math.round(100 * n / total) : 0) + "%";
  }

  function update(r) {
    shown = r.shown;
    root.querySelector(".aw-students").textContent = say(words.students, { n: r.students });
    root.querySelector(".aw-toggle-totals").textContent = shown ? words.hide : words.show;
    root.querySelector(".aw-hidden-note").hidden = shown;
    var any = false;
    var open = r.open_polls || [];
    root.querySelectorAll(".aw-item").forEach(function (el) {
      var kind = el.dataset.kind, id = el.dataset.item;
      var data = (r[kind] || {})[id];
      var visible = shown && data !== undefined && (kind !== "polls" || open.indexOf(id) >= 0);
      var total = el.querySelector(".aw-item-total");
      if (kind === "chat" || kind === "polls") {
        var sum = 0;
        var answered = 0;
        if (data) {
          Object.keys(data).forEach(function (k) { sum += data[k]; });
          answered = kind === "chat" ? sum : Math.max.apply(null, [0].concat(
            Object.keys(data).map(function (k) { return data[k]; })));
        }
        el.querySelectorAll("li[data-option]").forEach(function (li) {
          fill(li, data ? (data[li.dataset.option] || 0) : 0, sum);
        });
        total.textContent = kind === "chat" && data ? say(words.answers, { n: sum }) : "";
      } else if (kind === "quiz") {
        total.textContent = data ? say(words.right, data) : "";
      } else {
        total.textContent = data ? say(words.found, { n: data }) : "";
      }
      // A poll's button shows whenever the poll has enough answers; its totals once opened.
      if (kind === "polls") {
        var button = el.querySelector(".aw-poll-toggle");
        var isOpen = open.indexOf(id) >= 0;
        button.textContent = isOpen ? button.dataset.close : button.dataset.open;
        button.setAttribute("aria-pressed", isOpen ? "true" : "false");
        el.querySelector(".aw-t-bars").hidden = !isOpen;
        el.hidden = !(shown && data !== undefined);
        if (!el.hidden) any = true;
        return;
      }
      el.hidden = !visible;
      if (visible) any = true;
    });
    root.querySelectorAll(".aw-section").forEach(function (section) {
      section.hidden = !section.querySelector(".aw-item:not([hidden])");
    });
    root.querySelector(".aw-waiting").hidden = any || !shown;
    body.dataset.version = String(r.version);
  }

  function ended() {
    if (source) source.close();
    root.querySelector(".aw-ended").hidden = false;
    root.querySelector(".aw-totals").hidden = true;
    root.querySelector(".aw-controls").hidden = true;
    root.querySelector(".aw-join").hidden = true;
    root.querySelector(".aw-waiting").hidden = true;
  }

  source = new EventSource(api + "/events?" + new URLSearchParams({ key: key }));
  source.onmessage = function (event) { update(JSON.parse(event.data)); };
  source.addEventListener("ended", ended);

  root.querySelector(".aw-toggle-totals").addEventListener("click", function () {
    post(shown ? "hide" : "show");
  });
  root.querySelector(".aw-new-round").addEventListener("click", function () { post("round"); });
  root.querySelector(".aw-end-class").addEventListener("click", function () {
    post("end").then(ended);
  });
  root.querySelectorAll(".aw-poll-toggle").forEach(function (button) {
    button.addEventListener("click", function () {
      post(button.getAttribute("aria-pressed") === "true" ? "close" : "open",
           { poll: button.dataset.poll });
    });
  });
})();
