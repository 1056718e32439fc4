// Loaded in <head>, before Voilà's own scripts: watches the lesson's kernel connection.
// When the kernel restarts or dies (or the server goes away) the widgets on the page stop
// working; instead of a silent page or a stack trace, the student sees a short message in
// the page's language and a button that starts the lesson again. Nothing is sent anywhere.
(function () {
  "use strict";
  var FALLBACK = {
    nb: { kernel_lost: "Forbindelsen ble brutt. Trykk på knappen for å starte leksjonen på nytt.",
          restart_lesson: "Start leksjonen på nytt" },
    nn: { kernel_lost: "Sambandet blei brote. Trykk på knappen for å starte leksjonen på nytt.",
          restart_lesson: "Start leksjonen på nytt" },
    en: { kernel_lost: "The connection was lost. Press the button to start the lesson again.",
          restart_lesson: "Start the lesson again" }
  };
  var leaving = false;
  var shown = false;
  window.addEventListener("beforeunload", function () { leaving = true; });

  function words() {
    var lang = document.documentElement.lang || "nb";
    var el = document.getElementById("awareness-ui");
    if (el) {
      try { return JSON.parse(el.textContent); } catch (e) { /* fall through */ }
    }
    return FALLBACK[lang] || FALLBACK.en;
  }

  function showLost() {
    if (shown || leaving) return;
    shown = true;
    var w = words();
    var box = document.createElement("div");
    box.className = "awareness-lost";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", "awareness-lost-text");
    var p = document.createElement("p");
    p.id = "awareness-lost-text";
    p.textContent = w.kernel_lost;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = w.restart_lesson;
    button.addEventListener("click", function () { window.location.reload(); });
    box.appendChild(p);
    box.appendChild(button);
    var show = function () {
      document.body.appendChild(box);
      button.focus();
    };
    if (document.body) show(); else document.addEventListener("DOMContentLoaded", show);
  }

  function statusOf(data) {
    try {
      if (typeof data === "string") {
        var msg = JSON.parse(data);
        var type = (msg.header && msg.header.msg_type) || msg.msg_type;
        return type === "status" ? msg.content.execution_state : null;
      }
      // The v1 binary kernel protocol: offsets, then channel, header, parent, metadata, content.
      var view = new DataView(data);
      var n = Number(view.getBigUint64(0, true));
      if (n < 6) return null;
      var off = [];
      for (var i = 0; i < n; i++) off.push(Number(view.getBigUint64(8 * (i + 1), true)));
      var dec = new TextDecoder();
      var header = JSON.parse(dec.decode(new Uint8Array(data, off[1], off[2] - off[1])));
      if (header.msg_type !== "status") return null;
      var content = JSON.parse(dec.decode(new Uint8Array(data, off[4], off[5] - off[4])));
      return content.execution_state;
    } catch (e) {
      return null;
    }
  }

  var Native = window.WebSocket;
  function Watched(url, protocols) {
    var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    if (String(url).indexOf("/channels") !== -1) {
      ws.addEventListener("message", function (event) {
        var state = statusOf(event.data);
        if (state === "restarting" || state === "dead") showLost();
      });
      ws.addEventListener("close", function (event) {
        if (!leaving && event.code !== 1000) setTimeout(showLost, 1500);
      });
    }
    return ws;
  }
  Watched.prototype = Native.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Watched[k] = Native[k]; });
  window.WebSocket = Watched;
  window.awarenessShowLost = showLost;
})();
