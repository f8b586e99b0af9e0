"""What the page and the calculators' worker know about the runtime before they download it (issue 13):
_pyodide/calculators-runtime.json names the standard library zip and the wheel, carries Pyodide's package lock
without its package list (the calculators load no Pyodide package: 27 KB less than pyodide-lock.json), and the size
of each file as stored and as a compressing host sends it, so the page can say "1.2 of 3.8 MB" and offer
"Start the calculator (3.8 MB)" on a metered connection.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

MANIFEST_NAME = "calculators-runtime.json"
# With the trimmed standard library the site needs only these of Pyodide's own files.
SHIPPED_WITH_TRIMMED_STDLIB = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")
# Files a host compresses on the way out (csp.COMPRESSED_TYPES): JavaScript, WebAssembly, JSON.
COMPRESSIBLE = (".mjs", ".js", ".wasm", ".json")


def lock_contents(full_lock: Path) -> str:
    """Pyodide's lock with its `info` (the ABI and Python version Pyodide checks) and no packages."""
    info = json.loads(full_lock.read_text(encoding="utf-8"))["info"]
    return json.dumps({"info": info, "packages": {}}, sort_keys=True)


def sent_size(path: Path) -> int:
    """Bytes a host configured as in the deploy notes sends for this file (gzip level 6 for compressible types)."""
    data = path.read_bytes()
    return len(gzip.compress(data, compresslevel=6, mtime=0)) if path.suffix in COMPRESSIBLE else len(data)


def write_manifest(runtime: Path, stdlib: str, wheel: str, full_lock: Path, packed: dict[str, str] | None = None,
                   unpacker: str | None = None) -> Path:
    """`packed`: plain name -> its xz copy (packing.py), which the worker downloads instead with `unpacker`."""
    # sha256: the worker keys the unpacked copies it keeps by content, so another build is never mixed in
    files = {p.name: {"bytes": p.stat().st_size, "sent": sent_size(p),
                      "sha256": hashlib.sha256(p.read_bytes()).hexdigest()[:20]}
             for p in sorted(runtime.iterdir()) if p.is_file() and p.name != MANIFEST_NAME}
    manifest = {"stdlib": stdlib, "wheel": wheel, "lock": lock_contents(full_lock), "files": files,
                "packed": dict(packed or {}), "unpacker": unpacker if packed else None}
    target = runtime / MANIFEST_NAME
    target.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def kept_offline(runtime: Path, leave_out: tuple[str, ...] = ()) -> list[str]:
    """The runtime's files a browser keeps for offline use: all but the plain copies of packed files (the worker's
    fallback, which a working unpacker never asks for: 11 MB the service worker must not fetch) and `leave_out`."""
    manifest_file = runtime / MANIFEST_NAME
    manifest = json.loads(manifest_file.read_text(encoding="utf-8")) if manifest_file.is_file() else {}
    fallbacks = set((manifest.get("packed") or {}).keys()) | set(leave_out)
    return sorted(p.name for p in runtime.iterdir() if p.is_file() and p.name not in fallbacks)
