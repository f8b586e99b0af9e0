"""The local server (preview, tests, benchmark) sends what the deploy notes ask of a host."""

from __future__ import annotations

import gzip
import lzma
import socket
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from pathlib import Path

import pytest

from build_scripts.outputs.csp import (CACHE_IMMUTABLE, CACHE_REVALIDATE, CACHE_RUNTIME, cache_control, server_settings,
                                      site_policy)
from build_scripts.outputs.static_server import SiteFiles, deploy_headers, serve, serve_site, site_handler
from build_scripts.parts.calculators.runtime import PINNED_FILES, RUNTIME_DIR


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
    (tmp_path / RUNTIME_DIR / "pyodide.asm.wasm.xz").write_bytes(lzma.compress(b"\0asm" + bytes(100)))
    return tmp_path


def test_cache_rules_follow_the_kind_of_file():
    for name in PINNED_FILES:  # Pyodide's, their xz copies, the unpacker
        assert cache_control(f"/{RUNTIME_DIR}/{name}") == CACHE_RUNTIME
    assert {"pyodide.asm.wasm.xz", "xz-decompress.mjs"} <= set(PINNED_FILES)
    # the calculators' wheel, standard library and snapshot hold this build's data under fixed names
    assert cache_control(f"/{RUNTIME_DIR}/calculators.snapshot.gz") == CACHE_REVALIDATE
    assert cache_control(f"/{RUNTIME_DIR}/calculators-stdlib.zip.xz") == CACHE_REVALIDATE
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
        # the packed WebAssembly: typed by its last extension (not WebAssembly, which a browser would compile) and
        # sent as it is, never gzipped again
        _, headers, body = _get(url + f"{RUNTIME_DIR}/pyodide.asm.wasm.xz", {"Accept-Encoding": "gzip"})
        assert headers["Content-Type"] == "application/x-xz" and "Content-Encoding" not in headers
        assert lzma.decompress(body).startswith(b"\0asm") and headers["Cache-Control"] == CACHE_RUNTIME
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


# ---------------------------------------------------------------- hostile requests (issue 12)


def _raw(url: str, request: bytes, timeout: float = 10) -> bytes:
    """Send `request` as it is (no client library tidies the path) and return the whole answer's head."""
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def _status_and_location(answer: bytes) -> tuple[int, str | None]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    location = next((line.split(":", 1)[1].strip() for line in head[1:] if line.lower().startswith("location:")), None)
    return int(head[0].split()[1]), location


@pytest.mark.parametrize("caching", [False, True])
def test_names_no_file_system_holds_are_404_not_a_crash(folder, caching):
    with serve_site(folder, caching=caching) as url:
        for path in ("en/" + "a" * 256, "a" * 300 + "/index.html", "en/%00", "en/%ff%fe", ("b/" * 3000)):
            assert _get(url + path)[0] == 404, path
        assert _get(url + "en/")[0] == 200  # and the server still answers


@pytest.mark.parametrize("caching", [False, True])
def test_a_folder_redirect_never_points_at_another_host(folder, caching):
    with serve_site(folder, caching=caching) as url:
        for target in (b"/\\evil.example/..", b"//evil.example/..", b"/\\/evil.example/%2e%2e", b"///en", b"/en/../en",
                       b"/%5Cevil.example/..", b"/en?next=//evil.example"):
            status, location = _status_and_location(_raw(url, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n"))
            if status in (301, 302, 307, 308):
                assert location and location.startswith("/") and not location.startswith(("//", "/\\")), (target, location)
                assert urllib.parse.urlsplit(urllib.parse.urljoin("http://site.example/", location)).netloc == "site.example"
            else:
                assert status in (200, 404), (target, status)
        status, location = _status_and_location(_raw(url, b"GET //en HTTP/1.1\r\nHost: x\r\n\r\n"))
        assert (status, location) == (301, "/en/")


def test_200_clients_at_once_are_all_answered(folder):
    """The listen backlog: socketserver's 5 made one of 200 simultaneous clients time out."""
    def fetch(_: int) -> int:
        return _get(url + "en/index.html")[0]

    with serve_site(folder, caching=True) as url, ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(fetch, range(200), timeout=60))
    assert statuses == [200] * 200


def test_an_idle_connection_is_closed(folder):
    assert SiteFiles.timeout and SiteFiles.timeout <= 60  # the preview's own limit (http.server has none)

    class Impatient(SiteFiles):  # the same mechanism, with a limit a test can wait for
        timeout = 0.5

    with serve(site_handler(folder, base=Impatient)) as url:
        host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
        with socket.create_connection((host, port), timeout=10) as conn:
            conn.sendall(b"GET /en/ HTTP/1.1\r\nHost: x\r\n\r\n")  # one request, then nothing more
            received, started = b"", time.monotonic()
            while chunk := conn.recv(65536):  # returns b"" once the server closes the connection
                received += chunk
            assert received.startswith(b"HTTP/1.1 200") and time.monotonic() - started < 9


def test_the_preview_sends_the_deploy_snippets_security_headers(folder):
    (folder / "en" / "calc.html").write_text('<html><head></head><body><div data-calculator="absentee"></div>'
                                             "<script>go()</script></body></html>")
    expected = server_settings(site_policy(folder)).headers
    assert deploy_headers(folder) == expected
    assert "frame-ancestors 'self'" in expected["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" in expected["Content-Security-Policy"]
    current = {"headers": deploy_headers(folder)}
    with serve_site(folder, caching=True, headers=lambda: current["headers"]) as url:
        for path in ("en/", "en/missing", f"{RUNTIME_DIR}/pyodide.asm.wasm"):
            _, headers, _ = _get(url + path)
            for name, value in expected.items():
                assert headers[name] == value, (path, name)
            assert headers["X-Content-Type-Options"] == "nosniff"
        current["headers"] = {**expected, "Content-Security-Policy": "default-src 'none'"}  # after a rebuild
        assert _get(url + "en/")[1]["Content-Security-Policy"] == "default-src 'none'"


# ---------------------------------------------------------------- the site's own 404 page (issue 22's loose ends)

PAGES_404 = {"en": "<!doctype html><title>Page not found</title>" + "<p>missing</p>" * 100,
             "es": "<!doctype html><title>Página no encontrada</title>" + "<p>falta</p>" * 100}


def _with_404_pages(folder: Path) -> Path:
    (folder / "es").mkdir()
    for lang, page in PAGES_404.items():
        (folder / lang / "404.html").write_text(page, encoding="utf-8")
    return folder


@pytest.mark.parametrize("caching", [False, True])
def test_a_missing_page_gets_the_site_s_404_page_in_its_language(folder, caching):
    _with_404_pages(folder)
    sent: list[tuple[str, int, int]] = []
    with serve_site(folder, caching=caching, error_folder="en/",
                    record=lambda path, status, size: sent.append((path, status, size))) as url:
        for path, lang in (("es/nada", "es"), ("es/seccion-99/", "es"), ("en/nothing", "en"), ("nothing", "en"),
                           ("fr/rien", "en"), ("es/" + "a" * 300, "en"), ("en/%00", "en"), ("%ff%fe", "en"),
                           ("b/" * 3000, "en"), ("index.html/404.html", "en")):  # a name no file can have: the site-wide
            request = urllib.request.Request(url + path, headers={"Accept-Encoding": "identity"})
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(request, timeout=10)
            assert answer.value.code == 404, path
            assert answer.value.read().decode("utf-8") == PAGES_404[lang], path
            assert answer.value.headers["Content-Type"] == "text/html; charset=utf-8"
            assert "Last-Modified" not in answer.value.headers  # the page's date is not the missing address's
            if caching:
                assert answer.value.headers["Cache-Control"] == CACHE_REVALIDATE  # as the snippets' error page
        status, headers, _ = _get(url + "es/nada", {"Accept-Encoding": "gzip"})
        assert status == 404 and (headers["Content-Encoding"] == "gzip") == caching
        # HEAD: the 404's headers, no body
        with socket.create_connection((urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port), 10) as conn:
            conn.sendall(b"HEAD /es/nada HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b"".join(iter(lambda: conn.recv(65536), b""))  # all of it, until the server closes
        assert answer.startswith(b"HTTP/1.1 404") and answer.endswith(b"\r\n\r\n"), answer[-80:]
        assert _get(url + "en/")[0] == 200  # and found pages are as before
    size = len(PAGES_404["es"].encode("utf-8"))
    assert ("/es/nada", 404, size) in sent and ("/es/nada", 404, 0) not in sent  # counted with its bytes, not twice


def test_a_one_language_site_answers_with_its_root_404_page(tmp_path):
    (tmp_path / "section").mkdir()
    (tmp_path / "index.html").write_text("<p>home</p>")
    (tmp_path / "404.html").write_text(PAGES_404["en"])
    with serve_site(tmp_path, caching=True) as url:
        for path in ("nothing", "section/nothing", "a/b/c", "%ff"):
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(url + path, timeout=10)
            assert answer.value.code == 404 and answer.value.read().decode() == PAGES_404["en"], path


def test_the_404_page_never_redirects_to_another_host(folder):
    _with_404_pages(folder)
    with serve_site(folder, caching=True, error_folder="en/") as url:
        for target in (b"/\\evil.example/nothing", b"//evil.example/nothing", b"/%5Cevil.example/x", b"/es/../../x"):
            status, location = _status_and_location(_raw(url, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n"))
            assert (status, location) == (404, None), target


def test_a_client_that_drops_its_connection_prints_no_traceback(folder, capfd):
    with serve_site(folder) as url:
        address = (urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port)
        for _ in range(3):  # as a browser closing a tab does: reset (RST), not a polite close
            conn = socket.create_connection(address, timeout=5)
            conn.sendall(b"GET /en/ HTTP/1.1\r\nHost: x\r\n\r\n")
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
        time.sleep(0.3)
        assert _get(url + "en/")[0] == 200
    assert "Traceback" not in capfd.readouterr().err
