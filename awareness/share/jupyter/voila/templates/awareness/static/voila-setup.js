// Voilà's helper functions for the loading screen (voila_setup.macro.html.j2's inline
// script in Voilà 0.5), as a file: the lesson pages allow no inline script.
(function () {
  "use strict";
  window.voila_heartbeat = function () {};
  window.update_loading_text = function (cellIndex, cellCount, text) {
    var spinner = document.getElementById("loading");
    if (spinner && spinner.style.display === "none") spinner.style.display = "flex";
    var el = document.getElementById("loading_text");
    if (el) el.textContent = text || "";
  };
  window.display_cells = function () {
    if (!window.themeLoaded) {
      window.cellLoaded = true;
      return;
    }
    var loading = document.getElementById("loading");
    if (loading) loading.parentNode.removeChild(loading);
    var cells = document.getElementById("rendered_cells");
    if (cells) cells.style.display = "";
  };
  window.voila_process = window.update_loading_text;
  window.voila_finish = window.display_cells;
})();
