"""The teacher page and its JSON API, under ``/teacher``: every path needs the teacher
key (``?key=`` or the ``X-Teacher-Key`` header) and answers 403 without it, showing
nothing.

Pages (``?lang=`` one of course.yaml's languages):
  GET  /teacher                        start a class; the classes running
  POST /teacher/classes                start a class, then its page
  GET  /teacher/classes/CODE           the projector view: the code large, the join
                                       address and its QR code, live totals, controls
API (JSON):
  POST /teacher/api/classes                    -> {"code": "..."}
  GET  /teacher/api/classes                    -> {"classes": ["..."]}
  GET  /teacher/api/classes/CODE/results       -> the totals (``Classroom.results``)
  GET  /teacher/api/classes/CODE/events        server-sent events: the totals on each change
  POST /teacher/api/classes/CODE/show|hide     the projector shows or hides the totals
  POST /teacher/api/classes/CODE/open|close?poll=ID   a poll's answers shown or not
  POST /teacher/api/classes/CODE/round         a new round: the counts start from zero
  POST /teacher/api/classes/CODE/end           (or DELETE /teacher/api/classes/CODE)
"""

from __future__ import annotations

import asyncio
import json
import time
from html import escape
from urllib.parse import urlencode

import tornado.iostream
import tornado.web
from jupyter_server.utils import url_path_join

from awareness.classroom import labels
from awareness.classroom.server import Classroom, join_address
from awareness.content.course import load_course
from awareness.paths import PACKAGE

__all__ = ["STATIC", "handlers"]

STATIC = PACKAGE / "classroom" / "static"
CODE = r"([A-Za-z0-9]{4,6})"
EVENTS_MAX_SECONDS = 600  # a live stream is closed after this; the page reconnects


class TeacherHandler(tornado.web.RequestHandler):
    """Every /teacher path: the key first (403 without it), then the page or API."""

    def initialize(self, classroom: Classroom):
        self.classroom = classroom

    def check_xsrf_cookie(self):
        pass  # no cookies at all: the key is the check

    def prepare(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Robots-Tag", "noindex")
        key = self.get_query_argument("key", None) or self.request.headers.get("X-Teacher-Key")
        if not self.classroom.key_ok(key):
            self.set_status(403)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            # teacher.js: a teacher page reloaded without its key (the page takes the key
            # out of the address bar) opens again with the key this tab kept.
            self.finish(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>403</title>"
                f'<script src="{escape(self.static("teacher.js"))}" defer></script>'
                '</head><body data-teacher="forbidden"><p>403 Forbidden</p></body></html>'
            )
            raise tornado.web.Finish()

    # ----------------------------------------------------------------- helpers
    @property
    def base(self) -> str:
        return self.settings.get("base_url", "/")

    def static(self, name: str) -> str:
        return url_path_join(self.base, "classroom/static", name)

    @property
    def key(self) -> str:
        return self.classroom.teacher_key

    @property
    def lang(self) -> str:
        course = load_course()
        lang = self.get_query_argument("lang", "")
        return lang if lang in course.languages else course.default_language

    def url(self, path: str, **query) -> str:
        return url_path_join(self.base, path) + "?" + urlencode({"key": self.key, **query})

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")

    def page(self, title: str, body: str, lang: str) -> None:
        course = load_course()
        from awareness.app import asset_url

        theme = asset_url(self.base, "static/theme.css")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            "<!DOCTYPE html>\n"
            f'<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{escape(title)} – {escape(course.title[lang])}</title>"
            f'<link rel="stylesheet" href="{escape(theme)}">'
            f'<link rel="stylesheet" href="{escape(self.static("teacher.css"))}">'
            '<link rel="icon" href="data:,">'
            f'<script src="{escape(self.static("teacher.js"))}" defer></script>'
            f'</head><body class="awareness-page aw-teacher-page" data-teacher="page">'
            f"<main>{body}</main></body></html>"
        )

    def get(self, *args):
        raise tornado.web.HTTPError(404)

    def post(self, *args):
        raise tornado.web.HTTPError(404)

    def delete(self, *args):
        raise tornado.web.HTTPError(404)


def _t(key: str, lang: str, **values) -> str:
    text = load_course().t(key, lang)
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


class HomePage(TeacherHandler):
    def get(self):
        lang = self.lang
        course = load_course()
        langs = " ".join(
            f'<a href="{escape(self.url("teacher", lang=code))}" hreflang="{code}" lang="{code}"'
            + (' aria-current="page"' if code == lang else "")
            + f">{escape(course.language_names[code])}</a>"
            for code in course.languages
        )
        running = "".join(
            f'<li><a class="aw-class-link" '
            f'href="{escape(self.url(f"teacher/classes/{c}", lang=lang))}">{escape(c)}</a></li>'
            for c in self.classroom.store.codes()
        )
        body = (
            f'<nav class="awareness-languages">{langs}</nav>'
            f"<h1>{escape(_t('teacher_title', lang))}</h1>"
            f"<p>{escape(_t('teacher_intro', lang, n=self.classroom.settings.threshold))}</p>"
            f'<form method="post" action="{escape(self.url("teacher/classes", lang=lang))}">'
            f'<button class="aw-btn aw-btn-primary" type="submit">'
            f"{escape(_t('start_class', lang))}</button></form>"
            + (f"<h2>{escape(_t('running_classes', lang))}</h2><ul>{running}</ul>"
               if running else "")
        )
        self.page(_t("teacher_title", lang), body, lang)


class StartClass(TeacherHandler):
    def post(self):
        code = self.classroom.store.create()
        self.redirect(self.url(f"teacher/classes/{code}", lang=self.lang), status=303)


def _button(cls: str, text: str, extra: str = "") -> str:
    return f'<button type="button" class="aw-btn {cls}"{extra}>{escape(text)}</button>'


def _qr_svg(text: str) -> str:
    import segno

    return segno.make_qr(text, error="m").svg_inline(scale=8, border=2, dark="#000",
                                                    light="#fff", omitsize=True)


class ClassPage(TeacherHandler):
    """The projector view of one class."""

    def get(self, code: str):
        code = code.upper()
        state = self.classroom.store.state(code)
        if state is None:
            raise tornado.web.HTTPError(404)
        lang = self.lang
        threshold = self.classroom.settings.threshold
        address = join_address(
            self.classroom.settings.join_url, self.classroom.bound_ip, self.classroom.port,
            self.base,
        )
        join = f"{address}?{urlencode({'class': code})}"
        join_before, _, join_after = _t("join_at", lang).partition("{address}")
        content = labels.items(lang)
        api = url_path_join(self.base, f"teacher/api/classes/{code}")

        def item_html(kind: str, item: dict, with_options: bool) -> str:
            rows = ""
            if with_options:
                rows = '<ul class="aw-t-bars">' + "".join(
                    f'<li data-option="{escape(oid)}">'
                    f'<span class="aw-t-label">{escape(text)}</span>'
                    '<span class="aw-t-bar"><span class="aw-t-fill"></span></span>'
                    '<b class="aw-t-n">0</b></li>'
                    for oid, text in item["options"]
                ) + "</ul>"
            poll = ""
            if kind == "polls":
                poll = _button(
                    "aw-poll-toggle",
                    _t("open_poll", lang),
                    f' data-poll="{escape(item["id"])}"'
                    f' data-open="{escape(_t("open_poll", lang))}"'
                    f' data-close="{escape(_t("close_poll", lang))}"',
                )
            return (
                f'<div class="aw-item" data-kind="{kind}" data-item="{escape(item["id"])}" hidden>'
                f'<h3>{escape(item["title"])}</h3>{poll}{rows}'
                '<p class="aw-item-total"></p></div>'
            )

        sections = ""
        for kind, heading, with_options in (
            ("chat", "chat_choices", True),
            ("quiz", "quiz_answers", False),
            ("signs", "signs_found", False),
            ("polls", "polls", True),
        ):
            inner = "".join(item_html(kind, item, with_options) for item in content[kind])
            sections += (
                f'<section class="aw-section" data-section="{kind}" hidden>'
                f"<h2>{escape(_t(heading, lang))}</h2>{inner}</section>"
            )
        words = {
            "students": _t("pupils_in", lang),
            "answers": _t("answers_count", lang),
            "right": _t("answered_right", lang),
            "found": _t("found_by", lang),
            "show": _t("show_totals", lang),
            "hide": _t("hide_totals", lang),
            "ended": _t("class_ended", lang),
        }
        body = (
            f'<div class="aw-class" data-code="{escape(code)}" data-api="{escape(api)}" '
            f'data-key="{escape(self.key)}" data-words="{escape(json.dumps(words))}">'
            '<div class="aw-join">'
            f'<div class="aw-join-text"><p>{escape(join_before)}'
            f'<strong class="aw-join-address">{escape(address)}</strong>{escape(join_after)}</p>'
            f'<p class="aw-code" aria-label="{escape(code)}">{escape(code)}</p>'
            '<p class="aw-students" role="status">'
            f'{escape(_t("pupils_in", lang, n=state.students))}</p></div>'
            f'<div class="aw-qr">{_qr_svg(join)}</div></div>'
            '<div class="aw-controls">'
            + _button("aw-toggle-totals", _t("hide_totals", lang))
            + _button("aw-new-round", _t("new_round", lang))
            + _button("aw-end-class", _t("end_class", lang))
            +             "</div>"
            f'<p class="aw-hidden-note" hidden>{escape(_t("totals_hidden", lang))}</p>'
            f'<p class="aw-waiting">{escape(_t("waiting_answers", lang, n=threshold))}</p>'
            f'<p class="aw-ended" role="status" hidden>{escape(_t("class_ended", lang))}</p>'
            f'<div class="aw-totals" aria-live="polite">{sections}</div>'
            "</div>"
        )
        self.page(f"{_t('teacher_title', lang)} {code}", body, lang)


class ClassesApi(TeacherHandler):
    def get(self):
        self.finish({"classes": self.classroom.store.codes()})

    def post(self):
        self.finish({"code": self.classroom.store.create()})


class ClassApi(TeacherHandler):
    def get(self, code: str):
        results = self.classroom.results(code.upper())
        if results is None:
            raise tornado.web.HTTPError(404)
        self.finish(results)

    def delete(self, code: str):
        if not self.classroom.store.end(code.upper()):
            raise tornado.web.HTTPError(404)
        self.finish({"ended": True})


class ClassAction(TeacherHandler):
    def post(self, code: str, action: str):
        store, code = self.classroom.store, code.upper()
        if action in ("show", "hide"):
            done = store.show(code, action == "show")
        elif action in ("open", "close"):
            poll = self.get_query_argument("poll", "")
            done = bool(poll) and store.open_poll(code, poll, action == "open")
        elif action == "round":
            done = store.new_round(code)
        else:  # end
            done = store.end(code)
        if not done:
            raise tornado.web.HTTPError(404)
        self.finish({"done": True})


class ClassEvents(TeacherHandler):
    """Server-sent events: the class's totals whenever they change."""

    _gone = False

    async def get(self, code: str):
        code = code.upper()
        if self.classroom.store.state(code) is None:
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("X-Accel-Buffering", "no")
        last = None
        until = time.monotonic() + EVENTS_MAX_SECONDS
        self.write("retry: 1000\n\n")
        while not self._gone and time.monotonic() < until:
            results = self.classroom.results(code)
            if results is None:
                self.write("event: ended\ndata: {}\n\n")
                break
            if results["version"] != last:
                last = results["version"]
                self.write(f"data: {json.dumps(results)}\n\n")
                try:
                    await self.flush()
                except tornado.iostream.StreamClosedError:
                    return
            await asyncio.sleep(self.classroom.settings.events_interval)
        if not self._gone:
            self.finish()

    def on_connection_close(self):
        self._gone = True


def handlers(base_url: str, classroom: Classroom) -> list[tuple]:
    """The routes of the class mode (the report endpoint included)."""
    from awareness.classroom.server import REPORT_PATH, ReportHandler

    kw = {"classroom": classroom}

    def at(path: str) -> str:
        return url_path_join(base_url, path)

    return [
        (at(REPORT_PATH), ReportHandler, kw),
        (at(r"/classroom/static/(teacher\.js|teacher\.css)"), tornado.web.StaticFileHandler,
         {"path": str(STATIC)}),
        (at(r"/teacher/?"), HomePage, kw),
        (at(r"/teacher/classes"), StartClass, kw),
        (at(rf"/teacher/classes/{CODE}"), ClassPage, kw),
        (at(r"/teacher/api/classes"), ClassesApi, kw),
        (at(rf"/teacher/api/classes/{CODE}(?:/results)?"), ClassApi, kw),
        (at(rf"/teacher/api/classes/{CODE}/events"), ClassEvents, kw),
        (at(rf"/teacher/api/classes/{CODE}/(show|hide|open|close|round|end)"), ClassAction, kw),
        (at(r"/teacher/.*"), TeacherHandler, kw),
    ]
