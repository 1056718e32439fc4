// The lesson page's front-end: the outputs of the lesson notebook and its widgets, live.
//
// Voilà's own front-end is JupyterLab's: about 5 MB of JavaScript in about 100 files,
// which a school laptop has to fetch, parse and run before a student sees the first
// button (2 s on an idle 2-core machine, 5-9 s when three pages load at once). The lessons
// only use a handful of standard widgets (boxes, HTML, buttons, radio buttons, check
// boxes), so this file draws those itself, with the same class names as ipywidgets, and
// talks to the lesson's kernel with the ipywidgets message protocol (version 2) over the
// kernel's websocket. A widget type it does not know is reported on the page
// (window.awarenessLite.unsupported) and in tests; it is never silently dropped.
// Nothing here loads anything from anywhere but this server.
(function () {
  "use strict";

  var SUPPORTED = [
    "VBoxView", "HBoxView", "BoxView", "HTMLView", "ButtonView", "RadioButtonsView",
    "CheckboxView"
  ];
  var lite = (window.awarenessLite = { supported: SUPPORTED, unsupported: [], ready: false });

  function uid() {
    var s = "";
    for (var i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }

  var configEl = document.getElementById("jupyter-config-data");
  var config = configEl ? JSON.parse(configEl.textContent) : {};
  var session = uid();
  // Model id -> {id, state, views}. A Map, and states without a prototype: ids and state
  // keys come from the kernel socket, and "__proto__" must be an ordinary key.
  var models = new Map();
  var ws = null;

  // --------------------------------------------------------------------------- kernel

  function send(msgType, content, metadata) {
    var msg = {
      header: {
        msg_id: uid(), username: "student", session: session, msg_type: msgType,
        version: "5.3", date: new Date().toISOString()
      },
      parent_header: {}, metadata: metadata || {}, content: content, channel: "shell",
      buffers: []
    };
    // Only sent on an open socket; a lost one is kernel-watch.js's to report.
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(msg));
  }

  function sendUpdate(model, state) {
    for (var key in state) model.state[key] = state[key];
    send("comm_msg", { comm_id: model.id, data: { method: "update", state: state, buffer_paths: [] } });
  }

  function sendCustom(model, content) {
    send("comm_msg", { comm_id: model.id, data: { method: "custom", content: content } });
  }

  function ref(value) {
    return typeof value === "string" && value.indexOf("IPY_MODEL_") === 0
      ? models.get(value.slice(10)) || null : null;
  }

  function setState(id, state) {
    var model = models.get(id);
    if (!model) {
      model = { id: id, state: Object.create(null), views: [] };
      models.set(id, model);
    }
    for (var key in state) model.state[key] = state[key];
    return model;
  }

  function changed(model, keys) {
    model.views.slice().forEach(function (view) { view.update(keys); });
    // A layout shared by several widgets: each of them applies it again.
    (model.dependents || []).forEach(function (view) { view.applyLayout(); });
  }

  function onMessage(event) {
    if (typeof event.data !== "string") return; // binary buffers: not used by the lessons
    var msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    var type = msg.header && msg.header.msg_type;
    var content = msg.content || {};
    var data = content.data || {};
    if (type === "comm_open" && content.target_name === "jupyter.widget") {
      var opened = setState(content.comm_id, data.state || {});
      changed(opened, Object.keys(data.state || {}));
    } else if (type === "comm_msg") {
      if (data.method === "update_states") {
        Object.keys(data.states || {}).forEach(function (id) {
          setState(id, data.states[id].state || {});
        });
        start();
      } else if (data.method === "update") {
        var model = models.get(content.comm_id);
        if (model) {
          for (var key in data.state) model.state[key] = data.state[key];
          changed(model, Object.keys(data.state || {}));
        }
      } else if (data.method === "custom") {
        var target = models.get(content.comm_id);
        var what = data.content && data.content["do"];
        if (target && (what === "focus" || what === "blur")) {
          target.views.forEach(function (view) { view.focus(what === "focus"); });
        }
      }
    } else if (type === "comm_close") {
      models.delete(content.comm_id);
    }
  }

  function connect() {
    if (!config.kernelId) return;
    var base = (config.baseUrl || "/").replace(/\/?$/, "/");
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + base +
      "api/kernels/" + config.kernelId + "/channels?session_id=" + session;
    ws = new WebSocket(url);
    ws.addEventListener("open", function () {
      var control = uid();
      send("comm_open", { comm_id: control, target_name: "jupyter.widget.control", data: {} },
        { version: "1.0.0" }); // the control protocol
      send("comm_msg", { comm_id: control, data: { method: "request_states" } });
    });
    ws.addEventListener("message", onMessage);
  }

  // --------------------------------------------------------------------------- views

  var BASE = {
    VBoxView: "lm-Widget lm-Panel jupyter-widgets widget-container widget-box widget-vbox",
    HBoxView: "lm-Widget lm-Panel jupyter-widgets widget-container widget-box widget-hbox",
    BoxView: "lm-Widget lm-Panel jupyter-widgets widget-container widget-box",
    HTMLView: "lm-Widget jupyter-widgets widget-inline-hbox widget-html",
    ButtonView: "lm-Widget jupyter-widgets jupyter-button widget-button",
    RadioButtonsView: "lm-Widget jupyter-widgets widget-inline-hbox widget-radio",
    CheckboxView: "lm-Widget jupyter-widgets widget-inline-hbox widget-checkbox"
  };

  function View(model) {
    this.model = model;
    this.name = model.state._view_name;
    this.layoutProps = [];
    this.layout = null;
    this.children = Object.create(null); // boxes: child model id -> view
    var tag = this.name === "ButtonView" ? "button" : "div";
    this.el = document.createElement(tag);
    this.build();
    model.views.push(this);
    this.update(null);
  }

  View.prototype.build = function () {
    var self = this;
    var m = this.model;
    if (this.name === "HTMLView") {
      this.content = document.createElement("div");
      this.content.className = "widget-html-content";
      this.el.appendChild(this.content);
    } else if (this.name === "ButtonView") {
      this.el.type = "button";
      this.el.addEventListener("click", function () { sendCustom(m, { event: "click" }); });
    } else if (this.name === "RadioButtonsView") {
      this.box = document.createElement("div");
      this.box.className = "widget-radio-box widget-radio-box-vertical";
      this.box.addEventListener("change", function (event) {
        var index = Number(event.target.value);
        if (event.target.checked) sendUpdate(m, { index: index });
      });
      this.el.appendChild(this.box);
    } else if (this.name === "CheckboxView") {
      var label = document.createElement("label");
      label.className = "widget-label-basic";
      this.input = document.createElement("input");
      this.input.type = "checkbox";
      this.text = document.createElement("span");
      label.appendChild(this.input);
      label.appendChild(this.text);
      this.el.appendChild(label);
      this.input.addEventListener("change", function () {
        sendUpdate(m, { value: self.input.checked });
      });
    }
  };

  View.prototype.update = function (keys) {
    var s = this.model.state;
    var all = keys === null;
    var has = function (k) { return all || keys.indexOf(k) !== -1; };
    if (has("_dom_classes")) {
      this.el.className = (BASE[this.name] || "lm-Widget jupyter-widgets") + " " +
        (s._dom_classes || []).join(" ");
    }
    if (has("layout")) {
      var layout = ref(s.layout);
      if (this.layout !== layout) {
        if (this.layout) this.layout.dependents.splice(this.layout.dependents.indexOf(this), 1);
        this.layout = layout;
        if (layout) (layout.dependents = layout.dependents || []).push(this);
      }
      this.applyLayout();
    }
    if (this.name === "HTMLView") {
      if (has("value")) this.content.innerHTML = s.value || "";
    } else if (this.name === "ButtonView") {
      if (has("description") || has("icon")) this.el.textContent = s.description || "";
      if (has("tooltip") || has("description")) {
        this.el.title = s.tooltip !== null && s.tooltip !== undefined ? s.tooltip : (s.description || "");
      }
      if (has("disabled")) this.el.disabled = !!s.disabled;
    } else if (this.name === "RadioButtonsView") {
      if (has("_options_labels")) this.radios();
      if (has("index") || has("_options_labels")) {
        var inputs = this.box.querySelectorAll("input");
        for (var i = 0; i < inputs.length; i++) inputs[i].checked = i === s.index;
      }
      if (has("disabled") || has("_options_labels")) {
        this.box.querySelectorAll("input").forEach(function (input) { input.disabled = !!s.disabled; });
      }
    } else if (this.name === "CheckboxView") {
      if (has("value")) this.input.checked = !!s.value;
      if (has("description") || has("description_allow_html")) {
        if (s.description_allow_html) this.text.innerHTML = s.description || "";
        else this.text.textContent = s.description || "";
        this.text.title = this.text.textContent;
      }
      if (has("disabled")) this.input.disabled = !!s.disabled;
    } else if (BASE[this.name] && this.name.indexOf("Box") !== -1) {
      if (has("children")) this.boxChildren();
    } else if (all) {
      if (lite.unsupported.indexOf(this.name) === -1) lite.unsupported.push(this.name);
      if (window.console) console.warn("awareness: widget type not drawn:", this.name);
    }
  };

  View.prototype.radios = function () {
    var labels = this.model.state._options_labels || [];
    this.box.textContent = "";
    for (var i = 0; i < labels.length; i++) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "radio";
      input.value = String(i);
      label.appendChild(input);
      label.appendChild(document.createTextNode(labels[i]));
      this.box.appendChild(label);
    }
  };

  View.prototype.boxChildren = function () {
    var self = this;
    var wanted = (this.model.state.children || []).map(ref).filter(Boolean);
    var keep = Object.create(null);
    var els = wanted.map(function (child) {
      keep[child.id] = true;
      var view = self.children[child.id];
      if (!view) view = self.children[child.id] = new View(child);
      return view.el;
    });
    // Only nodes that are out of place move: a focused button that stays keeps the focus.
    els.forEach(function (el, i) {
      if (self.el.childNodes[i] !== el) self.el.insertBefore(el, self.el.childNodes[i] || null);
    });
    while (self.el.childNodes.length > els.length) self.el.removeChild(self.el.lastChild);
    Object.keys(this.children).forEach(function (id) {
      if (!keep[id]) {
        self.children[id].remove();
        delete self.children[id];
      }
    });
  };

  View.prototype.applyLayout = function () {
    var el = this.el;
    var state = this.layout ? this.layout.state : {};
    var applied = [];
    Object.keys(state).forEach(function (key) {
      if (key.charAt(0) === "_" || state[key] === null || state[key] === undefined) return;
      var prop = key.replace(/_/g, "-");
      el.style.setProperty(prop, String(state[key]));
      applied.push(prop);
    });
    this.layoutProps.forEach(function (prop) {
      if (applied.indexOf(prop) === -1) el.style.removeProperty(prop);
    });
    this.layoutProps = applied;
  };

  View.prototype.focus = function (on) {
    var target = this.input || (this.box && this.box.querySelector("input")) || this.el;
    if (on) target.focus(); else target.blur();
  };

  View.prototype.remove = function () {
    var views = this.model.views;
    views.splice(views.indexOf(this), 1);
    if (this.layout) this.layout.dependents.splice(this.layout.dependents.indexOf(this), 1);
    var self = this;
    Object.keys(this.children).forEach(function (id) { self.children[id].remove(); });
  };

  // --------------------------------------------------------------------------- outputs

  var placeholders = []; // [element, model id]

  function renderOutput(output) {
    var div = document.createElement("div");
    var data = output.data || {};
    if (output.output_type === "stream") {
      div.className = "lm-Widget jp-RenderedText jp-OutputArea-output";
      var pre = document.createElement("pre");
      pre.textContent = output.text || "";
      div.appendChild(pre);
    } else if (output.output_type === "error") {
      div.className = "lm-Widget jp-RenderedText jp-OutputArea-output";
      var err = document.createElement("pre");
      err.textContent = (output.ename || "") + ": " + (output.evalue || "");
      div.appendChild(err);
    } else if (data["application/vnd.jupyter.widget-view+json"]) {
      div.className = "lm-Widget lm-Panel jp-OutputArea-output";
      placeholders.push([div, data["application/vnd.jupyter.widget-view+json"].model_id]);
    } else if (data["text/html"] !== undefined) {
      div.className = "lm-Widget jp-RenderedHTMLCommon jp-RenderedHTML jp-mod-trusted jp-OutputArea-output";
      div.setAttribute("data-mime-type", "text/html");
      var html = data["text/html"];
      div.innerHTML = Array.isArray(html) ? html.join("") : html;
    } else if (data["text/plain"] !== undefined) {
      div.className = "lm-Widget jp-RenderedText jp-OutputArea-output";
      var text = document.createElement("pre");
      var plain = data["text/plain"];
      text.textContent = Array.isArray(plain) ? plain.join("") : plain;
      div.appendChild(text);
    }
    return div;
  }

  function renderOutputs() {
    var scripts = document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]');
    Array.prototype.forEach.call(scripts, function (script) {
      var output;
      try { output = JSON.parse(script.textContent); } catch (e) { return; }
      script.parentNode.replaceChild(renderOutput(output), script);
    });
  }

  function start() {
    placeholders.splice(0).forEach(function (pair) {
      var model = models.get(pair[1]);
      if (model) pair[0].appendChild(new View(model).el);
    });
    lite.ready = true;
    document.body.setAttribute("data-awareness-lite", "ready");
  }

  renderOutputs();
  // The cells are shown by awareness.js (the page's last script) once it has made the
  // lesson's parts, so the first layout is of one part, not of the whole lesson; the
  // widgets appear as soon as their state has arrived.
  window.themeLoaded = true;
  connect();
})();
