/* The course's deck: reveal.js at the 1920x1080 design size, and story navigation.
 *
 * A slide whose story goes on somewhere else than the next slide says where in
 * data-aw-next (the chat's branches). "Next" (right arrow, space, page down, a clicker)
 * shows the slide's next fragment, then follows data-aw-next or goes to the next slide;
 * "back" (left arrow, page up) undoes fragments, then returns to the slide the teacher
 * came from (a branch goes back to its decision). On a decision slide the keys A, B, C, D
 * follow that choice's link (B pauses the deck elsewhere, as in reveal.js). A link with
 * data-aw-back goes back to the decision the class came from. */
(function () {
  "use strict";
  var trail = [];
  var goingBack = false;

  function slideById(id) {
    var el = id && document.getElementById(id);
    return el && el.tagName === "SECTION" ? el : null;
  }

  function go(el, fragment) {
    var at = Reveal.getIndices(el);
    Reveal.slide(at.h, at.v, fragment);
  }

  function next() {
    if (Reveal.availableFragments().next) {
      Reveal.nextFragment();
      return;
    }
    var target = slideById(Reveal.getCurrentSlide().getAttribute("data-aw-next"));
    if (target) go(target, -1);
    else Reveal.next();
  }

  function prev() {
    if (Reveal.availableFragments().prev) {
      Reveal.prevFragment();
      return;
    }
    var back = slideById(trail.pop());
    if (back) {
      goingBack = true;
      try { go(back, 999); } finally { goingBack = false; }
    } else {
      Reveal.prev();
    }
  }

  function choose(letter) {
    return function () {
      var link = Reveal.getCurrentSlide().querySelector('a[data-aw-key="' + letter + '"]');
      if (link) link.click();
      else if (letter === "B") Reveal.togglePause();
    };
  }

  Reveal.initialize({
    width: 1920,
    height: 1080,
    margin: 0,
    minScale: 0.1,
    maxScale: 2,
    center: false,
    controls: false,
    progress: true,
    hash: true,
    slideNumber: "c/t",
    showSlideNumber: "all",
    navigationMode: "linear",
    transition: "none",
    backgroundTransition: "none",
    plugins: [RevealNotes],
    pdfSeparateFragments: false,
    pdfMaxPagesPerSlide: 1,
    keyboard: {
      32: next, 34: next, 39: next, 40: next, 78: next,
      33: prev, 37: prev, 38: prev, 80: prev,
      65: choose("A"), 66: choose("B"), 67: choose("C"), 68: choose("D")
    }
  });

  Reveal.on("slidechanged", function (event) {
    if (!goingBack && event.previousSlide && event.previousSlide.id) {
      trail.push(event.previousSlide.id);
      if (trail.length > 200) trail.shift();
    }
  });

  // Links between slides go straight to their slide (also when the address already
  // names it, as after going back with the keyboard); a "back to the decision" link goes
  // to the decision the class came from.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('.reveal a[href^="#/"]');
    if (!link) return;
    var target = slideById(link.getAttribute("href").slice(2));
    if (link.hasAttribute("data-aw-back")) {
      for (var i = trail.length - 1; i >= 0; i--) {
        var el = slideById(trail[i]);
        if (el && el.classList.contains("aw-k-chat-decision")) {
          target = el;
          trail.length = i;
          break;
        }
      }
    }
    if (!target) return;
    event.preventDefault();
    var back = link.hasAttribute("data-aw-back");
    goingBack = back;
    try { go(target, back ? 999 : -1); } finally { goingBack = false; }
  });
})();
