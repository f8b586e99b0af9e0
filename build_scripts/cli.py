"""Stage 5, the command line: `python -m build_scripts check|build|serve|pdf|calculator-data|deploy-snippets`."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

from .core.checks import page_warnings
from .core.editions import prose_changes
from .core.load import load_handbook
from .core.report import format_report
from .core.validate import load_and_check, settings_warnings
from .outputs.site import BUILD_WAIT_SECONDS, BuildBusy, BuildResult, build_lock, build_site
from .outputs.static_server import deploy_headers, serve_site
from .parts.form import endpoint_setting
from .source.config import handbook_dir, read_config
from .source.handbook import Handbook
from .source.paths import PROJECT
from .source.reading import SourceError

T = TypeVar("T")
from .parts.deadlines import add_cli as add_calendar_cli
from .parts.deadlines import cmd_calendar


def cmd_check(args: argparse.Namespace) -> int:
    try:
        hb, findings = load_and_check(args.config)
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print("Source OK: every file validates, every reference and link resolves.")
    for warning in [*settings_warnings(args.config), *page_warnings(hb)]:
        print(f"Warning: {warning}")
    print(format_report(findings))
    return 0


def _build(args: argparse.Namespace) -> BuildResult | None:
    """Build, saying each stage as it starts; None (the problems said) when it cannot."""
    started = time.perf_counter()

    def progress(stage: str) -> None:
        print(f"[{time.perf_counter() - started:5.1f} s] {stage}", flush=True)

    try:
        result = build_site(args.config, site_dir=args.site_dir, progress=progress, wait_seconds=args.wait)
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return None
    except BuildBusy as exc:
        print(f"Build refused: {exc}", file=sys.stderr)
        return None
    except Exception as exc:  # MkDocs aborts (strict mode) with its own message already logged
        print(f"Build failed: {exc}", file=sys.stderr)
        return None
    languages = ", ".join(result.handbook.languages)
    report = (f"{len(result.findings)} findings (`make check` lists them)" if result.findings else "nothing found")
    print(f"[{time.perf_counter() - started:5.1f} s] Built {_shown(result.site_dir)}/ ({languages}); consistency report: "
          f"{report}.")
    return result


def _site_dir(args: argparse.Namespace) -> Path:
    return Path(args.site_dir or Path(args.config).parent / "site").resolve()


def _shown(path: Path) -> str:
    """A path as the reader typed their way to it: relative to the current folder where it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def cmd_build(args: argparse.Namespace) -> int:
    result = _build(args)
    if result is None:
        return 1
    folder = _shown(result.site_dir)
    print("Preview it: `make serve`, then open http://127.0.0.1:8000/ (rebuilds when the handbook changes).")
    print(f"Publish it: copy the folder {folder}/ to the web host (docs/deploying.md).")
    return 0


def _watched_mtime(paths: list[Path]) -> float:
    latest = 0.0
    for root in paths:
        for path in root.rglob("*") if root.is_dir() else [root]:
            if path.is_file():
                latest = max(latest, path.stat().st_mtime)
    return latest


def error_folder(hb: Handbook) -> str:
    """Where the 404 page a host answers with is (the deploy snippets' and the preview's): the first language's."""
    return hb.site_folder(hb.languages[0])


def cmd_serve(args: argparse.Namespace) -> int:
    result = _build(args)
    if result is None:
        return 1
    site_dir = _site_dir(args)
    project = Path(args.config).resolve().parent
    watched = [project / "handbook", Path(args.config), PROJECT / "site_templates"]
    seen = _watched_mtime(watched)

    # the deploy snippets' security headers, for the site as last built (the policy hashes its inline scripts)
    def security_headers() -> dict[str, str]:  # after a successful build, so mkdocs.yml has passed `check`
        return deploy_headers(site_dir, endpoint_setting(read_config(Path(args.config)), Path(args.config).name))

    current = {"headers": security_headers(), "error_folder": error_folder(result.handbook)}
    # with the headers the deploy notes give a real host (caching rules, gzip, the policy, the 404 page), so the
    # preview behaves like it
    with serve_site(site_dir, caching=True, headers=lambda: current["headers"], host=args.host, port=args.port,
                    error_folder=lambda: current["error_folder"]) as url:
        print(f"Preview at {url} (Ctrl+C to stop). Rebuilds when the handbook changes.")
        try:
            while True:
                time.sleep(1)
                now = _watched_mtime(watched)
                if now != seen:
                    seen = now
                    print("Change seen: rebuilding...")
                    if (rebuilt := _build(args)) is not None:
                        current["headers"] = security_headers()
                        current["error_folder"] = error_folder(rebuilt.handbook)
        except KeyboardInterrupt:
            pass
    return 0


def _printed(args: argparse.Namespace, failed: str, make: Callable[[Handbook], T]) -> tuple[Handbook, T] | None:
    """Check the handbook, then make something printed of it (WeasyPrint, imported by `make`); None after saying
    why not: the source's problems, the pdf extras missing, or what the PDF cannot hold."""
    from .core.printed import PdfError

    try:
        hb, _ = load_and_check(args.config.resolve())
        return hb, make(hb)
    except ImportError as exc:
        print(f"{failed}: {exc.name or exc} is missing; install the pdf extras: pip install -e '.[pdf]'",
              file=sys.stderr)
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
    except BuildBusy as exc:  # "PDF build failed" -> "PDF build refused": another build holds the lock
        print(f"{failed.replace(' failed', ' refused')}: {exc}", file=sys.stderr)
    except PdfError as exc:
        print(f"{failed}: {exc}", file=sys.stderr)
    return None


def cmd_pdf(args: argparse.Namespace) -> int:
    """Only the printable handbooks, one PDF per language."""
    def make(hb: Handbook) -> tuple[dict[str, Path], float]:
        from .outputs.pdf import build_pdfs

        started = time.perf_counter()
        # a site build writes its PDFs into build/pdf/ too: one at a time, under the site's lock
        with build_lock(_site_dir(args), args.wait, print):
            paths = build_pdfs(hb, args.out, args.config.resolve())
        return paths, time.perf_counter() - started

    done = _printed(args, "PDF build failed", make)
    if done is None:
        return 1
    paths, elapsed = done[1]
    for path in paths.values():
        print(f"Wrote {path} ({path.stat().st_size / 1_000_000:.1f} MB)")
    print(f"Built {len(paths)} PDFs in {elapsed:.1f} s")
    return 0


def cmd_redline(args: argparse.Namespace) -> int:
    """The Board's redline: this edition against the previous one, in the governing language, as a tagged PDF."""
    def make(hb: Handbook) -> Path:
        from .outputs.redline import build_redline

        return build_redline(hb, args.out)

    done = _printed(args, "Redline failed", make)
    if done is None:
        return 1
    hb, path = done
    print(f"Wrote {path}: the {hb.languages[0]} text against the previous edition "
          f"({hb.edition.previous_edition}), {len(prose_changes(hb))} paragraphs changed, added or removed, "
          "and a table of the data changes")
    return 0


def cmd_calculator_data(args: argparse.Namespace) -> int:
    """The calculators' compiled data (calculators/data/handbook.json), and optionally their wheel."""
    from .parts.calculators.data import DEFAULT_DATA_PATH, build_calculator_wheel, write_calculator_data

    try:
        hb = load_handbook(handbook_dir(args.config.resolve(), read_config(args.config)))
        written = write_calculator_data(hb, args.out or DEFAULT_DATA_PATH)
        if not args.quiet:
            print(written)
        if args.wheel:
            print(build_calculator_wheel(hb, args.wheel))
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    return 0


def cmd_deploy_snippets(args: argparse.Namespace) -> int:
    """Write docs/deploy/ (nginx, Apache) from a built site and mkdocs.yml (the endpoint, the 404 page's folder)."""
    from .outputs.csp import DEPLOY_DIR, write_deploy_snippets
    from .parts.form import endpoint_setting

    site = args.site_dir or PROJECT / "site"
    if not (site / "index.html").exists():
        print(f"{site}: no built site here; run `make site` first", file=sys.stderr)
        return 1
    try:
        config = read_config(args.config)
        hb = load_handbook(handbook_dir(args.config.resolve(), config))
        endpoint = endpoint_setting(config, args.config.name)
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    for path in write_deploy_snippets(site, args.out or DEPLOY_DIR, endpoint, error_folder(hb)):
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m build_scripts", description="Build the handbook site.")
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--site-dir", type=Path, default=None, help="where to write the site (default: site/ beside mkdocs.yml)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate the handbook source and print the consistency report")
    wait = argparse.ArgumentParser(add_help=False)  # a build waits for one already writing the same site, then refuses
    wait.add_argument("--wait", type=float, default=BUILD_WAIT_SECONDS, metavar="SECONDS",
                      help=f"how long to wait for another build of the same site (default: {BUILD_WAIT_SECONDS})")
    sub.add_parser("build", help="validate, then build the site", parents=[wait])
    serve = sub.add_parser("serve", help="build, then preview locally, rebuilding on change", parents=[wait])
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    pdf = sub.add_parser("pdf", help="only the printable handbooks, one PDF per language", parents=[wait])
    pdf.add_argument("--out", type=Path, default=Path("build/pdf"), help="where to write the PDFs")
    redline = sub.add_parser("redline", help="the Board's redline: this edition against the previous one (PDF)")
    redline.add_argument("--out", type=Path, default=Path("build/redline.pdf"), help="the PDF to write")
    data = sub.add_parser("calculator-data", help="compile the calculators' data (calculators/data/handbook.json)")
    data.add_argument("--out", type=Path, default=None, help="JSON file to write")
    data.add_argument("--wheel", type=Path, metavar="DIR", help="also build the calculators wheel into DIR")
    data.add_argument("--quiet", action="store_true", help="print nothing but problems (as `make site` runs it)")
    deploy = sub.add_parser("deploy-snippets", help="write the nginx and Apache snippets (docs/deploy/) from a built site")
    deploy.add_argument("--out", type=Path, default=None, help="folder to write them to (default: docs/deploy/)")
    add_calendar_cli(sub)  # `calendar import FILE.ics`: the deadlines part's school calendar
    args = parser.parse_args(argv)
    if not args.config.is_file():
        print(f"{args.command} failed: {args.config} not found (give the site's mkdocs.yml with --config)", file=sys.stderr)
        return 1
    commands = {"check": cmd_check, "build": cmd_build, "serve": cmd_serve, "pdf": cmd_pdf,
                "calculator-data": cmd_calculator_data, "redline": cmd_redline, "deploy-snippets": cmd_deploy_snippets, "calendar": cmd_calendar}
    try:
        return commands[args.command](args)
    except BrokenPipeError:  # `make check | head`: the reader stopped reading; nothing is wrong with the handbook
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the flush at exit raises nothing
        return 0
