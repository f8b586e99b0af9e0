"""What parents trip on (issue 23), tried as they would: on a 375 px phone, with the keyboard alone, in forced colours,
in both languages. Every control of the calculators and the sign-off form: one focus style (3 px), a 24 px target, a
visible border; the deadline's date takes what its hint shows; the picker says when nothing matches; the status line
says an answer is shown; the form compares names as people write them, never reads a hint twice, and marks only
invalid fields, in words and in forced colours."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_scripts.source.i18n import catalogue, load_strings
from receiver.validation import _same_name
from tests.conftest import soup_of, watched_tab
from tests.test_calculator_widgets import LANGS, READY, START_TIMEOUT_MS, ask

PHONE = {"width": 375, "height": 800}
CALCULATORS = ["consequence-lookup", "absentee-calculator", "deadline-calculator"]
FORM = "acknowledgement"

FOCUSED = """() => { const el = document.activeElement; const s = getComputedStyle(el); const r = el.getBoundingClientRect();
  return { what: el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "") + (el.id ? "#" + el.id : ""),
           inside: !!el.closest(".hb-calc, .ack"), outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
           border: s.borderTopStyle, borderWidth: parseFloat(s.borderTopWidth), width: r.width, height: r.height }; }"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield watched_tab(context)
    context.close()


def open_page(page, url: str) -> None:
    page.goto(url)
    if page.locator("[data-calculator]").count():
        page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", [*CALCULATORS, FORM])
def test_every_control_has_one_focus_style_and_a_24px_target(phone, site_url, lang, path):
    open_page(phone, f"{site_url}{lang}/{path}/")
    controls = {}
    for _ in range(150):  # the keyboard alone, through the whole page
        phone.keyboard.press("Tab")
        focused = phone.evaluate(FOCUSED)
        if focused["inside"] and not focused["what"].startswith("a"):  # links in running text are not targets
            controls.setdefault(focused["what"], focused)
    assert len(controls) >= 3
    for what, c in controls.items():
        assert c["outline"] == "solid" and c["outlineWidth"] >= 3, what
        assert min(c["width"], c["height"]) >= 24, what
        if re.match(r"(input\[(text|number|date)\]|select)", what):
            assert c["border"] == "solid" and c["borderWidth"] >= 1, what
    assert phone.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_date_typed_as_the_hint_shows_is_the_date_read(phone, site_url, data, lang):
    words = load_strings(lang)
    example = re.search(r"\d{4}-\d{2}-\d{2}", words["calc_date_hint"]).group(0)
    open_page(phone, f"{site_url}{lang}/deadline-calculator/")
    widget = phone.locator('[data-calculator="deadline"]')
    event = widget.locator('[name="event"] option').first.get_attribute("value")
    widget.locator('[name="date"]').click()
    phone.keyboard.type(example)  # as a parent types it: keys, not a script setting the value
    phone.keyboard.press("Enter")
    box = widget.locator(".hb-calc__result")
    box.locator(".hb-calc__title").wait_for()
    expected = ask(data, "deadline", lang, event=event, date=example)
    assert expected["ok"]
    assert box.locator(".hb-calc__title").inner_text() == expected["view"]["title"]
    assert widget.locator(".hb-calc__status").inner_text() == words["calc_answered"]  # not "ready"
    focus = phone.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                           " return [document.activeElement.classList.contains('hb-calc__result'), s.outlineStyle,"
                           " parseFloat(s.outlineWidth)]; }")
    assert focus == [True, "solid", 3]  # the answer has the focus, and it shows
    assert phone.js_errors == []


@pytest.mark.parametrize("lang, typed", [("en", "zzzz"), ("en", "qqq fight"), ("es", "zzzz"), ("es", "qqq pelea")])
def test_the_picker_says_when_nothing_matches(phone, site_url, lang, typed):
    words = load_strings(lang)
    open_page(phone, f"{site_url}{lang}/consequence-lookup/")
    widget = phone.locator('[data-calculator="consequence"]')
    box = widget.locator('[name="behavior"]')
    box.click()
    phone.keyboard.type(typed)
    note = widget.locator(".hb-calc__picker-note")
    assert note.inner_text().strip() == words["calc_no_match"].format(typed=typed)
    assert note.get_attribute("aria-live") == "polite"  # spoken, not only shown
    assert box.get_attribute("aria-expanded") == "false"
    phone.keyboard.press("ArrowDown")  # "pick from the list": the whole list opens
    assert box.get_attribute("aria-expanded") == "true"
    assert widget.locator('[role="listbox"] [role="option"]').count() == widget.locator(
        f'datalist[data-matrix="{widget.locator("[name=school_level]:checked").get_attribute("data-matrix")}"] option').count()
    phone.keyboard.press("Escape")
    phone.keyboard.press("Control+A")
    phone.keyboard.press("Backspace")
    assert note.inner_text().strip() == ""


# ---------------------------------------------------------------- the sign-off form


def without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(categories=("L", "M", "Zs")), min_size=1, max_size=30))
def test_a_signature_is_the_name_whatever_its_case_accents_and_spaces(name):
    variant = "  " + "  ".join(without_accents(name).casefold().split()) + " "
    assert _same_name(name, variant)
    assert _same_name(unicodedata.normalize("NFD", name), unicodedata.normalize("NFC", name))


def test_another_name_is_not_the_signature():
    assert not _same_name("José Martínez", "José Martín")
    assert not _same_name("Ana Núñez", "Ana Nunez Perez")


@pytest.mark.parametrize("lang", LANGS)
def test_the_form_signs_names_as_people_type_them_and_marks_only_invalid_fields(browser, site_url, lang):
    strings = catalogue(lang, "form")
    context = browser.new_context(viewport={"width": 320, "height": 800}, forced_colors="active")
    page = context.new_page()
    page.goto(f"{site_url}{lang}/{FORM}/")
    page.fill("#ack-student-name", "José  Martínez")
    page.fill("#ack-student-signature", "jose martinez")  # a keyboard without accents
    page.fill("#ack-parent-name", "Ana Núñez")
    page.fill("#ack-parent-signature", "Ana Núñez Pérez")  # another name
    page.click("#ack-submit")
    fields = page.evaluate("""() => Array.from(document.querySelectorAll('.ack-field'), (f) => {
        const control = f.querySelector('input, select'); const error = f.querySelector('.ack-error');
        return { id: control && control.id, invalid: control && control.getAttribute('aria-invalid') === 'true',
                 marker: getComputedStyle(f).borderLeftStyle !== 'none' && parseFloat(getComputedStyle(f).borderLeftWidth) > 0,
                 error: error && !error.hidden ? error.innerText : '' }; })""")
    by_id = {f["id"]: f for f in fields}
    assert not by_id["ack-student-signature"]["invalid"]
    assert by_id["ack-parent-signature"]["invalid"]
    assert any(not f["invalid"] for f in fields) and any(f["invalid"] for f in fields)
    for f in fields:
        assert f["marker"] == f["invalid"], f  # in forced colours too, only the invalid ones are marked
        if f["invalid"]:
            assert f["error"].startswith(strings["error_prefix"] + " "), f
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_a_hint_and_its_fields_errors_are_never_the_same_sentence(built_site, lang):
    soup = soup_of(built_site.site_dir / lang / FORM / "index.html")
    checked = 0
    for control in soup.select("[data-msg-missing], [data-msg-invalid]"):
        hints = [soup.find(id=i) for i in (control.get("aria-describedby") or "").split() if i.endswith("-hint")]
        for hint in filter(None, hints):
            said = hint.get_text(" ", strip=True).casefold()
            for key in ("data-msg-missing", "data-msg-invalid", "data-msg-future", "data-msg-mismatch"):
                if control.get(key):
                    assert control[key].casefold() != said, (control.get("id"), key)
                    checked += 1
    assert checked >= 3


# ---------------------------------------------------------------- everyday words (search.yml) in the picker


def test_everyday_words_find_the_rows_whose_names_hold_their_terms(handbook, data):
    from build_scripts.parts.search_words import everyday_words, fold

    for lang in handbook.languages:
        entries = everyday_words(handbook, lang)
        assert entries
        for matrix in data["matrices"]:
            for row in matrix["rows"]:
                name = f" {fold(row['behavior'][lang])} "
                expected = [w for e in entries if any(f" {fold(t)} " in name for t in e.terms) for w in e.words]
                assert row["words"][lang] == expected
    by_word = {(lang, w): {r["id"] for m in data["matrices"] for r in m["rows"] if w in r["words"][lang]}
               for lang in handbook.languages for w in ("fight", "vape", "pelea", "vapeo")}
    assert {"battery-public-affray", "tobacco"} <= by_word[("en", "fight")] | by_word[("en", "vape")]
    assert "battery-public-affray" in by_word[("es", "pelea")] and by_word[("es", "vapeo")] == {"tobacco"}


@pytest.mark.parametrize("lang, typed", [("en", "fight"), ("en", "vape"), ("es", "pelea"), ("es", "vapeo")])
def test_the_picker_finds_behaviors_by_everyday_words(phone, site_url, data, lang, typed):
    open_page(phone, f"{site_url}{lang}/consequence-lookup/")
    widget = phone.locator('[data-calculator="consequence"]')
    level = widget.locator('[name="school_level"]:checked').get_attribute("data-matrix")
    matrix = next(m for m in data["matrices"] if m["id"] == level)
    expected = {r["id"] for r in matrix["rows"] if typed in r["words"][lang] or typed in r["behavior"][lang].lower()}
    assert expected
    widget.locator('[name="behavior"]').click()
    phone.keyboard.type(typed)
    shown = set(widget.locator('[role="listbox"] [role="option"]').evaluate_all("(os) => os.map((o) => o.dataset.row)"))
    assert shown == expected
    assert widget.locator(".hb-calc__picker-note").inner_text().strip() == ""
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("Enter")
    phone.keyboard.press("Enter")  # submits the form with the picked behavior
    widget.locator(".hb-calc__result .hb-calc__title").wait_for()
    assert phone.js_errors == []
