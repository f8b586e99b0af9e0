"""Issue 13: the runtime's WebAssembly and standard library packed with xz (build_scripts/parts/calculators/packing.py).

The unpacker the site ships (npm xz-decompress, wrapped as an ES module) must give back the plain files byte for byte;
the packing must be deterministic and bounded in the memory it asks of a phone; the worker falls back to the plain
files when the unpacker or a packed file fails (a browser test), and the service worker never keeps those fallbacks.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_scripts.parts.calculators import packing
from build_scripts.parts.calculators.packing import PACKED_SUFFIX, UNPACKER, xz_packed
from build_scripts.parts.calculators.runtime import RUNTIME_DIR
from build_scripts.parts.calculators.runtime_manifest import MANIFEST_NAME
from build_scripts.source.paths import PROJECT
from tests.browser import poll, serve_site
from tests.test_calculator_widgets import fill_absentee
from tests.test_quality import service_worker_config

NODE = shutil.which("node")
WORKER = PROJECT / "site_templates" / "assets" / "calculator-worker.js"
READY = '[data-calculator][data-state="ready"]'
START_TIMEOUT_MS = 120_000  # a generous bound for a loaded machine, not a speed check

# Unpacks each file given with the site's own unpacker module, as the worker does (a web stream in, a stream out),
# and prints the sha256 of each result.
_UNPACK_JS = r"""
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
const [unpacker, ...files] = process.argv.slice(2);
const { XzReadableStream } = await import(pathToFileURL(unpacker).href);
const out = {};
for (const file of files) {
  const bytes = await new Response(new XzReadableStream(new Blob([readFileSync(file)]).stream())).arrayBuffer();
  out[file] = createHash("sha256").update(new Uint8Array(bytes)).digest("hex");
}
console.log(JSON.stringify(out));
"""


def _manifest(site: Path) -> dict:
    return json.loads((site / RUNTIME_DIR / MANIFEST_NAME).read_text(encoding="utf-8"))


@pytest.mark.skipif(NODE is None, reason="needs Node (make test installs it with npm's packages)")
def test_the_shipped_unpacker_gives_back_the_plain_files(built_site, tmp_path):
    runtime = built_site.site_dir / RUNTIME_DIR
    packed = _manifest(built_site.site_dir)["packed"]
    assert set(packed) == {"pyodide.asm.wasm", "calculators-stdlib.zip"}
    script = tmp_path / "unpack.mjs"
    script.write_text(_UNPACK_JS, encoding="utf-8")
    files = [str(runtime / name) for name in packed.values()]
    done = subprocess.run([NODE, str(script), str(runtime / UNPACKER), *files], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    digests = json.loads(done.stdout)
    for plain, name in packed.items():
        assert digests[str(runtime / name)] == hashlib.sha256((runtime / plain).read_bytes()).hexdigest(), name
        assert (runtime / name).stat().st_size < 0.8 * _manifest(built_site.site_dir)["files"][plain]["sent"]


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200_000) | st.text(max_size=50_000).map(str.encode))
def test_packing_is_deterministic_and_asks_a_phone_for_little_memory(data):
    packed = xz_packed(data)
    assert packed == xz_packed(data)  # the same input, the same bytes: builds compare and caches hold
    # the decoder's memory follows the dictionary the header names: at most the data's size (or 64 KB), not the
    # 64 MB of xz -9's default, which a phone's browser may refuse
    limit = max(packing.MIN_DICTIONARY, len(data)) * 2 + (1 << 20)
    assert lzma.LZMADecompressor(format=lzma.FORMAT_XZ, memlimit=limit).decompress(packed) == data


def test_packed_copies_are_made_once_per_content(tmp_path):
    source = tmp_path / "file.bin"
    source.write_bytes(b"same bytes " * 1000)
    first = packing.packed_copy(source, tmp_path / "cache")
    first_time = first.stat().st_mtime_ns
    again = packing.packed_copy(source, tmp_path / "cache")
    assert again == first and again.stat().st_mtime_ns == first_time and lzma.decompress(first.read_bytes()) == \
        source.read_bytes()
    source.write_bytes(b"other bytes")
    assert packing.packed_copy(source, tmp_path / "cache") != first


def test_the_build_without_the_unpacker_says_what_to_run(tmp_path):
    (tmp_path / "runtime").mkdir()
    with pytest.raises(Exception) as err:
        packing.pack_runtime(tmp_path / "runtime", (), tmp_path / "node_modules", tmp_path / "cache")
    assert "npm ci" in str(err.value) and "xz-decompress" in str(err.value)


def test_the_worker_asks_for_the_names_the_build_writes(built_site):
    worker = WORKER.read_text(encoding="utf-8")
    assert re.search(r'const PACKED = "([^"]+)";', worker)[1] == PACKED_SUFFIX
    assert re.search(r'const UNPACKER = "([^"]+)";', worker)[1] == UNPACKER == _manifest(built_site.site_dir)["unpacker"]
    assert (built_site.site_dir / RUNTIME_DIR / f"pyodide.asm.wasm{PACKED_SUFFIX}").is_file()


def test_the_service_worker_keeps_the_packed_files_not_their_fallbacks(built_site):
    kept = {path.rsplit("/", 1)[-1] for path in service_worker_config(built_site.site_dir)["runtime"]}
    packed = _manifest(built_site.site_dir)["packed"]
    assert set(packed.values()) | {UNPACKER, MANIFEST_NAME} <= kept
    assert not kept & set(packed)  # 11 MB a working unpacker never asks for


# The page cannot tell how fast its link is (no Resource Timing entries): the worker takes the packed files, as on
# a phone's link. Without it, 127.0.0.1 is a fast link and the worker takes the plain WebAssembly.
UNKNOWN_LINK = "Performance.prototype.getEntriesByType = function () { return []; };"
# A page whose own files came at 100 MB/s (a measurement on a loaded test machine varies too much to rely on).
FAST_LINK = """Performance.prototype.getEntriesByType = function (kind) {
  return kind === "resource" ? [{ encodedBodySize: 100000, transferSize: 100300, responseStart: 10, responseEnd: 11 }] : [];
};"""


def _runtime_served(served) -> list[str]:
    return [path.rsplit("/", 1)[-1] for path, status, size in served if status == 200 and size > 0
            and f"/{RUNTIME_DIR}/" in path]


@pytest.mark.parametrize("link", ["fast", "unknown"])
def test_the_worker_takes_the_plain_webassembly_only_on_a_fast_link(browser, built_site, link):
    # no service worker: what is served is the calculator's worker's own downloads (the service worker would keep
    # the packed files after "ready" too)
    context = browser.new_context(service_workers="block")
    context.add_init_script(FAST_LINK if link == "fast" else UNKNOWN_LINK)
    page = context.new_page()
    served: list[tuple[str, int, int]] = []
    with serve_site(built_site.site_dir, caching=True,
                    record=lambda path, status, size: served.append((path, status, size))) as url:
        page.goto(f"{url}en/consequence-lookup/")
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        _wait_for_kept(page, _kept_wasm_key(built_site))  # either way, the unpacked bytes are kept for next time
    runtime = _runtime_served(served)
    context.close()
    wanted, unwanted = ("pyodide.asm.wasm", "pyodide.asm.wasm.xz") if link == "fast" else \
        ("pyodide.asm.wasm.xz", "pyodide.asm.wasm")
    assert wanted in runtime and unwanted not in runtime, runtime
    assert "calculators-stdlib.zip.xz" in runtime and "calculators-stdlib.zip" not in runtime


# An unpacker that takes the whole packed file and never gives anything back (nor fails).
STALLING_UNPACKER = """export class XzReadableStream extends ReadableStream {
  constructor(input) {
    super({ start() { input.pipeTo(new WritableStream()).catch(() => {}); }, pull() { return new Promise(() => {}); } });
  }
}
"""


@pytest.mark.parametrize("broken", ["unpacker missing", "packed files damaged", "unpacker stalls"])
def test_the_calculator_starts_from_the_plain_files_when_unpacking_fails(page, built_site, tmp_path, broken):
    page.context.add_init_script(UNKNOWN_LINK)
    site = tmp_path / "site"
    shutil.copytree(built_site.site_dir, site)
    runtime = site / RUNTIME_DIR
    if broken == "unpacker missing":
        (runtime / UNPACKER).unlink()
    elif broken == "unpacker stalls":  # given up 10 s after the packed file is in (UNPACK_LIMIT_MS)
        (runtime / UNPACKER).write_text(STALLING_UNPACKER, encoding="utf-8")
    else:  # cut short: the stream fails halfway through, after the compile or the unpacking has begun
        for name in _manifest(site)["packed"].values():
            data = (runtime / name).read_bytes()
            (runtime / name).write_bytes(data[: len(data) // 2])
    served: list[tuple[str, int, int]] = []
    with serve_site(site, record=lambda path, status, size: served.append((path, status, size))) as url:
        page.goto(f"{url}en/consequence-lookup/")
        try:
            page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        except Exception as error:  # what the reader saw, for the failure's message
            widget = page.locator("[data-calculator]").first
            raise AssertionError(f"not ready: state {widget.get_attribute('data-state')!r}, "
                                 f"{widget.inner_text()[:300]!r}, served {sorted({p for p, _, _ in served})}") from error
        form = page.locator("[data-calculator] form").first
        assert form.is_visible()
    names = {path.rsplit("/", 1)[-1] for path, status, size in served if status == 200 and size > 0}
    assert {"pyodide.asm.wasm", "calculators-stdlib.zip"} <= names  # the fallbacks, fetched only now
    assert page.js_errors == []


# ---------------------------------------------------------------- the unpacked copies a browser keeps

UNPACKED_CACHE = "handbook-unpacked"  # calculator-worker.js; sw.js leaves it alone
KEPT_KEYS = f"""async () => {{
  const cache = await caches.open("{UNPACKED_CACHE}");
  return (await cache.keys()).map((request) => request.url.split("/").pop());
}}"""


def _kept_keys(page) -> list[str]:
    return sorted(page.evaluate(KEPT_KEYS))


def _wait_for_kept(page, wanted: str, timeout_s: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        keys = _kept_keys(page)
        if wanted in keys:
            return keys
        time.sleep(0.2)
    raise AssertionError(f"{wanted} was never kept (kept: {_kept_keys(page)})")


def _kept_key(manifest: dict, name: str) -> str:
    """The key calculator-worker.js keeps `name` under: its content hash; for the snapshot, the hashes of every file
    the memory was made from (a snapshot made by the build and one made on the device are the same state)."""
    inputs = ["pyodide.asm.wasm", "pyodide.asm.mjs", manifest["stdlib"], manifest["wheel"]] \
        if name.startswith("calculators.snapshot") else [name]
    return f"{name}?sha256={'-'.join(manifest['files'][i]['sha256'] for i in inputs)}"


def _kept_wasm_key(built_site) -> str:
    return _kept_key(_manifest(built_site.site_dir), "pyodide.asm.wasm")


def _worker_state(page) -> str:
    """What the page's service worker registration holds, for a failure's message."""
    return "service worker: " + str(page.evaluate("""async () => {
        const r = await navigator.serviceWorker.getRegistration();
        return r ? { installing: !!r.installing, waiting: !!r.waiting, active: r.active && r.active.state } : null;
    }"""))


def test_a_later_visit_starts_from_the_unpacked_copies_it_kept(page, built_site):
    page.context.add_init_script(UNKNOWN_LINK)  # the packed path: unpacked while it arrives, then kept
    manifest = _manifest(built_site.site_dir)
    wasm_key = _kept_key(manifest, "pyodide.asm.wasm")
    snapshot_key = _kept_key(manifest, "calculators.snapshot.gz")  # made on this device by the plain start
    with serve_site(built_site.site_dir, caching=True) as url:
        page.goto(f"{url}en/consequence-lookup/")
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        assert page.get_attribute("[data-calculator]", "data-kept") == ""  # a first visit unpacks
        _wait_for_kept(page, wasm_key)
        # the service worker in control before the reload: one still installing when the reload starts claims the
        # pages that exist when it activates, and a page mid-navigation then is not among them (it stays uncontrolled
        # until the next visit, which a reader never notices and this test would)
        assert poll(page, "() => !!navigator.serviceWorker.controller", timeout_ms=60_000), _worker_state(page)
        # a new build's copies replace the old ones: a stale entry is gone once this build's are kept
        page.evaluate(f"""async () => {{
            const cache = await caches.open("{UNPACKED_CACHE}");
            await cache.delete("{url}{RUNTIME_DIR}/{wasm_key}");
            await cache.put("{url}{RUNTIME_DIR}/pyodide.asm.wasm?sha256=from-another-build", new Response("old"));
        }}""")
        page.reload()
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        keys = _wait_for_kept(page, wasm_key)
        assert "pyodide.asm.wasm?sha256=from-another-build" not in keys
        _wait_for_kept(page, snapshot_key)
        # the memory as the worker wrote it: in the build's page layout (never a damaged copy for Pyodide)
        assert page.evaluate(f"""async () => {{
            const bytes = new Uint8Array(await (await (await caches.open("{UNPACKED_CACHE}"))
              .match("{url}{RUNTIME_DIR}/{snapshot_key}")).arrayBuffer());
            return String.fromCharCode(...bytes.subarray(0, 6));
        }}""") == "HBSNAP"
        # the service worker answers the kept WebAssembly by its own address, as kept (the code cache's way): the
        # host's answer would carry its Cache-Control, the kept copy has none
        assert poll(page, "() => !!navigator.serviceWorker.controller", timeout_ms=30_000), _worker_state(page)
        assert page.evaluate(f"""async () => {{
            const response = await fetch("{url}{RUNTIME_DIR}/{wasm_key}");
            return [response.headers.get("Content-Type"), response.headers.get("Cache-Control"),
                    (await response.arrayBuffer()).byteLength];
        }}""") == ["application/wasm", None, manifest["files"]["pyodide.asm.wasm"]["bytes"]]
        page.reload()
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        widget = page.locator("[data-calculator]").first
        assert widget.get_attribute("data-start") == "snapshot"
        assert widget.get_attribute("data-kept").split() == ["pyodide.asm.wasm", "calculators.snapshot.gz"]
    assert page.js_errors == []


def test_a_damaged_kept_copy_is_dropped_and_the_calculator_still_starts(page, built_site):
    manifest = _manifest(built_site.site_dir)
    with serve_site(built_site.site_dir, caching=True) as url:
        page.goto(f"{url}en/")  # the origin, without starting a calculator
        for name in ("pyodide.asm.wasm", "calculators.snapshot.gz"):
            page.evaluate(f"""async () => {{
                const cache = await caches.open("{UNPACKED_CACHE}");
                await cache.put("{url}{RUNTIME_DIR}/{_kept_key(manifest, name)}",
                                new Response(new Uint8Array(4096).fill(7), {{ headers: {{ "Content-Type": "application/wasm" }} }}));
            }}""")
        page.goto(f"{url}es/absentee-calculator/")
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
        assert page.get_attribute("[data-calculator]", "data-kept") == ""
        widget = page.locator("[data-calculator]").first
        fill_absentee(widget, "3", "100")
        page.wait_for_function("() => document.querySelector('[data-calculator] .hb-calc__result').innerText.trim()",
                               timeout=30_000)
        # the damaged copies are gone: whatever is kept now is this build's real bytes
        sizes = page.evaluate(f"""async () => {{
            const cache = await caches.open("{UNPACKED_CACHE}");
            return Promise.all((await cache.keys()).map(async (r) => (await (await cache.match(r)).arrayBuffer()).byteLength));
        }}""")
        assert 4096 not in sizes and all(size > 1_000_000 for size in sizes), sizes
    assert page.js_errors == []
