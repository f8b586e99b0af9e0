"""Serve a built site from this machine, the way the deploy notes (docs/deploy/) configure a static host.

One server for the three places that need one: the editors' preview (`python -m build_scripts serve`), the browser
tests and the benchmark. With `caching` on it sends what the nginx and Apache snippets send: Cache-Control by kind of
file and gzip for the types they compress (both rules live in csp.py); off, it is a bare host (no Cache-Control, no
compression), which the benchmark measures against.
"""

from __future__ import annotations

import email.utils
import gzip
import posixpath
import sys
import threading
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote, unquote

from .csp import COMPRESSED_TYPES, MIME_TYPES, cache_control, server_settings, site_policy

# Stated here rather than left to the machine's /etc/mime.types: a module script or a worker served with the wrong
# type does not run, and .wasm must be application/wasm for streaming compilation.
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".json": "application/json", ".zip": "application/zip",
         ".gz": "application/gzip", ".svg": "image/svg+xml", ".xml": "application/xml", ".pdf": "application/pdf",
         ".txt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json",
         **{f".{ext}": mime for ext, mime in MIME_TYPES.items()}}

# (path, status, body bytes sent): called once per response, e.g. to count a page's bytes
Recorder = Callable[[str, int, int], None]
IDLE_TIMEOUT = 15.0  # seconds a connection may wait for its next request (nginx keeps 75 s; a preview needs less)
LISTEN_BACKLOG = 512  # connections the kernel queues while every thread is busy (socketserver's default is 5)
MAX_NAME_BYTES = 255  # the longest file name Linux (ext4, tmpfs) and the other usual file systems hold
MAX_PATH_BYTES = 4096


def _segments(url_path: str) -> list[str] | None:
    """The file path a URL path names, as its folder and file names (`..` and `.` dropped, as http.server does), or
    None when no file can have that name (too long, a NUL, a name that is not text)."""
    try:
        text = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return None
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES or "\x00" in text:
        return None
    segments = []
    for segment in posixpath.normpath(text.replace("\\", "/")).split("/"):
        if segment in ("", ".", ".."):
            continue
        if len(segment.encode("utf-8")) > MAX_NAME_BYTES:
            return None
        segments.append(segment)
    return segments


class SiteServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a listen backlog for a page's burst of requests (200 clients at once all get in)."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that drops its idle connection (closing a tab) is normal: no traceback in the editor's window."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class SiteFiles(SimpleHTTPRequestHandler):
    """Static files with explicit types and no log line per request; subclasses set the class attributes."""

    # persistent connections, as any web server keeps them (http.server's default, HTTP/1.0, opens one per file)
    protocol_version = "HTTP/1.1"
    caching = False  # Cache-Control as in the deploy notes, gzip for text, conditional GET
    extra_headers: dict[str, str] = {}  # added to every response (e.g. a Content-Security-Policy)
    header_source: Callable[[], dict[str, str]] | None = None  # or asked for them at each response (the preview)
    timeout = IDLE_TIMEOUT  # an idle persistent connection (or a client that stops sending) is closed
    record: Recorder | None = None
    # where the site-wide 404.html is ("en/": the first language's folder; "": the root), or asked at each 404
    error_folder = ""
    error_folder_source: Callable[[], str] | None = None
    _gzipped: dict[tuple[str, float], bytes] = {}  # shared by every request: compress each file version once
    _gzip_lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def guess_type(self, path: str | Any) -> str:
        return TYPES.get(Path(str(path)).suffix.lower()) or super().guess_type(path)

    def end_headers(self) -> None:
        headers = self.header_source() if self.header_source is not None else self.extra_headers
        for name, value in headers.items():
            self.send_header(name, value)
        super().end_headers()

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, message)
        self._status = int(code)
        if self.record is not None and not getattr(self, "_body_follows", False):  # a file's bytes are counted as sent
            self.record(self._url_path(), int(code), 0)

    def copyfile(self, source: Any, outputfile: Any) -> None:
        sent = 0
        while chunk := source.read(256 * 1024):
            outputfile.write(chunk)
            sent += len(chunk)
        if self.record is not None:
            self.record(self._url_path(), getattr(self, "_status", HTTPStatus.OK), sent)

    def send_head(self) -> Any:
        """Both modes: the file at the request's path, a redirect to a folder's own address, or a 404 for anything
        else (including names no file system can hold); never a directory listing."""
        self._body_follows = False
        url_path = self._url_path()
        segments = _segments(url_path)
        if segments is None:
            return self._not_found(None)
        path = Path(self.directory, *segments)
        try:
            if path.is_dir():
                if not url_path.endswith("/"):
                    self._redirect_to_folder(segments)
                    return None
                path = path / "index.html"
            stat = path.stat() if path.is_file() else None
        except (OSError, ValueError):  # a name the file system refuses is a file that is not there
            stat = None
        if stat is None:
            return self._not_found(segments)
        last_modified = email.utils.formatdate(int(stat.st_mtime), usegmt=True)
        if self._unchanged_since(stat.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("Last-Modified", last_modified)
            if self.caching:
                self.send_header("Cache-Control", cache_control(url_path))
            self.end_headers()
            return None
        return self._send_file(path, stat.st_mtime, url_path, HTTPStatus.OK) or self._not_found(segments)

    def _send_file(self, path: Path, mtime: float, url_path: str, status: HTTPStatus) -> BytesIO | None:
        """Headers for one file's body (None, nothing sent, when it cannot be read after all)."""
        try:
            body = path.read_bytes()
        except OSError:
            return None
        content_type = self.guess_type(path)
        compressed = (self.caching and content_type.split(";")[0] in COMPRESSED_TYPES
                      and "gzip" in self.headers.get("Accept-Encoding", ""))
        if compressed:
            body = self._gzip(path, mtime, body)
        self._body_follows = True  # counted as it is sent (copyfile), not by send_response
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == HTTPStatus.OK:  # the error page's date is not the missing address's
            self.send_header("Last-Modified", email.utils.formatdate(int(mtime), usegmt=True))
        if self.caching:
            self.send_header("Cache-Control", cache_control(url_path))
            if compressed:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return BytesIO(body)

    def _not_found(self, segments: list[str] | None) -> BytesIO | None:
        """404 with the site's own page, as the deploy snippets answer: the 404.html of the language folder the path
        is under (/es/... gets the Spanish one), else the site-wide one (the first language's, or the root's of a
        one-language site); Python's own page only for a folder without any. The page is found from the path's
        first segment alone, already cleaned of `..` and odd names, so it is always a file of the site."""
        folders = ([segments[0]] if segments else []) + [self._error_folder().strip("/"), ""]
        for folder in dict.fromkeys(folders):
            page = Path(self.directory, folder, "404.html")
            try:
                stat = page.stat() if page.is_file() else None
            except (OSError, ValueError):
                stat = None
            if stat is not None:
                sent = self._send_file(page, stat.st_mtime, "/" + (f"{folder}/" if folder else "") + "404.html",
                                       HTTPStatus.NOT_FOUND)
                if sent is not None:
                    return sent
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def _error_folder(self) -> str:
        return self.error_folder_source() if self.error_folder_source is not None else self.error_folder

    def _redirect_to_folder(self, segments: list[str]) -> None:
        """301 to the folder's address with its slash, rebuilt from the path's own segments: always a path on this
        server (`/\\evil.example/..` must not come back as a Location a browser reads as another host)."""
        location = "/" + "".join(quote(segment, safe="") + "/" for segment in segments)
        query = self.path.partition("?")[2].partition("#")[0]
        if query:
            location += "?" + quote(query, safe="=&+%")
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _url_path(self) -> str:
        return self.path.split("?", 1)[0].split("#", 1)[0]

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
    server = SiteServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


Headers = dict[str, str] | Callable[[], dict[str, str]]


def site_handler(folder: Path, caching: bool = False, headers: Headers | None = None,
                 record: Recorder | None = None, base: type[SiteFiles] = SiteFiles,
                 error_folder: str | Callable[[], str] = "") -> Any:
    """A request handler serving `folder` (a subclass of `base` with these settings). `headers`: added to every
    response; a function is called at each response (the preview's policy changes with each rebuild).
    `error_folder`: the folder whose 404.html answers a missing page outside any language folder ("en/"), or a
    function saying it (a rebuild may change the languages)."""
    settings = {"caching": caching, "extra_headers": {} if callable(headers) else dict(headers or {}),
                "header_source": staticmethod(headers) if callable(headers) else None,
                "record": staticmethod(record) if record else None,
                "error_folder": "" if callable(error_folder) else error_folder,
                "error_folder_source": staticmethod(error_folder) if callable(error_folder) else None}
    return partial(type("Files", (base,), settings), directory=str(folder))


def deploy_headers(site_dir: Path, endpoint: str | None = None) -> dict[str, str]:
    """The headers docs/deploy/'s snippets send for a built site (Content-Security-Policy with frame-ancestors,
    nosniff, no Referer), so the preview is held to the policy a real host enforces."""
    return server_settings(site_policy(site_dir, endpoint)).headers


@contextmanager
def serve_site(folder: Path, caching: bool = False, headers: Headers | None = None,
               record: Recorder | None = None, host: str = "127.0.0.1", port: int = 0,
               error_folder: str | Callable[[], str] = "") -> Iterator[str]:
    """Serve a built site's folder from a thread; yields its base URL."""
    with serve(site_handler(folder, caching, headers, record, error_folder=error_folder), host, port) as url:
        yield url
