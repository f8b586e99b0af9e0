"""The deadline calculator gives the same answers in real Pyodide (under Node) as in CPython: every step from a
plain Monday, the winter break, the end of the school year, an office closure, the Monday -> Thursday example and
each bad-input class, in both languages, on the fixture calendar compiled into the wheel as a district's would be."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from build_scripts.core.validate import load_and_check
from build_scripts.parts.calculators.data import build_calculator_wheel, compile_calculator_data
from calculators import handle_request
from tests.conftest import PROJECT
from tests.test_calculators_pyodide import NODE, RUNNER, pyodide_dir  # noqa: F401 - the fixture is used below
from tests.test_deadlines import CALENDAR_FILE

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed: the Pyodide test runs Pyodide under Node")


def requests(data) -> list[str]:
    out = []
    for lang in ("en", "es"):
        def ask(**args):
            out.append(json.dumps({"calculator": "deadline", "lang": lang, "args": args}, sort_keys=True))

        for step in data["deadlines"]["steps"]:
            ask(step=step["id"], date="2025-10-13")            # a plain week (Monday -> Thursday for 3 school days)
        ask(event="hearing-decision", date="2025-12-19")       # an appeal across the winter break
        ask(event="hearing-decision", date="2026-05-27")       # the end of the school year: working days
        ask(event="superintendent-decision", date="2026-06-16")  # an office closure in summer
        ask(event="superintendent-review-concluded", date="2025-12-19")  # working days and the winter closure
        ask(step="appeal-board", date="2025-02-30")            # bad inputs
        ask(step="appeal-board", date="2030-01-01")
        ask(step="appeal-board", date="soon")
        ask(step="nope", date="2025-10-06")
        ask(event="hearing")
        out.append(json.dumps({"calculator": "deadline_steps", "lang": lang, "args": {}}))
    return out


def test_deadlines_in_pyodide_match_cpython(handbook_copy, pyodide_dir, tmp_path):  # noqa: F811
    shutil.copy(CALENDAR_FILE, handbook_copy / "handbook" / "data" / "calendar.yml")
    hb, _ = load_and_check(handbook_copy / "mkdocs.yml")
    data = compile_calculator_data(hb)
    wheel = build_calculator_wheel(hb, tmp_path / "dist")
    cases = requests(data)
    (tmp_path / "requests.json").write_text(json.dumps(cases), encoding="utf-8")
    out = tmp_path / "responses.json"
    run = subprocess.run([NODE, str(RUNNER), str(pyodide_dir), str(wheel), str(tmp_path / "requests.json"), str(out)],
                         capture_output=True, text=True, timeout=300, cwd=PROJECT)
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["network"] == []
    for request, response in zip(cases, report["responses"]):
        assert json.loads(response) == json.loads(handle_request(request, data=data)), request
    answers = [json.loads(r) for r in report["responses"]]
    winter = next(a for a, c in zip(answers, cases) if '"2025-12-19"' in c and "hearing-decision" in c and '"es"' in c)
    appeal = next(r for r in winter["result"]["results"] if r["step"] == "appeal-superintendent")
    assert appeal["last_day"] == "2026-01-16" and appeal["last_day_text"] == "viernes 16 de enero de 2026"
    assert any("Vacaciones de invierno" in line for line in appeal["skipped_text"])
    codes = {json.loads(r)["error"]["code"] for r in report["responses"] if not json.loads(r)["ok"]}
    assert codes == {"date_impossible", "date_outside", "date_format", "unknown_step", "required"}
