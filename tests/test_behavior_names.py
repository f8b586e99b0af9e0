"""A matrix row's name is the behavior; the value bands its printed cell also holds stay bands and print as printed."""

from __future__ import annotations

import pytest

from build_scripts.core.pages import render_language
from calculators.consequence import behavior_options, lookup_consequence

from .conftest import source_problems


def _banded_named_rows(handbook):
    return [(m, row) for m in handbook.matrices for lv in m.levels for row in lv.rows if row.printed_behavior]


def test_rows_whose_printed_cell_holds_the_bands_have_the_behavior_as_name(handbook):
    rows = _banded_named_rows(handbook)
    assert {row.id for _, row in rows} == {"vandalism"} and len(rows) == 2
    for _, row in rows:
        assert row.behavior == {"en": "Vandalism/Criminal Damage to Property/Graffiti",
                                "es": "Vandalismo/Daño criminal a la propiedad/Grafiti"}
        assert [b.label["en"] for b in row.bands] == ["Level 1: Less than $1,000", "Level 2: More than $1,000"]
        assert row.printed_behavior["en"] == row.behavior["en"] + " " + " ".join(b.label["en"] for b in row.bands)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_calculator_list_and_answer_show_the_name(data, handbook, lang):
    for matrix, row in _banded_named_rows(handbook):
        options = {o["id"]: o for o in behavior_options(matrix.school_level, lang, data=data)}
        assert options[row.id]["label"] == row.behavior[lang]
        assert "$" not in options[row.id]["label"]
        answer = lookup_consequence(row.id, matrix.school_level, 1, 300, lang, data=data)
        assert answer.behavior == row.behavior[lang]
        # what a reader may copy from the printed matrix still finds the row
        assert lookup_consequence(row.printed_behavior[lang], matrix.school_level, 1, 300, lang, data=data).behavior == row.behavior[lang]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_matrix_prints_the_cell_and_the_calculator_list_names_the_behavior(handbook, lang):
    pages = render_language(handbook, lang)
    for matrix, row in _banded_named_rows(handbook):
        matrix_page = next(pid for pid, md in pages.items() if f'<tr id="{row.id}">' in md)
        assert f'<span class="hb-behavior">{row.printed_behavior[lang]}</span>' in pages[matrix_page]
        # the calculator's list (a datalist on the page, also without JavaScript) offers the name with its code
        options = [line for line in pages["consequence-lookup"].split("<option") if f'data-row="{row.id}"' in line]
        assert options and all(o.startswith(f' value="{row.behavior[lang]} (VND, GRA)"') for o in options), options


def test_a_printed_behavior_must_begin_with_the_name(handbook_copy):
    path = handbook_copy / "handbook/data/matrices/secondary.yml"
    text = path.read_text(encoding="utf-8")
    old = "      en: Vandalism/Criminal Damage to Property/Graffiti\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, "      en: Graffiti\n"), encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert any("handbook/data/matrices/secondary.yml" in p and "printed_behavior (en) must be the name 'Graffiti'" in p for p in problems), problems
