"""Issue 13 (and issue 12's time limit) in a real browser: the loading state shows how much of the runtime has
arrived, in the page's language; with Save-Data the calculator waits for the reader's Start button and downloads
nothing before it; a calculation past its time limit stops the worker, says so, and the calculator starts again.
(The snapshot used once it is cached: test_calculator_widgets.py.) Speed is the benchmark's business, never asserted here."""

from __future__ import annotations

import re
import shutil
import time
from functools import partial
from pathlib import Path

import pytest

from build_scripts.source.i18n import load_strings
from build_scripts.parts.calculators.runtime import RUNTIME_DIR, SNAPSHOT_NAME
from tests.browser import SiteFiles, poll, serve, serve_site

READY = '[data-calculator][data-state="ready"]'
START_TIMEOUT_MS = 120_000  # a generous bound for a loaded machine, not a speed check

# A host as the deploy notes configure it (gzip), slow for the WebAssembly only: time to look at the progress bar.
class SlowWasm(SiteFiles):
    caching = True

    def copyfile(self, source, outputfile) -> None:  # noqa: ANN001 - http.server's signature
        if "pyodide.asm.wasm" not in self.path:  # the packed copy the worker asks for, or the plain one
            return super().copyfile(source, outputfile)
        try:
            while chunk := source.read(128 * 1024):
                outputfile.write(chunk)
                time.sleep(0.08)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the test is over and the browser gone


SAVE_DATA = """
Object.defineProperty(Navigator.prototype, "connection", {
  configurable: true, get: () => ({ saveData: true, effectiveType: "4g", addEventListener() {} }) });
"""


def _copy(built_site, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(built_site.site_dir, site)
    return site


@pytest.mark.parametrize("lang", ["en", "es"])
def test_progress_says_how_much_has_arrived_in_the_page_language(page, built_site, lang):
    words = load_strings(lang)
    pattern = re.escape(words["calc_progress"].replace("\u00a0", " ")).replace(r"\{loaded\}", r"(\d+[.,]\d)").replace(r"\{total\}", r"(\d+[.,]\d)")
    with serve(partial(SlowWasm, directory=str(built_site.site_dir))) as url:
        page.goto(f"{url}{lang}/absentee-calculator/")
        seen = poll(page, """() => {
            const bar = document.querySelector(".hb-calc__bar");
            const amount = document.querySelector(".hb-calc__amount");
            return bar && amount && bar.value > 0 && bar.value < 1 && !bar.closest("[hidden]")
              && { value: bar.value, text: amount.textContent,
                   status: document.querySelector(".hb-calc__status").textContent };
        }""", timeout_ms=60_000, every_ms=50)
        assert seen, "no progress was shown while the WebAssembly downloaded"
        found = re.fullmatch(pattern, seen["text"].replace("\u00a0", " "))
        assert found, seen["text"]
        assert re.fullmatch(pattern, seen["status"].replace("\u00a0", " ")), seen["status"]  # what a screen reader hears (at each quarter)
        loaded, total = (float(x.replace(",", ".")) for x in found.groups())
        assert 0 <= loaded < total < 6  # the first visit's download, not the 12 MB of before
        assert "," not in found.group(2)  # the decimal point the whole site writes, in both languages
        status = page.locator(".hb-calc__status")
        assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
        assert page.locator(".hb-calc__bar").get_attribute("aria-hidden") == "true"  # the words say it once
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        assert page.locator(".hb-calc__loading").is_hidden()
        assert status.inner_text() == words["calc_ready"]
    assert page.js_errors == []


def test_with_save_data_nothing_downloads_until_the_reader_starts(page, built_site):
    words = load_strings("en")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.context.add_init_script(SAVE_DATA)
    served: list[tuple[str, int, int]] = []
    with serve_site(built_site.site_dir, record=lambda path, status, size: served.append((path, status, size))) as url:
        page.goto(f"{url}en/consequence-lookup/")
        page.wait_for_selector('[data-calculator][data-state="paused"]', timeout=30_000)
        button = page.locator(".hb-calc__start")
        label = re.fullmatch(re.escape(words["calc_start"].replace("\u00a0", " ")).replace(r"\{total\}", r"(\d+\.\d)"),
                             button.inner_text().replace("\u00a0", " "))
        assert label and 3 < float(label.group(1)) < 3.6, button.inner_text()  # the packed files (4.4 MB before)
        assert page.locator(".hb-calc__fallback").is_visible()  # the matrices stay one click away
        assert page.locator(".hb-calc__fallback a").count() >= 1
        page.wait_for_timeout(2500)  # well past requestIdleCallback's start
        runtime = [u for u in requested if f"/{RUNTIME_DIR}/" in u]
        assert [u.rsplit("/", 1)[-1] for u in runtime] == ["calculators-runtime.json"]  # sizes only
        assert not [w.url for w in page.workers if "calculator-worker" in w.url]
        button.click()
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        assert page.locator(".hb-calc__fallback").is_hidden()
        page.wait_for_timeout(2000)  # the service worker's keeping of the runtime, after ready
        # Save-Data: the 6 MB snapshot is never sent (the worker may look for it in the cache, which costs nothing)
        assert [s for s in served if s[0].endswith(SNAPSHOT_NAME) and s[2] > 0] == []
        assert any(p.endswith("pyodide.asm.wasm.xz") and size > 0 for p, _, size in served)  # the recording works
        # the packed copies came, so never the plain ones (11 MB more)
        assert not [p for p, _, size in served if p.endswith(("pyodide.asm.wasm", ".zip")) and size > 0]
    assert page.js_errors == []


# Fault injection for the time limit: in a copy of the site, the worker spins forever on one input.
HANG = """
const answerNormally = self.onmessage;
self.onmessage = (event) => {
  const message = event.data || {};
  if (message.type === "run" && message.request.includes("\\"hang\\"")) { for (;;) {} }
  return answerNormally(event);
};
"""


def test_a_calculation_past_its_time_limit_restarts_the_worker(page, built_site, tmp_path):
    words = load_strings("es")
    site = _copy(built_site, tmp_path)
    for each in site.rglob("calculator-worker.js"):
        each.write_text(each.read_text(encoding="utf-8") + HANG, encoding="utf-8")
    with serve_site(site) as url:
        page.goto(f"{url}es/absentee-calculator/")
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        widget = page.locator("[data-calculator]").first
        widget.locator('[name="days_absent"]').fill("hang")
        widget.locator('[name="days_enrolled"]').fill("10")
        widget.locator('button[type="submit"]').click()
        error = widget.locator(".hb-calc__result .hb-calc__error")
        error.wait_for(timeout=30_000)
        assert error.inner_text() == f"{words['error_prefix']} {words['calc_timeout']}"
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)  # a new worker
        assert widget.locator(".hb-calc__status").inner_text() == words["calc_restarted"]
        widget.locator('[name="days_absent"]').fill("8")
        widget.locator('[name="days_enrolled"]').fill("120")
        widget.locator('button[type="submit"]').click()
        widget.locator(".hb-calc__result .hb-calc__title").wait_for(timeout=30_000)
    assert page.js_errors == []


# ---------------------------------------------------------------- issue 24: the second visit

RUNTIME_KEPT = """async (names) => {
  for (const name of names) if (!(await caches.match(new URL("../../_pyodide/" + name, location.href).href))) return false;
  return true;
}"""


def test_with_save_data_a_later_visit_counts_only_what_it_must_download(page, built_site):
    """The Start button names what will really come over the network: nothing once this browser holds the runtime
    (then the calculator starts without asking: it costs no data), only the missing file otherwise; and a later
    visit starts from the snapshot the first visit made on this device, with no runtime byte sent."""
    words = load_strings("en")
    page.context.add_init_script(SAVE_DATA)
    served: list[tuple[str, int, int]] = []
    with serve_site(built_site.site_dir, caching=True,
                    record=lambda path, status, size: served.append((path, status, size))) as url:
        page.goto(f"{url}en/consequence-lookup/")
        page.wait_for_selector('[data-calculator][data-state="paused"]', timeout=30_000)
        page.locator(".hb-calc__start").click()
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        manifest = page.evaluate("() => fetch('../../_pyodide/calculators-runtime.json').then((r) => r.json())")
        packed = manifest["packed"]
        names = [packed.get(n, n) for n in ("pyodide.asm.wasm", manifest["stdlib"])] + [manifest["wheel"]]
        assert poll(page, RUNTIME_KEPT, names, timeout_ms=60_000), "the service worker did not keep the runtime"
        assert poll(page, """async () => (await (await caches.open("handbook-unpacked")).keys())
                                .some((r) => r.url.includes("calculators.snapshot"))""", timeout_ms=60_000)
        served.clear()
        page.reload()
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)  # no question asked: nothing to download
        widget = page.locator("[data-calculator]").first
        assert widget.get_attribute("data-start") == "snapshot"  # made on this device by the first visit
        assert "calculators.snapshot.gz" in widget.get_attribute("data-kept").split()
        assert [(p, size) for p, status, size in served if f"/{RUNTIME_DIR}/" in p and size > 0] == []
        # one file missing from this browser: the button names its size, not the whole runtime's
        page.evaluate("""async (wheel) => {
            for (const name of await caches.keys()) await (await caches.open(name)).delete(new URL("../../_pyodide/" + wheel, location.href).href);
        }""", manifest["wheel"])
        page.reload()
        page.wait_for_selector('[data-calculator][data-state="paused"]', timeout=30_000)
        label = re.fullmatch(re.escape(words["calc_start"].replace("\u00a0", " ")).replace(r"\{total\}", r"(\d+\.\d)"),
                             page.locator(".hb-calc__start").inner_text().replace("\u00a0", " "))
        wheel_mb = manifest["files"][manifest["wheel"]]["sent"] / 1e6
        assert label and float(label.group(1)) == round(wheel_mb, 1), (label and label.group(1), wheel_mb)
    assert page.js_errors == []
