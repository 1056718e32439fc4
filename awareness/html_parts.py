"""Static HTML pieces shared by the app and the notebooks: start page, footer, help box.

Every text comes from course.yaml and is escaped here. Links are relative to the
lesson folder (``lessons/<lang>/``) so they work in the app, in Binder and in JupyterLab.
"""

from __future__ import annotations

from html import escape

from awareness.content.course import load_course
from awareness.content.models import HelpService

__all__ = [
    "certificate",
    "content_error",
    "finish",
    "footer",
    "contact_html",
    "help_box",
    "help_item",
    "help_numbers",
    "lesson_href",
    "not_in_trouble",
    "start_href",
    "start_page",
    "tel_link",
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


def tel_link(phone: str, label: str | None = None) -> str:
    """A phone number as a link a phone can call (``tel:``), shown as Norwegians write it.
    The one place a number becomes a link: the help box, the chat's endings, the finish."""
    text = escape(label) if label is not None else spaced_number(phone)
    return f'<a class="aw-tel" href="tel:{escape(phone)}">{text}</a>'


def _address(url: str) -> str:
    """How an address is written in a text: no scheme, no www., no trailing slash."""
    bare = url.split("://", 1)[-1]
    return (bare[4:] if bare.startswith("www.") else bare).rstrip("/")


def contact_html(service: HelpService, lang: str) -> str:
    """How to reach a service, with every phone number a tel: link and its address (when
    the text names it) a link to it."""
    contact = escape(service.contact[lang])
    for phone in service.phones:
        spaced = spaced_number(phone)
        link = tel_link(phone)
        contact = contact.replace(spaced, link, 1) if spaced in contact else f"{contact} ({link})"
    if service.url:
        written = escape(_address(service.url))
        if written in contact:
            contact = contact.replace(
                written, f'<a href="{escape(service.url)}" target="_blank" '
                f'rel="noopener noreferrer">{written}</a>', 1)
    return contact


def help_item(service: HelpService, lang: str) -> str:
    """One help service: its name (a link to its site), how to reach it (numbers and
    address as links) and what it is for. Used by the help box and the chat's endings."""
    name = escape(service.name[lang])
    if service.url:
        href = escape(service.url)
        name = f'<a href="{href}" target="_blank" rel="noopener noreferrer">{name}</a>'
    contact = contact_html(service, lang)
    return f"<strong>{name}</strong>: {contact}<br><span>{escape(service.what[lang])}</span>"


def help_numbers(services, lang: str) -> str:
    """The services one can call, as big tap targets: the number and whose it is."""
    items = "".join(
        f'<li>{tel_link(phone)} <span class="aw-tel-name">{escape(s.name[lang])}</span></li>'
        for s in services
        for phone in s.phones[:1]
    )
    return f'<ul class="aw-numbers">{items}</ul>'


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


def finish(lang: str) -> str:
    """The course's end: what you learned in three lines (course.yaml ``learned_1..3``)."""
    course = load_course()
    lines = "".join(f"<li>{escape(course.t(f'learned_{n}', lang))}</li>" for n in (1, 2, 3))
    return (
        f'<section class="aw-finish" aria-labelledby="finish-{lang}">'
        f'<h2 id="finish-{lang}">{escape(course.t("finish_heading", lang))}</h2>'
        f'<h3>{escape(course.t("learned_heading", lang))}</h3>'
        f'<ul class="aw-learned">{lines}</ul></section>'
    )


def certificate(lang: str) -> str:
    """A course certificate to print. The pupil may type a name: it is in no form and no
    script sends it anywhere; it stays on the screen (and the paper). awareness.js adds
    today's date and the print button."""
    from awareness.illustrations import BADGE

    course = load_course()
    lessons = "".join(
        f'<li><span aria-hidden="true">✓</span> {escape(lesson.title[lang])}</li>'
        for lesson in course.lessons
    )
    return (
        f'<section class="aw-certificate" aria-labelledby="certificate-{lang}">{BADGE}'
        f'<h2 id="certificate-{lang}">{escape(course.t("certificate", lang))}</h2>'
        f'<label class="aw-cert-label" for="aw-cert-name-{lang}">'
        f'{escape(course.t("certificate_name", lang))}</label>'
        f'<input class="aw-cert-name" id="aw-cert-name-{lang}" type="text" autocomplete="off" '
        'spellcheck="false" maxlength="60">'
        f'<p class="aw-cert-text">{escape(course.t("certificate_text", lang))}</p>'
        f'<p class="aw-cert-course">{escape(course.title[lang])}</p>'
        f'<ul class="aw-cert-lessons">{lessons}</ul>'
        '<p class="aw-cert-date" hidden><time></time></p>'
        f'<button type="button" class="aw-btn aw-btn-primary aw-cert-print" hidden>'
        f'{escape(course.t("certificate_print", lang))}</button></section>'
    )


def footer(lesson_id: str, lang: str) -> str:
    """A lesson's end: the help box, the source and the way on. The last lesson's is
    the course's finish: three lines learned, the help box, a printable certificate."""
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
        body = help_box(lang)
    else:
        links.append(f"<p>{escape(course.t('course_done', lang))}</p>")
        body = finish(lang) + help_box(lang) + certificate(lang)
    return (
        f"{body}"
        f'<p class="awareness-source">{escape(course.source[lang])}</p>'
        f'<nav class="awareness-nav" aria-label="{escape(course.t("lessons", lang))}">'
        f"{''.join(links)}</nav>"
    )


def start_page(lang: str, from_lang: str | None = None, heading: bool = True) -> str:
    """The start page body. ``from_lang`` is the folder of the page that shows it;
    ``heading=False`` leaves out the h1 (the notebook has its own title cell).

    What this browser remembers (start.js: lessons started and finished, where to go on,
    a button that forgets it) is drawn here, hidden, with its words from course.yaml;
    start.js shows it when there is something to show."""
    from awareness.illustrations import HERO

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
    done = escape(course.t("status_done", lang))
    started = escape(course.t("status_started", lang))
    lessons = "".join(
        f'<li data-lesson="{lesson.id}"><a href="{lesson_href(lesson.id, lang, from_lang)}">'
        f"{escape(lesson.title[lang])}</a> "
        f'<span class="awareness-minutes">({lesson.minutes} {escape(course.t("minutes", lang))})'
        f"</span>"
        f'<span class="aw-badge aw-badge-done" hidden>✓ {done}</span>'
        f'<span class="aw-badge aw-badge-started" hidden>{started}</span>'
        f'<span class="aw-lesson-summary">{escape(lesson.summary[lang])}</span></li>'
        for lesson in course.lessons
    )
    choose = escape(course.t("choose_language", lang))
    title = f"<h1>{escape(course.title[lang])}</h1>" if heading else ""
    return (
        '<div class="awareness-start">'
        f'<div class="aw-hero">{title}'
        f'<p class="awareness-subtitle">{escape(course.subtitle[lang])}</p>{HERO}</div>'
        f'<nav class="awareness-languages" aria-label="{choose}">'
        f"<span>{choose}:</span> {langs}</nav>"
        f'<p class="aw-continue" hidden><a class="aw-btn aw-btn-primary" href="">'
        f'<span>{escape(course.t("continue", lang))}:</span> <span class="aw-continue-where">'
        "</span> <span aria-hidden=\"true\">→</span></a></p>"
        f'<h2>{escape(course.t("lessons", lang))}</h2>'
        f'<p class="aw-progress-count" hidden '
        f'data-words="{escape(course.t("progress_count", lang))}"></p>'
        f'<ol class="awareness-lessons">{lessons}</ol>'
        f"<p>{escape(course.t('self_paced', lang))}</p>"
        f"<p>{escape(course.t('fiction_note', lang))}</p>"
        f'<div class="aw-privacy" hidden><p>{escape(course.t("progress_note", lang))}</p>'
        f'<button type="button" class="aw-btn aw-forget" '
        f'data-confirm="{escape(course.t("forget_confirm", lang))}" '
        f'data-done="{escape(course.t("forgotten", lang))}">{escape(course.t("forget", lang))}'
        f'</button><p class="aw-forgotten" role="status"></p></div>'
        f"{help_box(lang)}</div>"
    )
