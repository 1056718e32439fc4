"""Command line: ``python -m awareness check|serve``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="awareness", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate all content; print every problem")
    check.add_argument("--root", help="content folder (default: this checkout)")
    check.set_defaults(func=cmd_check)
    serve = sub.add_parser("serve", help="validate, then serve the student app with Voilà")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--open", action="store_true", help="open a browser")
    serve.add_argument(
        "--pool",
        type=int,
        default=-1,
        help="preheated kernels per lesson page (0: none); default: the pools in voila.json",
    )
    serve.add_argument(
        "--class-lang",
        help="the language the class opens the lessons in (default: the first in "
        "course.yaml): its pages get the class-size pools of voila.json",
    )
    serve.set_defaults(func=cmd_serve)
    args, extra = parser.parse_known_args(argv)
    bad = [a for a in extra if not (args.command == "serve" and a.startswith("--") and "." in a)]
    if bad:
        parser.error(f"unrecognized arguments: {' '.join(bad)}")
    args.extra = extra  # serve: Voilà settings such as --MappingKernelManager.cull_interval=60
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
