"""The benchmark's web server: a built site served from 127.0.0.1 the way a static host would serve it.

Two modes, so the benchmark can measure what caching headers change:
- "plain": what `python -m build_scripts serve` sends today (http.server: Last-Modified, no Cache-Control, no
  compression), so the browser caches by heuristics only.
- "caching": explicit Cache-Control as recommended in the README (see `cache_control`), and gzip for text types, as
  any production host does.
"""

from __future__ import annotations

import email.utils
import gzip
import re
import threading
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any, Iterator

MODES = ("plain", "caching")
YEAR = 365 * 24 * 3600
WEEK = 7 * 24 * 3600  # as in the README's deploy notes (build_scripts/csp.py)
# Stated here rather than left to the machine's /etc/mime.types: a module script or a worker served with the wrong
# type does not run, and .wasm must be application/wasm for streaming compilation.
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".json": "application/json", ".wasm": "application/wasm", ".zip": "application/zip",
         ".whl": "application/zip", ".gz": "application/gzip", ".svg": "image/svg+xml", ".xml": "application/xml",
         ".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json"}
HASHED = re.compile(r"\.[0-9a-f]{8,}\.min\.(js|css)$")  # Material's bundle.<hash>.min.js
COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".svg", ".xml", ".txt", ".webmanifest")


def cache_control(url_path: str) -> str:
    """The Cache-Control the "caching" mode sends for a path of the site.

    - Pyodide's own files only change with the pinned Pyodide version: cached for a week.
    - The calculators' wheel and start-up snapshot change with every handbook edit under the same names: the browser
      keeps them but asks the server each time (a 304 costs no bytes).
    - Theme files whose names carry a content hash (MkDocs Material's bundle.<hash>.min.js): a year, immutable.
    - Pages and the handbook's own unhashed assets: revalidated on every visit.
    """
    name = url_path.rsplit("/", 1)[-1]
    if "/_pyodide/" in url_path:
        if name.startswith("pyodide") or name == "python_stdlib.zip":
            return f"public, max-age={WEEK}"
        return "no-cache"
    if "/assets/" in url_path and HASHED.search(name):
        return f"public, max-age={YEAR}, immutable"
    return "no-cache"


class Traffic:
    """What the server sent: one (path, status, body bytes) per request, so the benchmark can count a page's bytes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: list[tuple[str, int, int]] = []

    def record(self, path: str, status: int, size: int) -> None:
        with self._lock:
            self.requests.append((path, status, size))

    def take(self) -> list[tuple[str, int, int]]:
        """The requests since the last call (and forget them)."""
        with self._lock:
            taken, self.requests = self.requests, []
        return taken


class Host(SimpleHTTPRequestHandler):
    """Static files with explicit types, conditional GET (Last-Modified), and in "caching" mode Cache-Control + gzip."""

    mode = "plain"
    traffic: Traffic | None = None
    _gzipped: dict[tuple[str, float], bytes] = {}
    _lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        self._status = int(code)
        if self.traffic is not None and code != HTTPStatus.OK:  # a 200's bytes are counted as they are sent
            self.traffic.record(self.path.split("?", 1)[0], int(code), 0)

    def copyfile(self, source: Any, outputfile: Any) -> None:
        sent = 0
        while chunk := source.read(256 * 1024):
            outputfile.write(chunk)
            sent += len(chunk)
        if self.traffic is not None:
            self.traffic.record(self.path.split("?", 1)[0], getattr(self, "_status", 200), sent)

    def guess_type(self, path: str | Any) -> str:
        suffix = Path(str(path)).suffix.lower()
        return TYPES.get(suffix) or super().guess_type(path)

    def send_head(self) -> Any:
        if self.mode == "plain":
            return super().send_head()
        return self._send_head_caching()

    def _send_head_caching(self) -> Any:
        url_path = self.path.split("?", 1)[0].split("#", 1)[0]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not url_path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", url_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            path = path / "index.html"
        if not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        mtime = path.stat().st_mtime
        last_modified = email.utils.formatdate(int(mtime), usegmt=True)
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                if int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp():
                    self.send_response(HTTPStatus.NOT_MODIFIED)
                    self.send_header("Last-Modified", last_modified)
                    self.send_header("Cache-Control", cache_control(url_path))
                    self.end_headers()
                    return None
            except (TypeError, ValueError):
                pass
        body = path.read_bytes()
        encoding = None
        if path.suffix.lower() in COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", ""):
            body, encoding = self._gzip(path, mtime, body), "gzip"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", cache_control(url_path))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return BytesIO(body)

    def _gzip(self, path: Path, mtime: float, body: bytes) -> bytes:
        key = (str(path), mtime)
        with self._lock:
            if key not in self._gzipped:
                self._gzipped[key] = gzip.compress(body, compresslevel=6, mtime=0)
            return self._gzipped[key]


@contextmanager
def serve_site(folder: Path, mode: str = "plain", traffic: Traffic | None = None, port: int = 0) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 from a thread in the given mode, recording into `traffic`; yields the base URL."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (choose from {', '.join(MODES)})")
    handler = partial(type("BenchHost", (Host,), {"mode": mode, "traffic": traffic}), directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
