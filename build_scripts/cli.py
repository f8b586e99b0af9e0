"""Command line: `python -m build_scripts check|build|serve`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import PROJECT, build_site, load_and_check
from .report import format_report
from .source import SourceError
from .static_server import serve_site
from . import deadlines  # part: deadlines (issue 14)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        _, findings = load_and_check(args.config)
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print("Source OK: every file validates, every reference and link resolves.")
    print(format_report(findings))
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    try:
        result = build_site(args.config, site_dir=args.site_dir)
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except Exception as exc:  # MkDocs aborts (strict mode) with its own message already logged
        print(f"Build failed: {exc}", file=sys.stderr)
        return 1
    languages = ", ".join(result.handbook.languages)
    print(f"Built {result.site_dir} ({languages}); consistency report: {len(result.findings)} findings "
          f"(run `make check` to read them).")
    return 0


def _watched_mtime(paths: list[Path]) -> float:
    latest = 0.0
    for root in paths:
        for path in root.rglob("*") if root.is_dir() else [root]:
            if path.is_file():
                latest = max(latest, path.stat().st_mtime)
    return latest


def cmd_serve(args: argparse.Namespace) -> int:
    if cmd_build(args) != 0:
        return 1
    site_dir = Path(args.site_dir or Path(args.config).parent / "site").resolve()
    project = Path(args.config).resolve().parent
    watched = [project / "handbook", Path(args.config), PROJECT / "site_templates"]
    seen = _watched_mtime(watched)
    # with the headers the deploy notes give a real host (caching rules, gzip), so the preview behaves like it
    with serve_site(site_dir, caching=True, host=args.host, port=args.port) as url:
        print(f"Preview at {url} (Ctrl+C to stop). Rebuilds when the handbook changes.")
        try:
            while True:
                time.sleep(1)
                now = _watched_mtime(watched)
                if now != seen:
                    seen = now
                    print("Change seen: rebuilding...")
                    cmd_build(args)
        except KeyboardInterrupt:
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m build_scripts", description="Build the handbook site.")
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--site-dir", type=Path, default=None, help="where to write the site (default: site/ beside mkdocs.yml)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate the handbook source and print the consistency report")
    sub.add_parser("build", help="validate, then build the site")
    serve = sub.add_parser("serve", help="build, then preview locally, rebuilding on change")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    deadlines.add_cli(sub)  # part: deadlines: `calendar import FILE.ics`
    args = parser.parse_args(argv)
    return {"check": cmd_check, "build": cmd_build, "serve": cmd_serve,
            "calendar": deadlines.cmd_calendar}[args.command](args)
