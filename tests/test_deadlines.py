"""The deadlines part (issue 14) in CPython: every step's arithmetic on a fixture calendar (weekends, breaks, the
end of the school year, office closures, the handbook's Monday -> Thursday example), the answer without a calendar,
every bad-input class in both languages (Hypothesis for dates and steps), the command lines, handle_request, the
consistency-report findings, `check` on broken copies, the calendar import and the timeline insert (site and print).

The fixture calendar (tests/fixtures/deadlines/calendar.yml) is made up: the district's calendar is not in the
source. Expected dates below were counted by hand on a 2025-2026 wall calendar."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts.parts import deadlines as part
from build_scripts.parts.calculators.data import compile_calculator_data
from build_scripts.core.load import load_handbook
from calculators import handle_request
from calculators.deadline import (calendar_from_mapping, date_text, deadline_for_step, deadlines_from_event,
                                  list_steps)
from calculators.errors import CalculatorInputError
from tests.conftest import PROJECT, source_problems

FIXTURES = PROJECT / "tests" / "fixtures" / "deadlines"
CALENDAR_FILE = FIXTURES / "calendar.yml"
LANGS = ("en", "es")


@pytest.fixture(scope="module")
def calendar():
    return calendar_from_mapping(yaml.safe_load(CALENDAR_FILE.read_text(encoding="utf-8")))


def step_data(data, step_id):
    return next(s for s in data["deadlines"]["steps"] if s["id"] == step_id)


def answer(data, step, when, calendar=None, lang="en"):
    return deadline_for_step(step, when, lang, calendar=calendar, data=data)


# ---------------------------------------------------------------- arithmetic on the fixture calendar

# every (count, unit, direction) the handbook uses, from Monday 13 October 2025 (a plain school week)
PLAIN_WEEK = {
    (3, "school_days", "after"): "2025-10-16",      # Tue, Wed, Thu
    (10, "school_days", "after"): "2025-10-27",
    (30, "school_days", "after"): "2025-11-24",     # Thanksgiving break comes after the 30th day
    (7, "calendar_days", "after"): "2025-10-20",
    (30, "calendar_days", "after"): "2025-11-12",
    (10, "working_days", "after"): "2025-10-27",
    (72, "hours", "before"): "2025-10-10",
    (1, "calendar_months", "after"): "2025-11-13",
}


def test_every_step_of_the_data_counts_right_in_a_plain_week(data, calendar):
    steps = data["deadlines"]["steps"]
    assert len(steps) >= 20  # Section III's grievance steps and Section VIII's hearing and appeals
    for step in steps:
        r = answer(data, step["id"], "2025-10-13", calendar)
        assert r.last_day == PLAIN_WEEK[(step["count"], step["unit"], step["direction"])], step["id"]
        assert r.count == step["count"] and r.unit == step["unit"]
        if step["unit"] in ("school_days", "working_days", "calendar_days"):
            assert len(r.counted_days) == step["count"]
            assert r.counted_days[-1] == r.last_day


def test_the_handbooks_monday_to_thursday_example(data, calendar):
    example = data["deadlines"]["rules"]["example"]
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    # every step with the example's count and unit, from every Monday of a plain school week, with or without calendar
    steps = [s for s in data["deadlines"]["steps"] if (s["count"], s["unit"]) == (example["count"], example["unit"])]
    assert steps
    for monday in ("2025-10-06", "2025-10-13", "2026-03-02"):
        assert weekdays[date.fromisoformat(monday).weekday()] == example["from_weekday"]
        for cal in (calendar, None):
            for step in steps:
                last = date.fromisoformat(answer(data, step["id"], monday, cal).last_day)
                assert weekdays[last.weekday()] == example["to_weekday"], (step["id"], monday)


def test_weekend_is_skipped_and_named(data, calendar):
    r = answer(data, "appeal-board", "2025-10-16", calendar)  # Thursday
    assert r.last_day == "2025-10-21"
    assert [(s.date, s.reason) for s in r.skipped] == [("2025-10-18", "weekend"), ("2025-10-19", "weekend")]
    assert r.skipped_text == ("Saturday, October 18, 2025 to Sunday, October 19, 2025: weekend",)
    es = answer(data, "appeal-board", "2025-10-16", calendar, "es")
    assert es.skipped_text == ("del sábado 18 de octubre de 2025 al domingo 19 de octubre de 2025: fin de semana",)


def test_an_appeal_across_the_winter_break(data, calendar):
    r = answer(data, "appeal-superintendent", "2025-12-19", calendar, "es")  # informed on Friday 19 December
    assert r.last_day == "2026-01-16"
    assert r.last_day_text == "viernes 16 de enero de 2026"
    assert "del lunes 22 de diciembre de 2025 al viernes 2 de enero de 2026: Vacaciones de invierno" in r.skipped_text
    assert len(r.counted_days) == 10 and r.counted_days[0] == "2026-01-05"
    assert "Vacaciones de invierno" in " ".join(r.skipped_text)


def test_labor_day_and_a_single_holiday(data, calendar):
    r = answer(data, "appeal-board", "2025-08-29", calendar)  # Friday before Labor Day
    assert r.last_day == "2025-09-04"
    assert ("2025-09-01", "Labor Day") in [(s.date, s.reason) for s in r.skipped]


def test_calendar_days_count_every_day_even_in_a_break(data, calendar):
    r = answer(data, "hearing-decision", "2025-12-22", calendar)
    assert r.last_day == "2025-12-29" and r.skipped == ()


def test_working_days_skip_office_closures_not_school_breaks(data, calendar):
    r = answer(data, "superintendent-decision", "2025-12-19", calendar)
    assert r.last_day == "2026-01-13"
    assert r.counted_days[:3] == ("2025-12-22", "2025-12-23", "2026-01-02")
    assert "Winter closure" in " ".join(r.skipped_text)


def test_after_the_school_year_school_days_are_working_days(data, calendar):
    r = answer(data, "appeal-superintendent", "2026-05-27", calendar)  # two school days left in the year
    assert r.last_day == "2026-06-10"
    assert r.counted_days[:3] == ("2026-05-28", "2026-05-29", "2026-06-01")
    assert any("Section VIII" in note for note in r.notes)


def test_an_office_closure_in_summer_is_not_counted(data, calendar):
    r = answer(data, "appeal-board", "2026-06-16", calendar)
    assert r.last_day == "2026-06-22"
    assert ("2026-06-19", "Juneteenth") in [(s.date, s.reason) for s in r.skipped]


def test_hours_count_back_from_the_hearing(data, calendar):
    r = answer(data, "attorney-notice", "2025-10-16", calendar, "es")
    assert r.last_day == "2025-10-13" and r.direction == "before"
    assert "72" in " ".join(r.notes)


def test_a_calendar_month_ends_on_the_months_last_day(data, calendar):
    assert answer(data, "grievance-board-decision", "2026-01-31", calendar).last_day == "2026-02-28"


def test_the_board_decision_in_its_two_units(data, calendar):
    rs = deadlines_from_event("board-hearing", "2025-10-13", calendar=calendar, data=data)
    by_step = {r.step: r for r in rs}
    assert by_step["board-decision"].last_day == "2025-11-24"        # 30 school days
    assert by_step["board-decision-notice"].last_day == "2025-11-12"  # 30 calendar days


def test_an_event_gives_every_step_that_counts_from_it(data, calendar):
    rs = deadlines_from_event("hearing", "2025-10-16", calendar=calendar, data=data)
    assert [r.step for r in rs] == [s["id"] for s in data["deadlines"]["steps"] if s["from"] == "hearing"]


# ---------------------------------------------------------------- without a calendar


@pytest.mark.parametrize("lang", LANGS)
def test_without_a_calendar_weekdays_are_counted_and_every_answer_says_so(data, lang):
    assert data["deadlines"]["calendar"] is None  # the district publishes none: nothing is invented
    for step in list_steps(lang, data=data):
        r = deadline_for_step(step["id"], "2025-12-19", lang, data=data)
        assert not r.calendar
        assert any(("calendar" in n if lang == "en" else "calendario" in n) for n in r.notes), step["id"]
    r = deadline_for_step("appeal-superintendent", "2025-12-19", lang, data=data)
    assert r.last_day == "2026-01-02"  # ten weekdays: the winter break is unknown without a calendar


# ---------------------------------------------------------------- dates in the reader's language


def test_dates_in_words():
    assert date_text(date(2025, 10, 9), "es") == "jueves 9 de octubre de 2025"
    assert date_text(date(2025, 10, 9), "en") == "Thursday, October 9, 2025"


# ---------------------------------------------------------------- bad input, both languages

BAD = [
    ("appeal-board", "2025-02-30", "date_impossible"),
    ("appeal-board", "2025-13-01", "date_impossible"),
    ("appeal-board", "yesterday", "date_format"),
    ("appeal-board", "", "required"),
    ("no-such-step", "2025-10-06", "unknown_step"),
    ("appeal-board", "2024-06-01", "date_outside"),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("step,when,code", BAD)
def test_bad_input_is_explained_in_the_readers_language(data, calendar, lang, step, when, code):
    with pytest.raises(CalculatorInputError) as info:
        deadline_for_step(step, when, lang, calendar=calendar, data=data)
    err = info.value
    assert err.code == code and err.lang == lang
    assert err.message.startswith({"en": {"date": "Date", "step": "Step"}, "es": {"date": "Fecha", "step": "Paso"}}[lang][err.field])


@pytest.mark.parametrize("lang", LANGS)
def test_bad_input_through_handle_request(data, lang):
    cases = [({"event": "hearing", "date": "2025-02-29"}, "date_impossible"),
             ({"event": "nothing", "date": "2025-10-06"}, "unknown_event"),
             ({"step": "nope", "date": "2025-10-06"}, "unknown_step"),
             ({"event": "hearing"}, "required")]
    for args, code in cases:
        out = json.loads(handle_request(json.dumps({"calculator": "deadline", "lang": lang, "args": args}), data=data))
        assert out["ok"] is False and out["error"]["code"] == code, args
        assert "Traceback" not in out["error"]["message"]


def _data_with(data, calendar_file=CALENDAR_FILE):
    copy = json.loads(json.dumps(data))
    copy["deadlines"]["calendar"] = yaml.safe_load(calendar_file.read_text(encoding="utf-8"))
    return json.loads(json.dumps(copy, default=str))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=30), st.from_regex(r"\A\s?\d{4}-\d{1,2}-\d{1,2}\s?\Z")))
def test_any_date_text_gets_an_answer_or_a_clear_error(data, text):
    cal_data = _data_with(data)
    for lang in LANGS:
        out = json.loads(handle_request(json.dumps({"calculator": "deadline", "lang": lang,
                                                    "args": {"step": "appeal-board", "date": text}}), data=cal_data))
        if out["ok"]:  # only a real YYYY-MM-DD date (ASCII digits) inside the calendar is read
            year, month, day = (int(part) for part in text.strip().split("-"))
            assert date.fromisoformat(out["result"]["results"][0]["last_day"]) > date(year, month, day)
        else:
            assert out["error"]["code"] in {"required", "date_format", "date_impossible", "date_outside"}
            assert out["error"]["field"] == "date"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), step=st.sampled_from(
    ["hearing", "appeal-superintendent", "superintendent-decision", "appeal-board", "board-decision",
     "board-decision-notice", "attorney-notice", "grievance-board-decision", "grievance-to-board"]),
    lang=st.sampled_from(LANGS))
def test_any_date_and_step_on_the_calendar(data, calendar, day, step, lang):
    try:
        r = deadline_for_step(step, day.isoformat(), lang, calendar=calendar, data=data)
    except CalculatorInputError as err:
        assert err.code == "date_outside"
        assert not (calendar.first <= day <= calendar.last)
        return
    assert calendar.first <= day <= calendar.last
    last = date.fromisoformat(r.last_day)
    assert (last < day) if r.direction == "before" else (last > day)
    for iso in r.counted_days:  # a counted school day is never a weekend or a named day off
        d = date.fromisoformat(iso)
        if r.unit in ("school_days", "working_days"):
            assert d.weekday() < 5
            assert iso not in {s.date for s in r.skipped}


@settings(max_examples=100, deadline=None)
@given(step=st.text(min_size=1, max_size=40), lang=st.sampled_from(LANGS))
def test_any_step_name_gets_an_answer_or_a_clear_error(step, lang):
    data = compile_calculator_data(_handbook())
    ids = {s["id"] for s in data["deadlines"]["steps"]}
    try:
        r = deadline_for_step(step, "2025-10-06", lang, data=data)
        assert r.step in ids
    except CalculatorInputError as err:
        assert err.code in {"unknown_step", "required"} and err.field == "step"


_HB = []


def _handbook():
    if not _HB:
        _HB.append(load_handbook(PROJECT / "handbook"))
    return _HB[0]


# ---------------------------------------------------------------- command lines


def run_calculators(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calculators", *args], capture_output=True, text=True, cwd=PROJECT,
                          timeout=60)


def test_cli_list_json(data):
    out = run_calculators("deadline", "--list", "--json")
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    assert [s["id"] for s in listed] == [s["id"] for s in data["deadlines"]["steps"]]
    assert set(listed[0]) == {"id", "quote", "count", "unit"}
    assert all(s["quote"] == step_data(data, s["id"])["quote"]["en"] for s in listed)


def test_cli_step_with_the_fixture_calendar():
    out = run_calculators("deadline", "appeal-superintendent", "--from", "2025-12-19", "--calendar", str(CALENDAR_FILE),
                          "--lang", "es", "--json")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["last_day"] == "2026-01-16" and len(r["counted_days"]) == 10
    text = run_calculators("deadline", "appeal-superintendent", "--from", "2025-12-19", "--calendar", str(CALENDAR_FILE),
                           "--lang", "es")
    assert "viernes 16 de enero de 2026" in text.stdout and "Vacaciones de invierno" in text.stdout


@pytest.mark.parametrize("lang,word", [("en", "does not exist"), ("es", "no existe")])
def test_cli_bad_date_exits_2_with_a_message(lang, word):
    out = run_calculators("deadline", "appeal-board", "--from", "2025-02-30", "--lang", lang)
    assert out.returncode == 2 and word in out.stderr and "Traceback" not in out.stderr


def test_cli_date_outside_the_calendar():
    out = run_calculators("deadline", "appeal-board", "--from", "2030-01-01", "--calendar", str(CALENDAR_FILE))
    assert out.returncode == 2 and "outside every school year" in out.stderr


# ---------------------------------------------------------------- the consistency report


def test_report_finds_the_boards_two_units(handbook):
    found = [f for f in part.findings(handbook) if f.topic == part.TOPIC]
    board = [f for f in found if "30 school days" in f.message and "30 calendar days" in f.message]
    assert len(board) == 1
    assert "section-08.md:" in board[0].message


def test_report_finds_a_step_counting_from_an_event_no_step_sets(handbook):
    found = [f.message for f in part.findings(handbook)]
    assert any("The Superintendent concluded the review" in m and "no earlier step" in m for m in found)


def test_report_follows_the_data(handbook_copy):
    """Give the Board's decision one unit: the two-units finding goes; the rest stays."""
    path = handbook_copy / "handbook" / "data" / "deadlines.yml"
    text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    long_term = next(p for p in doc["procedures"] if p["id"] == "long-term")
    long_term["steps"] = [s for s in long_term["steps"] if s["id"] != "board-decision-notice"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = [f.message for f in part.findings(load_handbook(handbook_copy / "handbook"))]
    assert not any("30 calendar days" in m for m in found)
    assert any("no earlier step" in m for m in found)


def test_the_report_page_lists_the_timeline_topic():
    from build_scripts.source.i18n import load_strings
    from build_scripts.core.report import topics

    assert part.TOPIC in [topic.id for topic in topics()]
    for lang in LANGS:
        assert load_strings(lang)[f"report_topic_{part.TOPIC}"]


# ---------------------------------------------------------------- check on broken copies


def _break(root: Path, old: str, new: str) -> None:
    path = root / "handbook" / "data" / "deadlines.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_fails_on_a_quote_not_on_its_page(handbook_copy):
    _break(handbook_copy, "within ten (10) working days after the review is concluded.",
           "within ten (10) working days after the review is over.")
    problems = source_problems(handbook_copy)
    hit = [p for p in problems if "deadlines.yml:" in p and "not found word for word in handbook/pages/en/section-08.md" in p]
    assert hit, problems


def test_check_fails_on_a_spanish_quote_not_on_the_spanish_page(handbook_copy):
    _break(handbook_copy, "dentro de los diez (10) días hábiles", "dentro de los diez (10) días laborables")
    problems = source_problems(handbook_copy)
    assert any("not found word for word in handbook/pages/es/section-08.md" in p for p in problems), problems


def test_check_fails_on_a_count_the_sentence_does_not_state(handbook_copy):
    path = handbook_copy / "handbook" / "data" / "deadlines.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(s for p in doc["procedures"] for s in p["steps"] if s["id"] == "appeal-board")["count"] = 5
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert any("count 5" in p and "deadlines.yml:" in p for p in problems), problems


def test_check_fails_when_due_process_yml_says_otherwise(handbook_copy):
    path = handbook_copy / "handbook" / "data" / "due_process.yml"
    text = path.read_text(encoding="utf-8")
    marker = "    within:\n      days: 3\n"
    assert marker in text
    path.write_text(text.replace(marker, "    within:\n      days: 5\n"), encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert any("deadlines.yml:" in p and "step 'appeal-board'" in p and "due_process.yml" in p for p in problems), problems


def test_check_fails_on_an_unknown_event_and_an_unknown_timeline(handbook_copy):
    _break(handbook_copy, "from: superintendent-review-concluded", "from: review-done")
    page = handbook_copy / "handbook" / "pages" / "es" / "section-03.md"
    page.write_text(page.read_text(encoding="utf-8").replace("<!-- insert: timeline grievance -->",
                                                             "<!-- insert: timeline nothing -->"), encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert any("unknown event 'review-done'" in p for p in problems), problems
    assert any("section-03.md:" in p and "insert 'timeline' takes one of: grievance, long-term (not 'nothing')" in p
               for p in problems), problems


def test_check_fails_on_a_calendar_without_spanish_names(handbook_copy, tmp_path):
    out = tmp_path / "calendar.yml"
    part.calendar_import(FIXTURES / "calendar.ics", out)
    shutil.copy(out, handbook_copy / "handbook" / "data" / "calendar.yml")
    problems = source_problems(handbook_copy)
    assert any("calendar.yml:" in p and "no es text" in p for p in problems), problems


def test_check_fails_on_a_calendar_year_that_ends_before_it_starts(handbook_copy):
    text = CALENDAR_FILE.read_text(encoding="utf-8").replace("last_day: 2027-05-28", "last_day: 2026-05-28")
    (handbook_copy / "handbook" / "data" / "calendar.yml").write_text(text, encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert any("calendar.yml:" in p and "before first_day" in p for p in problems), problems


def test_the_fixture_calendar_passes_check_and_reaches_the_calculators(handbook_copy):
    shutil.copy(CALENDAR_FILE, handbook_copy / "handbook" / "data" / "calendar.yml")
    from build_scripts.core.validate import load_and_check

    hb, _ = load_and_check(handbook_copy / "mkdocs.yml")
    data = compile_calculator_data(hb)
    assert data["deadlines"]["calendar"]["school_years"][0]["first_day"] == "2025-08-13"
    r = deadline_for_step("appeal-superintendent", "2025-12-19", "es", data=data)
    assert r.calendar and r.last_day == "2026-01-16"


# ---------------------------------------------------------------- calendar import


def test_calendar_import_reads_the_ics_and_says_what_it_read(tmp_path):
    out = tmp_path / "calendar.yml"
    run = subprocess.run([sys.executable, "-m", "build_scripts", "calendar", "import", str(FIXTURES / "calendar.ics"),
                          "--out", str(out)], capture_output=True, text=True, cwd=PROJECT, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "First Day of School: first day of school year 2025-2026" in run.stdout
    assert "Winter Break: no school" in run.stdout and "offices closed" in run.stdout
    assert "Summer camp: outside every school year, left out" in run.stdout
    cal = yaml.safe_load(out.read_text(encoding="utf-8"))
    year = cal["school_years"][0]
    assert (str(year["first_day"]), str(year["last_day"])) == ("2025-08-13", "2026-05-29")
    winter = next(d for d in year["no_school"] if d["name"]["en"] == "Winter Break")
    assert (str(winter["from"]), str(winter["to"])) == ("2025-12-22", "2026-01-02")  # DTEND is exclusive
    assert str(cal["office_closed"][0]["to"]) == "2026-01-01"


def test_calendar_import_of_a_file_that_is_not_ics(tmp_path):
    bad = tmp_path / "x.ics"
    bad.write_text("not a calendar", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "build_scripts", "calendar", "import", str(bad), "--out",
                          str(tmp_path / "c.yml")], capture_output=True, text=True, cwd=PROJECT, timeout=60)
    assert run.returncode == 1 and "Traceback" not in run.stderr and str(bad) in run.stderr


# ---------------------------------------------------------------- the timeline insert (site Markdown and print)


@pytest.mark.parametrize("lang", LANGS)
def test_timelines_render_on_sections_iii_and_viii_and_in_print(handbook, lang):
    from build_scripts.core.pages import render_language
    from build_scripts.outputs.print_html import render_print_pages

    site = render_language(handbook, lang)
    printed = render_print_pages(handbook, lang)
    dl = part.load(handbook).model
    for proc in dl.procedures:
        for pages in (site, printed):
            md = pages[proc.page]
            assert md.count('<ol class="hb-timeline"') == 1
            assert all(f'id="deadline-{s.id}"' in md for s in proc.steps)
    assert site["deadline-calculator"].count('<ol class="hb-timeline"') == len(dl.procedures)
    assert "hb-timeline" in (PROJECT / "site_templates" / "print" / "print.css").read_text(encoding="utf-8")
