"""Measuring slides in Chromium, and splitting the ones that run past the slide.

``MEASURE_JS`` measures every slide with all its fragments shown: how far its content
runs past the bottom and the right of the slide's content box (the 1920×1080 slide less
its padding), in design pixels, and for a slide with a flow (``data-aw-flow``, see
``awareness.slides.flow``) where each block ends. The export runs it in reveal.js's
print view, where every slide is laid out at once with every fragment shown; the tests
run the same function in the live deck at 1920×1080, slide by slide.

``split_overflowing`` keeps the blocks that fit and moves the rest to a continuation
slide; the export then renders and measures again, and stops with the deck, the slide
number and the overflow in px when a slide cannot be split.
"""

from __future__ import annotations

import copy
import uuid

from awareness.slides.flow import split

__all__ = [
    "AUTOSIZE_JS",
    "MEASURE_JS",
    "TEXT_SIZES",
    "autosize",
    "describe",
    "measure",
    "split_overflowing",
    "text_size_css",
]

# How far a slide's content runs past its content box, in design px (all fragments shown).
_OVERFLOW_JS = """
function awOverflow(s, scale) {
  const box = s.getBoundingClientRect();
  const cs = getComputedStyle(s);
  const limitY = box.height / scale - parseFloat(cs.paddingBottom);
  const limitX = box.width / scale - parseFloat(cs.paddingRight);
  let bottom = 0, right = 0, worst = '';
  for (const el of s.querySelectorAll('*')) {
    if (el.closest('aside.notes')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const b = (r.bottom - box.top) / scale, x = (r.right - box.left) / scale;
    if (b > bottom) {
      bottom = b;
      worst = el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    }
    if (x > right) right = x;
  }
  return {limitY, limitX, bottom, right, worst,
          width: Math.round(box.width / scale), height: Math.round(box.height / scale)};
}
"""

MEASURE_JS = (
    "(mode) => {"
    + _OVERFLOW_JS
    + """
  const live = mode === 'live';
  const sections = live
    ? [...document.querySelectorAll('.reveal .slides section[id]')]
    : [...document.querySelectorAll('.reveal .slides .pdf-page section[id]')];
  return sections.map((s, n) => {
    if (live) { const at = Reveal.getIndices(s); Reveal.slide(at.h, at.v, 999); }
    const scale = live ? Reveal.getScale() : 1;
    const o = awOverflow(s, scale);
    const top = s.getBoundingClientRect().top;
    const flow = s.querySelector('[data-aw-flow]');
    return {
      id: s.id, n: n + 1, width: o.width, height: o.height,
      over_y: Math.max(0, Math.ceil(o.bottom - o.limitY - 0.5)),
      over_x: Math.max(0, Math.ceil(o.right - o.limitX - 0.5)),
      limit: o.limitY, what: o.worst,
      blocks: flow ? [...flow.children].map(c => (c.getBoundingClientRect().bottom - top) / scale)
                   : null,
    };
  });
}"""
)

# The largest text size at which each slide of the lesson's own text (and each poll)
# still fits; the export sets it on the slide (print view, every fragment shown).
AUTOSIZE_JS = (
    "(sizes) => {"
    + _OVERFLOW_JS
    + """
  const out = {};
  const sections = [...document.querySelectorAll('.reveal .slides .pdf-page section[id]')];
  sections.forEach((s, n) => {
    if (!s.matches('.aw-autosize')) return;
    const before = s.className;
    for (const size of sizes) {
      s.className = before + ' aw-text-' + size;
      const o = awOverflow(s, 1);
      if (o.bottom <= o.limitY && o.right <= o.limitX) { out[n + 1] = size; break; }
    }
    s.className = before;
  });
  return out;
}"""
)


# The text sizes a slide of the lesson's own text may get, largest first (design px);
# the class aw-text-<size> sets them (``text_size_css``).
TEXT_SIZES = (46, 42, 38, 34)


def text_size_css() -> str:
    """The rules for the classes aw-text-<size>: the text of a slide at that size."""
    rules = []
    for size in TEXT_SIZES:
        sel = f".reveal section.aw-text-{size}"
        rules.append(
            f"{sel} :is(p, li, td, th, blockquote, dd, dt) {{ font-size: {size}px; }}"
            f" {sel} .quiz-options li {{ font-size: {size}px; }}"
            f" {sel} .quiz-hint {{ font-size: {max(24, round(size * 0.8))}px; }}"
            f" {sel} p > em:only-child {{ font-size: {max(24, round(size * 0.8))}px; }}"
        )
    return "\n".join(rules)


def measure(page, mode: str = "print") -> list[dict]:
    """Every slide of the deck loaded in page (print view, or live with Reveal ready)."""
    return page.evaluate(MEASURE_JS, mode)


def autosize(page, nb) -> tuple[object, int]:
    """The notebook with each slide of the lesson's own text (and each poll) at the
    largest text size that fits; how many slides changed."""
    from awareness.slides.preprocessors import slide_groups

    sizes = page.evaluate(AUTOSIZE_JS, list(TEXT_SIZES))
    nb = copy.deepcopy(nb)
    groups = slide_groups(nb.cells)
    changed = 0
    for n, size in sizes.items():
        n = int(n)
        if n <= len(groups) and size != TEXT_SIZES[-1]:
            first = nb.cells[groups[n - 1][0]]
            first.setdefault("metadata", {}).setdefault("awareness", {})["text_size"] = size
            changed += 1
    return nb, changed


def describe(deck: str, bad: list[dict]) -> str:
    """One line per slide that runs past the slide: deck, slide number, px."""
    lines = []
    for m in bad:
        where = []
        if m["over_y"]:
            where.append(f"{m['over_y']} px past the bottom")
        if m["over_x"]:
            where.append(f"{m['over_x']} px past the right edge")
        lines.append(f"{deck}: slide {m['n']} ({m['id']}): content runs {' and '.join(where)}"
                     f" (lowest: {m['what'] or '?'})")
    return "\n".join(lines)


def _keep(m: dict) -> int:
    """How many of the flow's blocks stay on the slide."""
    blocks = m["blocks"] or []
    keep = sum(1 for bottom in blocks if bottom <= m["limit"])
    if keep >= len(blocks):
        keep = len(blocks) - 1  # the blocks fit, what follows them does not
    return max(keep, 1)


def split_overflowing(nb, bad: list[dict]) -> tuple[object, list[dict]]:
    """The notebook with each overflowing slide fitted: a flow slide split in two, a slide
    of the lesson's own text set in two columns; and the slides that cannot be fitted
    (a flow whose single block is too big, text already in two columns)."""
    from awareness.slides.preprocessors import slide_groups

    nb = copy.deepcopy(nb)
    groups = slide_groups(nb.cells)
    stuck = []
    inserts: list[tuple[int, object]] = []
    taken = {c.get("metadata", {}).get("awareness", {}).get("id") for c in nb.cells}
    for m in bad:
        if m["n"] > len(groups):
            stuck.append(m)
            continue
        group = groups[m["n"] - 1]
        first = nb.cells[group[0]]
        meta = first.setdefault("metadata", {}).setdefault("awareness", {})
        flow = meta.get("flow")
        if not flow:
            if meta.get("layout") == "two-cols" or meta.get("bundle") or meta.get("kind_of"):
                stuck.append(m)
            else:
                meta["layout"] = "two-cols"
            continue
        if flow.get("alt") and m["blocks"] and max(m["blocks"]) <= m["limit"]:
            # The blocks fit; what runs over is the rest of the slide: its other layout.
            inserts.extend(_alternatives(nb, group[0], first, flow["alt"], taken))
            continue
        if not m["blocks"] or len(flow["blocks"]) < 2 or m["over_x"]:
            stuck.append(m)
            continue
        one, two = split(flow, _keep(m))
        meta["flow"] = one
        cell2 = copy.deepcopy(first)
        if "id" in cell2:
            cell2["id"] = uuid.uuid4().hex[:8]
        meta2 = cell2.metadata["awareness"]
        meta2["flow"] = two
        base = meta.get("split_of") or meta.get("id") or m["id"]
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        meta2["id"] = f"{base}-{n}"
        meta2["split_of"] = base
        taken.add(meta2["id"])
        cell2.metadata["slideshow"] = {"slide_type": "subslide"}
        if meta.get("next"):
            meta2["next"] = meta.pop("next")
        inserts.append((group[-1] + 1, cell2))
    for index, cell in sorted(inserts, key=lambda pair: -pair[0]):
        nb.cells.insert(index, cell)
    return nb, stuck


def _alternatives(nb, index: int, first, alts: list[dict], taken: set) -> list[tuple]:
    """Turn the slide at index into its alternative slides (the first keeps its id)."""
    from awareness.slides.preprocessors import set_html

    meta = first.metadata["awareness"]
    cells = []
    for k, alt in enumerate(alts):
        cell = first if k == 0 else copy.deepcopy(first)
        m = cell.metadata["awareness"]
        m.pop("flow", None)
        if "flow" in alt:
            m["flow"] = alt["flow"]
        else:
            set_html(cell, alt["html"])
        if k:
            if "id" in cell:
                cell["id"] = uuid.uuid4().hex[:8]
            m["id"] = f"{meta.get('id')}{alt.get('suffix', f'-{k + 1}')}"
            taken.add(m["id"])
            cell.metadata["slideshow"] = {"slide_type": "subslide"}
            cells.append(cell)
    return [(index + 1, cell) for cell in reversed(cells)]
