// The start page remembers, in this browser only (localStorage; nothing is sent anywhere):
// - the language a student chose ("awareness.lang": nb, nn, en, …): choosing a language
//   (or opening its start page) keeps it; opening "/" again shows the start page in it;
// - how far the student has come ("awareness.progress", written by the lesson pages'
//   awareness.js: lesson id -> the part reached, started, finished): the lessons are
//   marked started or finished, and "Continue where you left off" leads on;
// - "Forget my progress" removes everything the course keeps in this browser.
// Every word is on the page already (course.yaml through html_parts.start_page). Without
// localStorage the page works as before.
(function () {
  "use strict";
  var KEY = "awareness.lang";
  var PROGRESS = "awareness.progress";
  var store;
  try {
    store = window.localStorage;
    store.getItem(KEY);
  } catch (e) {
    return;
  }
  var lang = document.documentElement.lang;
  var isRoot = !!document.querySelector('meta[name="awareness-start"][content="root"]');
  var links = document.querySelectorAll(".awareness-languages a[hreflang]");
  var saved = store.getItem(KEY);

  if (isRoot && saved && saved !== lang) {
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("hreflang") === saved) {
        window.location.replace(links[i].href + window.location.search); // keeps ?class=
        return;
      }
    }
  }
  function keep(code) {
    try { store.setItem(KEY, code); } catch (e) { /* full or blocked: nothing kept */ }
  }
  if (!isRoot) keep(lang);
  for (var j = 0; j < links.length; j++) {
    links[j].addEventListener("click", function () { keep(this.getAttribute("hreflang")); });
  }

  function progress() {
    try {
      var p = JSON.parse(store.getItem(PROGRESS));
      if (p && typeof p === "object" && p.lessons && typeof p.lessons === "object") return p;
    } catch (e) { /* nothing kept, or not ours */ }
    return null;
  }

  function show() {
    var p = progress();
    var items = Array.prototype.slice.call(document.querySelectorAll(".awareness-lessons li[data-lesson]"));
    var done = 0;
    var next = null;
    var last = -1;
    items.forEach(function (li, i) {
      var mine = p && p.lessons[li.getAttribute("data-lesson")];
      var finished = !!(mine && mine.done);
      var started = !!(mine && (mine.started || mine.part)) && !finished;
      li.classList.toggle("aw-done", finished);
      li.classList.toggle("aw-started", started);
      li.querySelector(".aw-badge-done").hidden = !finished;
      li.querySelector(".aw-badge-started").hidden = !started;
      if (finished) done++;
      if (p && li.getAttribute("data-lesson") === p.last) last = i;
    });
    // Where to go on: the lesson last opened, if it is not finished; else the next one
    // started and not finished (after it, then from the start); else the next one not
    // finished.
    if (last >= 0) {
      var order = items.slice(last).concat(items.slice(0, last));
      next = order.filter(function (li) { return li.classList.contains("aw-started"); })[0] ||
             order.filter(function (li) { return !li.classList.contains("aw-done"); })[0] || null;
    }
    var cont = document.querySelector(".aw-continue");
    if (cont) {
      cont.hidden = !next;
      if (next) {
        var a = next.querySelector("a");
        cont.querySelector("a").href = a.href;
        cont.querySelector(".aw-continue-where").textContent = a.textContent;
      }
    }
    var count = document.querySelector(".aw-progress-count");
    if (count) {
      count.hidden = !p || !done;
      count.textContent = String(count.getAttribute("data-words") || "")
        .replace("{done}", String(done)).replace("{total}", String(items.length));
    }
    var privacy = document.querySelector(".aw-privacy");
    if (privacy) privacy.hidden = !p && !privacy.querySelector(".aw-forgotten").textContent;
  }

  var forget = document.querySelector(".aw-forget");
  if (forget) {
    forget.addEventListener("click", function () {
      // Asked first: nothing the pupil did is lost by a slip of the finger (WCAG 3.3.4).
      var ask = forget.getAttribute("data-confirm");
      if (ask && !window.confirm(ask)) return;
      var keys = [];
      for (var i = 0; i < store.length; i++) {
        var key = store.key(i);
        if (key && key.indexOf("awareness.") === 0) keys.push(key);
      }
      keys.forEach(function (key) { store.removeItem(key); });
      var said = document.querySelector(".aw-forgotten");
      if (said) said.textContent = forget.getAttribute("data-done") || "";
      forget.hidden = true;
      show();
    });
  }
  show();
})();

// Live class mode (the app's start page only; the static copy has no class code): with a
// running class's code (the server says so on the page), the lesson and language links
// carry ?class=CODE and a random token for this browser tab (sessionStorage), so the
// lessons opened from here count in that class, and a page reloaded in this tab replaces
// its answers instead of adding to them. Without a code nothing changes.
(function () {
  "use strict";
  var joined = document.querySelector(".aw-in-class[data-class]");
  if (!joined) return;
  var code = joined.getAttribute("data-class");
  var tab = "";
  try {
    tab = window.sessionStorage.getItem("awareness.tab") || "";
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(tab)) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      tab = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      window.sessionStorage.setItem("awareness.tab", tab);
    }
  } catch (e) { tab = ""; /* no sessionStorage: each page counts on its own */ }
  var links = document.querySelectorAll(".awareness-lessons a, .aw-continue a, .awareness-languages a");
  Array.prototype.forEach.call(links, function (a) {
    var url = new URL(a.href, document.baseURI);
    url.searchParams.set("class", code);
    if (tab) url.searchParams.set("tab", tab);
    a.href = url.toString();
  });
})();
