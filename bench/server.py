"""The benchmark's web server: a built site served from 127.0.0.1 by build_scripts/static_server.py.

Two modes, so the benchmark can measure what the deploy notes' headers change:
- "plain": a bare static host (Last-Modified, no Cache-Control, no compression): the browser caches by heuristics.
- "caching": what docs/deploy/ configures and `python -m build_scripts serve` sends: Cache-Control by kind of file
  and gzip for text types.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from build_scripts.outputs.static_server import serve_site as serve_folder

MODES = ("plain", "caching")


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
    with serve_folder(folder, caching=mode == "caching", record=traffic.record if traffic else None,
                      port=port) as url:
        yield url
