// The start page remembers the language a student chose, in this browser only: the code
// (nb, nn, en, …) is kept in localStorage under "awareness.lang" and nothing is sent
// anywhere. Choosing a language (or opening its start page) keeps it; opening "/" again
// shows the start page in that language. The lesson pages' progress kept in the browser
// uses the same key for the language. Without localStorage the page works as before.
(function () {
  "use strict";
  var KEY = "awareness.lang";
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
        window.location.replace(links[i].href);
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
})();
