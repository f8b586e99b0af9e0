"""`make bench`: how fast the calculators start and answer, what text pages download, how long the PDFs take, and
Lighthouse scores. A benchmark, never a test: it reports figures and the targets they meet; it fails only when it
cannot measure.

    python -m bench [--runs 5] [--lighthouse-runs 3] [--modes plain,caching] [--site DIR] [--no-pdf] [--no-lighthouse]

Everything is served from 127.0.0.1 by bench/server.py, in both server modes ("plain": a bare static host;
"caching": Cache-Control + gzip as in docs/deploy/, which the preview server also sends). Side by side in one run: the site's calculator
page, the same site with its start-up snapshot removed (the worker's fallback, also what a build without Node gives),
and bench/stock/ (a bare loadPyodide() and one runPython from npm's Pyodide folder as installed, served
by the same server under _pyodide/, so with the same caching headers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import lighthouse
from .measure import ReadySeries, chromium_version, measure_later_visits, measure_ready, measure_text_pages
from .report import evaluate_targets, format_table
from .server import MODES, Traffic, serve_site

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
RESULTS = BENCH / "results" / "latest.json"
STOCK_DIR = "_bench"  # where bench/stock/ goes in the served copy (beside _pyodide/)
CALCULATOR_PAGE = "en/consequence-lookup/"
LIGHTHOUSE_TEXT_PAGE = "en/section-06/"  # the longest text page (definitions): the hardest for the performance score
TEXT_PAGES_PER_LANGUAGE = 3


def _load() -> list[float] | None:
    """The machine's load averages: other work on the machine makes every figure slower and noisier."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def build(dest: Path) -> tuple[Path, float]:
    """A fresh build of the site (PDFs are timed on their own) into dest/site; returns (folder, seconds)."""
    from build_scripts.outputs.site import build_site

    started = time.perf_counter()
    result = build_site(PROJECT / "mkdocs.yml", site_dir=dest / "site", work_dir=dest / "work", with_pdf=False)
    return result.site_dir, time.perf_counter() - started


def time_snapshot(site: Path, dest: Path) -> float | None:
    """Seconds Node takes to make the start-up snapshot (without the build's cache)."""
    from build_scripts.parts.calculators.runtime import RUNTIME_DIR, snapshot_for, wheel_filename

    runtime = site / RUNTIME_DIR
    started = time.perf_counter()
    made = snapshot_for(runtime, runtime / wheel_filename(), cache=dest / "snapshot-cache")
    return time.perf_counter() - started if made else None


def time_pdfs(dest: Path) -> dict[str, Any]:
    """`python -m build_scripts pdf` in a subprocess: wall time, and the time it prints."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "build_scripts", "pdf", "--out", str(dest / "pdf")], cwd=PROJECT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout).strip()[-500:]}
    printed = re.findall(r"(\d+(?:\.\d+)?)\s*s\b", done.stdout)
    return {"wall_s": round(seconds, 1), "printed_s": float(printed[-1]) if printed else None,
            "files": {p.name: p.stat().st_size for p in sorted((dest / "pdf").glob("*.pdf"))},
            "output": done.stdout.strip().splitlines()[-3:]}


def text_pages(site: Path) -> list[str]:
    """A sample of pages without a calculator: each language's home page and its first section pages."""
    pages = []
    for lang_dir in sorted(p for p in site.iterdir() if p.is_dir() and (p / "index.html").exists()
                           and not p.name.startswith("_")):
        found = [lang_dir / "index.html"] + sorted(lang_dir.glob("section-*/index.html"))
        plain = [p for p in found if "data-calculator=" not in p.read_text(encoding="utf-8")]
        pages += [p.parent.relative_to(site).as_posix() + "/" for p in plain[:TEXT_PAGES_PER_LANGUAGE]]
    return pages


def prepare(site: Path, dest: Path) -> tuple[Path, Path, Path]:
    """The served folders: the site, a copy without the start-up snapshot, and the stock page's own folder."""
    from build_scripts.parts.calculators.runtime import RUNTIME_DIR, SNAPSHOT_NAME

    no_snapshot = dest / "site-no-snapshot"
    if no_snapshot.exists():
        shutil.rmtree(no_snapshot)
    shutil.copytree(site, no_snapshot)
    (no_snapshot / RUNTIME_DIR / SNAPSHOT_NAME).unlink(missing_ok=True)
    # The stock page: the plainest use of npm's Pyodide, its folder as npm installs it (its own lock file, the full
    # standard library) at the address the deploy notes' headers name (_pyodide/: a week's max-age), served by the
    # same server as the site, nothing of the site's beside it.
    stock = dest / "stock"
    if stock.exists():
        shutil.rmtree(stock)
    shutil.copytree(PROJECT / "node_modules" / "pyodide", stock / RUNTIME_DIR)
    shutil.copytree(BENCH / "stock", stock / STOCK_DIR)
    return site, no_snapshot, stock


def measure_mode(playwright: Any, mode: str, site: Path, no_snapshot: Path, stock: Path, runs: int,
                 calculations: int, pages: list[str]) -> dict[str, Any]:
    traffic_a, traffic_b, traffic_c = Traffic(), Traffic(), Traffic()
    with serve_site(site, mode, traffic_a) as base, serve_site(no_snapshot, mode, traffic_b) as base_b, \
            serve_site(stock, mode, traffic_c) as base_c:
        series = {
            "stock": ReadySeries("stock", base_c + STOCK_DIR + "/"),
            "site": ReadySeries("site", base + CALCULATOR_PAGE),
            "site_no_snapshot": ReadySeries("site_no_snapshot", base_b + CALCULATOR_PAGE),
        }
        if mode == "phone":  # over a minute per visit: only the two subjects the phone-link targets compare
            del series["site_no_snapshot"]
        traffic_of = {"stock": traffic_c, "site": traffic_a, "site_no_snapshot": traffic_b}
        for n in range(runs):
            order = list(series) if n % 2 == 0 else list(reversed(series))  # no subject always first
            for name in order:
                s = series[name]
                cold, warm, calc = measure_ready(playwright, name, s.url, traffic_of[name],
                                                 calculations if name == "site" else 0)
                s.cold.append(cold)
                s.warm.append(warm)
                s.calculations_ms += calc
                print(f"  [{mode}] run {n + 1}/{runs} {name}: cold {cold.ready_ms} ms, warm {warm.ready_ms} ms"
                      f" (load {cold.load})" + (f", lookups {', '.join(f'{x:.0f}' for x in calc)} ms" if calc else ""),
                      flush=True)
                if mode == "phone":  # issue 24: the reader comes back 5 s later, then once the snapshot is kept
                    later, kept = measure_later_visits(playwright, s.url, traffic_of[name])
                    s.warm_5s.append(later)
                    s.kept.append(kept)
                    print(f"  [{mode}] run {n + 1}/{runs} {name}: second visit 5 s later {later.ready_ms} ms "
                          f"({later.bytes_total} bytes), once kept {kept.ready_ms} ms ({kept.bytes_total} bytes)",
                          flush=True)
        text = measure_text_pages(playwright, base, pages, traffic_a) if mode != "phone" else {}
    return {"ready": {k: v.to_dict() for k, v in series.items()}, "text_pages": text}


def lighthouse_mode(mode: str, site: Path, runs: int) -> dict[str, Any]:
    out = {}
    with serve_site(site, mode) as base:
        for label, path in (("text_page", LIGHTHOUSE_TEXT_PAGE), ("calculator_page", CALCULATOR_PAGE)):
            print(f"  [{mode}] Lighthouse {path} ({runs} run(s))", flush=True)
            out[label] = lighthouse.run(base + path, runs)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold+warm visit pairs per subject and mode (default 5)")
    parser.add_argument("--calculations", type=int, default=5, help="lookups timed after each cold visit")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs per page and mode")
    parser.add_argument("--modes", default=",".join(MODES), help=f"server modes to measure ({', '.join(MODES)})")
    parser.add_argument("--phone-only", action="store_true",
                        help="only the phone-link mode, no PDFs, no Lighthouse (same as --modes phone --no-pdf --no-lighthouse)")
    parser.add_argument("--site", type=Path, help="measure this built site folder instead of building one")
    parser.add_argument("--no-pdf", action="store_true", help="skip timing the PDFs")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse")
    parser.add_argument("--no-receiver", action="store_true", help="skip the acknowledgement receiver (bench/receiver.py)")
    parser.add_argument("--no-search", action="store_true", help="skip search (bench/search.py)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results file (default {RESULTS.relative_to(PROJECT)})")
    args = parser.parse_args(argv)
    if args.phone_only:
        args.modes, args.no_pdf, args.no_lighthouse = "phone", True, True
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := [m for m in modes if m not in MODES]:
        parser.error(f"unknown mode(s): {', '.join(unknown)}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("Playwright for Python is missing: `make bench` installs the test extra", file=sys.stderr)
        return 1

    from build_scripts.parts.calculators.runtime import RUNTIME_DIR

    results: dict[str, Any] = {"meta": {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU(s), {platform.system()} {platform.release()}",
        "node": (subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
                 if shutil.which("node") else None),
        "runs": args.runs, "calculations_per_run": args.calculations, "modes": modes,
        "calculator_page": CALCULATOR_PAGE, "lighthouse_text_page": LIGHTHOUSE_TEXT_PAGE,
        "load_average_at_start": _load(),
    }}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        dest = Path(tmp)
        if args.site:
            site = dest / "site"
            shutil.copytree(args.site, site)
            print(f"Measuring a copy of {args.site}")
        else:
            print("Building the site (without PDFs)...", flush=True)
            site, seconds = build(dest)
            results["build"] = {"site_s": round(seconds, 1)}
            snapshot_s = time_snapshot(site, dest)
            results["build"]["snapshot_s"] = round(snapshot_s, 1) if snapshot_s else None
        runtime = site / RUNTIME_DIR
        results["runtime_files"] = {p.name: p.stat().st_size for p in sorted(runtime.iterdir()) if p.is_file()}
        if not args.no_pdf:
            print("Building both PDFs...", flush=True)
            results["pdf"] = time_pdfs(dest)
        results["meta"]["service_worker"] = (site / "sw.js").exists()
        site, no_snapshot, stock = prepare(site, dest)
        pages = text_pages(site)
        with sync_playwright() as playwright:
            results["meta"]["chromium"] = chromium_version(playwright)
            for mode in modes:
                print(f"Browser runs, server mode '{mode}'...", flush=True)
                results.setdefault("modes", {})[mode] = measure_mode(
                    playwright, mode, site, no_snapshot, stock, args.runs, args.calculations, pages)
        if not args.no_search:  # hit rates per category and language, bytes, keystroke to results
            from . import search as search_bench
            results["search"] = search_bench.measure_site(site)
        if not args.no_lighthouse:
            problem = lighthouse.available()
            if problem:
                results["lighthouse_skipped"] = problem
                print(f"Lighthouse skipped: {problem}")
            else:
                for mode in [m for m in modes if m != "phone"]:  # Lighthouse throttles on its own
                    results["modes"][mode]["lighthouse"] = lighthouse_mode(mode, site, args.lighthouse_runs)
    if not args.no_receiver:  # records/s and p50/p99 on SQLite and PostgreSQL
        from . import receiver as receiver_bench
        results["receiver"] = receiver_bench.measure()
    results["meta"]["load_average_at_end"] = _load()
    results["targets"] = evaluate_targets(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print(format_table(results))
    if "receiver" in results:
        from .receiver import format_lines
        print("\n".join(format_lines(results["receiver"])))
    if "search" in results:
        from .search import format_lines as search_lines
        print("\n".join(search_lines(results["search"])))
    print(f"\nWritten to {args.out}")
    return 0
