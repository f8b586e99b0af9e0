"""Both languages stay in step: check fails on a missing twin, a different structure, a missing or untranslated text."""

from __future__ import annotations

import json

from build_scripts.core.validate import load_and_check
from build_scripts.core.checks import run_checks
from build_scripts.core.parity import check_parity, looks_untranslated

from .conftest import page_text, source_problems


def test_real_source_is_in_parity(handbook):
    assert handbook.languages == ["en", "es"]
    assert check_parity(handbook) == []
    assert set(handbook.pages["en"]) == set(handbook.pages["es"])


def test_page_in_one_language_only(handbook_copy):
    (handbook_copy / "handbook/pages/es/section-13.md").unlink()
    problems = source_problems(handbook_copy)
    assert any(p.startswith("handbook/pages/en/section-13.md") and "no 'es' twin" in p for p in problems), problems


def test_heading_structure_differs(handbook_copy):
    path = handbook_copy / "handbook/pages/es/section-10.md"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("\n## ", "\n### ", 1)
    line = changed[: changed.index("\n### ")].count("\n") + 2
    path.write_text(changed, encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert any(p.startswith(f"handbook/pages/es/section-10.md:{line}") and "heading structure differs" in p for p in problems), problems


def test_data_field_without_spanish(handbook_copy):
    path = handbook_copy / "handbook/data/codes.yml"
    text = path.read_text(encoding="utf-8")
    target = "    es: Confrontaciones agresivas (físicas)\n"
    assert target in text
    line = text[: text.index(target)].count("\n")  # the field's `name:` line... its `en:` is one above
    path.write_text(text.replace(target, "", 1), encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert any(p.startswith("handbook/data/codes.yml:") and "(codes[0].name)" in p and "no 'es' text" in p for p in problems), problems
    reported = int(next(p for p in problems if "(codes[0].name)" in p).split(":")[1].split()[0])
    assert abs(reported - line) <= 1


def test_spanish_page_with_an_english_paragraph(handbook_copy):
    path = handbook_copy / "handbook/pages/es/section-04.md"
    english = (handbook_copy / "handbook/pages/en/section-04.md").read_text(encoding="utf-8").split("\n\n")[-1]
    path.write_text(path.read_text(encoding="utf-8") + "\n" + english + "\n", encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert any(p.startswith("handbook/pages/es/section-04.md:") and "still in 'en'" in p for p in problems), problems


def test_untranslated_heuristic():
    assert looks_untranslated("The student will be removed from the school by the principal and the police.", "en", "es")
    assert not looks_untranslated("El estudiante será retirado de la escuela por el director y la policía.", "en", "es")
    assert not looks_untranslated("Brian Baca, (505) 865-9636, SS 30-3-2 NMSA 1978", "en", "es")


def test_glossary_term_rendered_another_way(handbook_copy):
    path = handbook_copy / "handbook/pages/es/section-07.md"
    en = (handbook_copy / "handbook/pages/en/section-07.md").read_text(encoding="utf-8")
    assert "Consequences Matrix" in en
    _, before = load_and_check(handbook_copy / "mkdocs.yml")
    path.write_text(path.read_text(encoding="utf-8") + "\nLa tabla de consecuencias.\n", encoding="utf-8")
    glossary = handbook_copy / "handbook/glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "  - {en: Consequences Matrix, es: Matriz de Sanciones}\n", encoding="utf-8")
    _, after = load_and_check(handbook_copy / "mkdocs.yml")
    new = [f.message for f in after if f.topic == "glossary" and f not in before]
    assert any("Consequences Matrix" in m and "section-07.md" in m for m in new), new


def test_spanish_site_is_spanish(built_site):
    es = built_site.site_dir / "es"
    for html in es.rglob("index.html"):
        assert f'<html lang="es"' in html.read_text(encoding="utf-8"), html
    text = page_text(es / "section-05/index.html")
    assert "Esta es una traducción al español" in text
    assert "NIVEL 1" in text and "tasa de ausentismo" in text


def test_each_search_index_holds_its_own_language_only(built_site):
    for lang, other in (("en", "es"), ("es", "en")):
        index = json.loads((built_site.site_dir / lang / "search/index.json").read_text(encoding="utf-8"))
        wrong = [(index["pages"][d["p"]]["u"], d["a"]) for d in index["docs"]
                 if len(d["x"]) > 200 and looks_untranslated(d["x"], other, lang)]
        assert not wrong, (lang, wrong[:5])
        assert {index["pages"][d["p"]]["u"] for d in index["docs"]} >= {"section-05/", "section-08/"}


def test_run_checks_clean_on_fixture_and_real(handbook):
    assert run_checks(handbook) == []
