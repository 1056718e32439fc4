"""A tree of the course's ipywidgets as the HTML lite.js draws for it in a Voilà page.

The serverless copy shows the same widgets the app does, built by the same Python code
(``ChatWidget``, ``QuizWidget``, ``checklist_widget``), and writes down what lite.js
would draw for them: the same elements and class names (ipywidgets' own), the layout as
inline styles, a button's description as its text and title. Only the widgets lite.js
draws are known here (``SUPPORTED``); another type raises ``ValueError``.

``roles`` names pieces for the page's script: ``data-aw-role="<name>"`` on the element
of each widget given. A ``<style>`` HTML widget (the chat's and the quiz's CSS) is left
empty: the static pages link the same CSS files instead of repeating them in every page.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

__all__ = ["SUPPORTED", "widget_html"]

# The class names lite.js gives each view (lite.js BASE), by the widget's _view_name.
SUPPORTED = {
    "VBoxView": "lm-Widget lm-Panel jupyter-widgets widget-container widget-box widget-vbox",
    "HBoxView": "lm-Widget lm-Panel jupyter-widgets widget-container widget-box widget-hbox",
    "BoxView": "lm-Widget lm-Panel jupyter-widgets widget-container widget-box",
    "HTMLView": "lm-Widget jupyter-widgets widget-inline-hbox widget-html",
    "ButtonView": "lm-Widget jupyter-widgets jupyter-button widget-button",
    "RadioButtonsView": "lm-Widget jupyter-widgets widget-inline-hbox widget-radio",
    "CheckboxView": "lm-Widget jupyter-widgets widget-inline-hbox widget-checkbox",
}


def _e(text: str) -> str:
    return escape(str(text), quote=True)


def _style(widget: w.Widget) -> str:
    layout = getattr(widget, "layout", None)
    if layout is None:
        return ""
    props = []
    for key in sorted(layout.keys):
        if key.startswith("_") or key in ("comm", "keys", "log"):
            continue
        value = getattr(layout, key)
        if value is None or value == "":
            continue
        props.append(f"{key.replace('_', '-')}: {value};")
    return f' style="{_e(" ".join(props))}"' if props else ""


def _classes(widget: w.Widget) -> str:
    # As lite.js writes them: its base classes, a space, the widget's own.
    return SUPPORTED[widget._view_name] + " " + " ".join(widget._dom_classes)


def widget_html(widget: w.Widget, roles: dict[int, str] | None = None) -> str:
    """The HTML lite.js draws for ``widget`` and its children."""
    roles = roles or {}
    name = widget._view_name
    if name not in SUPPORTED:
        raise ValueError(f"widget type {name!r} is not drawn by lite.js")
    role = roles.get(id(widget))
    attrs = f' class="{_e(_classes(widget))}"' + _style(widget)
    if role:
        attrs += f' data-aw-role="{_e(role)}"'
    if name == "HTMLView":
        value = widget.value or ""
        if value.lstrip().startswith("<style>"):
            value = ""
        return f'<div{attrs}><div class="widget-html-content">{value}</div></div>'
    if name == "ButtonView":
        title = widget.tooltip if widget.tooltip is not None else widget.description
        disabled = " disabled" if widget.disabled else ""
        return (
            f'<button type="button"{attrs} title="{_e(title or "")}"{disabled}>'
            f"{_e(widget.description or '')}</button>"
        )
    if name == "RadioButtonsView":
        disabled = " disabled" if widget.disabled else ""
        items = "".join(
            f'<label><input type="radio" value="{i}"'
            + (" checked" if i == widget.index else "")
            + f"{disabled}>{_e(label)}</label>"
            for i, label in enumerate(widget._options_labels)
        )
        box = '<div class="widget-radio-box widget-radio-box-vertical">'
        return f"<div{attrs}>{box}{items}</div></div>"
    if name == "CheckboxView":
        text = widget.description if widget.description_allow_html else _e(widget.description)
        checked = " checked" if widget.value else ""
        disabled = " disabled" if widget.disabled else ""
        return (
            f'<div{attrs}><label class="widget-label-basic"><input type="checkbox"{checked}'
            f'{disabled}><span title="{_e(_text(text))}">{text}</span></label></div>'
        )
    children = "".join(widget_html(child, roles) for child in widget.children)
    return f"<div{attrs}>{children}</div>"


def _text(html: str) -> str:
    """The text of a little HTML (a checkbox's description), as its title shows it."""
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]*>", "", html))
