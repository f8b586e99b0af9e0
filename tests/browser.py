"""Helpers for browser tests: build a site (or a variant of the project) into a folder, serve it on 127.0.0.1 from a
thread, drive Debian's Chromium with Playwright, record what a page POSTs. Plain functions and context managers:
fixtures that share them across a session live in conftest.py or in the test module."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from build_scripts.outputs.static_server import SiteFiles, serve, serve_site  # noqa: F401 - the tests' servers

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def require_chromium() -> None:
    """Skip (fail under CI) when Playwright or Debian's Chromium is not installed."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Playwright for Python is missing (pip install playwright==1.65.2)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's, never a downloaded build), closed on exit."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    """A port nothing listens on (for an address that must be unreachable)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def project_copy(dest: Path, extra_handbook: dict[str, Any] | None = None,
                 handbook_files: dict[str, str] | None = None) -> Path:
    """Copy the project's handbook/ and mkdocs.yml into `dest` (the build uses the project's theme and hooks), add
    settings under extra.handbook, replace handbook files (path relative to handbook/ -> text); return the config."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT / "handbook", dest / "handbook")
    for rel, text in (handbook_files or {}).items():
        (dest / "handbook" / rel).write_text(text, encoding="utf-8")
    config = yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))
    handbook = config.setdefault("extra", {}).setdefault("handbook", {})
    handbook["source"] = "handbook"
    handbook.update(extra_handbook or {})
    config_file = dest / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config_file


def build_into(config_file: Path, dest: Path) -> Path:
    """Build a site from `config_file` into dest/site (work files in dest/work); returns the site folder."""
    from build_scripts.outputs.site import build_site

    return build_site(config_file, site_dir=dest / "site", work_dir=dest / "work").site_dir


@dataclass
class Recorder:
    """What an endpoint received, and how it answers: "ok" (201 + JSON receipt), "error" (503), or "down"
    (the connection is dropped unanswered, as when the service is not there)."""

    url: str = ""
    mode: str = "ok"
    posts: list[dict[str, Any]] = field(default_factory=list)
    preflights: int = 0

    def receipt(self, n: int) -> str:
        return f"test-receipt-{n:04d}"


def _recording_handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # A cross-origin endpoint must answer CORS, as a real one would.
        def _cors(self) -> None:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "POST")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")

        def _drop(self) -> bool:
            if recorder.mode != "down":
                return False
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True

        def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's naming
            if self._drop():
                return
            recorder.preflights += 1
            self.send_response(204)
            self._cors()
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self._drop():
                return
            if recorder.mode == "error":
                self.send_response(503)
                self._cors()
                self.end_headers()
                return
            recorder.posts.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                   "json": json.loads(body.decode("utf-8"))})
            answer = json.dumps({"id": recorder.receipt(len(recorder.posts))}).encode()
            self.send_response(201)
            self._cors()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def recording_endpoint(path: str = "acknowledgements") -> Iterator[Recorder]:
    """An endpoint on 127.0.0.1 that records JSON POSTs; recorder.url is the address to configure."""
    recorder = Recorder()
    with serve(_recording_handler(recorder)) as base:
        recorder.url = base + path
        yield recorder


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF: with pypdf when installed, else by counting page objects (Chromium writes them plainly)."""
    try:
        from io import BytesIO

        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    return len(PdfReader(BytesIO(pdf)).pages)


def pdf_text(pdf: bytes, workdir: Path) -> str | None:
    """The PDF's text via poppler's pdftotext when it is installed (None otherwise), whitespace collapsed."""
    tool = shutil.which("pdftotext")
    if not tool:
        return None
    import subprocess

    source = workdir / "print.pdf"
    source.write_bytes(pdf)
    out = subprocess.run([tool, "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode("utf-8"))


def poll(page: Any, script: str, arg: Any = None, timeout_ms: int = 30_000, every_ms: int = 100) -> Any:
    """Evaluate `script` until it returns something truthy (wait_for_function evaluates a string, which the page's
    policy rightly forbids); its last value after `timeout_ms`."""
    waited = 0
    while True:
        value = page.evaluate(script, arg)
        if value or waited >= timeout_ms:
            return value
        page.wait_for_timeout(every_ms)
        waited += every_ms
