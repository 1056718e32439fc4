"""The course's palette and fonts for the slides and handouts, read from the app's theme.

The student pages' ``theme.css`` keeps the course's visual identity as CSS custom
properties in ``:root`` (``--aw-text``, ``--aw-accent``, …). The slides never copy those
values: ``palette_css()`` reads every custom property from that ``:root`` at export time
and the slide and handout styles use them with ``var(--aw-…)``. When the theme has no
``--aw-font``, the font stack of its first ``font-family`` rule becomes ``--aw-font``.
"""

from __future__ import annotations

import re
from pathlib import Path

from awareness.paths import PACKAGE

__all__ = ["NEEDED", "THEME_CSS", "palette", "palette_css"]

THEME_CSS = (
    PACKAGE / "share" / "jupyter" / "voila" / "templates" / "awareness" / "static" / "theme.css"
)
# The custom properties the slide and handout styles use.
NEEDED = (
    "--aw-text",
    "--aw-muted",
    "--aw-accent",
    "--aw-accent-dark",
    "--aw-bg",
    "--aw-card",
    "--aw-help",
    "--aw-help-border",
    "--aw-focus",
    "--aw-font",
)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_ROOT = re.compile(r"(?:^|[}\s]):root\s*\{([^}]*)\}", re.S)
_PROP = re.compile(r"(--[A-Za-z0-9_-]+)\s*:\s*([^;]+);?")
_FONT = re.compile(r"font-family\s*:\s*([^;}]+)")


def palette(path: Path = THEME_CSS) -> dict[str, str]:
    """Every custom property in theme.css's ``:root`` (later blocks win), plus --aw-font."""
    from awareness.slides.preprocessors import SlideExportError

    try:
        css = _COMMENT.sub("", path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SlideExportError(f"{path}: cannot read the course theme ({exc.strerror})") from None
    props: dict[str, str] = {}
    for block in _ROOT.findall(css):
        for name, value in _PROP.findall(block):
            props[name] = " ".join(value.split())
    if "--aw-font" not in props:
        font = _FONT.search(css)
        if font:
            props["--aw-font"] = " ".join(font.group(1).split())
    missing = [name for name in NEEDED if name not in props]
    if missing:
        raise SlideExportError(
            f"{path}: the theme's :root lacks {', '.join(missing)} (the slides use them)"
        )
    return props


def palette_css(path: Path = THEME_CSS) -> str:
    """``:root { … }`` with the theme's custom properties, to put before the slide styles."""
    body = "".join(f"{name}: {value}; " for name, value in palette(path).items())
    return f":root {{ {body}}}"
