"""Search, measured as a parent uses it: every query of tests/search/queries.tsv typed into the real search box in
Chromium (one page per language), the right page among the first three results; index bytes; time to results.

Used by tests/test_search.py (which fails below the thresholds) and by `make bench` (which prints the figures)."""

from __future__ import annotations

import gzip
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from build_scripts.outputs.search import SEARCH_FILES

PROJECT = Path(__file__).resolve().parent.parent
QUERIES = PROJECT / "tests" / "search" / "queries.tsv"
TOP = 3


@dataclass(frozen=True)
class Query:
    lang: str
    category: str
    text: str
    pages: tuple[str, ...]


@dataclass
class Outcome:
    query: Query
    found: list[str]  # the page ids of the results, in order

    @property
    def hit(self) -> bool:
        return any(p in self.query.pages for p in self.found[:TOP])


@dataclass
class Figures:
    outcomes: list[Outcome] = field(default_factory=list)
    keystroke_ms: list[float] = field(default_factory=list)  # the last letter's input event -> results in the page
    bytes_gzip: dict[str, int] = field(default_factory=dict)  # per language: what search sends before results

    def rate(self, lang: str | None = None, category: str | None = None) -> float:
        chosen = [o for o in self.outcomes if (lang is None or o.query.lang == lang)
                  and (category is None or o.query.category == category)]
        return sum(o.hit for o in chosen) / len(chosen) if chosen else 1.0

    def table(self) -> dict[str, dict[str, float]]:
        rates: dict[str, dict[str, float]] = defaultdict(dict)
        for o in self.outcomes:
            rates[o.query.lang][o.query.category] = self.rate(o.query.lang, o.query.category)
        for lang in list(rates):
            rates[lang]["all"] = self.rate(lang)
        return dict(rates)


def read_queries(path: Path = QUERIES) -> list[Query]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, category, text, pages = line.split("\t")
        queries.append(Query(lang, category, text, tuple(p.strip() for p in pages.split(","))))
    return queries


def search_bytes(site_dir: Path, folder: str) -> int:
    """Gzip bytes search needs before its first results: the index, the engine and the search script."""
    return sum(len(gzip.compress((site_dir / folder / n).read_bytes(), 9)) for n in SEARCH_FILES)


def _page_id(href: str, lang_root: str) -> str:
    rest = href.split("#")[0][len(lang_root):].strip("/")
    return rest or "index"


def run_queries(browser: Any, site_url: str, site_dir: Path, queries: list[Query], folders: dict[str, str],
                cpu_slowdown: float = 1) -> Figures:
    """Type each query into the search box of one page per language; read the result links."""
    figures = Figures()
    for lang in sorted({q.lang for q in queries}):
        figures.bytes_gzip[lang] = search_bytes(site_dir, folders[lang])
        context = browser.new_context(viewport={"width": 375, "height": 740})
        page = context.new_page()
        lang_root = site_url + folders[lang]
        page.goto(lang_root)
        if cpu_slowdown > 1:
            session = context.new_cdp_session(page)
            session.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
        page.click("button.hb-search-open")
        box = page.locator("#hb-search-input")
        page.wait_for_function("window.hbSearch !== undefined")
        page.evaluate("window.hbSearch.run('')")  # the index loaded before timing keystrokes
        for query in (q for q in queries if q.lang == lang):
            box.fill(query.text[:-1])
            page.evaluate("document.getElementById('hb-search-status').textContent = ''")
            box.press_sequentially(query.text[-1])
            page.wait_for_function("document.getElementById('hb-search-status').textContent !== ''")
            figures.keystroke_ms.append(page.evaluate("window.hbSearch.lastMs"))
            hrefs = page.eval_on_selector_all(".hb-search__result > a", "els => els.map(e => e.href)")
            figures.outcomes.append(Outcome(query, [_page_id(h, lang_root) for h in hrefs]))
        context.close()
    return figures


def measure(site_dir: Path, languages: list[str], cpu_slowdown: float = 1) -> Figures:
    """Serve the built site, launch Chromium, run every query (for `make bench`)."""
    from tests.browser import launch_chromium, serve_site

    folders = {lang: (f"{lang}/" if len(languages) > 1 else "") for lang in languages}
    with serve_site(site_dir) as url, launch_chromium() as browser:
        return run_queries(browser, url, site_dir, read_queries(), folders, cpu_slowdown)


def site_languages(site: Path) -> list[str]:
    """The languages of a built site: one folder each with its index, or the root for a one-language site."""
    return sorted(p.name for p in site.iterdir() if (p / "search" / "index.json").is_file()) or ["en"]


def measure_site(site: Path, cpu_slowdown: float = 4) -> dict[str, Any]:
    """`make bench`: the figures on a phone's CPU (Lighthouse's 4x slowdown)."""
    return {**report(measure(site, site_languages(site), cpu_slowdown)), "cpu_slowdown": cpu_slowdown}


def format_lines(result: dict[str, Any]) -> list[str]:
    lines = [f"Search (tests/search/queries.tsv, right page in the first {TOP}; CPU slowed {result['cpu_slowdown']}x):"]
    for lang, rates in result["top3"].items():
        lines.append(f"  {lang}: " + ", ".join(f"{c} {r:.0%}" for c, r in rates.items())
                     + f"; {result['bytes_gzip'][lang] / 1000:.1f} KB gzip before the first results")
    lines.append(f"  keystroke to results: median {result['keystroke_ms_median']} ms, "
                 f"slowest {result['keystroke_ms_max']} ms ({'; '.join(result['slowest'])})")
    return lines


def report(figures: Figures) -> dict[str, Any]:
    times = sorted(figures.keystroke_ms)
    return {"top3": figures.table(), "bytes_gzip": figures.bytes_gzip,
            "keystroke_ms_median": round(times[len(times) // 2], 1) if times else None,
            "keystroke_ms_max": round(times[-1], 1) if times else None,
            "slowest": [f"{o.query.lang} {o.query.text!r}: {ms:.0f} ms" for ms, o in
                        sorted(zip(figures.keystroke_ms, figures.outcomes), key=lambda pair: -pair[0])[:3]],
            "misses": [f"{o.query.lang} {o.query.category}: {o.query.text!r} -> {o.found[:TOP]}"
                       for o in figures.outcomes if not o.hit]}


if __name__ == "__main__":  # python -m bench.search [SITE] [CPU SLOWDOWN]
    import json
    import sys

    site = Path(sys.argv[1] if len(sys.argv) > 1 else PROJECT / "site")
    result = measure_site(site, float(sys.argv[2]) if len(sys.argv) > 2 else 4)
    print("\n".join(format_lines(result)))
    print(json.dumps(result["misses"], indent=1, ensure_ascii=False))
