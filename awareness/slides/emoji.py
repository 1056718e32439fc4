"""Emoji on the slides as inline SVG, so they never print as empty boxes.

A projector laptop or the PDF printer may have no colour emoji font. The export swaps
every emoji in the slides' text for the matching Twemoji graphic (npm ``@twemoji/svg``,
graphics CC-BY 4.0 by Twitter, Inc. and contributors), inlined as ``<svg role="img">``
with the emoji's name as its label: nothing is loaded from anywhere. Text in tags,
scripts and styles is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = ["EMOJI", "inline_emoji", "twemoji_dir"]

# Characters shown as emoji by default (Unicode's Emoji_Presentation in the BMP), any
# character in the pictograph planes, and the joiners, selectors and modifiers after them.
_BMP = (
    "\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693"
    "\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa"
    "\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf"
    "\u2b1b\u2b1c\u2b50\u2b55"
)
_BASE = f"[{_BMP}\U0001f000-\U0001faff]|[\u2000-\u2bff]\ufe0f"
_TAIL = "(?:\ufe0f|[\U0001f3fb-\U0001f3ff])*"
EMOJI = re.compile(f"(?:{_BASE}){_TAIL}(?:\u200d(?:{_BASE}|[\u2000-\u2bff]){_TAIL})*")
_PARTS = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>|<[^>]*>)", re.S | re.I)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def twemoji_dir(root: Path) -> Path:
    return root / "node_modules" / "@twemoji" / "svg"


@lru_cache(maxsize=512)
def _svg(folder: str, emoji: str) -> str | None:
    codes = [f"{ord(ch):x}" for ch in emoji]
    for name in ("-".join(codes), "-".join(c for c in codes if c != "fe0f")):
        path = Path(folder) / f"{name}.svg"
        if path.is_file():
            svg = path.read_text(encoding="utf-8").strip()
            label = " ".join(
                unicodedata.name(ch, "").lower() for ch in emoji if ord(ch) not in (0xFE0F, 0x200D)
            ).strip() or "emoji"
            open_tag = (
                f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 36" class="aw-emoji" '
                f'width="1.15em" height="1.15em" style="vertical-align:-0.2em" '
                f'role="img" aria-label="{label}">'
            )
            return _SVG_OPEN.sub(open_tag, svg, count=1)
    return None


def inline_emoji(html: str, root: Path) -> str:
    """html with every emoji in its text (not in tags, scripts or styles) as inline SVG."""
    folder = twemoji_dir(root)
    if not folder.is_dir():
        from awareness.slides.preprocessors import SlideExportError

        raise SlideExportError(
            f"the emoji graphics are not installed in {folder}: run `make slides` (npm ci)"
        )

    def swap(match: re.Match) -> str:
        return _svg(str(folder), match.group(0)) or match.group(0)

    parts = _PARTS.split(html)
    for i in range(0, len(parts), 2):
        if EMOJI.search(parts[i]):
            parts[i] = EMOJI.sub(swap, parts[i])
    return "".join(parts)
