"""Issue 22, item 4: a YAML mistake is reported at the line and column where it is, in words saying what to do.

PyYAML notices most mistakes a token later (a key without ':' on the next line, an unclosed quote at the end of the
file): these tests put each mistake an editor makes into each kind of source file and assert the exact line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts.core.validate import load_and_check
from build_scripts.source.reading import SourceError, decode_source, parse_yaml, yaml_lines

from .conftest import PROJECT

MINI = PROJECT / "tests" / "fixtures" / "mini"
# A page whose front matter has two keys (the fixture's has one), so that a broken second line stays a mapping.
PAGE = "pages/en/rules.md"
PAGE_TEXT = "---\ntitle: Rules\nid: rules\n---\n\n# RULES\n\nRead the [attendance steps](attendance.md).\n"

# (mistake, line as written, line as mistyped, words the message must hold)
MISTAKES = {
    "missing colon": (lambda line: line.replace(": ", " ", 1), "add ':' after the key"),
    "tab": (lambda line: "\t" + line.lstrip(" "), "not tabs"),
    "over-indented key": (lambda line: "    " + line, "indented more than the line above it"),
    "unclosed quote": (lambda line: line.replace(": ", ': "', 1), "opened here is n"),  # never closed / not closed on its line
    "unclosed bracket": (lambda line: line.replace(": ", ": [", 1), "'[' opened here is never closed: add ']'"),
}
# (file, the line to mistype: one `key: value` line under another)
TARGETS = {
    "data file": ("data/attendance.yml", "chronic_absence_from_percent: 15"),
    "edition.yml": ("edition.yml", "district: {en: Riverbend Unified}"),
    "navigation.yml": ("navigation.yml", "    pages: [rules, attendance, matrix-all]"),
    "front matter": (PAGE, "id: rules"),
}


def _mini(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "mini")
    (tmp_path / "mini" / "handbook" / PAGE).write_text(PAGE_TEXT, encoding="utf-8")
    return tmp_path / "mini"


def _problems(root: Path) -> list[str]:
    with pytest.raises(SourceError) as info:
        load_and_check(root / "mkdocs.yml")
    return [str(p) for p in info.value.problems]


def _mistype(root: Path, rel: str, line_text: str, mistake) -> int:
    path = root / "handbook" / rel
    lines = path.read_text(encoding="utf-8").split("\n")
    row = lines.index(line_text)
    lines[row] = mistake(line_text)
    path.write_text("\n".join(lines), encoding="utf-8")
    return row + 1


@pytest.mark.parametrize("mistake", MISTAKES)
@pytest.mark.parametrize("target", TARGETS)
def test_each_mistake_in_each_kind_of_file_is_named_at_its_line(tmp_path, target, mistake):
    root = _mini(tmp_path)
    rel, line_text = TARGETS[target]
    edit, words = MISTAKES[mistake]
    line = _mistype(root, rel, line_text, edit)
    problems = _problems(root)
    assert len(problems) == 1, problems
    # a YAML syntax error, or (`district {en: X}` is sound YAML: one key) the schema's, at the same line
    assert re.match(rf"handbook/{re.escape(rel)}:{line}(: YAML syntax error at column \d+| \(\S+ \{{en\)): ", problems[0]), problems
    assert words in problems[0], problems


def test_the_issue_s_languages_without_colon_is_on_its_own_line(tmp_path):
    root = _mini(tmp_path)
    line = _mistype(root, "edition.yml", "languages: [en]", lambda _: "languages [en, es]")
    assert _problems(root) == [f"handbook/edition.yml:{line}: YAML syntax error at column 1: add ':' after the key "
                               "'languages' (a key and its value: 'key: value')"]


@pytest.mark.parametrize("text, line, column, words", [
    ("a: 1\nb:\n  c: 2\n  d 3\n  e: 4\n", 4, 3, "add ':' after the key 'd'"),  # PyYAML: line 5
    ("title\n  en: x\n", 1, 1, "add ':' after the key 'title'"),  # PyYAML: line 2, "mapping values are not allowed"
    ("a:\n  b: 1\n    c: 2\n", 3, 5, "indented more than the line above it (line 2)"),
    ("a:\n    b: 1\n  c: 2\n", 3, 3, "indented 2 spaces, less than line 2 (4 spaces)"),
    # the issue's key indented too deep (line 5), which PyYAML notices on the next line: this file indents by 2
    ("district:\n  en: A\n  es: B\ntitle:\n    en: C\n  es: D\n", 5, 5,
     "indented 4 spaces more than its key (line 4), where this file indents by 2 spaces: indent it and the lines with "
     "it like line 6"),
    ("a: \"open\nb: 2\nc: 3\n", 1, 4, 'the quote " opened here is never closed'),  # PyYAML: the end of the file
    ("a: [x, y\nb: 2\n", 1, 4, "the '[' opened here is never closed"),
    ("a: {x: 1\n", 1, 4, "the '{' opened here is never closed: add '}'"),
    ("a: b: c\n", 1, 5, "must be written in quotes"),
    ("a: \"x\" y\n", 1, 8, "more text after the value's closing quote"),
    ("a: 1\n- b\n", 2, 1, "a list item ('- ') where a key was expected"),
    ("a: @x\n", 1, 4, "a value cannot start with '@'"),
    ("a: *x\n", 1, 4, "a value starting with '*' must be written in quotes"),
    ("a: 1\n---\nb: 2\n", 2, 1, "a second '---'"),
])
def test_the_place_and_the_words(text, line, column, words):
    with pytest.raises(SourceError) as info:
        parse_yaml(text, "f.yml")
    [problem] = info.value.problems
    assert problem.line == line and f"at column {column}: " in problem.message and words in problem.message, problem


def test_front_matter_lines_count_from_the_file_s_first_line(tmp_path):
    root = _mini(tmp_path)
    (root / "handbook" / PAGE).write_text("---\ntitle: Rules\nid rules\n---\n\n# RULES\n", encoding="utf-8")
    assert _problems(root) == [f"handbook/{PAGE}:3: YAML syntax error at column 1: add ':' after the key 'id' "
                               "(a key and its value: 'key: value')"]


# Pieces an editor's typing is made of: keys, indentation, the characters YAML gives a meaning, tabs, newlines.
PIECES = st.sampled_from(["a", "key", ": ", ":", " ", "  ", "    ", "\t", "\n", "\r\n", "\r", "\u2028", "\n  ", "- ", "-", "[", "]", "{", "}",
                          ",", '"', "'", "#", "&x ", "*x", "|", ">", "!", "%", "@", "`", "?", "---", "...", "é", "1"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(PIECES, max_size=40), first_line=st.sampled_from([1, 2]))
def test_any_broken_yaml_gives_one_line_naming_a_line_of_the_file(pieces, first_line):
    text = "".join(pieces)
    try:
        parse_yaml(decode_source(text.encode("utf-8"), "f.yml"), "f.yml", first_line)
    except SourceError as exc:
        last_line = first_line + len(yaml_lines(text)) - 1
        for problem in exc.problems:
            assert problem.line is not None and first_line <= problem.line <= last_line, (text, str(problem))
            assert "\n" not in str(problem) and "Traceback" not in str(problem), str(problem)
            match = re.search(r"at column (\d+): ", problem.message)
            if match:  # the column is on that line (or just after its end, where something is missing)
                row = yaml_lines(text)[problem.line - first_line]
                assert 1 <= int(match[1]) <= len(row) + 1, (text, str(problem))
