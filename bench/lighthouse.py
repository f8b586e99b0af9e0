"""Lighthouse (npm, pinned in bench/package.json) against Debian's Chromium, mobile emulation (its default)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.browser import CHROMIUM, CHROMIUM_ARGS

BENCH = Path(__file__).resolve().parent
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index")
CHROME_FLAGS = " ".join(["--headless=new", *CHROMIUM_ARGS])


def available() -> str | None:
    """None when Lighthouse can run, else why not."""
    if not LIGHTHOUSE.exists():
        return f"{LIGHTHOUSE} is missing: run `npm ci --prefix bench` (make bench does)"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing"
    return None


def run_once(url: str, timeout_s: int = 300) -> dict[str, Any]:
    """One Lighthouse run: category scores (0-100), key metrics, and the audits that lost points."""
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        report = Path(tmp) / "report.json"
        env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
        done = subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
             f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
            env=env, capture_output=True, text=True, timeout=timeout_s)
        if done.returncode != 0 or not report.exists():
            raise RuntimeError(f"lighthouse failed on {url}: {done.stderr.strip()[-500:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    audits = data["audits"]
    lost: dict[str, list[str]] = {}
    for category in CATEGORIES:
        for ref in data["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                lost.setdefault(category, []).append(
                    f"{ref['id']} ({audit.get('displayValue') or round(audit['score'], 2)})")
    return {
        "scores": {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES},
        "metrics": {m: round(audits[m].get("numericValue", 0), 3 if m == "cumulative-layout-shift" else 0)
                    for m in METRICS},
        "lost_points": lost,
        "warnings": data.get("runWarnings", []),
        "lighthouse": data.get("lighthouseVersion"),
    }


def run(url: str, runs: int) -> dict[str, Any]:
    """`runs` Lighthouse runs of one page: the run with the median performance score, plus every run's scores."""
    results = [run_once(url) for _ in range(runs)]
    ranked = sorted(results, key=lambda r: r["scores"]["performance"])
    median = ranked[len(ranked) // 2]
    return {**median, "url": url, "runs": [r["scores"] for r in results],
            "performance_median": statistics.median(r["scores"]["performance"] for r in results)}
