"""The calculators run the same in real Pyodide (npm `pyodide`, under Node) as in CPython.

Pyodide comes from node_modules/pyodide, installed by `npm ci` from package-lock.json; the calculators go in as
the wheel the site ships (build_scripts.parts.calculators.data.build_calculator_wheel), installed with loadPackage from
a local file: no network, no micropip. Every shared case (tests/pyodide/cases.py) must give the same JSON in both.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from build_scripts.parts.calculators.data import build_calculator_wheel, compile_calculator_data
from calculators import handle_request
from tests.conftest import PROJECT
from tests.pyodide.cases import all_cases

NODE = shutil.which("node")
PYODIDE_DIR = PROJECT / "node_modules" / "pyodide"
RUNNER = PROJECT / "tests" / "pyodide" / "run_cases.mjs"

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed: the Pyodide test runs Pyodide under Node")


def _locked_version() -> str:
    lock = json.loads((PROJECT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/pyodide"]["version"]


def test_pyodide_is_pinned_exactly():
    wanted = json.loads((PROJECT / "package.json").read_text(encoding="utf-8"))["dependencies"]["pyodide"]
    assert wanted == _locked_version() and wanted[0].isdigit(), "pin pyodide exactly: npm install --save-exact"


@pytest.fixture(scope="module")
def pyodide_dir():
    installed = PYODIDE_DIR / "package.json"
    if not installed.exists():
        pytest.fail(f"{PYODIDE_DIR.relative_to(PROJECT)} is missing: run `npm ci` in {PROJECT}")
    version = json.loads(installed.read_text(encoding="utf-8"))["version"]
    assert version == _locked_version(), f"node_modules has pyodide {version}, the lock {_locked_version()}: run `npm ci`"
    return PYODIDE_DIR


def test_the_same_cases_give_the_same_answers_in_pyodide(handbook, pyodide_dir, tmp_path):
    data = compile_calculator_data(handbook)
    wheel = build_calculator_wheel(handbook, tmp_path / "dist")
    requests = [case["request"] for case in all_cases(data)]
    (tmp_path / "requests.json").write_text(json.dumps(requests), encoding="utf-8")
    out = tmp_path / "responses.json"

    run = subprocess.run([NODE, str(RUNNER), str(pyodide_dir), str(wheel), str(tmp_path / "requests.json"), str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["network"] == []
    assert report["pyodide"] == _locked_version()
    assert report["ready"]["ok"] and report["ready"]["result"]["languages"] == handbook.languages

    in_pyodide = [json.loads(text) for text in report["responses"]]
    in_cpython = [json.loads(handle_request(text, data=data)) for text in requests]
    assert len(in_pyodide) == len(in_cpython) == len(requests) > 900
    mismatched = [req for req, a, b in zip(requests, in_pyodide, in_cpython) if a != b]
    assert mismatched == []
    assert sum(r["ok"] for r in in_pyodide) > 800 and not any(
        r["error"]["code"] == "internal" for r in in_pyodide if not r["ok"])

    t = report["timings_ms"]
    print(f"\nPyodide {report['pyodide']} (Python {report['python']}) under Node: start {t['load_pyodide']:.0f} ms, "
          f"wheel {t['install_wheel']:.0f} ms, import + first request {t['import_and_first_request']:.0f} ms, "
          f"{t['requests']} requests {t['requests_total']:.0f} ms")


def test_every_request_works_from_the_trimmed_standard_library(handbook, pyodide_dir, tmp_path):
    """Issue 13: the site ships only the standard library modules traced at build time; every shared case must give
    the same answer from that zip as from CPython, and Pyodide must start from it (the worker's way)."""
    from build_scripts.parts.calculators.packing import xz_packed
    from build_scripts.parts.calculators.stdlib_trim import FULL_STDLIB, trimmed_stdlib_for

    data = compile_calculator_data(handbook)
    runtime = tmp_path / "runtime"
    shutil.copytree(pyodide_dir, runtime)
    wheel = build_calculator_wheel(handbook, runtime)
    trimmed = trimmed_stdlib_for(runtime, wheel, cache=tmp_path / "cache")
    assert trimmed is not None
    # stored, not deflated: what a reader downloads is its xz copy (packing.py), a ninth of Pyodide's full zip
    assert len(xz_packed(trimmed.read_bytes())) < 0.15 * (runtime / FULL_STDLIB).stat().st_size
    requests = [case["request"] for case in all_cases(data)]
    (tmp_path / "requests.json").write_text(json.dumps(requests), encoding="utf-8")
    out = tmp_path / "responses.json"
    run = subprocess.run([NODE, str(RUNNER), str(pyodide_dir), str(wheel), str(tmp_path / "requests.json"), str(out),
                          str(trimmed)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["network"] == []
    in_pyodide = [json.loads(text) for text in report["responses"]]
    in_cpython = [json.loads(handle_request(text, data=data)) for text in requests]
    assert len(in_pyodide) == len(requests) > 900
    assert [req for req, a, b in zip(requests, in_pyodide, in_cpython) if a != b] == []
