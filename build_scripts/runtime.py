"""The calculators' browser runtime: the pinned Pyodide files and a wheel of the calculators package, into the site."""

from __future__ import annotations

import shutil
from pathlib import Path

from .calculator_data import build_calculator_wheel, project_name_version
from .handbook import Handbook
from .source import Problem, SourceError

PROJECT = Path(__file__).resolve().parent.parent
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
RUNTIME_DIR = "_pyodide"  # at the site's root, shared by every language


def wheel_filename() -> str:
    """The wheel's file name, known before it is built (the widget's markup names it)."""
    name, version = project_name_version()
    return f"{name.replace('-', '_').lower()}-{version}-py3-none-any.whl"


def copy_runtime(hb: Handbook, site_dir: Path, node_modules: Path = PROJECT / "node_modules") -> Path:
    """Copy the pinned Pyodide files (npm package `pyodide`) and a wheel with this handbook's data into site/_pyodide/."""
    source = node_modules / "pyodide"
    missing = [f for f in PYODIDE_FILES if not (source / f).exists()]
    if missing:
        raise SourceError([Problem(str(source), f"Pyodide files missing ({', '.join(missing)}): run `npm ci` (make site does)")])
    dest = site_dir / RUNTIME_DIR
    dest.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(source / name, dest / name)
    wheel = build_calculator_wheel(hb, dest)
    if wheel.name != wheel_filename():
        raise SourceError([Problem(str(wheel), f"wheel named {wheel.name}, pages expect {wheel_filename()}")])
    return dest
