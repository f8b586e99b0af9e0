"""The source validates, and each kind of error is caught with a message naming the file and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from build_scripts.core.validate import load_and_check
from build_scripts.core.checks import run_checks

from .conftest import PROJECT, source_problems


def test_real_handbook_validates(handbook):
    assert run_checks(handbook) == []
    assert len(handbook.codes.codes) > 0 and len(handbook.matrices) == 2


def _break(root: Path, rel: str, old: str, new: str, count: int = 1) -> int:
    """Replace `old` with `new` in a copied file; return the 1-based line where the change is."""
    path = root / "handbook" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line



def test_schema_error_names_file_line_and_key(handbook_copy):
    line = _break(handbook_copy, "data/codes.yml", "kind: behavior", "kind: misdeed")
    problems = source_problems(handbook_copy)
    assert any(p.startswith(f"handbook/data/codes.yml:{line} (codes[0].kind)") and "behavior" in p for p in problems), problems


def test_yaml_syntax_error_names_line(handbook_copy):
    line = _break(handbook_copy, "data/attendance.yml", "tiers:\n", "tiers:\n  - [unclosed\n")
    problems = source_problems(handbook_copy)
    assert any(p.startswith("handbook/data/attendance.yml:") and "YAML syntax error" in p for p in problems), problems
    reported = int(problems[0].split(":")[1].split()[0])
    assert abs(reported - line) <= 2


def test_matrix_row_with_unknown_code(handbook_copy):
    line = _break(handbook_copy, "data/matrices/elementary.yml", "    - acd\n", "    - no-such-code\n")
    problems = source_problems(handbook_copy)
    assert any(p.startswith(f"handbook/data/matrices/elementary.yml:{line + 0}") and "unknown code 'no-such-code'" in p
               for p in problems), problems


def test_matrix_row_with_unknown_definition(handbook_copy):
    line = _break(handbook_copy, "data/matrices/secondary.yml", "    - arson\n", "    - arsonn\n")
    problems = source_problems(handbook_copy)
    assert any(f"secondary.yml:{line}" in p and "unknown definition 'arsonn'" in p for p in problems), problems


def test_duplicate_id(handbook_copy):
    line = _break(handbook_copy, "data/codes.yml", "- id: agp\n", "- id: acd\n")
    problems = source_problems(handbook_copy)
    assert any(f"codes.yml:{line}" in p and "duplicate code id 'acd'" in p for p in problems), problems


def test_broken_link_and_anchor(handbook_copy):
    page = handbook_copy / "handbook/pages/en/section-05.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\nSee [the tiers](section-55.md) and [matrix](matrix-elementary.md#no-such-row).\n", encoding="utf-8")
    line = text.count("\n") + 2
    problems = source_problems(handbook_copy)
    assert any(p.startswith(f"handbook/pages/en/section-05.md:{line}") and "no page 'section-55'" in p for p in problems), problems
    assert any(p.startswith(f"handbook/pages/en/section-05.md:{line}") and "no anchor '#no-such-row'" in p for p in problems), problems


def test_good_links_pass(handbook_copy):
    page = handbook_copy / "handbook/pages/en/section-05.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [arson](matrix-elementary.md#arson) and [VII](section-07.md#lts).\n",
                    encoding="utf-8")
    load_and_check(handbook_copy / "mkdocs.yml")


def test_unknown_insert(handbook_copy):
    line = _break(handbook_copy, "pages/en/section-06.md", "<!-- insert: definitions -->", "<!-- insert: definitons -->")
    problems = source_problems(handbook_copy)
    assert any(p.startswith(f"handbook/pages/en/section-06.md:{line}") and "unknown insert 'definitons'" in p for p in problems)


def test_nav_names_missing_page(handbook_copy):
    _break(handbook_copy, "navigation.yml", "- page: about", "- page: abut")
    problems = source_problems(handbook_copy)
    assert any("navigation.yml" in p and "'abut'" in p for p in problems), problems


def test_cli_check_exit_codes(handbook_copy):
    ok = subprocess.run([sys.executable, "-m", "build_scripts", "--config", str(handbook_copy / "mkdocs.yml"), "check"],
                        cwd=PROJECT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "Consistency report" in ok.stdout
    _break(handbook_copy, "data/codes.yml", "kind: behavior", "kind: misdeed")
    bad = subprocess.run([sys.executable, "-m", "build_scripts", "--config", str(handbook_copy / "mkdocs.yml"), "check"],
                         cwd=PROJECT, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "handbook/data/codes.yml:" in bad.stderr and "Traceback" not in bad.stderr
