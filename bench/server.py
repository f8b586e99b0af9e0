"""The benchmark's web server: a built site served from 127.0.0.1 by build_scripts/outputs/static_server.py.

Three modes, so the benchmark can measure what the deploy notes' headers change and what a phone's link costs:
- "plain": a bare static host (Last-Modified, no Cache-Control, no compression): the browser caches by heuristics.
- "caching": what docs/deploy/ configures and `python -m build_scripts serve` sends: Cache-Control by kind of file
  and gzip for text types.
- "phone": "caching" behind one shared link of Lighthouse's mobile profile (PHONE_LINK): every answer waits 150 ms,
  and every body byte of every connection goes through one token bucket at 1.6 Mbps. The server throttles, not the
  browser: Chromium's DevTools throttling does not apply to a worker's fetches.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from build_scripts.outputs.static_server import SiteFiles, serve, site_handler

MODES = ("plain", "caching", "phone")


@dataclass(frozen=True)
class Link:
    """A network link: bits per second down, and the wait before each answer (the round trip plus server time)."""

    bits_per_s: float
    delay_s: float


PHONE_LINK = Link(bits_per_s=1.6e6, delay_s=0.150)  # Lighthouse's "slow 4G" mobile profile


class SharedLink:
    """One token bucket for every connection of a server: bytes are sent in the order they ask, each chunk when the
    link has carried everything asked before it. Parallel downloads share the 1.6 Mbps, as on a real phone."""

    def __init__(self, link: Link) -> None:
        self.link = link
        self._lock = threading.Lock()
        self._free_at = 0.0  # monotonic time at which the link has sent everything reserved so far

    def send(self, size: int) -> None:
        """Block until `size` more bytes would have crossed the link."""
        with self._lock:
            start = max(time.monotonic(), self._free_at)
            self._free_at = start + size * 8 / self.link.bits_per_s
            done = self._free_at
        time.sleep(max(0.0, done - time.monotonic()))


class ThrottledFiles(SiteFiles):
    """SiteFiles behind a SharedLink (class attribute `shared`, set per server)."""

    shared: SharedLink | None = None
    CHUNK = 16 * 1024

    def send_head(self) -> Any:
        if self.shared is not None:
            time.sleep(self.shared.link.delay_s)  # before each answer, whatever it is (200, 304, 404)
        return super().send_head()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        sent = 0
        try:
            while chunk := source.read(self.CHUNK):
                if self.shared is not None:
                    self.shared.send(len(chunk))
                outputfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away mid-file (the visit is over): what was sent is counted
        if self.record is not None:
            self.record(self._url_path(), getattr(self, "_status", 200), sent)


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


@contextmanager
def serve_site(folder: Path, mode: str = "plain", traffic: Traffic | None = None, port: int = 0) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 in the given mode, recording into `traffic`; yields the base URL."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (choose from {', '.join(MODES)})")
    record = traffic.record if traffic else None
    if mode == "phone":
        base = type("PhoneFiles", (ThrottledFiles,), {"shared": SharedLink(PHONE_LINK)})
        handler = site_handler(folder, caching=True, record=record, base=base)
    else:
        handler = site_handler(folder, caching=mode == "caching", record=record)
    with serve(handler, port=port) as url:
        yield url
