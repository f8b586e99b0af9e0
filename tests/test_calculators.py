"""The calculators package: every matrix cell reachable, tiers at their boundaries, bad input in both languages,
the handbook facts it cites, the JSON entry point, the command line and the wheel."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest

from build_scripts.parts.calculators.data import (DEFAULT_DATA_PATH, build_calculator_wheel, compile_calculator_data,
                                                  write_calculator_data)
from build_scripts.core.load import load_handbook
from build_scripts.source.reading import SourceError
from build_scripts.parts.codes import printed_code
from build_scripts.parts.matrices import matrix
from calculators import (AbsenteeResult, CalculatorInputError, ConsequenceResult, absentee_tier, behavior_options,
                         handle_request, load_data, lookup_consequence, run)
from calculators.absentee import additional_absences
from calculators.data import packaged_data
from calculators.words import LANGUAGES, WORDS
from tests.conftest import PROJECT
from tests.pyodide.cases import BAD_INPUT, value_inside

PACKAGE = PROJECT / "calculators"


@pytest.fixture(scope="session")
def data_file(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("calc") / "handbook.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def packaged(handbook):
    """The package's own data file, as `make site` writes it (so a fresh clone's tests have it too)."""
    return write_calculator_data(handbook)


def look(data, behavior, level, offense, damage=None, lang="en") -> ConsequenceResult:
    return lookup_consequence(behavior, level, offense, damage, lang, data=data)


def _rows(handbook):
    for matrix in handbook.matrices:
        for level in matrix.levels:
            for row in level.rows:
                yield matrix, level, row


def _value_inside(band) -> float:
    return value_inside(band.model_dump(exclude_none=True, exclude={"id", "label"}))


# ---------------------------------------------------------------- every cell, as printed


def test_every_matrix_cell_is_reachable_and_returns_its_printed_text(handbook, data):
    checked = 0
    for matrix, level, row in _rows(handbook):
        bands = {b.id: b for b in row.bands or []}
        for col, cell in enumerate(row.cells):
            if cell.empty:
                continue
            for lang in LANGUAGES:
                if cell.bands:
                    for band_cell in cell.bands:
                        value = _value_inside(bands[band_cell.band])
                        assert bands[band_cell.band].contains(value)
                        r = look(data, row.id, matrix.school_level, col + 1, value, lang)
                        assert r.handbook_text == band_cell.text[lang]
                        assert r.band and r.band.id == band_cell.band
                        assert r.cell_text == cell.text[lang]
                        assert [a.response for a in r.actions] == [a.response for a in band_cell.actions]
                        checked += 1
                else:
                    r = look(data, row.id, matrix.school_level, col + 1, lang=lang)
                    assert r.handbook_text == cell.text[lang]
                    assert [(a.response, a.days) for a in r.actions] == [(a.response, a.days) for a in cell.actions]
                    checked += 1
                assert (r.status, r.printed_offense, r.matrix_level) == ("printed", col + 1, level.level)
                assert r.behavior == row.behavior[lang]
    assert checked > 400


def test_rows_are_found_by_printed_name_in_any_case_and_language(handbook, data):
    for matrix, _, row in _rows(handbook):
        for lang in LANGUAGES:
            name = row.behavior[lang]
            for typed in (name, name.upper(), f"  {name.lower()} "):
                assert look(data, typed, matrix.school_level.upper(), 1, 1).behavior_id == row.id


def test_codes_find_their_row_or_name_every_row_sharing_them(handbook, data):
    for matrix, _, row in _rows(handbook):
        matrix_rows = [r for lv in matrix.levels for r in lv.rows]
        for code_id in row.codes:
            printed = printed_code(handbook, code_id)
            same_code = {c.id for c in handbook.codes.codes if c.code == printed}  # a printed code may have 2 ids
            holders = [r.id for r in matrix_rows if r is not row and same_code & set(r.codes)]
            if not holders:
                assert look(data, printed.lower(), matrix.school_level, 1, 1).behavior_id == row.id
            else:
                with pytest.raises(CalculatorInputError) as err:
                    look(data, printed, matrix.school_level, 1, 1)
                assert err.value.code == "ambiguous_code" and err.value.field == "behavior"
                for rid in [row.id, *holders]:
                    assert rid in err.value.message


def test_a_row_names_each_printed_code_once_though_two_code_entries_share_it(handbook, data):
    shared = 0
    for matrix, _, row in _rows(handbook):
        printed = [printed_code(handbook, code_id) for code_id in row.codes]
        shared += len(printed) != len(set(printed))
        result = look(data, row.id, matrix.school_level, 1, _value_inside(row.cells[0].bands[0]) if row.cells[0].bands else None)
        assert list(result.codes) == list(dict.fromkeys(printed)), row.id
        option = next(o for o in behavior_options(matrix.school_level, data=data) if o["id"] == row.id)
        assert option["codes"] == list(dict.fromkeys(printed)), row.id
    assert shared  # the handbook has such a row (a code printed twice in the code table, both meanings apply)


def test_a_code_used_by_two_rows_lists_both_in_each_language(data):
    for lang in LANGUAGES:
        with pytest.raises(CalculatorInputError) as err:
            look(data, "fwx", "elementary", 1, lang=lang)
        assert "Ammunition" in err.value.message or "Municiones" in err.value.message
        assert "(fireworks)" in err.value.message and "(ammunition)" in err.value.message
    assert "varias conductas" in err.value.message


def test_a_code_of_the_code_table_that_no_row_uses_is_named_as_such(data):
    with pytest.raises(CalculatorInputError) as err:
        look(data, "CEL", "secondary", 1)
    assert err.value.code == "code_not_in_matrix" and "CEL" in err.value.message


# ---------------------------------------------------------------- past the printed columns


def test_an_offense_beyond_the_last_column_gives_the_highest_listed_and_says_so(data):
    for lang in LANGUAGES:
        r = look(data, "forgery", "secondary", 5, lang=lang)
        assert r.status == "beyond_printed" and r.printed_offense == 3 and r.offense == 5
        assert r.handbook_text == ("3-day OSS" if lang == "en" else "3 días de OSS")
        assert r.notes[0].kind == "status"
        assert ("5th" if lang == "en" else "5.ª") in r.notes[0].text and r.notes[0].text in r.summary


def test_a_row_whose_first_offense_is_expulsion_says_it_has_no_later_entries(handbook, data):
    rows = [(m, row) for m, _, row in _rows(handbook)
            if [a.response for a in row.cells[0].actions] == ["e"] and all(c.empty for c in row.cells[1:])]
    assert len(rows) >= 8
    for matrix, row in rows:
        for offense in (2, 3, 7):
            r = look(data, row.id, matrix.school_level, offense)
            assert r.status == "no_later_entry" and r.printed_offense == 1
            assert r.handbook_text == "EXPULSION"
            assert "1st offense (EXPULSION)" in r.notes[0].text


def test_a_row_ending_at_its_second_offense_says_so(data):
    r = look(data, "threats", "secondary", 3, lang="es")
    assert r.status == "no_later_entry" and r.printed_offense == 2
    assert "2.ª infracción (EXPULSIÓN)" in r.notes[0].text


# ---------------------------------------------------------------- values


def test_a_banded_row_without_a_value_asks_for_it_in_each_language(data):
    for lang in LANGUAGES:
        with pytest.raises(CalculatorInputError) as err:
            look(data, "vandalism", "elementary", 1, lang=lang)
        assert err.value.field == "damage_usd" and isinstance(err.value, ValueError)
        assert WORDS[lang]["field_damage_usd"] in err.value.message


def test_exactly_1000_dollars_of_vandalism_is_a_gap_shown_not_guessed(data):
    r = look(data, "vandalism", "elementary", 1, 1000)
    assert r.value_gap and r.value_status == "gap" and r.band is None and r.actions == ()
    assert r.handbook_text == r.cell_text == "Level 1: 3-days OSS Level 2: 5-day OSS"
    assert [o.handbook_text for o in r.band_options] == ["Level 1: 3-days OSS", "Level 2: 5-day OSS"]
    assert "$1,000" in r.notes[0].text and "exactly" in r.notes[0].text
    assert look(data, "vandalism", "elementary", 1, "$1,000.01").band.id == "level-2"
    assert look(data, "vandalism", "elementary", 1, 999.99).band.id == "level-1"


def test_a_gap_where_every_band_agrees_still_says_so_but_gives_the_response(data):
    r = look(data, "vandalism", "secondary", 3, 1000, lang="es")
    assert r.value_gap and [a.response for a in r.actions] == ["lts"]
    assert "exactamente $1,000" in r.notes[0].text


def test_arson_has_no_gap_at_250_because_level_2_starts_there(data):
    assert look(data, "arson", "elementary", 1, 250).band.id == "level-2"
    assert look(data, "arson", "elementary", 1, 249.99).band.id == "level-1"


def test_larceny_rows_report_a_value_outside_their_range_and_the_elementary_250_gap(data):
    assert look(data, "larceny-1", "elementary", 1, 100).value_status == "in_range"
    outside = look(data, "LAR 1", "elementary", 1, 300)
    assert outside.value_status == "outside_row" and "Larceny 2 More than $250" in outside.notes[0].text
    assert outside.behavior_id == "larceny-1"  # reported, not silently switched
    gap = look(data, "larceny-2", "elementary", 2, 250)
    assert gap.value_status == "not_covered" and gap.value_gap and "$250" in gap.notes[0].text
    assert look(data, "larceny-1", "secondary", 1, 250).value_status == "in_range"  # "$250 and below"
    assert look(data, "forgery", "secondary", 1, 40).value_status == "not_used"


# ---------------------------------------------------------------- what a result carries


def test_a_result_links_its_definitions_and_explains_each_response(data):
    r = look(data, "forgery", "elementary", 2)
    assert (r.matrix_page, r.row_anchor, r.matrix_level) == ("matrix-elementary", "forgery", 1)
    assert [(d.id, d.page, d.anchor, d.codes) for d in r.definitions] == [("forgery", "section-06", "forgery", ("FOR",))]
    meaning = {m.code: m for m in r.meanings}
    assert meaning["OSS"].explained_by == "sts" and (meaning["OSS"].page, meaning["OSS"].anchor) == ("section-07", "sts")
    assert meaning["OSS"].appealable is False and meaning["BC"].explained_by == "bec"
    assert r.plain_language == "Behavior Contract; Out of School Suspension, 1 school day"
    es = look(data, "forgery", "elementary", 2, lang="es")
    assert es.plain_language == "Contrato de conducta; Suspensión fuera de la escuela, 1 día escolar"


def test_long_term_responses_carry_the_due_process_path_from_the_data(handbook, data):
    dp = handbook.due_process
    r = look(data, "burglary", "secondary", 1)
    kinds = [n.kind for n in r.notes]
    assert kinds == ["discretion", "due_process", "disabilities", "iep_review"]
    steps = next(n for n in r.notes if n.kind == "due_process").steps
    assert [(s.id, s.days, s.unit) for s in steps] == [(s.id, s.within.days, s.within.unit) for s in dp.long_term.steps]
    assert [s.days for s in steps] == [10, 10, 3]
    assert all(s.quote.text == d.quote["en"] and s.quote.page == "section-08" for s, d in zip(steps, dp.long_term.steps))
    disabilities = next(n for n in r.notes if n.kind == "disabilities")
    assert "45 school days" in disabilities.text
    assert [q.page for q in disabilities.quotes] == ["matrix-secondary", "section-09"]
    assert next(n for n in r.notes if n.kind == "iep_review").quotes[0].text == \
        dp.students_with_disabilities.iep_review.quote["en"]


def test_short_suspensions_say_they_are_not_subject_to_appeal(handbook, data):
    r = look(data, "defiance", "elementary", 2, lang="es")
    kinds = [n.kind for n in r.notes]
    assert "short_term" in kinds and "due_process" not in kinds and "iep_review" not in kinds
    note = next(n for n in r.notes if n.kind == "short_term")
    assert "1–10 días escolares" in note.text and "no están sujetas a apelación" in note.text
    assert note.quotes[0].text == handbook.due_process.short_term_suspension.quote["es"]


def test_every_result_carries_the_discretion_notes(handbook, data):
    dp = handbook.due_process
    r = look(data, "dress-code", "elementary", 1)
    discretion = r.notes[0]
    assert discretion.kind == "discretion"
    assert [q.text for q in discretion.quotes] == [dp.minimum_guideline.quote["en"], dp.administrative_discretion.quote["en"],
                                                  matrix(handbook, "elementary").guidance["en"]]


def test_result_to_dict_is_json_ready(data):
    r = look(data, "vandalism", "elementary", 1, 1000, lang="es")
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["calculator"] == "consequence" and d["value_gap"] is True and d["band"] is None
    assert d["handbook_text"] == r.handbook_text and len(d["band_options"]) == 2
    with pytest.raises(AttributeError):
        r.offense = 3  # frozen


# ---------------------------------------------------------------- absentee


@pytest.mark.parametrize("absent, enrolled, percent, tier, rule, chronic", [
    (499, 10000, 4.99, 1, "as_printed", False),
    (5, 100, 5, 2, "as_printed", False),
    (199, 2000, 9.95, 2, "gap", False),
    (99, 1000, 9.9, 2, "as_printed", False),
    (10, 100, 10, 3, "as_printed", True),
    (1999, 10000, 19.99, 3, "gap", True),
    (20, 100, 20, 4, "as_printed", True),
])
def test_tier_boundaries(data, absent, enrolled, percent, tier, rule, chronic):
    for lang in LANGUAGES:
        t = absentee_tier(absent, enrolled, lang, data=data)
        assert (t.rate_percent, t.tier, t.rule, t.chronic) == (percent, tier, rule, chronic)
        assert isinstance(t, AbsenteeResult)


def test_the_gap_rule_is_explained_in_the_result(data):
    t = absentee_tier(199, 2000, "es", data=data)
    assert t.rule == "gap" and "5%-9.9%" in t.rule_text and "NIVEL 3" in t.rule_text and "10%" in t.rule_text


def test_the_issue_example_14_absences_in_120_days(handbook, data):
    t = absentee_tier(14, 120, data=data)
    assert (t.tier, t.rate_percent, t.chronic) == (3, 11.667, True)
    assert t.handbook_text == handbook.attendance.tiers[2].text["en"]
    assert t.next_tier.tier == 4 and t.next_tier.additional_absences == 12.5
    assert t.referral is None and t.absences_counted == ("excused", "unexcused")
    assert t.to_dict()["next_tier"]["from_percent"] == 20


def test_half_days_count_and_a_decimal_comma_is_read_in_spanish_only(data):
    # issue 12: the comma is a decimal mark only in Spanish; in English it only separates thousands (1,000)
    assert absentee_tier("14,5", "120", "es", data=data).rate_percent == \
        absentee_tier(14.5, 120, data=data).rate_percent == 12.083
    with pytest.raises(CalculatorInputError) as err:
        absentee_tier("14,5", "120", "en", data=data)
    assert err.value.field == "days_absent" and err.value.code == "not_number" and "14.5" not in err.value.message


@pytest.mark.parametrize("absent, enrolled", [(14, 120), (0, 10), (0.5, 180.5), (17, 180), (499, 10000), (1999, 10000)])
def test_absences_to_the_next_tier_are_the_fewest_half_days_that_reach_it(data, absent, enrolled):
    t = absentee_tier(absent, enrolled, data=data)
    more = Fraction(t.next_tier.additional_absences)
    start = Fraction(t.next_tier.from_percent) / 100
    a, e = Fraction(absent), Fraction(enrolled)
    assert (a + more) / (e + more) >= start
    assert (a + more - Fraction(1, 2)) / (e + more - Fraction(1, 2)) < start
    assert absentee_tier(float(a + more), float(e + more), data=data).tier == t.next_tier.tier
    assert additional_absences(a + more, e + more, start * 100) == 0


def test_the_last_tier_gives_the_referral_and_no_next_tier(handbook, data):
    t = absentee_tier(30, 100, "es", data=data)
    after = handbook.attendance.after_last_tier
    assert t.tier == 4 and t.next_tier is None
    assert t.referral.title == after.title["es"] and list(t.referral.items) == [i["es"] for i in after.items]


# ---------------------------------------------------------------- bad input, both languages


def _call(data, calculator, args, lang):
    if calculator == "absentee":
        return absentee_tier(args.get("days_absent"), args.get("days_enrolled"), lang, data=data)
    return lookup_consequence(args.get("behavior"), args.get("school_level"), args.get("offense"),
                              args.get("damage_usd"), lang, data=data)


@pytest.mark.parametrize("calculator, args, field", BAD_INPUT, ids=[f"{c}-{f}-{i}" for i, (c, _, f) in enumerate(BAD_INPUT)])
def test_bad_input_says_what_to_fix_in_the_readers_language(data, calculator, args, field):
    messages = {}
    for lang in LANGUAGES:
        with pytest.raises(CalculatorInputError) as err:
            _call(data, calculator, args, lang)
        assert isinstance(err.value, ValueError)
        assert err.value.field == field and err.value.lang == lang
        assert WORDS[lang][f"field_{field}"].casefold() in err.value.message.casefold()  # names the input to fix
        assert "Traceback" not in err.value.message
        messages[lang] = err.value.message
    assert messages["en"] != messages["es"]


def test_bad_input_messages_read_right(data):
    def message(calc, args, lang):
        with pytest.raises(CalculatorInputError) as err:
            _call(data, calc, args, lang)
        return err.value.message

    assert message("absentee", {"days_absent": -1, "days_enrolled": 5}, "es") == \
        "Días de ausencia: no puede ser negativo. Escriba 0 o más."
    assert message("absentee", {"days_absent": 11, "days_enrolled": 10}, "en") == \
        "Days absent (11) cannot be more than days enrolled (10). Check both numbers."
    assert message("absentee", {"days_absent": float("nan"), "days_enrolled": 10}, "en") == \
        "Days absent: enter an ordinary number (not NaN or infinity)."
    assert message("absentee", {"days_absent": 1, "days_enrolled": math.inf}, "es") == \
        "Días de inscripción: escriba un número común (no NaN ni infinito)."
    assert message("consequence", {"behavior": "forgery", "school_level": "elementary", "offense": 0}, "es") == \
        "Número de infracción: debe ser 1 o más (1 = primera infracción)."
    assert "elementary, secondary" in message("consequence", {"behavior": "x", "school_level": "k8", "offense": 1}, "en")


def test_an_unknown_language_is_refused(data):
    with pytest.raises(CalculatorInputError) as err:
        absentee_tier(1, 10, "fr", data=data)
    assert err.value.field == "lang"
    assert absentee_tier(1, 10, "es-MX", data=data).lang == "es"


# ---------------------------------------------------------------- JSON entry point (what a Web Worker calls)


def test_handle_request_answers_json_with_json(data):
    ok = json.loads(handle_request(json.dumps({"calculator": "absentee", "lang": "es",
                                               "args": {"days_absent": 14, "days_enrolled": 120}}), data=data))
    assert ok["ok"] is True and ok["result"]["tier"] == 3 and ok["result"]["lang"] == "es"
    bad = json.loads(handle_request('{"calculator": "consequence", "lang": "es", "args": '
                                    '{"behavior": "arson", "school_level": "elementary", "offense": 1}}', data=data))
    assert bad == {"ok": False, "error": {"message": bad["error"]["message"], "field": "damage_usd",
                                          "code": "damage_required"}}
    assert "Escriba el valor en dólares" in bad["error"]["message"]
    for text, code in [("{oops", "bad_json"), ('{"calculator": "x"}', "unknown_calculator"), ("[]", "bad_request"),
                       ('{"calculator": "absentee", "args": {"weeks": 1}}', "unexpected_arg")]:
        assert json.loads(handle_request(text, data=data))["error"]["code"] == code


def test_handle_request_lays_the_answer_out_for_a_page(data):
    response = json.loads(handle_request(json.dumps({"calculator": "consequence", "lang": "es", "args": {
        "behavior": "burglary", "school_level": "secondary", "offense": "4"}}), data=data))
    view, result = response["view"], response["result"]
    assert view["quote"] == result["handbook_text"] == "LTS"  # the handbook's words first
    assert "3.ª infracción" in view["quote_label"] and "4.ª infracción" in view["title"]
    assert view["paragraphs"][0] == result["notes"][0]["text"] and result["plain_language"] in view["paragraphs"][-1]
    definitions = view["sections"][0]
    assert definitions["items"][0]["link"] == {"page": "section-06", "anchor": "burglary"}
    headings = [s["heading"] for s in view["sections"]]
    assert "Debido proceso: Suspensión a largo plazo" in headings
    absentee = json.loads(handle_request(json.dumps({"calculator": "absentee", "lang": "en", "args": {
        "days_absent": "30", "days_enrolled": "100"}}), data=data))["view"]
    assert absentee["title"].startswith("TIER 4") and absentee["sections"][0]["heading"].startswith("Student/Family")
    assert "view" not in json.loads(handle_request('{"calculator": "school_levels"}', data=data))


def test_handle_request_never_returns_a_traceback(data):
    broken = {**data, "matrices": [{**data["matrices"][0], "rows": None}]}
    response = run({"calculator": "consequence", "lang": "es",
                    "args": {"behavior": "forgery", "school_level": "elementary", "offense": 1}}, data=broken)
    assert response == {"ok": False, "error": {"message": WORDS["es"]["err_internal"], "field": None, "code": "internal"}}


def test_behavior_options_list_every_row_for_a_picker(handbook, data):
    for matrix in handbook.matrices:
        rows = [row for lv in matrix.levels for row in lv.rows]
        options = behavior_options(matrix.school_level, "es", data=data)
        assert [(o["id"], o["label"]) for o in options] == [(row.id, row.behavior["es"]) for row in rows]
        by_id = {o["id"]: o for o in options}
        assert by_id["vandalism"]["needs_value"] and not by_id["forgery"]["needs_value"]
        assert by_id["forgery"]["codes"] == ["FOR"] and "for" in by_id["forgery"]["search"].split()
        assert "forgery" in by_id["forgery"]["search"]  # the English name finds it too


# ---------------------------------------------------------------- data: one source of truth


def test_compiled_data_round_trips_through_the_package_file(handbook, data, packaged):
    assert packaged == DEFAULT_DATA_PATH and load_data(packaged) == data
    assert packaged_data() == json.loads(json.dumps(data))
    assert lookup_consequence("FOR", "elementary", 2).handbook_text == "Behavior Contract/1-day OSS"


def test_the_package_holds_no_handbook_sentence(data):
    sources = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    texts: set[str] = set()

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in LANGUAGES and isinstance(value, str) and len(value) >= 25:
                    texts.add(value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(data)
    assert len(texts) > 300
    assert [t for t in texts if t in sources] == []
    for phrase in ("Los Lunas", "CYFD", "Valencia", "District Hearing Officer"):
        assert phrase not in sources


def test_due_process_quotes_are_the_handbooks_sentences(handbook, source_lines):
    source = re.sub(r"\s+", " ", "\n".join(source_lines))
    dp = handbook.due_process
    quotes = [dp.minimum_guideline, dp.administrative_discretion, dp.short_term_suspension,
              *dp.long_term.steps, dp.students_with_disabilities.interim_setting, dp.students_with_disabilities.iep_review]
    for q in quotes:
        assert q.quote["en"] in source, q.quote["en"][:60]
        assert set(q.quote) == set(handbook.languages)
    assert [s.within.days for s in dp.long_term.steps] == [10, 10, 3]
    assert dp.students_with_disabilities.interim_setting.max_days == 45
    assert (dp.short_term_suspension.days.min, dp.short_term_suspension.days.max) == (1, 10)


def test_a_misquoted_due_process_sentence_is_reported_with_file_and_line(handbook_copy):
    path = handbook_copy / "handbook" / "data" / "due_process.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("within ten (10) school days after the student", "within ten school days after the student"),
                    encoding="utf-8")
    with pytest.raises(SourceError) as err:
        compile_calculator_data(load_handbook(handbook_copy / "handbook"))
    assert re.search(r"handbook/data/due_process\.yml:\d+ \(long_term\.steps\[1\]\.quote\.en\): not found word for word",
                     str(err.value))


def test_the_calculators_work_on_another_handbook():
    mini = load_handbook(PROJECT / "tests" / "fixtures" / "mini" / "handbook")
    data = compile_calculator_data(mini)
    assert data["due_process"] is None and data["languages"] == ["en"]
    r = lookup_consequence("LAT", "all", 2, data=data)
    assert (r.handbook_text, r.status) == ("1-day DET", "printed")
    assert look(data, "noise", "all", 2).status == "no_later_entry"
    assert [n.kind for n in r.notes] == ["discretion", "disabilities"]
    assert absentee_tier(3, 20, data=data).tier == 2


# ---------------------------------------------------------------- command line


def _cli(*args: str, data_file: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--data", str(data_file)] if data_file else []
    return subprocess.run([sys.executable, "-m", "calculators", *extra, *args], capture_output=True, text=True,
                          cwd=PROJECT, encoding="utf-8")


def test_cli_consequence_human_and_json(data_file):
    out = _cli("consequence", "FOR", "--level", "elementary", "--offense", "2", data_file=data_file)
    assert out.returncode == 0 and "Behavior Contract/1-day OSS" in out.stdout
    out = _cli("consequence", "vandalism", "--level", "elementary", "--offense", "2", "--damage", "300", "--lang", "es",
               "--json", data_file=data_file)
    result = json.loads(out.stdout)
    assert out.returncode == 0 and result["handbook_text"] == "Nivel 1: 5 días de OSS" and result["lang"] == "es"


def test_cli_absentee(data_file):
    out = _cli("absentee", "--absent", "14", "--enrolled", "120", "--lang", "es", data_file=data_file)
    assert out.returncode == 0 and "NIVEL 3" in out.stdout and "11.667%" in out.stdout
    result = json.loads(_cli("absentee", "--absent", "14", "--enrolled", "120", "--json", data_file=data_file).stdout)
    assert result["tier"] == 3


@pytest.mark.parametrize("args, message", [
    (["absentee", "--absent", "-3", "--enrolled", "120", "--lang", "es"], "Días de ausencia: no puede ser negativo."),
    (["absentee", "--absent", "130", "--enrolled", "120"], "cannot be more than days enrolled"),
    (["consequence", "arson", "--level", "elementary"], "Enter the value in dollars."),
    (["consequence", "FOR", "--level", "middle", "--lang", "es"], "no es un nivel escolar"),
    (["consequence", "FOR", "--level", "elementary", "--offense", "0"], "must be 1 or more"),
])
def test_cli_bad_input_exits_2_with_the_message(data_file, args, message):
    out = _cli(*args, data_file=data_file)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr and out.stdout == ""


def test_cli_uses_the_packaged_data_by_default(packaged):
    out = _cli("consequence", "AR", "--level", "secondary", "--damage", "10")
    assert out.returncode == 0 and "Level 1(Less than $250): 5-day OSS" in out.stdout


# ---------------------------------------------------------------- the wheel a page installs


def test_the_wheel_is_complete_and_installs_on_its_own(handbook, tmp_path):
    wheel = build_calculator_wheel(handbook, tmp_path / "dist")
    assert wheel.name == "handbook_calculators-0.1.0-py3-none-any.whl"
    assert build_calculator_wheel(handbook, tmp_path / "again").read_bytes() == wheel.read_bytes()  # reproducible
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        record = zf.read("handbook_calculators-0.1.0.dist-info/RECORD").decode().splitlines()
        for line in record:
            name, digest, size = line.rsplit(",", 2)
            if digest:
                payload = zf.read(name)
                expected = base64.urlsafe_b64encode(hashlib.sha256(payload).digest()).rstrip(b"=").decode()
                assert digest == f"sha256={expected}" and int(size) == len(payload)
        assert {line.split(",")[0] for line in record} == set(names)
        zf.extractall(tmp_path / "site-packages")
    assert "calculators/data/handbook.json" in names and "calculators/cli.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    code = ("import calculators, json; print(calculators.__file__); "
            "print(json.dumps(calculators.lookup_consequence('AR', 'elementary', 1, 10).handbook_text))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path / "site-packages")
    assert out.returncode == 0, out.stderr
    where, text = out.stdout.splitlines()
    assert where.startswith(str(tmp_path / "site-packages")) and json.loads(text) == "Level 1(Less than $250): 3-days OSS"
