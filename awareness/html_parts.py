"""Static HTML pieces shared by the app and the notebooks: start page, footer, help box.

Every text comes from course.yaml and is escaped here. Links are relative to the
lesson folder (``lessons/<lang>/``) so they work in the app, in Binder and in JupyterLab.
"""

from __future__ import annotations

from html import escape

from awareness.content.course import load_course
from awareness.content.models import HelpService

__all__ = [
    "content_error",
    "footer",
    "help_box",
    "help_item",
    "lesson_href",
    "not_in_trouble",
    "start_href",
    "start_page",
    "tell_adult",
]

START_ID = "00-start"


def lesson_href(lesson_id: str, lang: str, from_lang: str | None = None) -> str:
    """Link to a lesson notebook, relative to a page in lessons/<from_lang>/."""
    if from_lang is None or from_lang == lang:
        return f"{lesson_id}.ipynb"
    return f"../{lang}/{lesson_id}.ipynb"


def start_href(lang: str, from_lang: str | None = None) -> str:
    return lesson_href(START_ID, lang, from_lang)


def content_error(lang: str) -> str:
    try:
        message = load_course().t("content_error", lang)
    except Exception:  # noqa: BLE001 - the last resort must not fail
        message = "Denne delen kunne ikke vises. / This part could not be shown."
    return f'<div class="awareness-error" role="alert">⚠️ {escape(message)}</div>'


def help_item(service: HelpService, lang: str) -> str:
    """One help service: its name (a link to its site), how to reach it (the number a
    tel: link) and what it is for. Used by the help box and the chat's endings."""
    name = escape(service.name[lang])
    if service.url:
        href = escape(service.url)
        name = f'<a href="{href}" target="_blank" rel="noopener noreferrer">{name}</a>'
    contact = escape(service.contact[lang])
    for phone in service.phones:
        spaced = spaced_number(phone)
        link = f'<a href="tel:{phone}">{spaced}</a>'
        contact = contact.replace(spaced, link, 1) if spaced in contact else f"{contact} ({link})"
    return f"<strong>{name}</strong>: {contact}<br><span>{escape(service.what[lang])}</span>"


def spaced_number(digits: str) -> str:
    """A phone number as Norwegians write it: 116 111, 800 333 21, 02800, 113."""
    if len(digits) == 6:
        return f"{digits[:3]} {digits[3:]}"
    if len(digits) == 8:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits


def not_in_trouble(lang: str) -> str:
    """The sentence every help box and lesson end carries: you are not the one in trouble."""
    course = load_course()
    heading = escape(course.t("not_in_trouble", lang))
    why = escape(course.t("not_in_trouble_why", lang))
    return f'<p class="awareness-not-in-trouble"><strong>{heading}.</strong> {why}</p>'


def tell_adult(lang: str) -> str:
    """The one ready-made sentence for telling an adult (the same in every place)."""
    course = load_course()
    return (
        f'<p class="awareness-tell-adult">{escape(course.t("tell_adult_intro", lang))} '
        f"<q>{escape(course.t('tell_adult', lang))}</q></p>"
    )


def help_box(lang: str) -> str:
    course = load_course()
    items = "".join(f"<li>{help_item(s, lang)}</li>" for s in course.help)
    return (
        f'<div class="awareness-help" role="region" aria-labelledby="help-{lang}">'
        f'<h2 id="help-{lang}">{escape(course.t("help_heading", lang))}</h2>'
        f"{not_in_trouble(lang)}"
        f"<p>{escape(course.t('help_intro', lang))}</p>{tell_adult(lang)}<ul>{items}</ul></div>"
    )


def footer(lesson_id: str, lang: str) -> str:
    course = load_course()
    nxt = course.next_lesson(lesson_id)
    links = [
        f'<a class="awareness-nav-start" href="{start_href(lang)}">'
        f"← {escape(course.t('back_to_start', lang))}</a>"
    ]
    if nxt is not None:
        links.append(
            f'<a class="awareness-nav-next" href="{lesson_href(nxt.id, lang)}">'
            f"{escape(course.t('next_lesson', lang))}: {escape(nxt.title[lang])} →</a>"
        )
    else:
        links.append(f"<p>{escape(course.t('course_done', lang))}</p>")
    return (
        f"{help_box(lang)}"
        f'<p class="awareness-source">{escape(course.source[lang])}</p>'
        f'<nav class="awareness-nav" aria-label="{escape(course.t("lessons", lang))}">'
        f"{''.join(links)}</nav>"
    )


def start_page(lang: str, from_lang: str | None = None, heading: bool = True) -> str:
    """The start page body. ``from_lang`` is the folder of the page that shows it;
    ``heading=False`` leaves out the h1 (the notebook has its own title cell)."""
    course = load_course()
    from_lang = from_lang or lang
    langs = " ".join(
        (
            f'<a href="{start_href(code, from_lang)}" lang="{code}" hreflang="{code}"'
            + (' aria-current="page"' if code == lang else "")
            + f">{escape(course.language_names[code])}</a>"
        )
        for code in course.languages
    )
    lessons = "".join(
        f'<li><a href="{lesson_href(lesson.id, lang, from_lang)}">'
        f"{escape(lesson.title[lang])}</a> "
        f'<span class="awareness-minutes">({lesson.minutes} {escape(course.t("minutes", lang))})'
        f"</span><br><span>{escape(lesson.summary[lang])}</span></li>"
        for lesson in course.lessons
    )
    choose = escape(course.t("choose_language", lang))
    return (
        '<div class="awareness-start">'
        + (f"<h1>{escape(course.title[lang])}</h1>" if heading else "")
        + f'<p class="awareness-subtitle">{escape(course.subtitle[lang])}</p>'
        f'<nav class="awareness-languages" aria-label="{choose}">'
        f"<span>{choose}:</span> {langs}</nav>"
        f'<h2>{escape(course.t("lessons", lang))}</h2><ol class="awareness-lessons">{lessons}</ol>'
        f"<p>{escape(course.t('self_paced', lang))}</p>"
        f"<p>{escape(course.t('fiction_note', lang))}</p>"
        f"{help_box(lang)}</div>"
    )
