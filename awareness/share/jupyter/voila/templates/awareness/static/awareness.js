// Small helpers for the course pages; no network, no dependencies.
// - containers marked .awareness-live become ARIA live regions (new chat messages are read out);
// - containers marked .awareness-scroll stay scrolled to their newest message.
(function () {
  "use strict";
  function enhance(root) {
    root.querySelectorAll(".awareness-live:not([aria-live])").forEach(function (el) {
      el.setAttribute("role", "log");
      el.setAttribute("aria-live", "polite");
      el.setAttribute("aria-relevant", "additions text");
    });
    root.querySelectorAll(".awareness-scroll").forEach(function (el) {
      el.scrollTop = el.scrollHeight;
    });
  }
  var scheduled = false;
  var observer = new MutationObserver(function () {
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(function () {
      scheduled = false;
      enhance(document);
    });
  });
  observer.observe(document.body, { childList: true, subtree: true });
  enhance(document);
})();
