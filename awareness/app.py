"""The student app: Voilà serving lessons/, with a kernel-free start page.

``CourseVoila`` is Voilà with three changes: ``/`` and each language's
``00-start.ipynb`` are served as plain HTML from course.yaml (no kernel, instant), the
file browser and contents API are gone (students get the course, not a file listing,
and cannot download the notebooks), and the course template is on the template path.
Everything else — no tracebacks, no template/theme overrides, kernel culling — is in
the committed ``voila.json``.
"""

from __future__ import annotations

import functools
import os
from html import escape
from pathlib import Path

import tornado.web
from jupyter_core.paths import jupyter_config_path
from jupyter_server.utils import url_path_join
from traitlets import Enum, Int, Unicode, default
from voila.app import Voila
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler
from voila.utils import make_url

from awareness import html_parts
from awareness.content.course import load_course
from awareness.kernels import paced_pools
from awareness.paths import PACKAGE, content_root

__all__ = ["CourseVoila", "StartPageHandler", "pools_for_class", "serve"]

SHARE = PACKAGE / "share" / "jupyter"
TEMPLATE = "awareness"
# The static files of a lesson page (the template's and the lab template's it builds on),
# as the template names them; their URLs carry a version, so browsers keep them.
LESSON_ASSETS = (
    "static/index.css",
    "static/theme-light.css",
    "static/lite.css",
    "static/theme.css",
    "static/kernel-watch.js",
    "static/lite.js",
    "static/awareness.js",
)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@functools.cache
def asset_url(base_url: str, asset: str) -> str:
    """A template file's URL with its version. Found and hashed once per file, as Tornado
    keeps its static files' versions (the start page is asked for by a whole class)."""
    return make_url(TEMPLATE, base_url, asset)


class StartPageHandler(tornado.web.RequestHandler):
    """The start page in one language; ``/`` shows the first course language."""

    def set_default_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)

    def get(self, lang: str | None = None) -> None:
        course = load_course()
        # "/" shows the first course language, or (start.js) the one this browser chose.
        root = lang is None
        lang = lang or course.default_language
        if lang not in course.languages:
            raise tornado.web.HTTPError(404)
        base_url = self.settings.get("base_url", "/")
        folder = url_path_join(base_url, "voila/render", lang) + "/"
        css = asset_url(base_url, "static/theme.css")
        script = asset_url(base_url, "static/start.js")
        # The files every lesson page needs, fetched while the student reads this page:
        # when the class opens a lesson together, the browsers already have them.
        prefetch = "".join(
            f'<link rel="prefetch" href="{escape(asset_url(base_url, asset))}">'
            for asset in LESSON_ASSETS
        )
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            "<!DOCTYPE html>\n"
            f'<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(course.title[lang])}</title>"
            f'<base href="{escape(folder)}">'
            f'<link rel="stylesheet" href="{escape(css)}">'
            '<link rel="icon" href="data:,">'
            + ('<meta name="awareness-start" content="root">' if root else "")
            + f'<script src="{escape(script)}" defer></script>'
            f"{prefetch}"
            '</head><body class="awareness-page"><main>'
            f"{html_parts.start_page(lang)}"
            "</main></body></html>"
        )


# The words the page template shows itself (course.yaml `ui`).
PAGE_WORDS = ("kernel_lost", "restart_lesson", "loading")


def pools_for_class(pools: dict, first: str, lang: str) -> dict:
    """voila.json's pools (keyed ``<lang>/<page>.ipynb``) for a class in ``lang``: the
    pages of ``first`` (the language voila.json is sized for) and of ``lang`` swap their
    pools; every other page keeps its own."""
    if lang == first:
        return dict(pools)
    swapped = {}
    for key, value in pools.items():
        code, sep, page = key.partition("/")
        if sep and code in (first, lang):
            key = f"{lang if code == first else first}/{page}"
        swapped[key] = value
    return swapped


class NotFoundHandler(tornado.web.RequestHandler):
    """404 for paths the app must not serve."""

    def get(self, *args) -> None:
        raise tornado.web.HTTPError(404)


class CourseVoila(Voila):
    """Voilà in directory mode over lessons/, with the course's start page at ``/``."""

    @default("config_file_paths")
    def _config_file_paths_default(self):
        return [str(content_root()), *jupyter_config_path()]

    pool_size = Int(
        -1,
        config=True,
        help="Preheated kernels per lesson page, overriding voila.json's pools for every "
        "page (0: no preheating; -1: use voila.json). For small machines and the tests.",
    )

    class_language = Unicode(
        "",
        config=True,
        help="The language the class opens the lessons in (a course.yaml language; empty: "
        "the first). voila.json sizes the pools for a class in the first language; with "
        "another, the pages of the two languages swap their pools (`make app CLASS_LANG=nn`: "
        "nynorsk lesson 02 gets the class's 32 ready kernels, bokmål lesson 02 the small "
        "pool). No effect with --pool.",
    )

    frontend = Enum(
        ["lite", "voila"],
        "lite",
        config=True,
        help="The lesson pages' front-end: 'lite' (the course's own small script, "
        "awareness/share/.../lite.js, for the widgets the lessons use) or 'voila' "
        "(Voilà's JupyterLab front-end: any widget, about 5 MB of JavaScript per page).",
    )

    def initialize(self, argv=None):
        super().initialize(argv)
        course = load_course()
        if self.pool_size >= 0:
            self.voila_configuration.preheat_kernel = self.pool_size > 0
            self.voila_configuration.default_pool_size = self.pool_size
            self.config.VoilaKernelManager.kernel_pools_config = {
                "default": {"pool_size": self.pool_size}
            }
        elif self.class_language:
            section = self.config.VoilaKernelManager
            section.kernel_pools_config = pools_for_class(
                dict(section.get("kernel_pools_config") or {}),
                course.default_language,
                self.class_language,
            )
        # The words the page template needs (while loading, and when a kernel is lost).
        ui = {
            lang: {key: course.t(key, lang) for key in PAGE_WORDS}
            for lang in course.languages
        }
        # Voilà's renderer reads extra template resources from the config object.
        section = self.voila_configuration.config.VoilaConfiguration
        existing = section.get("resources") or {}
        section.resources = {
            **dict(existing),
            "awareness_ui": ui,
            "awareness_frontend": self.frontend,
        }

    def init_settings(self):
        # Voilà builds its pooled kernel manager class with a factory while it sets up;
        # for that call, the factory is wrapped so the pools refill in turns.
        import voila.app as voila_app

        original = voila_app.voila_kernel_manager_factory
        voila_app.voila_kernel_manager_factory = paced_pools(original)
        try:
            return super().init_settings()
        finally:
            voila_app.voila_kernel_manager_factory = original

    def init_handlers(self):
        handlers = [
            h
            for h in super().init_handlers()
            if h[1] not in (TornadoVoilaTreeHandler, VoilaContentsHandler)
        ]
        start = [
            (self.server_url, StartPageHandler),
            # Only a template's static/ folder is public (not its Jinja files).
            (
                url_path_join(self.server_url, r"/voila/templates/[^/]+/(?!static/).*"),
                NotFoundHandler,
            ),
            (
                url_path_join(self.server_url, r"/voila/render/([a-z]{2,3})/00-start\.ipynb"),
                StartPageHandler,
            ),
        ]
        return start + handlers


def serve(
    host: str = "127.0.0.1",
    port: int = 8866,
    open_browser: bool = False,
    pool: int = -1,
    extra: list[str] | None = None,
    class_language: str = "",
) -> int:
    """Run the app until interrupted (the content must have been checked first)."""
    root = content_root()
    os.environ["AWARENESS_ROOT"] = str(root)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(SHARE), os.environ.get("JUPYTER_PATH", "")) if p
    )
    os.chdir(root)
    argv = [
        str(Path(root, "lessons")),
        f"--Voila.ip={host}",
        f"--Voila.port={port}",
        f"--Voila.open_browser={open_browser}",
        f"--CourseVoila.pool_size={pool}",
        f"--CourseVoila.class_language={class_language}",
        *(extra or []),
    ]
    print(f"Student app: http://{host}:{port}/  (stop with Ctrl+C)", flush=True)
    CourseVoila.launch_instance(argv=argv)
    return 0
