"""The deadline calculator and the timelines in a real browser (Playwright + Debian's Chromium), as a parent would
use them: on a phone (375 px), in Spanish and in English, an appeal deadline across the winter break, the days it
skipped named; a date outside the calendar explained next to the field; the timelines with JavaScript off.

The site is built from a copy of the handbook with the fixture calendar (tests/fixtures/deadlines/calendar.yml),
as a district that publishes its calendar would have it. Expected answers come from CPython's calculators."""

from __future__ import annotations

import json
import shutil

import pytest

from build_scripts.outputs.site import build_site
from build_scripts.source.i18n import load_strings
from calculators import handle_request
from tests.browser import project_copy, serve_site
from tests.test_deadlines import CALENDAR_FILE

LANGS = ["en", "es"]
PHONE = {"width": 375, "height": 780}
READY = '[data-calculator="deadline"][data-state="ready"]'
START_TIMEOUT_MS = 120_000  # a bound for a loaded machine, not a speed check


@pytest.fixture(scope="module")
def calendar_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("calendar-site")
    config = project_copy(root)
    shutil.copy(CALENDAR_FILE, root / "handbook" / "data" / "calendar.yml")
    result = build_site(config, site_dir=root / "site", work_dir=root / "work", with_pdf=False)
    from build_scripts.parts.calculators.data import compile_calculator_data

    data = compile_calculator_data(result.handbook)
    with serve_site(result.site_dir) as url:
        yield url, data, result.handbook


def ask(data, lang, **args):
    return json.loads(handle_request(json.dumps({"calculator": "deadline", "lang": lang, "args": args}), data=data))


@pytest.mark.parametrize("lang", LANGS)
def test_an_appeal_across_the_winter_break_on_a_phone(browser, calendar_site, lang):
    url, data, _ = calendar_site
    expected = ask(data, lang, event="hearing-decision", date="2025-12-19")
    assert expected["ok"]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}{lang}/deadline-calculator/")
    page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
    widget = page.locator('[data-calculator="deadline"]')
    widget.locator('[name="event"]').select_option("hearing-decision")
    widget.locator('[name="date"]').fill("2025-12-19")
    widget.locator('button[type="submit"]').click()
    result = widget.locator(".hb-calc__result")
    result.locator(".hb-calc__title").wait_for(timeout=30_000)
    text = result.inner_text()
    view = expected["view"]
    assert view["title"] in text
    appeal = next(r for r in expected["result"]["results"] if r["step"] == "appeal-superintendent")
    assert appeal["last_day"] == "2026-01-16"
    assert appeal["last_day_text"] in text  # "viernes 16 de enero de 2026" / "Friday, January 16, 2026"
    assert {"en": "Winter break", "es": "Vacaciones de invierno"}[lang] in text
    assert appeal["quote"]["text"] in text
    # the quote links to the step on its page
    link = result.locator(f'a[href$="section-08/#deadline-appeal-superintendent"]')
    assert link.count() == 1
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_a_date_outside_the_calendar_is_explained_next_to_the_field(browser, calendar_site, lang):
    url, data, _ = calendar_site
    expected = ask(data, lang, event="hearing", date="2030-01-07")["error"]
    assert expected["code"] == "date_outside"
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{url}{lang}/deadline-calculator/")
    page.wait_for_selector(READY, timeout=START_TIMEOUT_MS)
    widget = page.locator('[data-calculator="deadline"]')
    widget.locator('[name="event"]').select_option("hearing")
    widget.locator('[name="date"]').fill("2030-01-07")
    widget.locator('button[type="submit"]').click()
    error = widget.locator(".hb-field:has([name='date']) .hb-calc__field-error")
    error.wait_for(timeout=30_000)
    assert error.inner_text() == f"{load_strings(lang)['error_prefix']} {expected['message']}"
    assert widget.locator('[name="date"]').get_attribute("aria-invalid") == "true"
    context.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["section-08/", "section-03/", "deadline-calculator/"])
def test_timelines_without_javascript_at_375px(browser, calendar_site, lang, path):
    url, _, hb = calendar_site
    from build_scripts.parts import deadlines as part

    procedures = part.load(hb).model.procedures
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{url}{lang}/{path}")
    timelines = page.locator("ol.hb-timeline")
    shown = [p for p in procedures if path.startswith(p.page) or path == "deadline-calculator/"]
    assert timelines.count() == len(shown)
    for k, proc in enumerate(shown):
        timeline = timelines.nth(k)
        assert timeline.is_visible()
        assert timeline.get_attribute("aria-label") == load_strings(lang)["timeline_label"].format(title=proc.title[lang])
        steps = timeline.locator("li.hb-timeline__step")
        assert steps.count() == len(proc.steps)
        first = steps.first
        assert proc.steps[0].who[lang] in first.inner_text()
        box = timeline.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        # no line of the timeline runs past the screen (the theme's hidden language menu, not ours, does without JS)
        assert timeline.evaluate("(ol) => Array.from(ol.querySelectorAll('*')).every("
                                 "(e) => e.getBoundingClientRect().right <= window.innerWidth)")
    if path == "deadline-calculator/":
        assert page.locator(".hb-calc__nojs").is_visible()
    context.close()
