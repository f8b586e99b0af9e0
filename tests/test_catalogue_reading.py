"""Issue 22's loose ends, item 1: the generator's catalogues (site_templates/) and a handbook's words/<lang>.yml are
read through the source reader, so that a broken one is named in one line at its file and line, as a handbook file
is; never PyYAML's several lines or a traceback. The copy of the project holds the generator too, because the
catalogues are the generator's files (site_templates/ is found beside build_scripts/)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts.parts.fingerprint import handbook_fingerprint
from build_scripts.source.i18n import read_catalogue
from build_scripts.source.reading import SourceError

from .conftest import PROJECT

# (file of the copy, its line to break, the words the one line must hold): a key without its ':'
BROKEN = {
    "site's catalogue": ("site_templates/i18n/es.yml", "add ':' after the key"),
    "form's catalogue": ("site_templates/i18n/form/es.yml", "add ':' after the key"),
    "print catalogue": ("site_templates/print/strings/en.yml", "add ':' after the key"),
    "handbook's words": ("handbook/words/es.yml", "add ':' after the key"),
}
WORDS = "# the district's own words\noffense: Falta\nnothing_printed: Nada impreso\nprinted_as: \"Impreso:\"\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The generator and the handbook, copied: each test breaks one file and puts it back."""
    dest = tmp_path_factory.mktemp("project")
    for folder in ("build_scripts", "site_templates", "handbook"):
        shutil.copytree(PROJECT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def _break_a_line(path: Path) -> int:
    """Take the ':' out of the file's third `key: value` line (as an editor's slip would); its line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    keyed = [n for n, line in enumerate(lines) if ": " in line and not line.startswith(("#", " "))]
    row = keyed[2]
    lines[row] = lines[row].replace(": ", "  ", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return row + 1


def _run(project: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "build_scripts", "--config", "mkdocs.yml", command], cwd=project,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("which", sorted(BROKEN))
def test_a_broken_catalogue_or_words_file_is_one_line_at_its_line(project, which):
    rel, words = BROKEN[which]
    path = project / rel
    original = path.read_text(encoding="utf-8") if path.exists() else None
    if original is None:
        path.parent.mkdir(exist_ok=True)
        path.write_text(WORDS, encoding="utf-8")
    try:
        line = _break_a_line(path)
        result = _run(project, "check")
    finally:
        if original is None:
            shutil.rmtree(path.parent)
        else:
            path.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr and "in \"<unicode string>\"" not in result.stderr, result.stderr
    assert result.stderr.splitlines() == ["The handbook source has 1 problem(s):", result.stderr.splitlines()[1]]
    assert result.stderr.splitlines()[1].startswith(f"  {rel}:{line}: YAML syntax error at column 1: {words}"), result.stderr


def test_the_build_refuses_a_broken_catalogue_in_one_line_too(project):
    path = project / "site_templates/i18n/en.yml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\nbroken: \"not closed\n", encoding="utf-8")
    try:
        result = _run(project, "build")
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert f"site_templates/i18n/en.yml:{len(original.splitlines()) + 2}: YAML syntax error" in result.stderr, result.stderr
    assert not (project / "site").exists()


def test_a_language_without_a_catalogue_is_named_not_a_traceback(tmp_path):
    with pytest.raises(SourceError) as caught:
        read_catalogue(tmp_path / "fr.yml", "site_templates/i18n/fr.yml")
    assert str(caught.value) == ("site_templates/i18n/fr.yml: no words for the language 'fr' here: copy another "
                                 "language's file beside it and translate its texts")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(["a", "key", ": ", " ", "\n", "\t", "- ", "[", "{", '"', "'", "*x", "&x ", "é"]),
                     max_size=30).map("".join))
def test_any_catalogue_text_is_words_or_one_line(tmp_path, text):
    path = tmp_path / "es.yml"
    path.write_text(text, encoding="utf-8")
    try:
        words = read_catalogue(path, "site_templates/i18n/es.yml")
    except SourceError as exc:
        for problem in exc.problems:
            assert "\n" not in str(problem) and problem.line is not None, str(problem)
            assert str(problem).startswith(f"site_templates/i18n/es.yml:{problem.line}: "), str(problem)
    else:
        assert isinstance(words, dict)


def test_the_fingerprint_names_a_data_file_broken_since_check(tmp_path):
    root = tmp_path / "handbook"
    shutil.copytree(PROJECT / "tests/fixtures/mini/handbook", root)
    before = handbook_fingerprint(root, "en")
    data = next(path for path in sorted((root / "data").glob("*.yml")))
    data.write_text(data.read_text(encoding="utf-8") + "\nbroken: [1, 2\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        handbook_fingerprint(root, "en")
    assert str(caught.value).startswith(f"handbook/data/{data.name}:"), str(caught.value)
    data.write_text(data.read_text(encoding="utf-8").replace("\nbroken: [1, 2\n", ""), encoding="utf-8")
    assert handbook_fingerprint(root, "en") == before  # the fast reading is the same data
