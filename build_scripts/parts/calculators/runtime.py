"""The calculators' browser runtime: the pinned Pyodide files, a wheel of the calculators package and, when Node is
available, a memory snapshot of Pyodide with the calculators already imported, into the site.

The snapshot (Pyodide's `_makeSnapshot` / `_loadSnapshot`) lets the page's worker skip Python's start-up and the
wheel's install: measured in Chromium it is the largest single saving (see docs/performance.md). It is made at build
time by Node from the very files the site ships, gzipped (the worker inflates it; a host that compresses on its own
is fine too), and cached under build/ by a hash of its inputs. Without Node the build still succeeds: there is no
snapshot and the worker starts Pyodide the plain way.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from ...source.handbook import Handbook
from ...source.paths import PROJECT
from ...source.reading import Problem, SourceError
from .data import build_calculator_wheel, project_name_version
from .packing import PACKED_FILES, PACKED_SUFFIX, UNPACKER, pack_runtime
from .runtime_manifest import SHIPPED_WITH_TRIMMED_STDLIB, lock_contents, write_manifest
from .stdlib_trim import STDLIB_NAME, trimmed_stdlib_for

PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# Files that change only with a pinned npm package (Pyodide, the unpacker): a host may let browsers keep them a week.
PINNED_FILES = PYODIDE_FILES + tuple(f"{name}{PACKED_SUFFIX}" for name in PACKED_FILES) + (UNPACKER,)
RUNTIME_DIR = "_pyodide"  # at the site's root, shared by every language
SNAPSHOT_NAME = "calculators.snapshot.gz"  # the worker asks for this name beside the wheel
SNAPSHOT_CACHE = PROJECT / "build" / "runtime-cache"
SNAPSHOT_TIMEOUT_S = 180
# Two thirds of Pyodide's memory is zeros: the file keeps only the pages holding something (the worker puts them back
# in place), so the browser inflates half as many bytes. Layout, little-endian: magic, memory size, page size, page
# count N, N page numbers, then those pages in order.
SPARSE_MAGIC = b"HBSNAP\x00\x01"
SPARSE_PAGE = 4096

# Run by Node: start Pyodide in snapshot-making mode, unpack the wheel with Python's zipfile (pyodide.loadPackage
# would leave JavaScript objects in Pyodide's tables, which a snapshot refuses), import the calculators, answer a
# few requests so every lazily imported module and the data are in memory, then write the snapshot.
_MAKE_SNAPSHOT_JS = r"""
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [runtime, wheel, out, python, stdlib, lock] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(runtime + "/pyodide.mjs").href);
// the trimmed standard library the worker restores the snapshot with (zipimport keeps the zip's table in memory)
const pyodide = await loadPyodide({ indexURL: runtime + "/", _makeSnapshot: true, env: {},
                                    stdLibURL: stdlib, lockFileContents: readFileSync(lock, "utf-8"),
                                    stdout: () => {}, stderr: (s) => console.error(s) });
pyodide.FS.writeFile("/tmp/calculators.whl", readFileSync(wheel));
pyodide.runPython(readFileSync(python, "utf-8"));
writeFileSync(out, pyodide.makeMemorySnapshot());
"""

# Run by Python inside that Pyodide. Requests are built from the data itself (no handbook fact written here).
_WARM_UP_PY = r"""
import json, os, site, zipfile
with zipfile.ZipFile("/tmp/calculators.whl") as wheel:
    wheel.extractall(site.getsitepackages()[0])
os.remove("/tmp/calculators.whl")
os.environ.pop("_", None)  # the build machine's script path: nothing of the build machine goes into the site

import calculators
ask = lambda **request: json.loads(calculators.handle_request(json.dumps(request)))
for lang in ask(calculator="ready")["result"]["languages"]:
    ask(calculator="ready", lang=lang)
    ask(calculator="ui_words", lang=lang)
    ask(calculator="absentee", lang=lang, args={"days_absent": "1.5", "days_enrolled": "10"})
    ask(calculator="absentee", lang=lang, args={"days_absent": "x", "days_enrolled": ""})
    ask(calculator="consequence", lang=lang, args={"behavior": "?", "school_level": "?", "offense": "0"})
    for level in ask(calculator="school_levels", lang=lang)["result"]:
        rows = ask(calculator="behavior_options", lang=lang, args={"school_level": level["id"]})["result"]
        for row in [r for r in rows if r["needs_value"]][:1] + [r for r in rows if not r["needs_value"]][:1]:
            for offense in ("1", "9"):
                args = {"behavior": row["id"], "school_level": level["id"], "offense": offense}
                ask(calculator="consequence", lang=lang, args=args)
                ask(calculator="consequence", lang=lang, args={**args, "damage_usd": "100"})
import gc
gc.collect()
"""


def wheel_filename() -> str:
    """The wheel's file name, known before it is built (the widget's markup names it)."""
    name, version = project_name_version()
    return f"{name.replace('-', '_').lower()}-{version}-py3-none-any.whl"


def copy_runtime(hb: Handbook, site_dir: Path, node_modules: Path = PROJECT / "node_modules",
                 snapshot: bool = True) -> Path:
    """Copy the pinned Pyodide files (npm package `pyodide`) and a wheel with this handbook's data into site/_pyodide/;
    add the start-up snapshot when `snapshot` and Node can make it (otherwise the worker starts the plain way)."""
    source = node_modules / "pyodide"
    missing = [f for f in PYODIDE_FILES if not (source / f).exists()]
    if missing:
        raise SourceError([Problem(str(source), f"Pyodide files missing ({', '.join(missing)}): run `npm ci` (make site does)")])
    dest = site_dir / RUNTIME_DIR
    dest.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        # copyfile, not copy2: npm stamps every file 1985-10-26, and a server answering If-Modified-Since from that
        # date would tell a browser holding the previous Pyodide that nothing changed
        shutil.copyfile(source / name, dest / name)
    wheel = build_calculator_wheel(hb, dest)
    if wheel.name != wheel_filename():
        raise SourceError([Problem(str(wheel), f"wheel named {wheel.name}, pages expect {wheel_filename()}")])
    # Only the standard library the calculators use (issue 13); Pyodide's full zip and its package lock stay out of
    # the site when the trimmed one could be made (the worker reads which from the manifest).
    trimmed = trimmed_stdlib_for(dest, wheel, SNAPSHOT_CACHE)
    stdlib = "python_stdlib.zip"
    if trimmed is not None:
        shutil.copyfile(trimmed, dest / STDLIB_NAME)
        stdlib = STDLIB_NAME
        for name in set(PYODIDE_FILES) - set(SHIPPED_WITH_TRIMMED_STDLIB):
            (dest / name).unlink()
    if snapshot:
        made = snapshot_for(dest, wheel, stdlib=dest / stdlib, lock=lock_contents(source / "pyodide-lock.json"))
        if made is not None:
            shutil.copyfile(made, dest / SNAPSHOT_NAME)
    # the WebAssembly and the trimmed standard library also packed with xz, a quarter smaller again (packing.py)
    packed = pack_runtime(dest, PACKED_FILES + ((STDLIB_NAME,) if trimmed is not None else ()), node_modules,
                          SNAPSHOT_CACHE)
    write_manifest(dest, stdlib, wheel.name, source / "pyodide-lock.json", packed, UNPACKER)
    return dest


def _snapshot_key(runtime: Path, wheel: Path, stdlib: Path, lock: str) -> str:
    """Everything the snapshot depends on: the Pyodide build, the wheel's bytes, the scripts that make it, the
    standard library it starts from."""
    digest = hashlib.sha256()
    for part in (SPARSE_MAGIC, _MAKE_SNAPSHOT_JS.encode(), _WARM_UP_PY.encode(), wheel.read_bytes(),
                 lock.encode(), str((runtime / "pyodide.asm.wasm").stat().st_size).encode(), stdlib.read_bytes()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:32]


def snapshot_for(runtime: Path, wheel: Path, cache: Path = SNAPSHOT_CACHE, stdlib: Path | None = None,
                 lock: str | None = None) -> Path | None:
    """The gzipped start-up snapshot for this runtime and wheel (made by Node, cached); None without Node or when
    Node fails (the reason is printed: the site still works, it starts more slowly). `stdlib` and `lock`: the
    standard library zip and the package lock the worker starts Pyodide with (by default those in `runtime`)."""
    stdlib = stdlib or runtime / STDLIB_NAME
    if not stdlib.exists():
        stdlib = runtime / "python_stdlib.zip"
    lock = lock or lock_contents(PROJECT / "node_modules" / "pyodide" / "pyodide-lock.json")
    target = cache / f"{_snapshot_key(runtime, wheel, stdlib, lock)}.snapshot.gz"
    if target.exists():
        return target
    node = shutil.which("node")
    if node is None:
        print("Calculators: no `node` found, so no start-up snapshot (the calculators start more slowly).")
        return None
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="snapshot-") as tmp:
        script, python, raw = Path(tmp) / "make.mjs", Path(tmp) / "warm_up.py", Path(tmp) / "snapshot.bin"
        lock_file = Path(tmp) / "lock.json"
        lock_file.write_text(lock, encoding="utf-8")
        script.write_text(_MAKE_SNAPSHOT_JS, encoding="utf-8")
        python.write_text(_WARM_UP_PY, encoding="utf-8")
        try:
            done = subprocess.run([node, str(script), str(runtime.resolve()), str(wheel.resolve()), str(raw), str(python),
                                   str(stdlib.resolve()), str(lock_file)],
                                  capture_output=True, text=True, timeout=SNAPSHOT_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            print(f"Calculators: the start-up snapshot could not be made ({exc}); the calculators start more slowly.")
            return None
        if done.returncode != 0 or not raw.exists():
            print(f"Calculators: the start-up snapshot could not be made ({failure_reason(done.stderr)}); "
                  "the calculators start more slowly.")
            return None
        # mtime=0: the same inputs give the same bytes
        packed = gzip.compress(sparse_pages(raw.read_bytes()), compresslevel=6, mtime=0)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        partial.write_bytes(packed)
        os.replace(partial, target)  # builds running side by side never see half a file
    return target


# The last line of a Python traceback ("ModuleNotFoundError: No module named 'x'") or of a JavaScript error.
_EXCEPTION_LINE = re.compile(r"^\s*(?:Uncaught\s+)?([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt))(?::\s.*)?$")
_REASON_MAX = 300


def failure_reason(stderr: str) -> str:
    """What went wrong, in one short line: Node prints Pyodide's minified source around an error (some lines of
    it are 100 KB long), so the reason is the last exception line, never a line of source."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if len(line) <= 2 * _REASON_MAX and _EXCEPTION_LINE.match(line):
            return line[:_REASON_MAX]
    short = [line for line in lines if len(line) <= _REASON_MAX]
    return short[-1] if short else "node failed without a message"


def sparse_pages(memory: bytes, page: int = SPARSE_PAGE) -> bytes:
    """The memory without its all-zero pages, in the layout the worker unpacks (see SPARSE_MAGIC)."""
    pages = [memory[at:at + page] for at in range(0, len(memory), page)]
    kept = [n for n, chunk in enumerate(pages) if chunk.count(0) != len(chunk)]
    header = SPARSE_MAGIC + struct.pack(f"<III{len(kept)}I", len(memory), page, len(kept), *kept)
    return header + b"".join(pages[n] for n in kept)
