"""The Sign-Off form: fingerprint, built markup, and in Chromium (both languages) validation, text-only rendering of
what is typed, confirmation, a one-page print, the optional endpoint (schema, receipt, failure), the device draft."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from build_scripts.parts.form import SCHEMA_FILE, endpoint_setting, record_shape
from build_scripts.parts.fingerprint import handbook_fingerprint
from build_scripts.core.load import load_handbook
from build_scripts.source.i18n import catalogue, language_name
from build_scripts.core.render import Renderer
from build_scripts.source.reading import SourceError

from .browser import PROJECT, build_into, pdf_page_count, pdf_text, project_copy, recording_endpoint, serve_site
from .conftest import soup_of

LANGS = ["en", "es"]
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
MARKUP = "<img src=x onerror=alert(1)>"
SCHOOLS_YML = """schools:
  - id: north-elementary
    name: {en: North Elementary School, es: Escuela Primaria del Norte}
  - id: river-high
    name: {en: River High School, es: Escuela Preparatoria del Río}
"""


# ---------------------------------------------------------------- a JSON Schema check for the subset the schema uses


def schema_errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Problems of `value` against `schema` (type, const, enum, required, properties, additionalProperties, items,
    minItems, minLength, maxLength, pattern); an unknown keyword is an error, so the schema cannot outgrow this."""
    known = {"$schema", "title", "description", "type", "const", "enum", "required", "properties",
             "additionalProperties", "items", "minItems", "minLength", "maxLength", "pattern"}
    unknown = set(schema) - known
    if unknown:
        return [f"{where}: schema keyword(s) {sorted(unknown)} not supported by this check"]
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    errors: list[str] = []
    if "type" in schema:
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(isinstance(value, types[t]) for t in wanted):
            return [f"{where}: {value!r} is not of type {wanted}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            errors.append(f"{where}: length {len(value)} out of range")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value[:80]!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}: '{key}' is missing")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                errors += schema_errors(item, props[key], f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected '{key}'")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{where}: fewer than {schema['minItems']} items")
        for i, item in enumerate(value):
            errors += schema_errors(item, schema.get("items", {}), f"{where}[{i}]")
    return errors


def _record(lang: str = "en") -> dict[str, Any]:
    return {
        "schema_version": 1,
        "handbook": {"title": "T", "district": "D", "school_years": "2024-2026", "language": lang, "fingerprint": "a" * 64},
        "student": {"name": "Ana", "id": None, "school": {"id": None, "name": "North"}, "grade": "K"},
        "parent": {"name": "Rosa", "relationship": "mother"},
        "statements": [{"id": "student", "accepted": True, "typed_signature": "ana", "drawn_signature": None}],
        "date": "2025-08-01",
        "signed_at": "2025-08-01T09:30:00-06:00",
    }


def test_schema_check_accepts_a_good_record_and_names_what_is_wrong():
    assert schema_errors(_record(), SCHEMA) == []
    bad = _record()
    bad["student"]["grade"] = "13"
    bad["statements"][0]["accepted"] = False
    bad["handbook"]["fingerprint"] = "abc"
    bad["extra"] = 1
    del bad["parent"]["relationship"]
    errors = " ".join(schema_errors(bad, SCHEMA))
    for part in ("$.student.grade", "$.statements[0].accepted", "$.handbook.fingerprint", "unexpected 'extra'",
                 "'relationship' is missing"):
        assert part in errors


# ---------------------------------------------------------------- no browser: fingerprint, settings, markup


@pytest.fixture
def handbook_tree(tmp_path) -> Path:
    shutil.copytree(PROJECT / "handbook", tmp_path / "handbook")
    return tmp_path / "handbook"


def test_fingerprint_is_a_stable_sha256_and_differs_between_languages(handbook_tree):
    en, es = handbook_fingerprint(handbook_tree, "en"), handbook_fingerprint(handbook_tree, "es")
    assert re.fullmatch(r"[0-9a-f]{64}", en) and re.fullmatch(r"[0-9a-f]{64}", es)
    assert en != es
    assert handbook_fingerprint(handbook_tree, "en") == en
    assert handbook_fingerprint(PROJECT / "handbook", "en") == en  # where the folder is does not count
    with pytest.raises(ValueError, match="not one of the handbook's languages"):
        handbook_fingerprint(handbook_tree, "fr")


def test_fingerprint_follows_the_language_s_own_source(handbook_tree):
    before = {lang: handbook_fingerprint(handbook_tree, lang) for lang in LANGS}

    page = handbook_tree / "pages/en/section-05.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    after_page = {lang: handbook_fingerprint(handbook_tree, lang) for lang in LANGS}
    assert after_page["en"] != before["en"] and after_page["es"] == before["es"]

    sign_off = handbook_tree / "data/sign_off.yml"
    text = sign_off.read_text(encoding="utf-8")
    assert "    es: Yo\n" in text
    sign_off.write_text(text.replace("    es: Yo\n", "    es: Yo mismo\n", 1), encoding="utf-8")
    after_data = {lang: handbook_fingerprint(handbook_tree, lang) for lang in LANGS}
    assert after_data["es"] != after_page["es"] and after_data["en"] == after_page["en"]

    edition = handbook_tree / "edition.yml"
    text = edition.read_text(encoding="utf-8")
    edition.write_text(re.sub(r"(?m)^school_years: .*$", "school_years: 2099-2100", text), encoding="utf-8")
    after_neutral = {lang: handbook_fingerprint(handbook_tree, lang) for lang in LANGS}
    assert all(after_neutral[lang] != after_data[lang] for lang in LANGS)

    # A comment or the YAML's layout is not text anyone acknowledges.
    edition.write_text("# a comment\n" + edition.read_text(encoding="utf-8"), encoding="utf-8")
    assert {lang: handbook_fingerprint(handbook_tree, lang) for lang in LANGS} == after_neutral


def test_endpoint_setting():
    assert endpoint_setting({}) is None
    assert endpoint_setting({"extra": {"handbook": {"acknowledgement_endpoint": None}}}) is None
    for good in ("https://records.example.org/acknowledgements", "http://127.0.0.1:8123/ack", "/api/ack"):
        assert endpoint_setting({"extra": {"handbook": {"acknowledgement_endpoint": good}}}) == good
    for bad in ("ftp://x/y", "//elsewhere.example/ack", "records", 42):
        with pytest.raises(SourceError) as info:
            endpoint_setting({"extra": {"handbook": {"acknowledgement_endpoint": bad}}})
        assert "mkdocs.yml (extra.handbook.acknowledgement_endpoint)" in str(info.value)


def test_form_strings_are_complete_in_every_language():
    strings = {lang: catalogue(lang, "form") for lang in LANGS}
    assert set(strings["en"]) == set(strings["es"])
    for lang, table in strings.items():
        assert all(isinstance(v, str) and v.strip() for v in table.values()), lang
    script = (PROJECT / "site_templates/assets/acknowledgement.js").read_text(encoding="utf-8")
    template = (PROJECT / "site_templates/pages/acknowledgement-form.md.j2").read_text(encoding="utf-8")
    used = set(re.findall(r"\bstrings\.(\w+)", script)) | set(re.findall(r"\bfs\.(\w+)", template))
    used |= {f"{prefix}_{role}" for role in record_shape().roles
             for prefix in ("statement", "accept", "error_accept", "signature", "hint_signature", "error_signature")}
    used |= {f"relationship_{r}" for r in record_shape().relationships}
    assert used - {"get"} <= set(strings["en"]), used - set(strings["en"])


def _rendered_form(root: Path, lang: str) -> str:
    hb = load_handbook(root)
    return Renderer(hb, lang).render_page(hb.pages[lang]["acknowledgement"])


def test_school_is_typed_while_the_list_is_empty_and_chosen_once_it_is_not(handbook_tree):
    empty = _rendered_form(handbook_tree, "es")
    assert 'id="ack-school"' not in empty
    assert re.search(r'<input type="text" id="ack-school-other" name="school_other" required', empty)

    (handbook_tree / "data/schools.yml").write_text(SCHOOLS_YML, encoding="utf-8")
    listed = _rendered_form(handbook_tree, "es")
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', listed.split('id="ack-school"')[1].split("</select>")[0])
    assert options == [("", "Elija una escuela"), ("north-elementary", "Escuela Primaria del Norte"),
                       ("river-high", "Escuela Preparatoria del Río"), ("_other", "Otra (no está en la lista)")]
    assert re.search(r'<input type="text" id="ack-school-other" name="school_other" required disabled', listed)


def test_schools_file_is_validated(handbook_tree):
    (handbook_tree / "data/schools.yml").write_text(SCHOOLS_YML.replace("river-high", "north-elementary")
                                                    .replace("es: Escuela Primaria del Norte", "fr: Nord"), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        load_handbook(handbook_tree)
    text = str(info.value)
    assert "handbook/data/schools.yml" in text and "two schools have the id 'north-elementary'" in text


@pytest.mark.parametrize("lang", LANGS)
def test_built_form_page(built_site, lang):
    hb = built_site.handbook
    soup = soup_of(built_site.site_dir / lang / "acknowledgement" / "index.html")
    form = soup.select_one("form#ack-form")
    assert form.has_attr("novalidate") and form.has_attr("hidden")  # shown by the script only
    assert form["data-fingerprint"] == handbook_fingerprint(hb.root, lang)
    assert form["data-endpoint"] == "" and form["data-lang"] == lang
    assert form["data-school-years"] == hb.edition.school_years
    assert soup.select_one("noscript") is not None
    # The statements are the handbook's, in this language, beside their checkboxes.
    texts = [p.get_text(" ") for p in soup.select(".ack-statement__text")]
    assert [box["data-statement"] for box in soup.select("[data-statement]")] == [s.id for s in hb.sign_off.statements]
    for statement, text in zip(hb.sign_off.statements, texts):
        assert "https://" in text and statement.text[lang].split("*")[0].strip(", ")[:40] in text
    # Nothing a strict Content-Security-Policy would block.
    ack = soup.select_one("div.ack")
    assert not [s for s in ack.find_all("script") if not s.get("src")]
    assert not [el for el in ack.find_all(True) if el.has_attr("style") or any(a.startswith("on") for a in el.attrs)]
    grades = [o["value"] for o in soup.select("#ack-grade option") if o["value"]]
    assert grades == record_shape().grades and grades[0] == "PK" and grades[-1] == "12"
    assert soup.select_one('a[href="../sign-off/"]') is not None  # the paper route, without JavaScript


# ---------------------------------------------------------------- in Chromium (conftest's `browser`, `site_url`)


@pytest.fixture(scope="module")
def endpoint_site(tmp_path_factory):
    """A copy of the project with a school list and the endpoint set to a recording server on 127.0.0.1."""
    with recording_endpoint() as recorder:
        dest = tmp_path_factory.mktemp("endpoint")
        config = project_copy(dest, {"acknowledgement_endpoint": recorder.url}, {"data/schools.yml": SCHOOLS_YML})
        site = build_into(config, dest)
        form = soup_of(site / "en" / "acknowledgement" / "index.html").select_one("#ack-form")
        assert form["data-endpoint"] == recorder.url, "the build does not hand mkdocs.yml's acknowledgement_endpoint to the form"
        with serve_site(site) as url:
            yield url, recorder, dest / "handbook", site


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.js_errors = []
    page.dialogs = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def _open(page, base: str, lang: str) -> dict[str, str]:
    page.goto(f"{base}{lang}/acknowledgement/")
    page.wait_for_selector("#ack-form:not([hidden])")
    return catalogue(lang, "form")


def _fill(page, student: str = "Ana María López", parent: str = "Rosa López", school: str | None = None) -> None:
    page.fill("#ack-student-name", student)
    page.fill("#ack-student-id", "S-1234")
    if school:
        page.select_option("#ack-school", school)
    else:
        page.fill("#ack-school-other", "Escuela Central")
    page.select_option("#ack-grade", "5")
    page.fill("#ack-parent-name", parent)
    page.select_option("#ack-relationship", "guardian")
    page.check("#ack-student-accept")
    page.fill("#ack-student-signature", "  " + student.upper() + " ")  # case and spaces do not count
    page.check("#ack-parent-accept")
    page.fill("#ack-parent-signature", parent.lower().replace(" ", "   "))


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.parametrize("lang", LANGS)
def test_empty_submit_is_refused_with_messages_and_a_focused_summary(tab, site_url, lang):
    strings = _open(tab, site_url, lang)
    tab.click("#ack-submit")
    assert _focused_id(tab) == "ack-summary"
    summary = tab.locator("#ack-summary")
    assert summary.get_attribute("role") == "alert"
    items = summary.locator("li a")
    expected = ["error_student_name", "error_school_name", "error_grade", "error_parent_name", "error_relationship",
                "error_accept_student", "error_signature_student", "error_accept_parent", "error_signature_parent"]
    assert items.all_inner_texts() == [strings[key] for key in expected]
    assert summary.locator("h2").inner_text() == strings["summary_many"].format(count=len(expected))
    for field, key in (("ack-student-name", "error_student_name"), ("ack-parent-signature", "error_signature_parent")):
        control = tab.locator(f"#{field}")
        assert control.get_attribute("aria-invalid") == "true"
        assert f"{field}-error" in control.get_attribute("aria-describedby").split()
        assert tab.locator(f"#{field}-error").inner_text() == f"{strings['error_prefix']} {strings[key]}"
        assert tab.evaluate(f"document.getElementById('{field}').validity.valid") is False  # native validity agrees
    assert tab.locator("#ack-date").get_attribute("aria-invalid") is None  # today's date is already there
    assert tab.locator("#ack-confirmation").is_hidden()
    items.nth(2).click()
    assert _focused_id(tab) == "ack-grade"
    tab.fill("#ack-student-name", "Ana")  # fixing a field clears its message
    assert tab.locator("#ack-student-name-error").is_hidden()
    assert tab.locator("#ack-student-name").get_attribute("aria-invalid") is None
    assert tab.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_signature_must_match_the_name_and_the_date_cannot_be_in_the_future(tab, site_url, lang):
    strings = _open(tab, site_url, lang)
    _fill(tab)
    tab.fill("#ack-parent-signature", "Somebody Else")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    tab.evaluate(f"document.getElementById('ack-date').value = '{tomorrow}'")
    tab.click("#ack-submit")
    assert _focused_id(tab) == "ack-summary"
    assert tab.locator("#ack-summary li").all_inner_texts() == [
        strings["error_signature_mismatch"].format(name="Rosa López"), strings["error_date_future"]]
    assert tab.locator("#ack-confirmation").is_hidden()


@pytest.mark.parametrize("lang", LANGS)
def test_markup_typed_in_a_name_shows_as_text_and_runs_nothing(tab, site_url, lang):
    _open(tab, site_url, lang)
    _fill(tab, student=MARKUP, parent=MARKUP + " & <b>x</b>")
    assert tab.locator(".ack-statement__text [data-fill=student_name]").inner_text() == MARKUP  # live, as text
    tab.click("#ack-submit")
    tab.wait_for_selector("#ack-confirmation:not([hidden])")
    assert tab.locator("#ack-confirmation [data-slot=student_name]").inner_text() == MARKUP
    assert tab.locator("#ack-confirmation [data-slot=parent_name]").inner_text() == MARKUP + " & <b>x</b>"
    tab.emulate_media(media="print")
    assert MARKUP in tab.locator("#ack-print").inner_text()
    injected = "document.querySelectorAll('img[src=x], img[onerror], .ack b, .ack-print b').length"
    assert tab.evaluate(injected) == 0
    assert tab.dialogs == [] and tab.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_filled_form_confirms_and_prints_on_one_page(tab, site_url, built_site, lang, tmp_path):
    strings = _open(tab, site_url, lang)
    hb = built_site.handbook
    fingerprint = handbook_fingerprint(hb.root, lang)
    _fill(tab)
    tab.click("#ack-submit")
    tab.wait_for_selector("#ack-confirmation:not([hidden])")
    assert _focused_id(tab) == "ack-confirmation"
    assert tab.locator("#ack-form").is_hidden()
    confirmation = tab.locator("#ack-confirmation")
    assert strings["confirmation_local"] in confirmation.inner_text()
    assert confirmation.locator("[data-slot=fingerprint_short]").inner_text() == fingerprint[:12]
    assert fingerprint not in confirmation.inner_text()  # short on screen
    tab.emulate_media(media="print")
    printed = tab.locator("#ack-print").inner_text()
    title = hb.edition.title[lang]
    for part in ("Ana María López", "Rosa López", "ANA MARÍA LÓPEZ", fingerprint, title, hb.edition.school_years,
                 language_name(lang), hb.sign_off.statements[0].signature_label[lang]):
        assert part in printed, part
    assert tab.locator("header.md-header").is_hidden() and tab.locator("#ack-confirmation").is_hidden()
    for paper in ("A4", "Letter"):
        pdf = tab.pdf(format=paper, print_background=True)
        assert pdf_page_count(pdf) == 1, paper
        text = pdf_text(pdf, tmp_path)
        if text is not None:
            for part in ("Ana María López", "Rosa López", fingerprint, title, hb.edition.school_years):
                assert part in text, (paper, part)
    tab.emulate_media(media="screen")
    tab.click("#ack-edit")  # back to the answers, still filled in
    assert tab.locator("#ack-student-name").input_value() == "Ana María López"
    assert tab.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_posted_record_matches_the_schema_and_the_receipt_is_shown(tab, endpoint_site, lang):
    url, recorder, handbook_root, _ = endpoint_site
    recorder.mode = "ok"
    recorder.posts.clear()
    strings = _open(tab, url, lang)
    assert "127.0.0.1" in tab.inner_text("#ack-privacy")  # the family is told where it goes
    _fill(tab, school="river-high")
    tab.click("[data-pad=student] .ack-draw__toggle")  # draw a signature for the student: optional, offered
    box = tab.locator("[data-pad=student] canvas").bounding_box()
    tab.mouse.move(box["x"] + 20, box["y"] + 30)
    tab.mouse.down()
    tab.mouse.move(box["x"] + 120, box["y"] + 60, steps=8)
    tab.mouse.up()
    tab.click("#ack-submit")
    tab.wait_for_selector("#ack-confirmation:not([hidden])")
    assert len(recorder.posts) == 1
    post = recorder.posts[0]
    assert post["content_type"] == "application/json"
    record = post["json"]
    assert schema_errors(record, SCHEMA) == []
    assert record["handbook"]["language"] == lang
    assert record["handbook"]["fingerprint"] == handbook_fingerprint(handbook_root, lang)
    assert record["student"]["school"] == {"id": "river-high", "name": yaml.safe_load(SCHOOLS_YML)["schools"][1]["name"][lang]}
    assert record["student"]["name"] == "Ana María López" and record["parent"]["relationship"] == "guardian"
    assert [s["id"] for s in record["statements"]] == ["student", "parent"]
    assert record["statements"][0]["drawn_signature"].startswith("data:image/png;base64,")
    assert record["statements"][1]["drawn_signature"] is None
    assert record["date"] == date.today().isoformat()
    assert tab.locator("#ack-confirmation [data-slot=receipt]").inner_text() == recorder.receipt(1)
    assert strings["confirmation_sent"] in tab.inner_text("#ack-confirmation")
    assert tab.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_endpoint_down_keeps_the_answers_and_says_so(tab, endpoint_site, lang):
    url, recorder, _, _ = endpoint_site
    recorder.posts.clear()
    recorder.mode = "down"
    strings = _open(tab, url, lang)
    _fill(tab, school="_other")
    tab.fill("#ack-school-other", "Escuela Nueva")
    tab.click("#ack-submit")
    tab.wait_for_selector("#ack-send-error:not([hidden])")
    expected = strings["send_failed"].format(reason=strings["send_failed_network"])
    assert tab.inner_text("#ack-send-error") == expected
    assert _focused_id(tab) == "ack-send-error"
    assert tab.locator("#ack-confirmation").is_hidden() and tab.locator("#ack-form").is_visible()
    assert tab.input_value("#ack-student-name") == "Ana María López"
    assert tab.input_value("#ack-school-other") == "Escuela Nueva"
    assert tab.is_checked("#ack-parent-accept") and tab.is_enabled("#ack-submit")
    assert recorder.posts == []
    recorder.mode = "error"  # a server that answers, but not with success
    tab.click("#ack-submit")
    tab.wait_for_selector("#ack-send-error:has-text('503')")  # not wait_for_function: the page's CSP forbids eval
    assert tab.inner_text("#ack-send-error") == strings["send_failed"].format(
        reason=strings["send_failed_status"].format(status=503))
    recorder.mode = "ok"  # and once it is back, the same answers go through
    tab.click("#ack-submit")
    tab.wait_for_selector("#ack-confirmation:not([hidden])")
    assert recorder.posts[-1]["json"]["student"]["school"] == {"id": None, "name": "Escuela Nueva"}


def _stored(page) -> str:
    """Everything this site keeps in the browser's storage, but the theme's own settings (`__palette` and such)."""
    return page.evaluate("Object.keys(localStorage).concat(Object.keys(sessionStorage))"
                         ".filter(k => k.indexOf('__') === -1)"
                         ".map(k => k + '=' + (localStorage.getItem(k) || sessionStorage.getItem(k))).join(';')")


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_is_kept_on_the_device_unless_asked_and_erase_clears_it(tab, site_url, lang):
    strings = _open(tab, site_url, lang)
    _fill(tab)
    assert _stored(tab) == ""
    tab.check("#ack-remember")
    tab.fill("#ack-student-id", "S-9999")
    stored = _stored(tab)
    assert "S-9999" in stored and "Ana María López" in stored
    tab.reload()
    tab.wait_for_selector("#ack-form:not([hidden])")
    assert tab.input_value("#ack-student-id") == "S-9999" and tab.is_checked("#ack-remember")
    assert tab.inner_text("#ack-storage-status") == strings["restored"]
    assert not tab.is_checked("#ack-student-accept")  # acceptance is given anew each time
    tab.click("#ack-erase")
    assert _stored(tab) == ""
    assert tab.input_value("#ack-student-id") == "" and not tab.is_checked("#ack-remember")
    assert tab.inner_text("#ack-storage-status") == strings["erased"]
    assert tab.input_value("#ack-date") == date.today().isoformat()


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_page_offers_the_paper_route(browser, site_url, built_site, lang):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}{lang}/acknowledgement/")
    strings = catalogue(lang, "form")
    assert page.locator("#ack-form").is_hidden()
    text = page.inner_text("article")
    assert strings["noscript_title"] in text
    for statement in built_site.handbook.sign_off.statements:
        assert statement.signature_label[lang] in text
    assert page.locator(".ack-noscript a[href='../sign-off/']").is_visible()
    context.close()


def test_drawing_is_optional_and_out_of_the_tab_order(tab, site_url):
    _open(tab, site_url, "en")
    assert tab.evaluate("Array.from(document.querySelectorAll('canvas')).every(c => c.tabIndex < 0)")
    # Keyboard only: from the student's signature, Tab reaches the drawing's toggle, then the next statement.
    tab.focus("#ack-student-signature")
    tab.keyboard.press("Tab")
    toggle = tab.locator("[data-pad=student] .ack-draw__toggle")
    assert tab.evaluate("document.activeElement.getAttribute('aria-controls')") == "ack-student-draw"
    assert toggle.get_attribute("aria-expanded") == "false" and tab.locator("#ack-student-draw").is_hidden()
    tab.keyboard.press("Enter")  # opening it...
    assert toggle.get_attribute("aria-expanded") == "true" and tab.locator("#ack-student-draw canvas").is_visible()
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.hasAttribute('data-pad-clear')")  # ...leads to a button, not a trap
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.closest('[data-statement]').dataset.statement") == "parent"


def test_form_works_under_the_strict_content_security_policy(browser, endpoint_site):
    _, recorder, _, site = endpoint_site
    recorder.mode = "ok"
    recorder.posts.clear()
    endpoint_origin = "/".join(recorder.url.split("/")[:3])
    policy = f"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' {endpoint_origin}"
    with serve_site(site, headers={"Content-Security-Policy": policy}) as url:
        context = browser.new_context()
        page = context.new_page()
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        _open(page, url, "en")
        _fill(page, school="north-elementary")
        page.click("[data-pad=parent] .ack-draw__toggle")
        page.click("#ack-submit")
        page.wait_for_selector("#ack-confirmation:not([hidden])")
        context.close()
    assert len(recorder.posts) == 1
    # The theme's own inline scripts are reported too ("Executing inline script"); the form adds no violation.
    violations = [m for m in messages if "Content Security Policy" in m and "inline script" not in m]
    assert violations == []
