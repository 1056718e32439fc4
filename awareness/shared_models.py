"""Layout and style models shared by the course's widgets.

ipywidgets gives every widget a Layout model and most a style model of their own: a
button is three models, and each model is one more message from the kernel and one more
object the browser builds before it can draw. The chat's messages, its buttons and the
quiz's texts never change their layout or style, so they share one model of each kind:
a new chat message costs 3 models instead of 8. A widget that is shown and hidden (its
``layout.display`` changes) keeps a Layout of its own.

Models are shared per kernel. One that was closed (``Widget.close_all()``) is replaced.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from ipywidgets.widgets.widget_button import ButtonStyle
from ipywidgets.widgets.widget_string import HTMLStyle

__all__ = ["button_widget", "html_widget", "shared_layout", "shared_style"]

_MODELS: dict[tuple, w.Widget] = {}


def _shared(kind: type[w.Widget], traits: dict[str, Any]) -> Any:
    key = (kind, tuple(sorted(traits.items())))
    model = _MODELS.get(key)
    if model is None or model.comm is None:
        model = _MODELS[key] = kind(**traits)
    return model


def shared_layout(**traits: Any) -> w.Layout:
    """One Layout with these traits, for widgets that never change theirs."""
    return _shared(w.Layout, traits)


def shared_style(kind: type[w.Widget]) -> Any:
    """One style model of this kind (``ButtonStyle``, ``HTMLStyle`` …) with its defaults."""
    return _shared(kind, {})


def html_widget(value: str = "", layout: w.Layout | None = None) -> w.HTML:
    """An HTML widget with the shared style, and the shared layout unless given its own."""
    return w.HTML(value, layout=layout or shared_layout(), style=shared_style(HTMLStyle))


def button_widget(description: str = "", layout: w.Layout | None = None, **traits: Any) -> w.Button:
    """A Button with the shared style, and the shared layout unless given its own."""
    return w.Button(
        description=description,
        layout=layout or shared_layout(),
        style=shared_style(ButtonStyle),
        **traits,
    )
