// The lesson pages' own behaviour, with either front-end; no network, no dependencies.
// Every word comes from the page (course.yaml through the template, or the widgets'
// HTML); every rule and every time from Python: this file only shows and hides.
// - Steps: the lesson one part at a time (its course.yaml sections, which the template
//   marks on the cells: data-section), "Leksjon 2 av 5 · del 3 av 6", Back and Next;
//   the part after a chat opens once the chat has reached an ending. "Show the whole
//   lesson" puts every part on one page, as the page is without JavaScript.
// - Progress, in this browser only: localStorage "awareness.progress" (lesson id ->
//   the part reached, started, finished, chat played), next to "awareness.lang" (the
//   language, as the start page keeps it). Never sent anywhere; the start page reads it
//   and has a button that forgets it.
// - The chat: new messages from the other side come one by one after "… is typing",
//   for as long as the message's data-typing says (after its data-pause); the choices
//   wait meanwhile. Off with prefers-reduced-motion (everything shows at once).
// - Helpers: shows the cells once they are there (Voilà's voila_finish()), live regions
//   for new chat messages, lesson links in the same tab, a name for each chat flag
//   button after its message, the certificate's date and print button.
(function () {
  "use strict";

  var PROGRESS = "awareness.progress";
  var LANG = "awareness.lang";
  var VIEW = "awareness.view";
  var store = null;
  try {
    store = window.localStorage;
    store.getItem(LANG);
  } catch (e) {
    store = null;
  }

  function island(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }
  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  var words = island("awareness-ui") || {};
  var page = island("awareness-page");
  var lang = document.documentElement.lang || "";

  // ------------------------------------------------------------------------ progress

  function progress() {
    try {
      var saved = JSON.parse(store.getItem(PROGRESS));
      if (saved && typeof saved === "object" && saved.lessons && typeof saved.lessons === "object") {
        return saved;
      }
    } catch (e) { /* nothing kept, or not ours */ }
    return { v: 1, lessons: {} };
  }
  function lessonProgress() {
    var p = progress().lessons[page.id];
    return p && typeof p === "object" ? p : {};
  }
  function keep(change) {
    if (!store || !page) return;
    var all = progress();
    var mine = all.lessons[page.id];
    if (!mine || typeof mine !== "object") mine = all.lessons[page.id] = {};
    change(mine);
    all.last = page.id;
    try {
      store.setItem(PROGRESS, JSON.stringify(all));
      if (lang) store.setItem(LANG, lang);
    } catch (e) { /* full or blocked: nothing kept */ }
  }

  // ------------------------------------------------------------------------ steps

  var steps = [];
  var current = 0;
  var whole = false;
  var topbar = document.querySelector(".aw-topbar");

  function button(className, text) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    return b;
  }

  function buildSteps() {
    var box = document.querySelector("#rendered_cells > div");
    if (!page || !box || !page.sections || page.sections.length < 2) return;
    var known = page.sections.map(function (s) { return s.id; });
    var groups = [];
    Array.prototype.forEach.call(box.querySelectorAll(":scope > [cell-index]"), function (cell) {
      var id = cell.getAttribute("data-section");
      if (!groups.length || (id && known.indexOf(id) !== -1)) {
        groups.push({ id: id && known.indexOf(id) !== -1 ? id : known[0], cells: [] });
      }
      groups[groups.length - 1].cells.push(cell);
    });
    if (groups.length < 2) return;
    groups.forEach(function (group, i) {
      var section = document.createElement("section");
      section.className = "aw-step";
      section.setAttribute("data-part", group.id);
      group.cells[0].parentNode.insertBefore(section, group.cells[0]);
      group.cells.forEach(function (cell) { section.appendChild(cell); });
      var heading = section.querySelector("h1, h2");
      if (heading) {
        heading.id = heading.id || "aw-part-" + group.id;
        heading.setAttribute("tabindex", "-1");
        section.setAttribute("aria-labelledby", heading.id);
      }
      var nav = document.createElement("nav");
      nav.className = "aw-steps-nav";
      nav.setAttribute("aria-label", fill(words.part_of, { n: i + 1, total: groups.length }));
      var step = { id: group.id, el: section, heading: heading, nav: nav,
                   chat: !!section.querySelector("[data-chat]"), lock: null };
      if (i > 0) {
        step.back = button("aw-back", "← " + (words.previous_part || ""));
        step.back.addEventListener("click", function () { show(i - 1, true); });
        nav.appendChild(step.back);
      }
      if (i < groups.length - 1) {
        var title = sectionTitle(groups[i + 1].id);
        step.next = button("aw-next", (words.next_part || "") + (title ? ": " + title : "") + " →");
        step.next.addEventListener("click", function () { show(i + 1, true); });
        nav.appendChild(step.next);
        if (step.chat) {
          step.lock = document.createElement("p");
          step.lock.className = "aw-locked";
          step.lock.hidden = true;
          step.lock.textContent = words.chat_first || "";
          nav.appendChild(step.lock);
        }
      }
      section.appendChild(nav);
      steps.push(step);
    });
    document.documentElement.classList.add("aw-stepped");
  }

  function sectionTitle(id) {
    for (var i = 0; i < page.sections.length; i++) {
      if (page.sections[i].id === id) return page.sections[i].title;
    }
    return "";
  }

  function played(step) {
    return !!step.el.querySelector(".aw-ending") || !!(lessonProgress().played || {})[step.id];
  }

  function updateLocks() {
    steps.forEach(function (step) {
      if (!step.next || !step.lock) return;
      var locked = !played(step);
      step.next.disabled = locked;
      step.lock.hidden = !locked;
    });
  }

  function show(index, moveFocus) {
    if (!steps.length) return;
    index = Math.max(0, Math.min(steps.length - 1, index));
    current = index;
    steps.forEach(function (step, i) { step.el.hidden = !whole && i !== index; });
    var part = topbar && topbar.querySelector(".aw-where-part");
    if (part) part.textContent = whole ? "" : " · " + fill(words.part_of, { n: index + 1, total: steps.length });
    var bar = topbar && topbar.querySelector(".aw-bar");
    if (bar) {
      bar.hidden = whole;
      bar.firstElementChild.style.width = Math.round(100 * (index + 1) / steps.length) + "%";
    }
    var id = steps[index].id;
    keep(function (mine) {
      mine.part = id;
      if (index === steps.length - 1) mine.done = true;
    });
    if (!whole && window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", "#" + id); } catch (e) { /* file: pages */ }
    }
    updateLocks();
    if (moveFocus && !whole) {
      window.scrollTo(0, 0);
      var target = steps[index].heading || steps[index].el;
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  }

  function setWhole(on, remember) {
    whole = on;
    document.documentElement.classList.toggle("aw-all", on);
    var toggle = topbar && topbar.querySelector(".aw-view");
    if (toggle) toggle.textContent = on ? words.one_part || "" : words.whole_lesson || "";
    if (remember && store) {
      try {
        if (on) store.setItem(VIEW, "all"); else store.removeItem(VIEW);
      } catch (e) { /* nothing kept */ }
    }
    show(current, false);
  }

  // The part a link or the address names: a section id, or an element inside a part.
  function partOf(hash) {
    var id = decodeURIComponent(String(hash || "").replace(/^#/, ""));
    if (!id) return -1;
    for (var i = 0; i < steps.length; i++) if (steps[i].id === id) return i;
    var el = document.getElementById(id);
    var section = el && el.closest(".aw-step");
    for (var j = 0; section && j < steps.length; j++) if (steps[j].el === section) return j;
    return -1;
  }

  function startSteps() {
    buildSteps();
    if (!steps.length) {
      keep(function (mine) { mine.started = true; });
      return;
    }
    var mine = lessonProgress();
    var start = partOf(window.location.hash);
    if (start < 0 && mine.part && !mine.done) start = partOf(mine.part);
    if (start < 0) start = 0;
    keep(function (m) { m.started = true; });
    var toggle = topbar && topbar.querySelector(".aw-view");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () { setWhole(!whole, true); });
    }
    current = start;
    setWhole(!!(store && store.getItem(VIEW) === "all"), false);
    window.addEventListener("hashchange", function () {
      var i = partOf(window.location.hash);
      if (i < 0) return;
      var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (i !== current || whole) show(i, !target || target === steps[i].el);
      if (target && target !== steps[i].el) target.scrollIntoView();
    });
  }

  // In the whole lesson on one page, the lesson is finished once its end is in sight.
  function watchEnd() {
    var end = document.querySelector(".awareness-nav");
    if (!end || !window.IntersectionObserver) return;
    new IntersectionObserver(function (entries, observer) {
      if (!entries.some(function (e) { return e.isIntersecting; })) return;
      if (whole || !steps.length) {
        keep(function (mine) { mine.done = true; });
        observer.disconnect();
      }
    }).observe(end);
  }

  // ------------------------------------------------------------------------ the chat

  var reduceMotion = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var lists = new WeakMap(); // .aw-messages -> its rows as last seen
  var plays = new WeakMap(); // .aw-messages -> the play under way

  function timing(row) {
    var msg = row.querySelector(".aw-msg[data-typing]");
    if (!msg) return null;
    return { typing: Number(msg.getAttribute("data-typing")) || 0,
             pause: Number(msg.getAttribute("data-pause")) || 0,
             speaker: msg.getAttribute("data-speaker") || "" };
  }

  function stopPlay(list) {
    var play = plays.get(list);
    if (!play) return;
    plays.delete(list);
    window.clearTimeout(play.timer);
    play.rows.forEach(function (row) { row.classList.remove("aw-wait"); });
    play.typing.forEach(function (el) { el.hidden = true; });
    play.chat.classList.remove("aw-playing");
  }

  // Whether the pupil is using the keyboard (focus is only moved for keyboard users; a
  // tap or click leaves it where the pupil put it).
  var keyboard = false;
  document.addEventListener("keydown", function () { keyboard = true; }, true);
  document.addEventListener("pointerdown", function () { keyboard = false; }, true);

  function settle(chat, hadFocus) {
    // After the newest messages: the choices (or the ending) come into view, and the
    // keyboard focus, if the pressed button was hidden meanwhile, goes to what is next.
    var lost = !document.activeElement || document.activeElement === document.body;
    var choice = chat.querySelector(".aw-choices button:not([style*='display: none'])");
    var ending = chat.querySelector(".aw-ending h3");
    var target = ending || choice;
    if (target && target.scrollIntoView) target.scrollIntoView({ block: "nearest" });
    if (hadFocus && lost && target && keyboard) {
      if (target === ending) ending.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  }

  function play(list, rows) {
    var chat = list.closest(".awareness-chat");
    if (!chat) return;
    var first = -1;
    for (var i = 0; i < rows.length; i++) {
      var t = timing(rows[i]);
      if (t && t.typing > 0) { first = i; break; }
    }
    var hadFocus = chat.contains(document.activeElement);
    if (reduceMotion || first < 0) {
      if (rows.length) rows[rows.length - 1].scrollIntoView({ block: "nearest" });
      window.setTimeout(function () { settle(chat, hadFocus); }, 0);
      return;
    }
    var queue = rows.slice(first);
    var state = { chat: chat, rows: queue.slice(), typing: [], timer: 0 };
    queue.forEach(function (row) { row.classList.add("aw-wait"); });
    chat.classList.add("aw-playing");
    plays.set(list, state);
    function later(seconds, then) { state.timer = window.setTimeout(then, seconds * 1000); }
    function next() {
      if (!queue.length) {
        plays.delete(list);
        chat.classList.remove("aw-playing");
        settle(chat, hadFocus);
        return;
      }
      var row = queue.shift();
      var t = timing(row);
      var reveal = function () {
        state.typing.forEach(function (el) { el.hidden = true; });
        row.classList.remove("aw-wait");
        row.scrollIntoView({ block: "nearest" });
        later(0.25, next);
      };
      if (!t || t.typing <= 0) { reveal(); return; }
      later(t.pause, function () {
        var bubble = chat.querySelector('.aw-typing[data-speaker="' + t.speaker + '"]');
        if (bubble) {
          bubble.hidden = false;
          state.typing.push(bubble);
          bubble.scrollIntoView({ block: "nearest" });
        }
        later(t.typing, reveal);
      });
    }
    next();
  }

  function watchChats() {
    document.querySelectorAll(".awareness-chat .aw-messages").forEach(function (list) {
      var before = lists.get(list);
      var rows = Array.prototype.slice.call(list.children);
      lists.set(list, rows);
      if (!before) return; // as the page opens: drawn at once
      var appended = rows.length > before.length && before.every(function (row, i) {
        return rows[i] === row;
      });
      if (rows.length === before.length && before.every(function (row, i) { return rows[i] === row; })) {
        return;
      }
      var running = plays.get(list);
      if (running && appended) {
        stopPlay(list); // more came in: show what was waiting, then the new ones
      } else if (running) {
        stopPlay(list);
      }
      if (appended) play(list, rows.slice(before.length));
    });
  }

  function watchEndings() {
    steps.forEach(function (step) {
      if (!step.chat || !step.el.querySelector(".aw-ending")) return;
      if (!(lessonProgress().played || {})[step.id]) {
        keep(function (mine) {
          mine.played = mine.played && typeof mine.played === "object" ? mine.played : {};
          mine.played[step.id] = true;
        });
      }
    });
    updateLocks();
    // An ending shown while the focus was on a choice that went away with it: the focus
    // goes to the ending's heading (the messages before it have been read out).
    var again = false;
    document.querySelectorAll(".awareness-chat .aw-ending h3").forEach(function (h) {
      if (h.getAttribute("data-seen")) return;
      var chat = h.closest(".awareness-chat");
      if (!chat || chat.classList.contains("aw-playing")) { again = true; return; }
      var focus = document.activeElement;
      var lost = !focus || focus === document.body || (chat.contains(focus) && !focus.offsetParent);
      if (lost) {
        h.setAttribute("tabindex", "-1");
        h.focus({ preventScroll: true });
        h.scrollIntoView({ block: "nearest" });
        h.setAttribute("data-seen", "1");
      } else if (focus.closest(".aw-choices") && chat.contains(focus)) {
        again = true; // the pressed choice is about to go: look again
      } else {
        h.setAttribute("data-seen", "1"); // the pupil is elsewhere: leave the focus there
      }
    });
    if (again) window.setTimeout(watchEndings, 150);
  }

  // ------------------------------------------------------------------------ helpers

  function enhance(root) {
    root.querySelectorAll(".awareness-live:not([aria-live])").forEach(function (el) {
      el.setAttribute("role", "log");
      el.setAttribute("aria-live", "polite");
      el.setAttribute("aria-relevant", "additions text");
    });
    root.querySelectorAll('a[target="_blank"]').forEach(function (a) {
      var href = a.getAttribute("href") || "";
      if (href && !/^[a-z][a-z0-9+.-]*:/i.test(href) && href.charAt(0) !== "/") {
        a.removeAttribute("target");
      }
    });
    root.querySelectorAll(".aw-row-left").forEach(function (row) {
      var flag = row.querySelector("button.aw-flag-btn");
      var text = row.querySelector(".aw-text");
      if (!flag || !text) return;
      var all = text.textContent.trim().split(/\s+/);
      var excerpt = all.slice(0, 8).join(" ") + (all.length > 8 ? " …" : "");
      var name = flag.textContent.trim() + ": «" + excerpt + "»";
      if (flag.getAttribute("aria-label") !== name) flag.setAttribute("aria-label", name);
    });
    root.querySelectorAll(".aw-certificate:not([data-ready])").forEach(function (card) {
      card.setAttribute("data-ready", "1");
      var date = card.querySelector(".aw-cert-date time");
      if (date) {
        var today = new Date();
        date.setAttribute("datetime", today.toISOString().slice(0, 10));
        try {
          date.textContent = today.toLocaleDateString(lang || undefined,
            { year: "numeric", month: "long", day: "numeric" });
        } catch (e) {
          date.textContent = today.toISOString().slice(0, 10);
        }
        date.parentNode.hidden = false;
      }
      var print = card.querySelector(".aw-cert-print");
      if (print) {
        print.hidden = false;
        print.addEventListener("click", function () {
          document.documentElement.classList.add("aw-print-certificate");
          window.print();
        });
      }
    });
  }
  window.addEventListener("afterprint", function () {
    document.documentElement.classList.remove("aw-print-certificate");
  });

  // ------------------------------------------------------------------------ start

  // The cells are all there (this script is the page's last): show them once the parts
  // are made (Voilà's template did this in an inline script, which the pages' CSP does
  // not allow), also if making them failed.
  try {
    startSteps();
  } finally {
    if (window.voila_finish) window.voila_finish();
  }
  enhance(document);
  watchChats();
  watchEndings();
  watchEnd();
  document.body.setAttribute("data-awareness-steps", steps.length ? "ready" : "none");

  var scheduled = false;
  var observer = new MutationObserver(function () {
    // At once, before the next frame is drawn: new chat messages that should wait for
    // their "… is typing" never flash up.
    watchChats();
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(function () {
      scheduled = false;
      enhance(document);
      watchEndings();
    });
  });
  observer.observe(document.body, { childList: true, subtree: true });
})();

// Live class mode: a lesson opened with ?class=CODE (and its tab token) carries them onto
// the links to the course's other pages (next lesson, the start page), so the next lesson
// counts in the same class. Without a code nothing changes.
(function () {
  "use strict";
  var here = new URLSearchParams(window.location.search);
  var code = here.get("class");
  if (!code) return;
  document.addEventListener("click", function (event) {
    var a = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!a) return;
    var url = new URL(a.href, document.baseURI);
    if (url.origin !== window.location.origin || url.pathname.indexOf("/voila/render/") < 0) return;
    url.searchParams.set("class", code);
    if (here.get("tab")) url.searchParams.set("tab", here.get("tab"));
    a.href = url.toString();
  }, true);
})();
