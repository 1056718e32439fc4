// The serverless copy's one script: the chat, the quiz and the checklist without a kernel.
//
// Every word, every piece of HTML and every rule it follows comes from the data the build
// wrote after each widget (<script type="application/json" class="aw-data">, made by
// awareness/static/data.py from the app's own widgets, engines and renderers). This file
// only looks things up and shows them: it follows the chat's `next` links as the engine
// does, puts the debrief together from its pieces as render_signs does (a parity test
// walks every path in both), and shows the feedback the engine graded for each possible
// answer. Steps, progress in localStorage, the typing animation and the helpers are the
// app's awareness.js, which runs after this file.
//
// SCORM 1.2: when the course runs in an LMS (an API object on a parent or opener
// window), the launch page opens and finishes the session, and the last lesson's quiz,
// once done, sets cmi.core.lesson_status to "completed". Without an LMS nothing happens.
(function () {
  "use strict";

  // ------------------------------------------------------------------------ helpers

  function role(root, name) { return root.querySelector('[data-aw-role="' + name + '"]'); }
  function content(el) { return el.querySelector(".widget-html-content") || el; }
  function setHTML(el, html) {
    var box = content(el);
    if (box.innerHTML !== html) box.innerHTML = html;
  }
  // Shown and hidden as lite.js does it: the widget's layout display, none or unset.
  function show(el, on) {
    if (on) el.style.removeProperty("display"); else el.style.setProperty("display", "none");
  }
  function fromHTML(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content.firstElementChild;
  }
  function fill(text, values) {
    Object.keys(values).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    return text;
  }
  // Children in this order; only nodes out of place move (a focused button keeps focus).
  function place(parent, els) {
    els.forEach(function (el, i) {
      if (parent.childNodes[i] !== el) parent.insertBefore(el, parent.childNodes[i] || null);
    });
    while (parent.childNodes.length > els.length) parent.removeChild(parent.lastChild);
  }
  function now() { return window.performance ? window.performance.now() : Date.now(); }

  // ------------------------------------------------------------------------ SCORM 1.2

  // The standard API discovery: up the parent chain, then the opener's.
  function findAPI(win) {
    for (var i = 0; win && i < 12; i++) {
      try { if (win.API) return win.API; } catch (e) { return null; }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  function lms() {
    var api = findAPI(window);
    if (!api && window.opener) api = findAPI(window.opener);
    try {
      if (!api && window.top && window.top.opener) api = findAPI(window.top.opener);
    } catch (e) { /* another origin */ }
    return api;
  }
  function call(api, name) {
    try {
      return api[name].apply(api, Array.prototype.slice.call(arguments, 2));
    } catch (e) { return "false"; }
  }
  var scorm = { calls: [] };
  window.awarenessStatic = { scorm: scorm };

  function completed() {
    var api = lms();
    if (!api) return;
    call(api, "LMSSetValue", "cmi.core.lesson_status", "completed");
    call(api, "LMSCommit", "");
    scorm.completed = true;
  }

  var launch = document.querySelector('meta[name="awareness-scorm"][content="launch"]');
  if (launch) {
    var api = lms();
    if (api) {
      call(api, "LMSInitialize", "");
      var status = call(api, "LMSGetValue", "cmi.core.lesson_status");
      if (!status || status === "not attempted") {
        call(api, "LMSSetValue", "cmi.core.lesson_status", "incomplete");
        call(api, "LMSCommit", "");
      }
      var finished = false;
      window.addEventListener("pagehide", function () {
        if (finished) return;
        finished = true;
        call(api, "LMSCommit", "");
        call(api, "LMSFinish", "");
      });
    }
    return;
  }

  // The cells are shown once awareness.js has made the lesson's parts (it calls this, as
  // Voilà's template does): the first layout is of one part, not of the whole lesson.
  window.voila_finish = function () {
    var cells = document.getElementById("rendered_cells");
    if (cells) cells.style.display = "";
  };

  var pageInfo = null;
  try { pageInfo = JSON.parse(document.getElementById("awareness-page").textContent); } catch (e) { /* none */ }
  var lastLesson = !!(pageInfo && pageInfo.lesson === pageInfo.lessons);

  // ------------------------------------------------------------------------ the chat

  function Chat(root, d) {
    var list = role(root, "messages");
    var prompt = role(root, "prompt");
    var box = role(root, "choices");
    var ending = role(root, "ending");
    var progress = role(root, "progress");
    var back = role(root, "back");
    var restart = role(root, "restart");
    var pool = Array.prototype.slice.call(box.children);
    var rows = Object.create(null);
    var cards = Object.create(null);
    var flagShown = Object.create(null);
    var path = [];
    var flags = Object.create(null);
    var quietUntil = 0;

    // The rows drawn with the page are the first messages.
    Array.prototype.forEach.call(list.children, function (row) {
      var msg = row.querySelector(".aw-msg[data-node]");
      if (msg) wire(msg.getAttribute("data-node"), row);
    });

    // The engine's _run: from a node, along `next`, up to a decision or an ending.
    function run(id) {
      var out = [];
      for (var i = 0; id !== null && id !== undefined && i <= Object.keys(d.nodes).length; i++) {
        out.push(id);
        id = d.nodes[id].next;
      }
      return out;
    }
    function entries() {
      var all = run(d.start).map(function (id) { return { node: id, choice: null }; });
      path.forEach(function (c) {
        all[all.length - 1].choice = c;
        run(d.choices[c].next).forEach(function (id) { all.push({ node: id, choice: null }); });
      });
      return all;
    }
    function current() { var all = entries(); return all[all.length - 1].node; }
    function finished() { return !!d.nodes[current()].ending; }

    function wire(id, row) {
      rows[id] = row;
      flagShown[id] = false;
      var button = row.querySelector("button.aw-flag-btn");
      if (button) button.addEventListener("click", function () { toggle(id); });
    }
    function rowFor(id) {
      if (!rows[id]) wire(id, fromHTML(d.nodes[id].row));
      return rows[id];
    }
    function cardFor(c) {
      if (!cards[c]) cards[c] = fromHTML(d.choices[c].card);
      return cards[c];
    }
    function syncFlag(id) {
      var node = d.nodes[id];
      var on = !!flags[id];
      if (!node.bubble || flagShown[id] === on) return;
      flagShown[id] = on;
      var row = rows[id];
      setHTML(row.querySelector(".widget-html"), node.bubble[on ? 1 : 0]);
      var button = row.querySelector("button.aw-flag-btn");
      button.textContent = d.flag[on ? 1 : 0];
      button.title = d.flag[on ? 1 : 0];
      button.classList.toggle("aw-flag-on", on);
    }

    function draw() {
      var all = entries();
      var items = [];
      show(ending, false);
      setHTML(ending, "");
      all.forEach(function (entry) {
        items.push(rowFor(entry.node));
        syncFlag(entry.node);
        if (entry.choice) items.push(cardFor(entry.choice));
      });
      place(list, items);
      var last = d.nodes[all[all.length - 1].node];
      var done = !!last.ending;
      setHTML(progress, done ? d.progressEnd : d.progress[Math.min(path.length + 1, d.total) - 1]);
      back.disabled = !path.length;
      var choices = [];
      if (done) {
        setHTML(prompt, "");
        showEnding(all);
      } else {
        setHTML(prompt, last.prompt);
        choices = last.choices;
        choices.forEach(function (c, i) {
          var b = pool[i];
          b.setAttribute("data-choice", c);
          b.textContent = d.choices[c].text;
          b.title = d.choices[c].text;
          show(b, true);
        });
      }
      pool.slice(choices.length).forEach(function (b) {
        show(b, false);
        b.removeAttribute("data-choice");
      });
      box.classList.remove("aw-busy");
    }

    function choose(c) {
      var node = d.nodes[current()];
      if (!node.choices || node.choices.indexOf(c) === -1) return;
      if (now() < quietUntil) return; // a double tap: meant for the old choices
      quietUntil = now() + d.quiet * 1000;
      box.classList.add("aw-busy");
      path.push(c);
      draw();
    }
    function toggle(id) {
      if (flags[id]) delete flags[id]; else flags[id] = true;
      syncFlag(id);
      if (finished()) showEnding(entries());
    }

    // The debrief, put together as render_signs does from its pieces.
    function showEnding(all) {
      var E = d.ending;
      var transcript = all.map(function (e) { return e.node; });
      var order = Object.create(null);
      transcript.forEach(function (id, i) { order[id] = i; });
      var tagOrder = [];
      var byTag = Object.create(null);
      transcript.forEach(function (id) {
        d.nodes[id].tags.forEach(function (t) {
          if (!byTag[t]) { byTag[t] = []; tagOrder.push(t); }
          if (byTag[t].indexOf(id) === -1) byTag[t].push(id);
        });
      });
      var found = [];
      var missed = [];
      tagOrder.forEach(function (t) {
        var hit = byTag[t].some(function (n) { return flags[n]; });
        (hit ? found : missed).push(t);
      });
      var wrong = [];
      transcript.forEach(function (id) {
        if (flags[id] && !d.nodes[id].tags.length && wrong.indexOf(id) === -1) wrong.push(id);
      });
      var marks = Object.create(null);
      var marked = [];
      function mark(id, html) {
        if (!marks[id]) { marks[id] = []; marked.push(id); }
        marks[id].push(html);
      }
      found.forEach(function (t) {
        var hit = byTag[t].filter(function (n) { return flags[n]; })[0] || byTag[t][0];
        mark(hit, E.tags[t].found);
      });
      missed.forEach(function (t) { mark(byTag[t][0], E.tags[t].missed); });
      wrong.forEach(function (id) { mark(id, d.nodes[id].wrong); });
      var at = function (id) { return id in order ? order[id] : transcript.length; };
      marked.sort(function (a, b) { return at(a) - at(b); });
      var items = marked.map(function (id) {
        return d.nodes[id].replay[flags[id] ? 1 : 0] + marks[id].join("") + "</ul></li>";
      }).join("");
      var note = "";
      if (!missed.length && !wrong.length && found.length) note = E.perfect;
      else if (!found.length) note = E.noneFound;
      else if (!missed.length) note = E.noneMissed;
      if (wrong.length) note += E.wrongNote;
      var total = found.length + missed.length;
      var score = '<p class="aw-score" data-found="' + found.length + '" data-total="' + total +
        '" data-wrong="' + wrong.length + '">' +
        fill(E.score, { found: found.length, total: total, wrong: wrong.length }) + "</p>";
      var signs = found.concat(missed);
      signs.sort(function (a, b) { return at(byTag[a][0]) - at(byTag[b][0]); });
      var why = signs.length ? E.whyHead + signs.map(function (t) { return E.tags[t].why; }).join("") +
        "</ul></details>" : "";
      setHTML(ending, E.before[transcript[transcript.length - 1]] + E.signsHead + score + note +
        (marked.length ? E.legend : "") + '<ol class="aw-replay">' + items + "</ol>" + why +
        "</section>" + E.after);
      show(ending, true);
    }

    pool.forEach(function (b) {
      b.addEventListener("click", function () {
        var c = b.getAttribute("data-choice");
        if (c) choose(c);
      });
    });
    back.addEventListener("click", function () {
      if (!path.length) return;
      path.pop();
      var shown = entries().map(function (e) { return e.node; });
      Object.keys(flags).forEach(function (id) { if (shown.indexOf(id) === -1) delete flags[id]; });
      draw();
      if (back.disabled && pool.length && pool[0].style.display !== "none") pool[0].focus();
    });
    restart.addEventListener("click", function () {
      path = [];
      flags = Object.create(null);
      draw();
    });
    draw();
  }

  // ------------------------------------------------------------------------ the quiz

  function Quiz(root, d) {
    var el = {};
    ["progress", "prompt", "hint", "inputs", "feedback", "summary", "check", "try_again",
     "show_answer", "next", "restart"].forEach(function (name) { el[name] = role(root, name); });
    var index = 0;
    var checked = false;
    var first = Object.create(null); // question index -> right at the first check (1/0)
    var order = [];
    var feedback = "";

    function q() { return d.questions[index]; }
    function buttons(on) {
      show(el.check, !!on.check);
      show(el.try_again, !!on.tryAgain);
      show(el.show_answer, !!on.showAnswer);
      show(el.next, !!on.next);
      show(el.restart, !!on.restart);
    }
    function setFeedback(html) { feedback = html; setHTML(el.feedback, html); }
    function radios() { return el.inputs.querySelectorAll('input[type="radio"]'); }
    function boxes() { return el.inputs.querySelectorAll('input[type="checkbox"]'); }
    function orderRows() { return el.inputs.querySelectorAll(".quiz-order-row"); }

    function setInputs(html) {
      var inputs = fromHTML(html);
      inputs.setAttribute("data-aw-role", "inputs");
      el.inputs.parentNode.replaceChild(inputs, el.inputs);
      el.inputs = inputs;
      // One choice at a time, as the app's radio buttons (their kernel sets the index).
      inputs.addEventListener("change", function (event) {
        if (event.target.type !== "radio" || !event.target.checked) return;
        Array.prototype.forEach.call(radios(), function (radio) {
          if (radio !== event.target) radio.checked = false;
        });
      });
    }

    function refreshOrder() {
      var steps = q().steps;
      var rowsNow = orderRows();
      Array.prototype.forEach.call(rowsNow, function (row, i) {
        var step = steps[order[i]];
        var moves = row.querySelectorAll("button");
        row.querySelector(".quiz-step-text").textContent = step.label;
        moves[0].title = step.up;
        moves[1].title = step.down;
        moves[0].disabled = i === 0 || checked;
        moves[1].disabled = i === rowsNow.length - 1 || checked;
      });
    }
    function move(position, delta) {
      var other = position + delta;
      if (checked || other < 0 || other >= order.length) return;
      var t = order[position];
      order[position] = order[other];
      order[other] = t;
      refreshOrder();
      var moves = orderRows()[other].querySelectorAll("button");
      var button = delta < 0 ? moves[0] : moves[1];
      (button.disabled ? moves[1] : button).focus();
    }

    function showQuestion() {
      var question = q();
      setFeedback("");
      setHTML(el.summary, "");
      ["progress", "prompt", "hint", "inputs"].forEach(function (n) { show(el[n], true); });
      show(el.summary, false);
      checked = false;
      setInputs(question.inputs);
      if (question.type === "order") {
        order = question.shown.slice();
        Array.prototype.forEach.call(orderRows(), function (row, i) {
          var moves = row.querySelectorAll("button");
          moves[0].addEventListener("click", function () { move(i, -1); });
          moves[1].addEventListener("click", function () { move(i, 1); });
        });
        refreshOrder();
      }
      buttons({ check: true });
      setHTML(el.hint, question.hint);
      setHTML(el.prompt, question.prompt);
      setHTML(el.progress, question.progress);
    }
    function focusFirst() {
      var target = el.inputs.querySelector("input") ||
        (orderRows()[0] && orderRows()[0].querySelectorAll("button")[1]);
      if (target) target.focus();
    }
    function disableInputs(off) {
      Array.prototype.forEach.call(el.inputs.querySelectorAll("input"), function (input) {
        input.disabled = off;
      });
      if (q().type === "order") refreshOrder();
    }
    function answer() {
      var question = q();
      if (question.type === "order") return order.slice();
      var inputs = question.type === "single" || question.type === "true_false" ? radios() : boxes();
      var chosen = [];
      Array.prototype.forEach.call(inputs, function (input, i) {
        if (input.checked) chosen.push(question.shown[i]);
      });
      return chosen;
    }

    function check() {
      if (index >= d.questions.length || checked) return;
      var given = answer();
      if (!given.length) { setFeedback(d.nudge); return; }
      var question = q();
      var graded = question.answers[given.join(",")];
      if (!(index in first)) first[index] = graded[1];
      checked = true;
      setFeedback(question.feedback[graded[0]]);
      disableInputs(true);
      var retry = !graded[1];
      var label = index === d.questions.length - 1 ? d.finish : d.next;
      el.next.textContent = label;
      el.next.title = label;
      buttons({ tryAgain: retry, showAnswer: retry, next: true });
      (retry ? el.try_again : el.next).focus();
    }
    function tryAgain() {
      checked = false;
      setFeedback("");
      disableInputs(false);
      buttons({ check: true });
      focusFirst();
    }
    function showAnswer() {
      setFeedback(feedback + q().answer);
      buttons({ next: true });
      el.next.focus();
    }
    function next() {
      index += 1;
      checked = false;
      if (index >= d.questions.length) {
        showSummary();
        el.restart.focus();
      } else {
        showQuestion();
        focusFirst();
      }
    }
    function restart() {
      index = 0;
      checked = false;
      first = Object.create(null);
      showQuestion();
      focusFirst();
    }
    function showSummary() {
      ["progress", "prompt", "hint"].forEach(function (n) { setHTML(el[n], ""); });
      setFeedback("");
      el.inputs.textContent = "";
      ["progress", "prompt", "hint", "inputs"].forEach(function (n) { show(el[n], false); });
      show(el.summary, true);
      var right = 0;
      d.questions.forEach(function (x, i) { if (first[i]) right += 1; });
      var lines = d.summary.topics.map(function (topic) {
        var mask = 0;
        topic.questions.forEach(function (i, k) { if (first[i]) mask |= 1 << k; });
        return topic.lines[mask];
      });
      setHTML(el.summary, d.summary.head[right] + lines.join("") + d.summary.end);
      buttons({ restart: true });
      root.setAttribute("data-aw-done", "1");
      if (lastLesson) completed();
    }

    el.check.addEventListener("click", check);
    el.try_again.addEventListener("click", tryAgain);
    el.show_answer.addEventListener("click", showAnswer);
    el.next.addEventListener("click", next);
    el.restart.addEventListener("click", restart);
    showQuestion();
  }

  // ------------------------------------------------------------------------ checklists

  function Checklist(root, d) {
    var counter = role(root, "counter");
    var done = role(root, "done");
    var inputs = root.querySelectorAll('[data-aw-role="item"] input[type="checkbox"]');
    function update() {
      var ticked = 0;
      Array.prototype.forEach.call(inputs, function (input) { if (input.checked) ticked += 1; });
      setHTML(counter, d.counter[ticked]);
      setHTML(done, ticked === inputs.length ? d.done : "");
    }
    Array.prototype.forEach.call(inputs, function (input) { input.addEventListener("change", update); });
    update();
  }

  // ------------------------------------------------------------------------ start

  var KINDS = { chat: Chat, quiz: Quiz, checklist: Checklist };
  Array.prototype.forEach.call(document.querySelectorAll("script.aw-data"), function (island) {
    var data;
    try { data = JSON.parse(island.textContent); } catch (e) { return; }
    var root = island.previousElementSibling;
    if (root && KINDS[data.kind]) KINDS[data.kind](root, data);
  });
  // lite.js's mark, for what waits on the widgets: they are all drawn.
  document.body.setAttribute("data-awareness-lite", "ready");
  document.body.setAttribute("data-awareness-static", "ready");
})();
