"""The course's few illustrations: simple shapes as inline SVG (no photos of people,
nothing sexual, nothing loaded from anywhere). Their colours are theme.css's palette
(the ``i-…`` classes); they are decoration only (``aria-hidden``), and hidden in forced
colours (high contrast), where the text says everything they do."""

from __future__ import annotations

__all__ = ["BADGE", "HERO", "STAR"]

_OPEN = '<svg class="aw-ill" aria-hidden="true" focusable="false" viewBox="{box}">'

# The start page: a phone with a chat on it, and a shield with a tick.
HERO = (
    _OPEN.format(box="0 0 200 160")
    + '<circle class="i-s" cx="100" cy="82" r="76"/>'
    '<rect class="i-d" x="52" y="16" width="86" height="132" rx="16"/>'
    '<rect class="i-c" x="59" y="28" width="72" height="108" rx="8"/>'
    '<rect class="i-s" x="65" y="38" width="46" height="16" rx="8"/>'
    '<rect class="i-a" x="80" y="60" width="45" height="16" rx="8"/>'
    '<rect class="i-s" x="65" y="82" width="36" height="16" rx="8"/>'
    '<rect class="i-a" x="92" y="104" width="33" height="16" rx="8"/>'
    '<path class="i-g" d="M152 70l28 11v22c0 19-12 30-28 37-16-7-28-18-28-37V81z"/>'
    '<path d="M140 104l9 9 16-18" fill="none" stroke="#ffffff" stroke-width="6" '
    'stroke-linecap="round" stroke-linejoin="round"/>'
    '<circle class="i-w" cx="34" cy="44" r="7"/><circle class="i-w" cx="176" cy="34" r="5"/>'
    '<circle class="i-a" cx="30" cy="118" r="4"/></svg>'
)

# The quiz's result card: a star.
STAR = (
    _OPEN.format(box="0 0 80 80")
    + '<circle class="i-c" cx="40" cy="40" r="38"/>'
    '<path class="i-w" d="M40 12l8.2 16.6 18.3 2.7-13.2 12.9 3.1 18.2L40 53.8l-16.4 8.6 '
    '3.1-18.2-13.2-12.9 18.3-2.7z"/></svg>'
)

# The course certificate: a rosette with a tick.
BADGE = (
    _OPEN.format(box="0 0 80 96")
    + '<path class="i-d" d="M26 54 16 90l13-7 8 11 7-34z"/>'
    '<path class="i-d" d="M54 54l10 36-13-7-8 11-7-34z"/>'
    '<circle class="i-a" cx="40" cy="38" r="30"/><circle class="i-c" cx="40" cy="38" r="21"/>'
    '<path class="i-l" d="M30 38l7 7 14-15"/></svg>'
)
