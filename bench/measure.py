"""Browser measurements (Playwright + Debian's Chromium, headless): time to a ready calculator, one calculation, and
what a page downloads. Every figure is read from the page's own clock (performance.now(), 0 = navigation start), so
Playwright's polling adds nothing to it."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.browser import CHROMIUM, CHROMIUM_ARGS, poll

from .server import Traffic

READY_TIMEOUT_MS = 240_000  # a cold visit over the phone link takes over a minute before issue 13
THINK_S = 1.0  # lookups start this long after ready: no reader fills in the form faster
RUNTIME_PATH = "/_pyodide/"

# Records the moment a calculator (or the stock page) reaches data-state="ready" (or "error"), on the page's clock.
READY_OBSERVER = """
(() => {
  const seen = () => {
    const el = document.querySelector('[data-calculator][data-state="ready"], [data-calculator][data-state="error"]');
    if (el && !window.__benchReady) {
      window.__benchReady = { state: el.getAttribute("data-state"), ms: performance.now(),
                              start: el.getAttribute("data-start") || "" };
    }
  };
  new MutationObserver(seen).observe(document, { subtree: true, childList: true, attributes: true,
                                                 attributeFilter: ["data-state"] });
})();
"""

# One consequence lookup through the page's form: submit -> the result's first element in the page (the worker's
# round trip, Python's answer, and the page drawing it).
CALCULATE = """
async (offense) => {
  const widget = document.querySelector('[data-calculator="consequence"]');
  const form = widget.querySelector("form");
  const box = widget.querySelector(".hb-calc__result");
  const row = widget.querySelector("[data-row]:not([data-value])").getAttribute("data-row");
  const behavior = form.querySelector('[name="behavior"]');
  behavior.value = row;
  behavior.dispatchEvent(new Event("input", { bubbles: true }));
  form.querySelector('[name="offense"]').value = String(offense);
  box.textContent = "";
  return await new Promise((resolve) => {
    let t0 = 0;
    const observer = new MutationObserver(() => {
      if (box.childElementCount) {
        observer.disconnect();
        resolve({ ms: performance.now() - t0, ok: !box.querySelector(".hb-calc__error") });
      }
    });
    observer.observe(box, { childList: true });
    t0 = performance.now();
    form.requestSubmit();
  });
}
"""


@dataclass
class Visit:
    """One navigation to a calculator (or the stock page)."""

    ready_ms: float | None
    state: str
    start: str  # how the site's calculator started (snapshot / plain); "" for the stock page
    bytes_total: int
    bytes_runtime: int
    requests_runtime: int
    files: dict[str, int] = field(default_factory=dict)  # body bytes the server sent, by file (all requests of it)
    kept: str = ""  # the copies the site's worker started from (data-kept)
    compiled_ms: float | None = None  # when the site's worker had its WebAssembly compiled (data-compiled-ms)
    load: float | None = None  # the machine's 1-minute load average when the visit began

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReadySeries:
    """Cold and warm visits of one subject (the site's calculator, the stock page...) under one server mode."""

    subject: str
    url: str
    cold: list[Visit] = field(default_factory=list)
    warm: list[Visit] = field(default_factory=list)  # the second visit, one second after the first was ready
    warm_5s: list[Visit] = field(default_factory=list)  # the second visit five seconds after (another profile)
    kept: list[Visit] = field(default_factory=list)  # the visit after that, once the site has kept its snapshot
    calculations_ms: list[float] = field(default_factory=list)

    @staticmethod
    def _median(visits: list[Visit]) -> float | None:
        values = [v.ready_ms for v in visits if v.ready_ms is not None and v.state == "ready"]
        return round(statistics.median(values), 1) if values else None

    def to_dict(self) -> dict[str, Any]:
        calc = sorted(self.calculations_ms)
        return {
            "subject": self.subject, "url": self.url,
            "cold_median_ms": self._median(self.cold), "warm_median_ms": self._median(self.warm),
            "warm_5s_median_ms": self._median(self.warm_5s), "kept_median_ms": self._median(self.kept),
            "start": sorted({v.start for v in self.cold + self.warm if v.start}),
            "cold": [v.to_dict() for v in self.cold], "warm": [v.to_dict() for v in self.warm],
            "warm_5s": [v.to_dict() for v in self.warm_5s], "kept": [v.to_dict() for v in self.kept],
            "calculation_median_ms": round(statistics.median(calc), 1) if calc else None,
            "calculation_max_ms": round(calc[-1], 1) if calc else None,
            "calculations_ms": [round(x, 1) for x in self.calculations_ms],
        }


def _by_file(requests: list[tuple[str, int, int]]) -> dict[str, int]:
    files: dict[str, int] = {}
    for path, _, size in requests:
        name = path.rstrip("/").rsplit("/", 1)[-1] + ("/" if path.endswith("/") else "")
        files[name] = files.get(name, 0) + size
    return dict(sorted(files.items(), key=lambda kv: -kv[1]))


def _traffic_of(requests: list[tuple[str, int, int]]) -> tuple[int, int, int]:
    total = sum(size for _, _, size in requests)
    runtime = [(p, size) for p, _, size in requests if RUNTIME_PATH in p]
    return total, sum(size for _, size in runtime), len(runtime)


def _poll(page: Any, script: str, timeout_ms: int = READY_TIMEOUT_MS) -> Any:
    """`poll`, failing on a timeout. The figures come from the page's clock, so the polling interval does not enter
    them."""
    value = poll(page, script, timeout_ms=timeout_ms, every_ms=50)
    if not value:
        raise TimeoutError(f"{page.url}: nothing after {timeout_ms} ms ({script})")
    return value


def _visit(page: Any, url: str, traffic: Traffic, settle_s: float = 0.3) -> Visit:
    load = _load()
    traffic.take()
    page.goto(url, wait_until="commit")
    ready = _poll(page, "() => window.__benchReady")
    time.sleep(settle_s)  # requests still in flight when ready (none expected) land in this visit's count
    requests = traffic.take()
    total, runtime, count = _traffic_of(requests)
    widget = page.query_selector("[data-calculator]")
    compiled = widget.get_attribute("data-compiled-ms") if widget else None
    return Visit(round(ready["ms"], 1) if ready["state"] == "ready" else None, ready["state"], ready["start"],
                 total, runtime, count, _by_file(requests), (widget.get_attribute("data-kept") or "") if widget else "",
                 float(compiled) if compiled else None, load)


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


# Whether the site's worker has kept a start-up snapshot in this browser (calculator-worker.js, "handbook-unpacked").
SNAPSHOT_KEPT = """async () => {
  if (!window.caches) return false;
  const cache = await caches.open("handbook-unpacked");
  return (await cache.keys()).some((request) => request.url.includes("calculators.snapshot"));
}"""
KEPT_TIMEOUT_MS = 60_000


def _profile(playwright: Any) -> tuple[Any, Path]:
    """A browser profile on disk (as a phone's browser has), with the ready observer."""
    profile = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    context.add_init_script(READY_OBSERVER)
    return context, profile


def measure_later_visits(playwright: Any, url: str, traffic: Traffic, gap_s: float = 5.0,
                         kept_wait_s: float = 1.0) -> tuple[Visit, Visit]:
    """A fresh profile: a first visit, the second `gap_s` after it was ready, then (once the site's worker has kept
    its snapshot, at most KEPT_TIMEOUT_MS; the stock page keeps nothing of its own) one more. Returns (second, kept)."""
    context, profile = _profile(playwright)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        _visit(page, url, traffic)
        time.sleep(gap_s)
        second = _visit(page, url, traffic)
        if page.query_selector("[data-calculator][data-start]"):  # the site's calculator, not the stock page
            poll(page, SNAPSHOT_KEPT, timeout_ms=KEPT_TIMEOUT_MS, every_ms=200)
        time.sleep(kept_wait_s)
        kept = _visit(page, url, traffic)
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
    return second, kept


def measure_ready(playwright: Any, subject: str, url: str, traffic: Traffic, calculations: int = 0,
                  between_visits_s: float = 1.0) -> tuple[Visit, Visit, list[float]]:
    """A fresh profile on disk: a first visit (cold: empty HTTP and code caches), a second visit `between_visits_s`
    after the first was ready (warm), then `calculations` lookups. The same gap for every subject: the lookups come
    after the second visit, since time spent on them let the site keep its copies before its second visit while the
    stock page had only the gap (issue 24: that made the site's warm visit look faster than a plain measurement's).
    Returns (cold, warm, calculation times)."""
    context, profile = _profile(playwright)
    try:
        try:
            page = context.pages[0] if context.pages else context.new_page()
            cold = _visit(page, url, traffic)
            time.sleep(between_visits_s)  # the reader comes back
            warm = _visit(page, url, traffic)
            timings = []
            if calculations:
                time.sleep(THINK_S)
            for n in range(calculations):
                answer = page.evaluate(CALCULATE, 1 + n % 3)
                if not answer["ok"]:
                    raise RuntimeError(f"{subject}: the benchmark's lookup was refused by the calculator")
                timings.append(answer["ms"])
        finally:
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return cold, warm, timings


def measure_text_pages(playwright: Any, base: str, paths: list[str], traffic: Traffic,
                       idle_s: float = 3.0) -> dict[str, dict[str, int]]:
    """Each page in a fresh context, left idle for `idle_s` (well past requestIdleCallback): what it fetched from
    the calculators' runtime folder (requests seen by the browser and bytes sent by the server)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    out: dict[str, dict[str, int]] = {}
    try:
        for path in paths:
            context = browser.new_context()
            page = context.new_page()
            seen: list[str] = []
            page.on("request", lambda request: seen.append(request.url))
            traffic.take()
            page.goto(base + path, wait_until="load")
            time.sleep(idle_s)
            total, runtime, _ = _traffic_of(traffic.take())
            out[path] = {"bytes_total": total, "runtime_bytes": runtime,
                         "runtime_requests": sum(RUNTIME_PATH in u for u in seen)}
            context.close()
    finally:
        browser.close()
    return out


def chromium_version(playwright: Any) -> str:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        return browser.version
    finally:
        browser.close()
