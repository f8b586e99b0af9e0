"""The local server (preview, tests, benchmark) sends what the deploy notes ask of a host."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from build_scripts.outputs.csp import CACHE_IMMUTABLE, CACHE_REVALIDATE, CACHE_RUNTIME, cache_control
from build_scripts.parts.calculators.runtime import PYODIDE_FILES, RUNTIME_DIR
from build_scripts.outputs.static_server import serve_site


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """(status, headers (any case), body)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, b""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "en" / "assets" / "javascripts").mkdir(parents=True)
    (tmp_path / "en" / "index.html").write_text("<!doctype html><title>t</title>" + "<p>words</p>" * 200)
    (tmp_path / "en" / "assets" / "javascripts" / "bundle.0123abcd.min.js").write_text("var a = 1;" * 100)
    (tmp_path / RUNTIME_DIR).mkdir()
    (tmp_path / RUNTIME_DIR / "pyodide.asm.wasm").write_bytes(b"\0asm" + bytes(100))
    (tmp_path / RUNTIME_DIR / "calculators.snapshot.gz").write_bytes(gzip.compress(b"memory"))
    return tmp_path


def test_cache_rules_follow_the_kind_of_file():
    for name in PYODIDE_FILES:
        assert cache_control(f"/{RUNTIME_DIR}/{name}") == CACHE_RUNTIME
    # the calculators' wheel and snapshot hold this build's data under fixed names
    assert cache_control(f"/{RUNTIME_DIR}/calculators.snapshot.gz") == CACHE_REVALIDATE
    assert cache_control(f"/{RUNTIME_DIR}/handbook_calculators-0.1.0-py3-none-any.whl") == CACHE_REVALIDATE
    assert cache_control("/es/assets/stylesheets/main.57a0d79d.min.css") == CACHE_IMMUTABLE
    assert cache_control("/en/assets/handbook.js") == CACHE_REVALIDATE
    assert cache_control("/en/section-06/") == CACHE_REVALIDATE


def test_caching_mode_compresses_text_sets_cache_control_and_answers_304(folder):
    with serve_site(folder, caching=True) as url:
        status, headers, body = _get(url + "en/", {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (folder / "en" / "index.html").read_bytes()
        assert headers["Cache-Control"] == CACHE_REVALIDATE and headers["Content-Type"].startswith("text/html")
        again, _, _ = _get(url + "en/", {"If-Modified-Since": headers["Last-Modified"]})
        assert again == 304
        _, headers, _ = _get(url + "en/assets/javascripts/bundle.0123abcd.min.js", {"Accept-Encoding": "gzip"})
        assert headers["Cache-Control"] == CACHE_IMMUTABLE
        status, headers, body = _get(url + f"{RUNTIME_DIR}/pyodide.asm.wasm", {"Accept-Encoding": "gzip"})
        assert headers["Content-Type"] == "application/wasm" and headers["Content-Encoding"] == "gzip"
        assert headers["Cache-Control"] == CACHE_RUNTIME and gzip.decompress(body).startswith(b"\0asm")
        # the snapshot is gzip already and inflated by the calculators: sent as it is
        _, headers, body = _get(url + f"{RUNTIME_DIR}/calculators.snapshot.gz", {"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in headers and gzip.decompress(body) == b"memory"
        status, headers, _ = _get(url + "en")  # a folder without its slash
        assert status == 200 and headers["Content-Type"].startswith("text/html")  # (urllib followed the 301)
        assert _get(url + "en/missing/")[0] == 404


def test_plain_mode_is_a_bare_host_with_the_right_types_and_extra_headers(folder):
    with serve_site(folder, headers={"X-Test": "yes"}) as url:
        status, headers, body = _get(url + f"{RUNTIME_DIR}/pyodide.asm.wasm", {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Type"] == "application/wasm" and headers["X-Test"] == "yes"
        _, headers, body = _get(url + "en/", {"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in headers and "Cache-Control" not in headers
        assert body == (folder / "en" / "index.html").read_bytes()


def test_the_server_counts_what_it_sends(folder):
    sent: list[tuple[str, int, int]] = []
    with serve_site(folder, record=lambda path, status, size: sent.append((path, status, size))) as url:
        _get(url + "en/index.html")
        _get(url + "en/nothing-here")
    assert ("/en/index.html", 200, (folder / "en" / "index.html").stat().st_size) in sent
    assert ("/en/nothing-here", 404, 0) in sent
