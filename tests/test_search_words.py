"""search.yml, the district's everyday words: read per language, and `check` names the file and line of a term no
page of its language holds, an unknown key and a language the handbook lacks."""

from __future__ import annotations

import shutil
import unicodedata

import pytest
from hypothesis import given, strategies as st

from build_scripts.core.checks import run_checks
from build_scripts.core.load import load_handbook
from build_scripts.parts.search_words import everyday_words, fold
from build_scripts.source.reading import SourceError

from .conftest import PROJECT

FIXTURES = PROJECT / "tests" / "fixtures"


@pytest.fixture
def copy(tmp_path):
    shutil.copytree(PROJECT / "handbook", tmp_path / "handbook")
    return tmp_path / "handbook"


def _problems(root) -> list[str]:
    try:
        return [str(p) for p in run_checks(load_handbook(root))]
    except SourceError as exc:
        return [str(p) for p in exc.problems]


def _line_of(root, text: str) -> int:
    lines = (root / "search.yml").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_the_districts_words_are_read_per_language(handbook):
    spanish = everyday_words(handbook, "es")
    bullying = next(e for e in spanish if "bullying" in e.words)
    assert "acoso escolar" in bullying.terms
    english = everyday_words(handbook, "en")
    assert all("acoso escolar" not in e.terms for e in english)
    assert any("vape" in e.words and "tobacco" in e.terms for e in english)


def test_a_handbook_without_the_file_has_no_words():
    hb = load_handbook(FIXTURES / "english-only" / "handbook")
    assert hb.search is None and everyday_words(hb, "en") == ()


def test_a_term_no_page_holds_is_named_with_file_and_line(copy):
    text = (copy / "search.yml").read_text(encoding="utf-8")
    (copy / "search.yml").write_text(text.replace("terms: [tobacco, e-cigarettes]", "terms: [tobacco, hookah lounge]"),
                                     encoding="utf-8")
    line = _line_of(copy, "hookah lounge")
    problems = _problems(copy)
    assert len(problems) == 1 and problems[0].startswith(f"handbook/search.yml:{line} (en[0].terms[1])"), problems
    assert "hookah lounge" in problems[0]


def test_a_spanish_term_is_looked_for_in_spanish_pages_only(copy):
    text = (copy / "search.yml").read_text(encoding="utf-8")
    # "tobacco" is on English pages, not on Spanish ones
    (copy / "search.yml").write_text(text.replace("terms: [acoso escolar, intimidación]", "terms: [tobacco]"),
                                     encoding="utf-8")
    problems = _problems(copy)
    assert len(problems) == 1 and "(es[0].terms[0])" in problems[0] and "tobacco" in problems[0], problems


def test_terms_match_without_case_or_accents(copy):
    text = (copy / "search.yml").read_text(encoding="utf-8")
    (copy / "search.yml").write_text(text.replace("terms: [acoso escolar, intimidación]", "terms: [ACOSO Escolar, intimidacion]"),
                                     encoding="utf-8")
    assert _problems(copy) == []


def test_unknown_key_and_unknown_language(copy):
    (copy / "search.yml").write_text("en:\n  - words: [vape]\n    terms: [tobacco]\n    weight: 3\n"
                                     "fr:\n  - words: [vapoter]\n    terms: [tabac]\n", encoding="utf-8")
    problems = _problems(copy)
    assert any(p.startswith("handbook/search.yml:4 (en[0].weight)") for p in problems), problems
    # a schema error stops loading, so the language is reported once the keys are right
    (copy / "search.yml").write_text("en:\n  - words: [vape]\n    terms: [tobacco]\n"
                                     "fr:\n  - words: [vapoter]\n    terms: [tabac]\n", encoding="utf-8")
    problems = _problems(copy)
    assert len(problems) == 1 and problems[0].startswith(("handbook/search.yml:4 (fr)", "handbook/search.yml:5 (fr)")) and "'fr'" in problems[0], problems


def test_empty_words_are_refused(copy):
    (copy / "search.yml").write_text("en:\n  - words: ['  ']\n    terms: [tobacco]\n", encoding="utf-8")
    problems = _problems(copy)
    assert problems and problems[0].startswith("handbook/search.yml:") and "empty" in problems[0], problems


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


@given(st.text(alphabet=st.sampled_from("abcnoñáéíóúüÁÉÍÓÚ -/,.'"), max_size=30))
def test_folding_ignores_case_accents_and_punctuation(text):
    assert fold(text) == fold(_strip_accents(text).upper()) == fold(fold(text))
    assert "  " not in fold(text) and fold(text) == fold(text).strip()
