"""The consequence lookup follows the reader from one school level to another (issue 23, item 1): a behavior chosen
under one level maps to its row in the other matrix (rows matched by their codes), or the form says it is listed
differently there and offers the matching rows, or that it is not there; never an error about the matrix. The
CPython rule is checked on generated matrices (Hypothesis) and on every row of the real ones; the page, for every
row of each matrix switched to every other level, in both languages."""

from __future__ import annotations

import json
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_scripts.source.i18n import load_strings
from calculators import handle_request
from calculators.consequence import counterparts
from tests.test_calculator_widgets import LANGS, open_calculator

# ---------------------------------------------------------------- the rule (CPython)

codes = st.frozensets(st.sampled_from("abcdef"), max_size=3)
rows = st.lists(st.tuples(st.text(string.ascii_lowercase, min_size=1, max_size=3), codes), max_size=8)


def matrix_of(pairs) -> dict:
    return {"rows": [{"id": rid, "codes": sorted(c)} for rid, c in pairs]}


@settings(max_examples=300, deadline=None)
@given(row=st.tuples(st.text(string.ascii_lowercase, min_size=1, max_size=3), codes), other=rows)
def test_counterparts_share_a_code_and_prefer_the_same_codes(row, other):
    mine = {"id": row[0], "codes": sorted(row[1])}
    matrix = matrix_of(other)
    found = counterparts(mine, matrix)
    assert all(r in matrix["rows"] for r in found)
    if not mine["codes"]:  # no code to match by: the row with its id
        assert found == [r for r in matrix["rows"] if r["id"] == mine["id"]]
        return
    assert all(set(r["codes"]) & set(mine["codes"]) for r in found)
    same = [r for r in matrix["rows"] if set(r["codes"]) == set(mine["codes"])]
    if len(same) == 1:
        assert found == same
    elif not same:  # no row with exactly its codes: every row sharing one is offered
        assert found == [r for r in matrix["rows"] if set(r["codes"]) & set(mine["codes"])]


def ask(data, lang: str, behavior: str, level: str) -> dict:
    request = {"calculator": "consequence", "lang": lang, "args": {"behavior": behavior, "school_level": level,
                                                                   "offense": "1", "damage_usd": "10"}}
    return json.loads(handle_request(json.dumps(request), data=data))


def switches(data):
    """(row, the matrix it is chosen in, the matrix switched to) for every row and every other matrix."""
    return [(row, mine, other) for mine in data["matrices"] for other in data["matrices"] if other is not mine
            for row in mine["rows"]]


@pytest.mark.parametrize("lang", LANGS)
def test_every_behavior_asked_under_the_other_level_is_answered_or_offered(data, lang):
    assert len(data["matrices"]) >= 2
    for row, mine, other in switches(data):
        found = counterparts(row, other)
        for typed in (row["id"], row["behavior"][lang]):
            answer = ask(data, lang, typed, other["school_level"])
            if any(r["id"] == row["id"] for r in other["rows"]) and typed == row["id"]:
                continue  # the same id in the other matrix is that matrix's row, asked by id
            if len(found) == 1:
                assert answer["ok"], (row["id"], other["id"], answer)
                assert answer["result"]["behavior_id"] == found[0]["id"]
            else:
                assert answer["error"]["code"] == ("listed_differently" if found else "not_in_this_matrix")
                assert answer["error"]["field"] == "behavior"
                for match in found:
                    assert match["behavior"][lang] in answer["error"]["message"]


# ---------------------------------------------------------------- the page

# Every row of each matrix, chosen under its level, then the other level chosen: what the form shows, and the
# answer it gives (after picking the first offered row when several match). One script: a hundred rounds in seconds.
SWITCH_EVERY_ROW = """async () => {
  const widget = document.querySelector('[data-calculator="consequence"]');
  const form = widget.querySelector("form");
  const input = form.querySelector('[name="behavior"]');
  const note = widget.querySelector(".hb-calc__picker-note");
  const box = widget.querySelector(".hb-calc__result");
  const radios = Array.from(form.querySelectorAll('[name="school_level"]'));
  const answered = () => new Promise((resolve) => {
    const started = Date.now();
    (function poll() {
      if (box.firstChild || form.querySelector(".hb-calc__field-error") || Date.now() - started > 10000) resolve();
      else setTimeout(poll, 5);
    })();
  });
  const out = [];
  for (const from of radios) for (const to of radios) {
    if (from === to) continue;
    for (const option of form.querySelectorAll(`datalist[data-matrix="${from.dataset.matrix}"] option`)) {
      from.click();
      input.value = option.value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      to.click();
      const seen = { from: from.dataset.matrix, to: to.dataset.matrix, row: option.dataset.row,
                     value: input.value, note: note.innerText.trim(),
                     choices: Array.from(note.querySelectorAll("button"), (b) => b.textContent) };
      const choice = note.querySelector("button");
      if (choice) choice.click();
      if (input.value) {
        box.textContent = "";
        form.querySelector('[name="damage_usd"]').value = "10";
        form.requestSubmit();
        await answered();
        const error = form.querySelector(".hb-calc__field-error") || box.querySelector(".hb-calc__error");
        seen.error = error ? error.innerText : null;
        seen.title = box.querySelector(".hb-calc__title") ? box.querySelector(".hb-calc__title").innerText : null;
      }
      out.push(seen);
    }
  }
  return out;
}"""


def fold(text: str) -> str:
    """As the picker compares names: case and accents aside."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def label(row, lang: str, data) -> str:
    printed = sorted({data["codes"][c]["code"] for c in row["codes"]}, key=[data["codes"][c]["code"] for c in row["codes"]].index)
    return row["behavior"][lang] + (f" ({', '.join(printed)})" if printed else "")


@pytest.mark.parametrize("lang", LANGS)
def test_every_behavior_follows_the_reader_to_the_other_level(page, site_url, data, lang):
    words = load_strings(lang)
    matrices = {m["id"]: m for m in data["matrices"]}
    open_calculator(page, f"{site_url}{lang}/consequence-lookup/")
    seen = page.evaluate(SWITCH_EVERY_ROW)
    assert len(seen) == len(switches(data))
    for s in seen:
        row = next(r for r in matrices[s["from"]]["rows"] if r["id"] == s["row"])
        found = counterparts(row, matrices[s["to"]])
        where = page.locator(f'[name="school_level"][data-matrix="{s["to"]}"]').locator("xpath=..").inner_text().strip()
        if len(found) == 1:
            assert s["value"] == label(found[0], lang, data), s
            assert s["choices"] == []
            if fold(s["value"]) != fold(label(row, lang, data)):  # listed under another name: the reader is told so
                assert s["note"] == words["calc_listed_as"].format(matrix=where, name=s["value"])
        else:
            assert s["value"] == ""
            assert s["choices"] == [label(r, lang, data) for r in found], s
            key = "calc_listed_differently" if found else "calc_not_listed"
            assert s["note"].startswith(words[key].format(matrix=where, name=label(row, lang, data))), s
        if found:  # an answer, never an error about the matrix
            assert s["error"] is None and s["title"], s
    assert page.js_errors == []
