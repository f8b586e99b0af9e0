"""What the page and the calculators' worker know about the runtime before they download it (issue 13):
_pyodide/calculators-runtime.json names the standard library zip and the wheel, carries Pyodide's package lock
without its package list (the calculators load no Pyodide package: 27 KB less than pyodide-lock.json), and the size
of each file as stored and as a compressing host sends it, so the page can say "1.2 of 3.8 MB" and offer
"Start the calculator (3.8 MB)" on a metered connection.
"""

from __future__ import annotations

import gzip
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


def write_manifest(runtime: Path, stdlib: str, wheel: str, full_lock: Path) -> Path:
    files = {p.name: {"bytes": p.stat().st_size, "sent": sent_size(p)}
             for p in sorted(runtime.iterdir()) if p.is_file() and p.name != MANIFEST_NAME}
    manifest = {"stdlib": stdlib, "wheel": wheel, "lock": lock_contents(full_lock), "files": files}
    target = runtime / MANIFEST_NAME
    target.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target
