"""The student app: Voilà serving lessons/, with a kernel-free start page.

``CourseVoila`` is Voilà with these changes: ``/`` and each language's
``00-start.ipynb`` are served as plain HTML from course.yaml (no kernel, instant), the
file browser and contents API are gone (students get the course, not a file listing,
and cannot download the notebooks), the course template is on the template path, and
the lesson pages and kernel websockets are behind the caps and limits of
awareness/server (``Limits`` settings): a total and a per-client kernel cap, a memory
ceiling per kernel, websocket limits, a strict Content-Security-Policy, a Host
allow-list, no cookies and no kernel ids in the log. Every Voilà part this wraps is
checked at start-up (awareness/server/hooks.py). Everything else — no tracebacks, no
template/theme overrides, kernel culling — is in the committed ``voila.json``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import secrets
from html import escape
from pathlib import Path

import tornado.web
from jupyter_core.paths import jupyter_config_path
from jupyter_server.utils import url_path_join
from traitlets import Bool, Enum, Int, Unicode, default
from voila.app import Voila
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler
from voila.utils import make_url

from awareness import docs, html_parts
from awareness.content.course import load_course
from awareness.kernels import CourseKernelManager, paced_pools
from awareness.paths import PACKAGE, content_root
from awareness.server import health, hooks, logs, metrics, sizing
from awareness.server.clients import HostAllowList
from awareness.server.forks import launcher_problem
from awareness.server.handlers import (
    LessonHandler,
    LessonSocketHandler,
    PupilIdentity,
    SecurityHeaders,
    configure_headers,
    guard_hosts,
)
from awareness.server.hooks import VoilaChanged, require
from awareness.server.limits import Limits

__all__ = ["CourseVoila", "StartPageHandler", "clip_pools", "pools_for_class", "serve"]

SHARE = PACKAGE / "share" / "jupyter"
TEMPLATE = "awareness"
# The static files of a lesson page with the course's light front-end, as the template
# names them; their URLs carry a version, so browsers keep them. (JupyterLab's own
# stylesheets, 250 KB, are only loaded with --CourseVoila.frontend=voila.)
LESSON_ASSETS = (
    "static/lite.css",
    "static/theme.css",
    "static/kernel-watch.js",
    "static/voila-setup.js",
    "static/lite.js",
    "static/awareness.js",
)


@functools.cache
def asset_url(base_url: str, asset: str) -> str:
    """A template file's URL with its version. Found and hashed once per file, as Tornado
    keeps its static files' versions (the start page is asked for by a whole class)."""
    return make_url(TEMPLATE, base_url, asset)


def classroom_handlers(server_url: str, classroom) -> list[tuple]:
    """The teacher page, its API and the kernels' report endpoint (awareness/classroom)."""
    from awareness.classroom import teacher

    return teacher.handlers(server_url, classroom)


def with_class_box(page: str, box: str) -> str:
    """The start page with the class code box above "Continue" and the lessons."""
    at = page.find('<p class="aw-continue"')
    return page + box if at < 0 else page[:at] + box + page[at:]


class StartPageHandler(tornado.web.RequestHandler):
    """The start page in one language; ``/`` shows the first course language."""

    awareness_page = "start"  # counted in /metrics when served

    @property
    def classroom(self):
        """The live class mode (awareness/classroom), from the application's settings."""
        return self.settings.get("awareness_classroom")

    def finish(self, chunk=None):
        # The class code box goes into the page as it is finished (one place for it).
        lang = getattr(self, "awareness_lang", None)
        if isinstance(chunk, str) and lang and self.classroom is not None:
            chunk = with_class_box(chunk, self.class_box(lang))
        return super().finish(chunk)

    def get(self, lang: str | None = None) -> None:
        course = load_course()
        # "/" shows the first course language, or (start.js) the one this browser chose.
        root = lang is None
        lang = lang or course.default_language
        if lang not in course.languages:
            raise tornado.web.HTTPError(404)
        self.awareness_lang = lang  # for the class code box (finish)
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
            f"</main>{docs.footer(lang, base_url)}</body></html>"
        )


    def class_box(self, lang: str) -> str:
        """The live class mode on the start page (server only; the static copy has none):
        a box for the class code, and with ``?class=CODE`` of a running class, a line that
        says so and the code for start.js to carry onto the lesson links."""
        if self.classroom is None:
            return ""
        from awareness.classroom.model import normal_code

        course = load_course()
        given = self.get_query_argument("class", "")
        code = normal_code(given)
        said = ""
        if code and self.classroom.store.state(code) is not None:
            said = (
                f'<p class="aw-in-class" role="status" data-class="{escape(code)}">'
                f"{escape(course.t('in_class', lang).replace('{code}', code))}</p>"
            )
        elif given:
            said = (
                f'<p class="aw-no-class" role="alert">{escape(course.t("no_such_class", lang))}</p>'
            )
        return (
            '<section class="aw-class-join">'
            f"{said}"
            f'<form method="get" action="{escape(self.request.path)}">'
            f'<label for="aw-class-code">{escape(course.t("class_code_label", lang))}</label> '
            '<input id="aw-class-code" name="class" autocomplete="off" autocapitalize="characters" '
            'spellcheck="false" maxlength="8" size="8" inputmode="text"> '
            f'<button class="aw-btn" type="submit">{escape(course.t("join_class", lang))}</button>'
            "</form></section>"
        )


# The words the page template and its scripts show themselves (course.yaml `ui`).
PAGE_WORDS = (
    "kernel_lost",
    "restart_lesson",
    "loading",
    "lesson_of",
    "part_of",
    "next_part",
    "previous_part",
    "whole_lesson",
    "one_part",
    "chat_first",
    "back_to_start",
)


def lesson_pages(course) -> dict:
    """What each lesson page shows about where it is in the course, per language and
    lesson id: its number, the number of lessons, and its parts (course.yaml sections)."""
    total = len(course.lessons)
    return {
        lang: {
            lesson.id: {
                "lesson": n,
                "lessons": total,
                "id": lesson.id,
                "title": lesson.title[lang],
                "sections": [{"id": s.id, "title": s.title[lang]} for s in lesson.sections],
            }
            for n, lesson in enumerate(course.lessons, 1)
        }
        for lang in course.languages
    }


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


def preheated_notebooks(root: Path, denylist: list[str]) -> list[str]:
    """The notebooks Voilà keeps pools for, as Voilà finds them: its denylist entries are
    matched against each notebook's full path (as a substring, or as a regular
    expression from the start)."""
    found = []
    for path in sorted(Path(root).rglob("*.ipynb")):
        full = str(path)
        if ".ipynb_checkpoints" in full:
            continue
        if any(p in full or re.match(p, full) for p in denylist):
            continue
        found.append(str(path.relative_to(root)))
    return found


def clip_pools(pools: dict, notebooks: list[str], limit: int) -> tuple[dict, int, int]:
    """Pool sizes that fit in ``limit`` kernels: the largest pool gives one up first.
    Returns (config with an entry per notebook, kernels before, kernels after)."""
    default = dict(pools.get("default", {}))
    sizes = {nb: int(dict(pools.get(nb, default)).get("pool_size", 1)) for nb in notebooks}
    before = sum(sizes.values())
    while sum(sizes.values()) > max(0, limit):
        largest = max(sizes, key=lambda nb: (sizes[nb], nb))
        sizes[largest] -= 1
    clipped = {"default": {**default, "pool_size": min(default.get("pool_size", 1), limit)}}
    for nb in notebooks:
        clipped[nb] = {**dict(pools.get(nb, default)), "pool_size": sizes[nb]}
    return clipped, before, sum(sizes.values())


class CourseVoila(Voila):
    """Voilà in directory mode over lessons/, with the course's start page at ``/`` and the
    caps and limits of awareness/server."""

    @default("config_file_paths")
    def _config_file_paths_default(self):
        return [str(content_root()), *jupyter_config_path()]

    @default("kernel_websocket_connection_class")
    def _connection_class_default(self):
        return metrics.TimedConnection  # LessonConnection, timing clicks for /metrics

    @default("identity_provider_class")
    def _identity_provider_class_default(self):
        return PupilIdentity

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

    class_pool_size = Int(
        config=True,
        help="Ready kernels for the lesson the class opens together (voila.json's largest "
        "pool; AWARENESS_CLASS_POOL; -1: as in voila.json). A replica behind a load "
        "balancer takes a share of each class: 16 for two replicas. No effect with --pool.",
    )

    @default("class_pool_size")
    def _class_pool_size_default(self):
        return sizing.env_class_pool()

    frontend = Enum(
        ["lite", "voila"],
        "lite",
        config=True,
        help="The lesson pages' front-end: 'lite' (the course's own small script, "
        "awareness/share/.../lite.js, for the widgets the lessons use) or 'voila' "
        "(Voilà's JupyterLab front-end: any widget, about 5 MB of JavaScript per page).",
    )

    log_ip = Bool(
        config=True,
        help="Log the client's address with every request (AWARENESS_LOG_IP=1, "
        "`make app LOG_IP=1`). Off by default: an IP address is personal data, and the "
        "log then holds none (docs/: the privacy fact sheet). Behind a trusted proxy it is "
        "the address the proxy saw.",
    )

    @default("log_ip")
    def _log_ip_default(self):
        value = os.environ.get("AWARENESS_LOG_IP", "").strip().lower()
        if value in ("", "0", "no", "false"):
            return False
        if value in ("1", "yes", "true"):
            return True
        raise SystemExit(f"AWARENESS_LOG_IP={value!r}: expected 1 or 0")

    def initialize(self, argv=None):
        hooks.check_all()  # before anything is wrapped: a changed Voilà stops here
        super().initialize(argv)
        course = load_course()
        tornado_handler = logs.install(self.log, logging.getLogger())
        if self.log_ip:
            logs.log_client_addresses(tornado_handler)
            self.log.warning("Client addresses are logged with every request (log_ip, "
                             "AWARENESS_LOG_IP).")
        self.limits = Limits(parent=self)
        # The live class mode: the teacher key leaves the environment here, so that no
        # lesson kernel (their environment is the server's) ever has it.
        from awareness.classroom.server import Classroom, ClassroomSettings
        from awareness.classroom.store import store_from_url

        settings = ClassroomSettings(parent=self)
        self.classroom = Classroom(
            settings,
            store=store_from_url(os.environ.get("AWARENESS_REDIS_URL", ""), settings.lifetime),
            teacher_key=os.environ.pop("TEACHER_KEY", "").strip(),
        )
        self.classroom.listen(self.ip, self.port, self.base_url)
        if self.limits.max_kernels <= 0:
            self.limits.max_kernels = self.limits.max_kernels_now()
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
        if self.pool_size < 0 and self.class_pool_size >= 0:
            section = self.config.VoilaKernelManager
            section.kernel_pools_config = sizing.class_pool(
                dict(section.get("kernel_pools_config") or {}), self.class_pool_size
            )
        self._clip_pools()
        problem = launcher_problem(
            self.config.KernelProvisionerFactory.get("default_provisioner_name")
        )
        if problem:
            raise SystemExit(problem)
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
            "awareness_pages": lesson_pages(course),
            "awareness_frontend": self.frontend,
        }
        configure_headers()

    def _clip_pools(self) -> None:
        """Pool kernels count toward the total cap: the pools are made to fit in it."""
        if not self.voila_configuration.preheat_kernel:
            return
        section = self.config.VoilaKernelManager
        pools = dict(section.get("kernel_pools_config") or {})
        if "default" not in pools:
            pools["default"] = {"pool_size": self.voila_configuration.default_pool_size}
        notebooks = preheated_notebooks(self.root_dir, list(section.get("preheat_denylist", [])))
        clipped, before, after = clip_pools(pools, notebooks, self.limits.max_kernels)
        if after < before:
            self.log.warning(
                "The pools would hold %d kernels but the total cap is %d: they hold %d "
                "(Limits.max_kernels, AWARENESS_MAX_KERNELS).",
                before,
                self.limits.max_kernels,
                after,
            )
            section.kernel_pools_config = clipped

    def init_settings(self):
        # Voilà builds its pooled kernel manager class with a factory while it sets up;
        # for that call, the factory is wrapped so the pools refill in turns.
        import voila.app as voila_app

        original = require(voila_app, "voila_kernel_manager_factory", "the pool pacing")
        voila_app.voila_kernel_manager_factory = paced_pools(original)
        try:
            settings = super().init_settings()
        finally:
            voila_app.voila_kernel_manager_factory = original
        if not isinstance(self.kernel_manager, CourseKernelManager):
            raise VoilaChanged(
                "awareness: the kernel manager is not a CourseKernelManager (voila.json's "
                "VoilaConfiguration.multi_kernel_manager_class), so the caps cannot work."
            )
        settings["websocket_max_message_size"] = self.limits.ws_max_message_kb * 1024
        settings["log_function"] = metrics.log_and_count  # log_request, and /metrics' counts
        # log_request writes a client address only when asked (the trusted proxies).
        settings["awareness_log_ip"] = tuple(self.limits.trusted_proxy) if self.log_ip else None
        # /healthz, /livez, /metrics and the graceful stop on SIGTERM.
        self.health = health.install(self)
        # The live class mode, for the start page's code box.
        settings["awareness_classroom"] = self.classroom
        return settings

    def init_handlers(self):
        replace = {
            TornadoVoilaHandler: LessonHandler,
            VoilaKernelWebsocketHandler: LessonSocketHandler,
        }
        drop = (TornadoVoilaTreeHandler, VoilaContentsHandler)
        found: set[type] = set()
        handlers = []
        for handler in super().init_handlers():
            cls = handler[1]
            found.add(cls)
            if cls in drop:
                continue
            if cls in replace and re.search(r"render|channels", handler[0]):
                handler = (handler[0], replace[cls], *handler[2:])
            handlers.append(handler)
        missing = [c.__name__ for c in (*replace, *drop) if c not in found]
        if missing:
            raise VoilaChanged(
                f"awareness: Voilà no longer routes {', '.join(missing)}, so the lesson "
                "pages' caps and the pruned file browser cannot work."
            )
        start = [
            *health.handlers(self.server_url, self.health),
            *classroom_handlers(self.server_url, self.classroom),
            (self.server_url, StartPageHandler),
            # The pages for schools (docs/), linked from the start page's footer.
            (url_path_join(self.server_url, r"/docs/([a-z]{2,3})/([a-z0-9-]+)"), docs.DocsHandler),
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
        # Voilà made the Tornado application just before asking for its handlers.
        app = require(self, "app", "the security headers and the Host allow-list")
        require(app, "add_transform", "the security headers")(SecurityHeaders)
        guard_hosts(app, HostAllowList(self.limits.allowed_hosts, bound=self.ip))
        return start + handlers


# Said at start when the app listens on loopback only: the teacher page's join address is
# the machine's network address, which the pupils' devices cannot reach then.
LOOPBACK_ONLY = ("Only this computer can open the app (HOST=127.0.0.1). For a class on the "
                 "school network: make app HOST=0.0.0.0")


def _loopback(host: str) -> bool:
    import ipaddress

    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    # The teacher page's key: TEACHER_KEY, or a new random one for this start.
    key = os.environ.get("TEACHER_KEY", "").strip() or secrets.token_urlsafe(12)
    os.environ["TEACHER_KEY"] = key
    print(f"Student app: http://{host}:{port}/  (stop with Ctrl+C)", flush=True)
    print(f"Teacher page: http://{host}:{port}/teacher?key={key}", flush=True)
    if _loopback(host):
        print(LOOPBACK_ONLY, flush=True)
    CourseVoila.launch_instance(argv=argv)
    return 0
