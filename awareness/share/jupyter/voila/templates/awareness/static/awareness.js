// Small helpers for the course pages; no network, no dependencies.
// - shows the rendered cells once they are all there (Voilà's voila_finish());
// - containers marked .awareness-live become ARIA live regions (new chat messages are read out);
// - containers marked .awareness-scroll stay scrolled to their newest message;
// - links between lessons open in the same tab (with --CourseVoila.frontend=voila,
//   JupyterLab's renderer adds target=_blank to every link in an output; a new tab per
//   lesson would leave kernels running);
// - each chat flag button is named after its message ("Flag: «Hi! I saw …»"), so a
//   screen reader's list of buttons tells them apart (the visible word comes first).
(function () {
  "use strict";
  // The cells are all there (this script is the page's last): show them (Voilà's
  // template did this in an inline script, which the pages' CSP does not allow).
  if (window.voila_finish) window.voila_finish();
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
      var button = row.querySelector("button.aw-flag-btn");
      var text = row.querySelector(".aw-text");
      if (!button || !text) return;
      var words = text.textContent.trim().split(/\s+/);
      var excerpt = words.slice(0, 8).join(" ") + (words.length > 8 ? " …" : "");
      var name = button.textContent.trim() + ": «" + excerpt + "»";
      if (button.getAttribute("aria-label") !== name) button.setAttribute("aria-label", name);
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
