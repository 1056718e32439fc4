"""Command line: ``python -m awareness check|serve|health|static``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from awareness.environ import env_number
from awareness.paths import content_root


def cmd_check(args: argparse.Namespace) -> int:
    from awareness.content.check import check_all

    if args.root:
        os.environ["AWARENESS_ROOT"] = str(Path(args.root).resolve())
    root = content_root()
    course, problems = check_all(root)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.is_error]
    warnings = len(problems) - len(errors)
    also = f" and {warnings} warning(s)" if warnings else ""
    if errors:
        print(f"{len(errors)} problem(s){also} found in the course content.", file=sys.stderr)
        return 1
    print(
        f"Content OK{' with ' + str(warnings) + ' warning(s)' if warnings else ''}: "
        f"{len(course.lessons)} lessons in {len(course.languages)} languages."
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from awareness.content.check import check_all

    root = content_root()
    course, problems = check_all(root)
    for problem in problems:
        print(problem)
    if any(p.is_error for p in problems):
        print("The app was not started: fix the content problems above.", file=sys.stderr)
        return 1
    if args.class_lang and args.class_lang not in course.languages:
        print(
            f"--class-lang: unknown language {args.class_lang!r} (the course has: "
            f"{', '.join(course.languages)}). The app was not started.",
            file=sys.stderr,
        )
        return 1
    from awareness.app import serve

    return serve(
        host=args.host,
        port=args.port,
        open_browser=args.open,
        pool=args.pool,
        extra=args.extra,
        class_language=args.class_lang or "",
    )


def cmd_health(args: argparse.Namespace) -> int:
    """Ask a running server whether it is ready (/healthz) or alive (/livez): exit 0 or 1,
    one line. The container image's HEALTHCHECK."""
    import urllib.error
    import urllib.request

    path = "livez" if args.live else "healthz"
    url = f"http://{args.host}:{args.port}/{path}"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as resp:
            print(f"{path}: {resp.status} {resp.read(200).decode('utf-8', 'replace').strip()}")
            return 0
    except urllib.error.HTTPError as exc:
        print(f"{path}: {exc.code} {exc.read(200).decode('utf-8', 'replace').strip()}")
    except OSError as exc:
        print(f"{path}: no answer from {url} ({getattr(exc, 'reason', exc)})")
    return 1


def cmd_static(args: argparse.Namespace) -> int:
    from awareness.content.check import check_all
    from awareness.static.build import main as static_main

    course, problems = check_all(content_root())
    for problem in problems:
        print(problem)
    if any(p.is_error for p in problems):
        print("The static copy was not built: fix the content problems above.", file=sys.stderr)
        return 1
    return static_main(["--out", args.out, "--scorm", args.scorm])


def _env(name: str, fallback: str) -> str:
    return os.environ.get(name, "").strip() or fallback




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="awareness", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate all content; print every problem")
    check.add_argument("--root", help="content folder (default: this checkout)")
    check.set_defaults(func=cmd_check)
    # A container passes these as environment variables (AWARENESS_HOST, ...): the options,
    # when given, win.
    serve = sub.add_parser("serve", help="validate, then serve the student app with Voilà")
    serve.add_argument("--host", default=_env("AWARENESS_HOST", "127.0.0.1"),
                       help="address to listen on (AWARENESS_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=env_number("AWARENESS_PORT", 8866),
                       help="port (AWARENESS_PORT; default 8866)")
    serve.add_argument("--open", action="store_true", help="open a browser")
    serve.add_argument(
        "--pool",
        type=int,
        default=env_number("AWARENESS_POOL", -1),
        help="preheated kernels per lesson page (0: none; AWARENESS_POOL); default: the "
        "pools in voila.json (AWARENESS_CLASS_POOL resizes the class lesson's)",
    )
    serve.add_argument(
        "--class-lang",
        default=_env("AWARENESS_CLASS_LANG", "") or None,
        help="the language the class opens the lessons in (AWARENESS_CLASS_LANG; default: "
        "the first in course.yaml): its pages get the class-size pools of voila.json",
    )
    serve.set_defaults(func=cmd_serve)
    health = sub.add_parser(
        "health", help="ask a running server whether it takes pupils (exit 0) or not (1)")
    health.add_argument("--host", default="127.0.0.1")
    health.add_argument("--port", type=int, default=env_number("AWARENESS_PORT", 8866),
                        help="the server's port (AWARENESS_PORT; default 8866)")
    health.add_argument("--live", action="store_true",
                        help="only whether it answers at all (/livez), not whether it is "
                        "ready for pupils (/healthz)")
    health.add_argument("--timeout", type=float, default=5.0, help="seconds to wait")
    health.set_defaults(func=cmd_health)
    static = sub.add_parser(
        "static", help="the serverless copy (build/static/) and SCORM packages (build/scorm/)")
    static.add_argument("--out", default="build/static", help="the folder to write")
    static.add_argument("--scorm", default="build/scorm",
                        help="where the SCORM 1.2 packages go (<lang>.zip); '' for none")
    static.set_defaults(func=cmd_static)
    args, extra = parser.parse_known_args(argv)
    bad = [a for a in extra if not (args.command == "serve" and a.startswith("--") and "." in a)]
    if bad:
        parser.error(f"unrecognized arguments: {' '.join(bad)}")
    args.extra = extra  # serve: Voilà settings such as --MappingKernelManager.cull_interval=60
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
