"""One English name, one Spanish name; interface catalogues with the same keys in every language."""

from __future__ import annotations

import shutil

from build_scripts.core import catalogues
from build_scripts.core.validate import load_and_check
from build_scripts.core.catalogues import CATALOGUE_DIRS, missing_catalogue_keys
from build_scripts.core.renderings import two_way_renderings

from .conftest import PROJECT, source_problems


def test_real_handbook_has_no_two_way_renderings(handbook):
    assert two_way_renderings(handbook) == []


def _renderings(root):
    _, findings = load_and_check(root / "mkdocs.yml")
    return [f for f in findings if f.topic == "renderings"]


def test_a_second_rendering_is_reported_with_both_places(handbook_copy):
    path = handbook_copy / "handbook/data/definitions.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count("    es: ASALTO SEXUAL (SA)\n") == 1
    path.write_text(text.replace("    es: ASALTO SEXUAL (SA)\n", "    es: AGRESIÓN SEXUAL (SA)\n"), encoding="utf-8")
    found = _renderings(handbook_copy)
    assert len(found) == 1, [f.message for f in found]
    message = found[0].message
    assert "“Sexual Assault”" in message and "AGRESIÓN SEXUAL" in message and "Asalto sexual" in message
    assert any(p.startswith("handbook/data/definitions.yml:") for p in found[0].places)
    assert any(p.startswith("handbook/data/codes.yml:") for p in found[0].places)


def test_a_legend_part_is_compared_with_the_response_name(handbook_copy):
    path = handbook_copy / "handbook/data/consequences.yml"
    text = path.read_text(encoding="utf-8")
    old = "    en: Long-Term Hearing\n    es: Audiencia de suspensión a largo plazo\n"
    assert old in text
    path.write_text(text.replace(old, "    en: Long-Term Hearing\n    es: Audiencia a largo plazo\n"), encoding="utf-8")
    found = _renderings(handbook_copy)
    assert [f.message.split(" has ")[0] for f in found] == ["“Long-Term Hearing”"]
    assert any("matrices/secondary.yml" in p for p in found[0].places)
    assert any("consequences.yml" in p for p in found[0].places)


def test_a_heading_is_compared_with_the_data(handbook_copy):
    # a page heading that names a Section VII response must use the response's Spanish name
    en = (handbook_copy / "handbook/pages/en/section-03.md").read_text(encoding="utf-8")
    path = handbook_copy / "handbook/pages/es/section-03.md"
    es = path.read_text(encoding="utf-8")
    en_heading = next(line for line in en.split("\n") if line.startswith("## "))
    es_heading = next(line for line in es.split("\n") if line.startswith("## "))
    path.write_text(es.replace(es_heading, "## Otra traducción del mismo encabezado", 1), encoding="utf-8")
    codes = handbook_copy / "handbook/data/codes.yml"
    # the same English text as a data field, with the page's original Spanish
    codes.write_text(codes.read_text(encoding="utf-8") + f"- id: zz\n  code: ZZ\n  kind: behavior\n  name:\n"
                     f"    en: '{en_heading[3:]}'\n    es: '{es_heading[3:]}'\n", encoding="utf-8")
    found = _renderings(handbook_copy)
    assert any("Otra traducción del mismo encabezado" in f.message and any("pages/es/section-03.md" in p for p in f.places)
               for f in found), [f.message for f in found]


def test_the_glossary_can_allow_a_second_rendering(handbook_copy):
    path = handbook_copy / "handbook/data/definitions.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    es: ASALTO SEXUAL (SA)\n", "    es: AGRESIÓN SEXUAL (SA)\n"), encoding="utf-8")
    glossary = handbook_copy / "handbook/glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8")
                        + "  - {en: Sexual Assault, es: asalto sexual, why: a test allows the Section VI wording}\n", encoding="utf-8")
    assert _renderings(handbook_copy) == []


def test_real_catalogues_have_the_same_keys(handbook):
    assert missing_catalogue_keys(handbook.languages) == []


def _catalogue_copy(tmp_path):
    for folder in CATALOGUE_DIRS:
        dest = tmp_path / "templates" / folder
        dest.mkdir(parents=True)
        for lang in ("en", "es"):
            shutil.copy(PROJECT / "site_templates" / folder / f"{lang}.yml", dest / f"{lang}.yml")
    return tmp_path / "templates"


def test_a_catalogue_key_missing_in_one_language_fails_check(handbook_copy, tmp_path, monkeypatch):
    templates = _catalogue_copy(tmp_path)
    path = templates / "print/strings/es.yml"
    lines = path.read_text(encoding="utf-8").split("\n")
    kept = [line for line in lines if not line.startswith("page_ref:")]
    assert len(kept) == len(lines) - 1
    path.write_text("\n".join(kept), encoding="utf-8")
    form = templates / "i18n/form/en.yml"
    form.write_text(form.read_text(encoding="utf-8") + "\nonly_in_english: Only here\n", encoding="utf-8")
    monkeypatch.setattr(catalogues, "TEMPLATES", templates)
    problems = source_problems(handbook_copy)
    assert any(p.startswith("site_templates/print/strings/es.yml") and "'page_ref' is missing" in p for p in problems), problems
    assert any(p.startswith("site_templates/i18n/form/es.yml") and "'only_in_english' is missing" in p for p in problems), problems


def test_a_missing_catalogue_file_is_reported(tmp_path):
    templates = _catalogue_copy(tmp_path)
    (templates / "i18n/es.yml").unlink()
    problems = [str(p) for p in missing_catalogue_keys(["en", "es"], templates)]
    assert any(p.startswith("site_templates/i18n/es.yml") and "no 'es' catalogue" in p for p in problems), problems
