"""The calculators' browser runtime: the pinned Pyodide files and a wheel of the calculators package, into the site."""

from __future__ import annotations

import base64
import hashlib
import shutil
import tomllib
import zipfile
from pathlib import Path

from .source import Problem, SourceError

PROJECT = Path(__file__).resolve().parent.parent
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
RUNTIME_DIR = "_pyodide"  # at the site's root, shared by every language


def _project_meta() -> tuple[str, str]:
    meta = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return meta["name"].replace("-", "_"), meta["version"]


def wheel_filename() -> str:
    name, version = _project_meta()
    return f"{name}-{version}-py3-none-any.whl"


def build_wheel(dest_dir: Path, package: str = "calculators") -> Path:
    """A standard pure-Python wheel of the calculators package (with its compiled data), written with zipfile.

    A plain wheel is all Pyodide needs for pure Python; this avoids a build backend at site-build time.
    """
    name, version = _project_meta()
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / wheel_filename()
    dist_info = f"{name}-{version}.dist-info"
    files: list[tuple[str, bytes]] = []
    for source in sorted((PROJECT / package).rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts and source.suffix in {".py", ".json", ".typed"}:
            files.append((source.relative_to(PROJECT).as_posix(), source.read_bytes()))
    files.append((f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()))
    files.append((f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: build_scripts.runtime\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    record = []
    for arcname, data in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for arcname, data in files:
            info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))  # reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    return path


def copy_runtime(site_dir: Path, node_modules: Path = PROJECT / "node_modules") -> Path:
    """Copy the pinned Pyodide files (npm package `pyodide`) and the calculators wheel into site/_pyodide/."""
    source = node_modules / "pyodide"
    missing = [f for f in PYODIDE_FILES if not (source / f).exists()]
    if missing:
        raise SourceError([Problem(str(source), f"Pyodide files missing ({', '.join(missing)}): run `npm ci` (make site does)")])
    dest = site_dir / RUNTIME_DIR
    dest.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(source / name, dest / name)
    build_wheel(dest)
    return dest
