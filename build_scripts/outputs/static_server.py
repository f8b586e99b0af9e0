"""Serve a built site from this machine, the way the deploy notes (docs/deploy/) configure a static host.

One server for the three places that need one: the editors' preview (`python -m build_scripts serve`), the browser
tests and the benchmark. With `caching` on it sends what the nginx and Apache snippets send: Cache-Control by kind of
file and gzip for the types they compress (both rules live in csp.py); off, it is a bare host (no Cache-Control, no
compression), which the benchmark measures against.
"""

from __future__ import annotations

import email.utils
import gzip
import threading
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any, Callable, Iterator

from .csp import COMPRESSED_TYPES, MIME_TYPES, cache_control

# Stated here rather than left to the machine's /etc/mime.types: a module script or a worker served with the wrong
# type does not run, and .wasm must be application/wasm for streaming compilation.
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".json": "application/json", ".zip": "application/zip",
         ".gz": "application/gzip", ".svg": "image/svg+xml", ".xml": "application/xml", ".pdf": "application/pdf",
         ".txt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json",
         **{f".{ext}": mime for ext, mime in MIME_TYPES.items()}}

# (path, status, body bytes sent): called once per response, e.g. to count a page's bytes
Recorder = Callable[[str, int, int], None]


class SiteFiles(SimpleHTTPRequestHandler):
    """Static files with explicit types and no log line per request; subclasses set the class attributes."""

    # persistent connections, as any web server keeps them (http.server's default, HTTP/1.0, opens one per file)
    protocol_version = "HTTP/1.1"
    caching = False  # Cache-Control as in the deploy notes, gzip for text, conditional GET
    extra_headers: dict[str, str] = {}  # added to every response (e.g. a Content-Security-Policy)
    record: Recorder | None = None
    _gzipped: dict[tuple[str, float], bytes] = {}  # shared by every request: compress each file version once
    _gzip_lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def guess_type(self, path: str | Any) -> str:
        return TYPES.get(Path(str(path)).suffix.lower()) or super().guess_type(path)

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        self._status = int(code)
        if self.record is not None and code != HTTPStatus.OK:  # a 200's bytes are counted as they are sent
            self.record(self._url_path(), int(code), 0)

    def copyfile(self, source: Any, outputfile: Any) -> None:
        sent = 0
        while chunk := source.read(256 * 1024):
            outputfile.write(chunk)
            sent += len(chunk)
        if self.record is not None:
            self.record(self._url_path(), getattr(self, "_status", HTTPStatus.OK), sent)

    def send_head(self) -> Any:
        return self._send_head_caching() if self.caching else super().send_head()

    def _url_path(self) -> str:
        return self.path.split("?", 1)[0].split("#", 1)[0]

    def _send_head_caching(self) -> Any:
        url_path = self._url_path()
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
        if self._unchanged_since(mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("Last-Modified", last_modified)
            self.send_header("Cache-Control", cache_control(url_path))
            self.end_headers()
            return None
        body = path.read_bytes()
        content_type = self.guess_type(path)
        compressed = (content_type.split(";")[0] in COMPRESSED_TYPES
                      and "gzip" in self.headers.get("Accept-Encoding", ""))
        if compressed:
            body = self._gzip(path, mtime, body)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", cache_control(url_path))
        if compressed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return BytesIO(body)

    def _unchanged_since(self, mtime: float) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False

    def _gzip(self, path: Path, mtime: float, body: bytes) -> bytes:
        key = (str(path), mtime)
        with self._gzip_lock:
            if key not in self._gzipped:
                self._gzipped[key] = gzip.compress(body, compresslevel=6, mtime=0)
            return self._gzipped[key]


@contextmanager
def serve(handler: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run an HTTP server (a free port unless `port` is given) in a thread; yields its base URL (ending in /)."""
    server = ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def site_handler(folder: Path, caching: bool = False, headers: dict[str, str] | None = None,
                 record: Recorder | None = None, base: type[SiteFiles] = SiteFiles) -> Any:
    """A request handler serving `folder` (a subclass of `base` with these settings)."""
    settings = {"caching": caching, "extra_headers": dict(headers or {}),
                "record": staticmethod(record) if record else None}
    return partial(type("Files", (base,), settings), directory=str(folder))


@contextmanager
def serve_site(folder: Path, caching: bool = False, headers: dict[str, str] | None = None,
               record: Recorder | None = None, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve a built site's folder from a thread; yields its base URL."""
    with serve(site_handler(folder, caching, headers, record), host, port) as url:
        yield url
