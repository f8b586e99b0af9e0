"""The runtime's two largest downloads packed with xz, which the calculators' worker unpacks as they arrive (issue 13).

Over a phone's link the time follows the bytes. Pyodide's WebAssembly is 3.5 MB as a host's gzip sends it and
2.6 MB as xz; the trimmed standard library (a zip of stored files, so that one compressor sees all of it) 0.40 MB
as a zip of deflated files and 0.29 MB as xz. The unpacker is the npm package `xz-decompress` (xz-embedded compiled to
WebAssembly, 20 KB, 9 KB as gzip sends it), pinned in package.json and copied into the runtime's folder as an ES
module; it streams, so the WebAssembly is compiled while it downloads, as before. Brotli would do as well only where
a host serves it over HTTPS (a page's DecompressionStream cannot unpack brotli in Chromium 156).

The plain files stay beside the packed ones: the worker falls back to them when the unpacker cannot load or a packed
file is missing or damaged, and the benchmark's stock page reads them. The service worker keeps only the packed ones.
The packed bytes are deterministic (same input, same bytes) and cached under build/ by a hash of the input.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import shutil
from pathlib import Path

from ...source.reading import Problem, SourceError

PACKED_SUFFIX = ".xz"  # the worker asks for "pyodide.asm.wasm.xz" before the sizes have arrived
UNPACKER = "xz-decompress.mjs"  # the worker imports this name from the runtime's folder
UNPACKER_SOURCE = Path("xz-decompress") / "dist" / "package" / "xz-decompress.min.js"  # under node_modules/
PACKED_FILES = ("pyodide.asm.wasm",)  # always packed; the trimmed standard library too, when there is one
XZ_PRESET = 9 | lzma.PRESET_EXTREME
MIN_DICTIONARY = 1 << 16


def xz_packed(data: bytes) -> bytes:
    """`data` as an .xz stream the unpacker reads: LZMA2, a CRC32 check (xz-embedded checks it), and a dictionary no
    larger than the data (the unpacker allocates the size the header names; a phone has little memory to spare)."""
    dictionary = max(MIN_DICTIONARY, len(data))
    filters = [{"id": lzma.FILTER_LZMA2, "preset": XZ_PRESET, "dict_size": dictionary}]
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, filters=filters)


def as_module(umd: str) -> str:
    """The package's browser build (UMD: it sets `this["xz-decompress"]` outside CommonJS and AMD) wrapped, not
    changed, into an ES module, which the calculators' module worker can import (a module worker has no importScripts)."""
    return ("// npm xz-decompress, dist/package/xz-decompress.min.js, wrapped as an ES module by the handbook build\n"
            "const holder = {};\n(function () {\n" + umd.rstrip() + "\n}).call(holder);\n"
            'export const { XzReadableStream } = holder["xz-decompress"];\n')


def packed_copy(source: Path, cache: Path) -> Path:
    """The .xz of `source`, made once per content (packing Pyodide's WebAssembly takes seconds) and cached."""
    data = source.read_bytes()
    digest = hashlib.sha256(data + repr((XZ_PRESET, MIN_DICTIONARY)).encode()).hexdigest()[:32]
    target = cache / f"{digest}{PACKED_SUFFIX}"
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        partial.write_bytes(xz_packed(data))
        os.replace(partial, target)  # builds side by side never see half a file
    return target


def pack_runtime(runtime: Path, names: tuple[str, ...], node_modules: Path, cache: Path) -> dict[str, str]:
    """Write `<name>.xz` beside each of `names` in the runtime folder and copy the unpacker there; returns the
    plain name -> packed name map the manifest carries."""
    unpacker = node_modules / UNPACKER_SOURCE
    if not unpacker.is_file():
        raise SourceError([Problem(str(unpacker), "the calculators' unpacker is missing: run `npm ci` (make site does)")])
    (runtime / UNPACKER).write_text(as_module(unpacker.read_text(encoding="utf-8")), encoding="utf-8")
    packed = {}
    for name in names:
        shutil.copyfile(packed_copy(runtime / name, cache), runtime / f"{name}{PACKED_SUFFIX}")
        packed[name] = f"{name}{PACKED_SUFFIX}"
    return packed
