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


# issue 23: the one-name check reads the slashed matrix names, every catalogue and the glossary's plain terms;
# the glossary's matching is by whole words, so its seven false alarms are gone.

import re  # noqa: E402

from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from build_scripts.core import renderings  # noqa: E402
from build_scripts.core.load import load_handbook  # noqa: E402
from build_scripts.parts import glossary  # noqa: E402


def _edited_handbook(tmp_path, rel, old, new):
    """A copy of the real handbook folder with one exact text replaced once, loaded."""
    root = tmp_path / "handbook"
    shutil.copytree(PROJECT / "handbook", root)
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_handbook(root)


def _about(findings, english):
    return [f for f in findings if f.message.startswith(f"“{english}” has ")]


def test_a_second_rendering_in_a_catalogue_is_reported(handbook, tmp_path, monkeypatch):
    # the form says "Comprobante" where the staff pages say "Recibo": the family quotes a receipt staff look up
    folders = []
    for folder, insert in renderings.YAML_CATALOGUES:
        copy = tmp_path / str(len(folders))
        shutil.copytree(folder, copy)
        folders.append((copy, insert))
    form = folders[2][0] / "es.yml"
    assert "\nreceipt: Recibo\n" in form.read_text(encoding="utf-8")
    form.write_text(form.read_text(encoding="utf-8").replace("\nreceipt: Recibo\n", "\nreceipt: Comprobante\n"), encoding="utf-8")
    monkeypatch.setattr(renderings, "YAML_CATALOGUES", tuple(folders))
    found = _about(two_way_renderings(handbook), "Receipt")
    assert len(found) == 1, [f.message for f in two_way_renderings(handbook)]
    assert "“Comprobante”" in found[0].message and "“Recibo”" in found[0].message
    assert any(p.startswith(f"{form.as_posix()}:") for p in found[0].places), found[0].places
    assert any(p.startswith(f"{(folders[3][0] / 'es.yml').as_posix()}:") for p in found[0].places), found[0].places


def test_the_calculators_words_are_a_catalogue_too(handbook):
    texts = renderings.catalogue_texts(handbook, "es")
    places = {place.split(":")[0] for _, _, place in texts}
    assert {"calculators/words.py", "calculators/deadline_words.py", "receiver/strings/es.yml",
            "site_templates/i18n/form/es.yml", "site_templates/print/strings/es.yml", "site_templates/i18n/es.yml"} <= places
    # the place is the line of the key in the Spanish words
    english, translated, place = next(t for t in texts if t[0] == "Days absent" and t[2].startswith("calculators/"))
    file, line = place.split(":")
    assert '"field_days_absent": "Días de ausencia"' in (PROJECT / file).read_text(encoding="utf-8").split("\n")[int(line) - 1]


def test_a_handbook_without_form_or_calculator_reads_neither_catalogue():
    prose = load_handbook(PROJECT / "tests/fixtures/prose/handbook")
    places = {place.split(":")[0] for _, _, place in renderings.catalogue_texts(prose, "es")}
    assert places == {"site_templates/i18n/es.yml", "site_templates/print/strings/es.yml"}


def test_a_slashed_matrix_name_is_compared_with_the_code_table(tmp_path):
    hb = _edited_handbook(tmp_path, "data/matrices/secondary.yml", "Ciberacoso/Acoso sexual/Acecho",
                          "Ciberacoso/Hostigamiento (sexual)/Acecho")
    found = _about(two_way_renderings(hb), "Sexual Harassment")
    assert len(found) == 1, [f.message for f in two_way_renderings(hb)]
    assert "“Hostigamiento (sexual)”" in found[0].message and "“Acoso sexual”" in found[0].message
    assert any("matrices/secondary.yml" in p for p in found[0].places)
    assert any("codes.yml" in p for p in found[0].places)


def test_a_plain_term_rendered_another_way_is_reported(tmp_path):
    hb = _edited_handbook(tmp_path, "data/deadlines.yml", "significa días hábiles de las oficinas",
                          "significa días laborables de las oficinas")
    found = _about(two_way_renderings(hb), "working days")
    assert len(found) == 1, [f.message for f in two_way_renderings(hb)]
    message = found[0].message
    assert "“días hábiles”" in message and "another wording (handbook/data/deadlines.yml:22)" in message, message
    # the calculators' words and the pages count too: "días hábiles" is found there
    assert any(p.startswith("calculators/deadline_words.py:") for p in found[0].places)
    assert any(p.startswith("handbook/pages/es/section-08.md:") for p in found[0].places)


def test_a_plain_term_is_checked_only_when_the_glossary_lists_it(tmp_path):
    hb = _edited_handbook(tmp_path, "glossary.yml", "  - {en: working days, es: días hábiles, kind: term}\n", "")
    assert renderings.plain_term_renderings(hb, "es") == []


def test_the_glossary_check_finds_nothing_in_this_handbook(handbook):
    assert glossary.findings(handbook) == []


# The seven false alarms of the glossary check, each as written in this handbook.
FALSE_ALARMS = [
    ("appeal", "Appeals to the Assistant Superintendent or Superintendent", "Apela ante el Superintendente"),
    ("hearing", "Gives a decision after hearing the grievance", "Toma una decisión después de escuchar el reclamo"),
    ("School Board", "a parent may request an appeal to the Los Lunas Schools Board President",
     "el padre o la madre puede solicitar al Presidente de la Junta de Los Lunas Schools una apelación"),
    ("harassment", "Bullying/Cyber Bullying/Harassment (Sexual)/Stalking", "Acoso escolar/Ciberacoso/Acoso sexual/Acecho"),
    ("harassment", "SEXUAL HARASSMENT (SHR)", "ACOSO SEXUAL (SHR)"),
    ("long-term suspension", "short or long-term suspension from school", "suspensión a corto o a largo plazo de la escuela"),
    ("tier", "The tiers:\n<!-- insert: attendance-tiers -->", "Los niveles:\n<!-- insert: attendance-tiers -->"),
    ("bullying", "Examples of cyber bullying include:", "Algunos ejemplos de ciberacoso son:"),
]


def _alarm(hb, english, en_text, es_text):
    matcher = glossary.TermMatcher(hb.glossary.terms, "en")
    term = next(t for t in hb.glossary.terms if t["en"] == english)
    return bool(matcher.count_source(english, en_text)) and not matcher.count_target(term, "es", es_text)


def test_the_seven_false_alarms_are_not_raised(handbook):
    for english, en_text, es_text in FALSE_ALARMS:
        assert not _alarm(handbook, english, en_text, es_text), (english, en_text)


def test_a_real_miss_is_still_an_alarm(handbook):
    assert _alarm(handbook, "harassment", "Harassment of a classmate", "Acoso de un compañero")
    assert _alarm(handbook, "School Board", "The School Board decides.", "La Junta decide.")
    assert _alarm(handbook, "tier", "A student in tier 2", "Un estudiante en el grupo 2")
    assert _alarm(handbook, "appeal", "The appeal is heard", "El recurso se escucha")


@settings(max_examples=60, deadline=None)
@given(before=st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=8),
       after=st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=8),
       filler=st.text(alphabet="abcdefghijklmnopqrstuvwxyz .,;:()", max_size=30))
def test_a_term_counts_only_as_whole_words(before, after, filler):
    assume(after not in ("s", "es"))  # a plural is the term
    matcher = glossary.TermMatcher([{"en": "detention", "es": "detención"}], "en")
    assert matcher.count_source("detention", f"{filler} {before}detention {filler}") == 0
    assert matcher.count_source("detention", f"{filler} detention{after} {filler}") == 0
    standalone = f"{filler} (detention) {filler}"
    assert matcher.count_source("detention", standalone) == 1 + len(re.findall(r"(?<![\w-])detention(?:s|es)?(?![\w-])", filler)) * 2


def test_a_mistyped_glossary_kind_or_key_names_file_and_entry(handbook_copy):
    glossary_file = handbook_copy / "handbook/glossary.yml"
    original = glossary_file.read_text(encoding="utf-8")
    for entry, expected in (("  - {en: school days, es: días escolares, kind: trem}\n", "kind is 'trem'"),
                            ("  - {en: school days, es: días escolares, also: días lectivos}\n", "unknown key 'also'")):
        glossary_file.write_text(original + entry, encoding="utf-8")
        problems = source_problems(handbook_copy)
        assert any(p.startswith("handbook/glossary.yml") and expected in p for p in problems), problems
