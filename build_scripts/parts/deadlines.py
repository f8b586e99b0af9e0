"""The deadlines part: the handbook's timelines as data (data/deadlines.yml), an optional school calendar
(data/calendar.yml), their checks, consistency-report findings, the timeline insert and the calendar import.

Two parts: `deadlines` (the timelines, the `timeline PROCEDURE` insert) and `calendar` (the optional school
calendar the deadline calculator counts on). The calculators part adds `calculator deadline` and the
`deadlines` block of the calculators' data (`calculator_data`); `calendar_import` is
`python -m build_scripts calendar import FILE.ics`.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from ..source.config import handbook_dir, read_config
from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.reading import Problem, SourceError, YamlDoc, key_path
from ..source.schema import Strict, Text
from ..source.schema import non_empty as _non_empty
from .base import DataChange, DataFile, InsertKind, Part, Rendering, compare_items, place, value_change
from .due_process import squash

DEADLINES_FILE = "data/deadlines.yml"
CALENDAR_FILE = "data/calendar.yml"
TOPIC = "timelines"
INSERT = "timeline"

Unit = Literal["school_days", "calendar_days", "working_days", "hours", "calendar_months"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# ---------------------------------------------------------------- schema: deadlines.yml


class Example(Strict):
    """The handbook's own worked example of counting (Section VIII: Monday -> Thursday)."""

    quote: Text
    count: int = Field(ge=1)
    unit: Unit
    from_weekday: Literal[WEEKDAYS]  # type: ignore[valid-type]
    to_weekday: Literal[WEEKDAYS]  # type: ignore[valid-type]

    _check = field_validator("quote")(_non_empty)


class Rules(Strict):
    """How the handbook counts days, in its own sentences."""

    page: str
    days_mean_school_days: Text | None = None
    after_school_year: Text | None = None
    example: Example | None = None


class Event(Strict):
    id: str
    name: Text

    _check = field_validator("name")(_non_empty)


class Step(Strict):
    id: str
    who: Text
    does: Text
    count: int = Field(ge=1)
    unit: Unit
    direction: Literal["after", "before"] = "after"
    from_: str = Field(alias="from")
    produces: str | None = None
    from_stated: bool = True
    unit_stated: bool = True
    quote: Text

    _check = field_validator("who", "does", "quote")(_non_empty)


class Procedure(Strict):
    id: str
    page: str
    title: Text
    start_events: list[str] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)


class Deadlines(Strict):
    rules: Rules | None = None
    events: list[Event] = Field(min_length=1)
    procedures: list[Procedure] = Field(min_length=1)

    def event(self, event_id: str) -> Event | None:
        return next((e for e in self.events if e.id == event_id), None)

    def steps(self) -> list[tuple[Procedure, Step]]:
        return [(p, s) for p in self.procedures for s in p.steps]


# ---------------------------------------------------------------- schema: calendar.yml


class Days(Strict):
    """One day (`date`) or a run of days (`from` .. `to`, both included), with its name."""

    date_: date | None = Field(default=None, alias="date")
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    name: Text

    _check = field_validator("name")(_non_empty)

    @model_validator(mode="after")
    def _one_day_or_a_run(self) -> "Days":
        if (self.date_ is None) == (self.from_ is None and self.to is None):
            raise ValueError("give either `date` or `from` and `to`")
        if self.date_ is None and (self.from_ is None or self.to is None):
            raise ValueError("a run of days needs both `from` and `to`")
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError(f"`to` ({self.to}) is before `from` ({self.from_})")
        return self

    @property
    def first(self) -> date:
        return self.date_ or self.from_  # type: ignore[return-value]

    @property
    def last(self) -> date:
        return self.date_ or self.to  # type: ignore[return-value]


class SchoolYear(Strict):
    name: str
    first_day: date
    last_day: date
    no_school: list[Days] = Field(default_factory=list)  # days without school for students, inside the year

    @model_validator(mode="after")
    def _in_order(self) -> "SchoolYear":
        if self.last_day < self.first_day:
            raise ValueError(f"last_day ({self.last_day}) is before first_day ({self.first_day})")
        return self


class Calendar(Strict):
    school_years: list[SchoolYear] = Field(min_length=1)
    office_closed: list[Days] = Field(default_factory=list)  # days the administrative offices are closed


# ---------------------------------------------------------------- loading


@dataclass
class Loaded:
    model: Any
    doc: YamlDoc

    def where(self, loc: tuple[str | int, ...], message: str) -> Problem:
        return Problem(self.doc.rel, message, self.doc.line_of(loc), key_path(loc) or None)


def load(hb: Handbook) -> Loaded | None:
    """data/deadlines.yml, validated by the loader (core/load.py); None when the handbook has none."""
    return Loaded(hb.deadlines, hb.docs[DEADLINES_FILE]) if hb.deadlines is not None else None


def load_calendar(hb: Handbook) -> Loaded | None:
    """data/calendar.yml, validated; None when the district has published none."""
    return Loaded(hb.calendar, hb.docs[CALENDAR_FILE]) if hb.calendar is not None else None


# ---------------------------------------------------------------- check


def quote_line(hb: Handbook, lang: str, page_id: str, quote: str) -> int | None:
    """The line of the page file where a quote starts (for the report), or None."""
    page = hb.pages.get(lang, {}).get(page_id)
    if page is None:
        return None
    lines = page.body.split("\n")
    for wanted in (squash(quote), squash(quote)[:60]):  # a paragraph is one line; else where it starts
        for offset, line in enumerate(lines):
            if wanted and wanted in squash(line):
                return page.body_line + offset
    return None


def _missing_languages(item: Loaded, languages: list[str]) -> list[Problem]:
    """Every reader-facing text ({en: ..., es: ...}) of a file in every language of the edition."""
    problems = []

    def walk(node: Any, loc: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            if node and all(isinstance(k, str) and len(k) == 2 and isinstance(v, str) for k, v in node.items()):
                for lang in languages:
                    if lang not in node:
                        problems.append(item.where(loc, f"no {lang} text"))
                return
            for key, value in node.items():
                walk(value, (*loc, key))
        elif isinstance(node, list):
            for k, value in enumerate(node):
                walk(value, (*loc, k))

    walk(item.doc.data, ())
    return problems


def _check_calendar(cal: Loaded) -> list[Problem]:
    problems = []
    years: list[SchoolYear] = cal.model.school_years
    for i in range(1, len(years)):
        if years[i].first_day <= years[i - 1].last_day:
            problems.append(cal.where(("school_years", i, "first_day"),
                                      f"school year {years[i].name} starts before {years[i - 1].name} ends: "
                                      "list the years in order, without overlap"))
    for i, year in enumerate(years):
        for k, days in enumerate(year.no_school):
            if days.first < year.first_day or days.last > year.last_day:
                problems.append(cal.where(("school_years", i, "no_school", k),
                                          f"outside the school year {year.name} ({year.first_day} to {year.last_day})"))
    return problems


def check(hb: Handbook) -> list[Problem]:
    """Everything in the deadlines and calendar files that must be fixed before a build."""
    problems: list[Problem] = []
    try:
        loaded = load(hb)
        cal = load_calendar(hb)
    except SourceError as exc:
        return exc.problems
    if cal is not None:
        problems += _check_calendar(cal) + _missing_languages(cal, hb.languages)

    if loaded is None:  # a `timeline` insert without the file: the core's insert check says so
        return problems
    data: Deadlines = loaded.model
    problems += _missing_languages(loaded, hb.languages)
    event_ids = [e.id for e in data.events]
    known = set(event_ids)
    seen: set[str] = set()
    for i, eid in enumerate(event_ids):
        if eid in seen:
            problems.append(loaded.where(("events", i, "id"), f"duplicate event id '{eid}'"))
        seen.add(eid)

    def check_quote(loc: tuple[str | int, ...], page_id: str, text: Text) -> None:
        for lang in hb.languages:
            page = hb.pages.get(lang, {}).get(page_id)
            if page is None:
                problems.append(loaded.where(loc[:-1] + ("page",) if loc[-1] == "quote" else loc,
                                             f"no page '{page_id}' in {lang}"))
            elif lang not in text:
                problems.append(loaded.where(loc, f"no {lang} text"))
            elif squash(text[lang]) not in squash(page.body):
                problems.append(loaded.where((*loc, lang), f"not found word for word in {page.rel}"))

    rules = data.rules
    if rules:
        for key in ("days_mean_school_days", "after_school_year"):
            if getattr(rules, key):
                check_quote(("rules", key), rules.page, getattr(rules, key))
        if rules.example:
            check_quote(("rules", "example", "quote"), rules.page, rules.example.quote)
    step_ids: set[str] = set()
    procedure_ids: set[str] = set()
    for pi, proc in enumerate(data.procedures):
        if proc.id in procedure_ids:
            problems.append(loaded.where(("procedures", pi, "id"), f"duplicate procedure id '{proc.id}'"))
        procedure_ids.add(proc.id)
        for k, eid in enumerate(proc.start_events):
            if eid not in known:
                problems.append(loaded.where(("procedures", pi, "start_events", k), f"unknown event '{eid}' (not in events)"))
        for si, step in enumerate(proc.steps):
            at = ("procedures", pi, "steps", si)
            if step.id in step_ids:
                problems.append(loaded.where((*at, "id"), f"duplicate step id '{step.id}'"))
            step_ids.add(step.id)
            for key, eid in (("from", step.from_), ("produces", step.produces)):
                if eid is not None and eid not in known:
                    problems.append(loaded.where((*at, key), f"unknown event '{eid}' (not in events)"))
            check_quote((*at, "quote"), proc.page, step.quote)
            # the count must be the one the sentence states: the handbook writes numbers as "three (3)"
            approved = step.quote.get(hb.languages[0], "")
            if f"({step.count})" not in approved:
                problems.append(loaded.where((*at, "count"), f"count {step.count}: the quote does not state ({step.count})"))
    problems += _agrees_with_due_process(hb, loaded)  # an unknown procedure in an insert: the core's insert check
    return problems


def _agrees_with_due_process(hb: Handbook, loaded: Loaded) -> list[Problem]:
    """data/due_process.yml (the consequence lookup's notes) names some of the same steps: same id, same sentence,
    same count and unit, or `check` fails, so the two files cannot drift apart."""
    if hb.due_process is None:
        return []
    problems = []
    ours = {s.id: (pi, si, s) for pi, p in enumerate(loaded.model.procedures) for si, s in enumerate(p.steps)}
    for k, theirs in enumerate(hb.due_process.long_term.steps):
        if theirs.id not in ours:
            continue
        pi, si, step = ours[theirs.id]
        at = ("procedures", pi, "steps", si)
        if (theirs.within.days, theirs.within.unit) != (step.count, step.unit):
            problems.append(loaded.where((*at, "count"), f"step '{step.id}': {step.count} {step.unit} here, "
                                         f"{theirs.within.days} {theirs.within.unit} in data/due_process.yml "
                                         f"(long_term.steps[{k}])"))
        for lang in hb.languages:
            if squash(theirs.quote.get(lang, "")) != squash(step.quote.get(lang, "")):
                problems.append(loaded.where((*at, "quote", lang), f"step '{step.id}': not the sentence "
                                             f"data/due_process.yml quotes (long_term.steps[{k}].quote.{lang})"))
    return problems


# ---------------------------------------------------------------- consistency report

UNIT_WORDS = {"school_days": "school days", "calendar_days": "calendar days", "working_days": "working days",
              "hours": "hours", "calendar_months": "calendar months"}


def _amount(step: Step) -> str:
    unit = UNIT_WORDS[step.unit]
    return f"{step.count} {unit[:-1] if step.count == 1 else unit}"


def findings(hb: Handbook) -> list[Finding]:
    """Timelines that disagree or do not connect, computed from the data (topic 'timelines')."""
    try:
        loaded = load(hb)
    except SourceError:
        return []  # check reports it
    if loaded is None:
        return []
    data: Deadlines = loaded.model
    lang = hb.languages[0]
    out: list[Finding] = []

    def name(eid: str) -> str:
        event = data.event(eid)
        return event.name.get(lang, eid) if event else eid

    def place(pi: int, si: int) -> str:
        return f"{loaded.doc.rel}:{loaded.doc.line_of(('procedures', pi, 'steps', si))}"

    def page_place(proc: Procedure, step: Step) -> str:
        page = hb.pages[lang].get(proc.page)
        line = quote_line(hb, lang, proc.page, step.quote.get(lang, ""))
        return f"{page.rel}:{line}" if page and line else proc.page

    # the same step (from the same event to the same outcome) given in two units or two counts
    groups: dict[tuple[str, str, str], list[tuple[int, int, Procedure, Step]]] = {}
    for pi, proc in enumerate(data.procedures):
        for si, step in enumerate(proc.steps):
            if step.produces:
                groups.setdefault((step.from_, step.produces, step.direction), []).append((pi, si, proc, step))
    for (src, outcome, _), members in groups.items():
        if len({(s.count, s.unit) for *_, s in members}) > 1:
            described = " and ".join(f"{_amount(s)} (“{s.quote.get(lang)}”, {page_place(p, s)})" for _, _, p, s in members)
            out.append(Finding(TOPIC, f"From “{name(src)}” to “{name(outcome)}” the handbook gives {described}.",
                               tuple(place(pi, si) for pi, si, _, _ in members)))
    # a step counting from an event no earlier step produces (and that does not start its procedure)
    for pi, proc in enumerate(data.procedures):
        produced = set(proc.start_events)
        for si, step in enumerate(proc.steps):
            if step.from_ not in produced:
                out.append(Finding(TOPIC, f"{proc.title.get(lang)}: “{step.quote.get(lang)}” counts from “{name(step.from_)}”, "
                                          "which no earlier step of the procedure sets a deadline for, so its date "
                                          "cannot be worked out from the timeline.", (place(pi, si), page_place(proc, step))))
            if step.produces:
                produced.add(step.produces)
        unstated = [(si, s) for si, s in enumerate(proc.steps) if not s.from_stated]
        if unstated:
            listed = "; ".join(f"{_amount(s)} for “{s.does.get(lang)}” (read as from “{name(s.from_)}”)" for _, s in unstated)
            count = "1 deadline does not say from when it counts" if len(unstated) == 1 else \
                f"{len(unstated)} deadlines do not say from when they count"
            out.append(Finding(TOPIC, f"{proc.title.get(lang)}: {count}: {listed}.",
                               tuple(place(pi, si) for si, _ in unstated)))
        for si, s in enumerate(proc.steps):
            if not s.unit_stated:
                out.append(Finding(TOPIC, f"{proc.title.get(lang)}: “{s.quote.get(lang)}” gives {s.count} days without "
                                          f"saying which kind; read as {UNIT_WORDS[s.unit]}.", (place(pi, si), page_place(proc, s))))
    return out


# ---------------------------------------------------------------- timeline insert and calculator form


def insert_context(hb: Handbook, lang: str, arg: str | None) -> dict[str, Any]:
    """Context for site_templates/pages/timeline.md.j2 (one procedure, or all of them for the calculator)."""
    loaded = load(hb)
    if loaded is None:
        return {"timeline_procedures": [], "deadline_events": []}
    data: Deadlines = loaded.model
    procedures = [p for p in data.procedures if arg in (None, "deadline") or p.id == arg]
    # the events a reader can start from: every event some step counts from, grouped by procedure, in order
    events = []
    for proc in data.procedures:
        ids: list[str] = []
        for step in proc.steps:
            if step.from_ not in ids:
                ids.append(step.from_)
        events.append({"procedure": proc, "events": [data.event(e) for e in ids if data.event(e)]})
    return {"timeline_procedures": procedures, "deadline_events": events, "deadlines": data}


# ---------------------------------------------------------------- changes since the previous edition


def step_reading(r: Rendering, data: Deadlines, step: Step) -> str:
    """A step's deadline in the page's language, as its timeline says it: count, kind of days, starting event."""
    unit = r.t(f"timeline_unit_{step.unit}_{'one' if step.count == 1 else 'other'}")
    event = data.event(step.from_)
    return r.t(f"timeline_{step.direction}", amount=f"{step.count} {unit}", event=r.tx(event.name) if event else step.from_)


def changes(before: Handbook, after: Handbook, r: Rendering) -> list[DataChange]:
    """A deadline added or removed, or its count, kind of days or starting event changed (per procedure)."""
    old_d, new_d = before.deadlines, after.deadlines
    out: list[DataChange] = []
    old_procedures = {p.id: p for p in old_d.procedures} if old_d else {}
    for proc in new_d.procedures if new_d else []:
        def what(step: Step, proc: Procedure = proc) -> str:
            return r.t("changes_what_deadline", procedure=r.tx(proc.title), who=r.tx(step.who), does=r.tx(step.does))

        def where(step: Step, proc: Procedure = proc) -> tuple[str, str | None] | None:
            return place(r, INSERT, proc.id, f"deadline-{step.id}")

        def details(old: Step, new: Step) -> list[DataChange]:
            governing = r.hb.languages[0]
            quoted = (old.quote.get(governing, ""), new.quote.get(governing, ""))
            return [replace(change, quoted=quoted) for change in
                    value_change(r, what(new), step_reading(r, old_d, old), step_reading(r, new_d, new), where(new))]

        def shown(step: Step, proc: Procedure = proc) -> Text:  # an added step reads in this edition's events
            reading = step_reading(r, new_d if step in proc.steps else old_d, step)
            return {lang: reading for lang in (r.hb.languages[0], r.lang)}

        old = old_procedures.get(proc.id)
        out += compare_items(r, old.steps if old else [], proc.steps, what, shown, where, details)
    return out


# ---------------------------------------------------------------- the calculators' data


def _tx(text: Text | None, langs: list[str]) -> Text | None:
    return None if text is None else {lang: text[lang] for lang in langs if lang in text}


def calculator_data(hb: Handbook) -> dict[str, Any] | None:
    """What calculators/deadline.py reads (JSON-ready), or None without data/deadlines.yml."""
    loaded = load(hb)
    if loaded is None:
        return None
    data: Deadlines = loaded.model
    langs = hb.languages

    def page_title(pid: str) -> Text:
        return {lang: hb.pages[lang][pid].title for lang in langs if pid in hb.pages.get(lang, {})}

    rules = None
    if data.rules:
        r = data.rules
        rules = {"page": r.page, "page_title": page_title(r.page),
                 "days_mean_school_days": _tx(r.days_mean_school_days, langs),
                 "after_school_year": _tx(r.after_school_year, langs),
                 "example": r.example.model_dump(mode="json") | {"quote": _tx(r.example.quote, langs)} if r.example else None}
    cal = load_calendar(hb)
    calendar = None
    if cal is not None:
        calendar = cal.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {
        "rules": rules,
        "events": {e.id: _tx(e.name, langs) for e in data.events},
        "procedures": [{"id": p.id, "page": p.page, "page_title": page_title(p.page), "title": _tx(p.title, langs),
                        "start_events": p.start_events} for p in data.procedures],
        "steps": [{"id": s.id, "procedure": p.id, "page": p.page, "who": _tx(s.who, langs), "does": _tx(s.does, langs),
                   "count": s.count, "unit": s.unit, "direction": s.direction, "from": s.from_, "produces": s.produces,
                   "from_stated": s.from_stated, "unit_stated": s.unit_stated, "quote": _tx(s.quote, langs)}
                  for p, s in data.steps()],
        "calendar": calendar,
    }


# ---------------------------------------------------------------- calendar import (iCalendar)

# words in an event's summary that say what kind of day it is (lower case; the district's export names them)
OFFICE_WORDS = ("office", "offices", "district closed", "administrative", "oficina")
FIRST_DAY_WORDS = ("first day of school", "first day for students", "primer día de clases")
LAST_DAY_WORDS = ("last day of school", "last day for students", "último día de clases")


@dataclass(frozen=True)
class IcsDay:
    summary: str
    first: date
    last: date  # included


def read_ics(path: Path) -> list[IcsDay]:
    """All-day events of an iCalendar file (DTEND is exclusive in iCalendar; `last` here is included)."""
    import icalendar  # the build extra; only this command needs it

    try:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
    except (ValueError, KeyError) as exc:
        raise SourceError([Problem(str(path), f"not an iCalendar file: {exc}")]) from None
    days = []
    for event in cal.walk("VEVENT"):
        start = event.decoded("DTSTART", None)
        if start is None:
            continue
        start_day = start if not hasattr(start, "date") else start.date()
        end = event.decoded("DTEND", None)
        if end is None:
            last = start_day
        else:
            end_day = end if not hasattr(end, "date") else end.date()
            last = end_day - timedelta(days=1) if not hasattr(end, "hour") and end_day > start_day else end_day
        days.append(IcsDay(str(event.get("SUMMARY", "")).strip(), start_day, max(last, start_day)))
    return sorted(days, key=lambda d: (d.first, d.summary))


def calendar_from_ics(days: list[IcsDay]) -> tuple[dict[str, Any], list[str]]:
    """calendar.yml's mapping from an iCalendar export, and a line per event saying how it was read.

    "First/last day of school" events bound the school years; events whose summary names the offices are
    office closures; every other all-day event inside a school year is a day without school."""
    lines: list[str] = []
    firsts = [d for d in days if any(w in d.summary.lower() for w in FIRST_DAY_WORDS)]
    lasts = [d for d in days if any(w in d.summary.lower() for w in LAST_DAY_WORDS)]
    years: list[dict[str, Any]] = []
    for first in firsts:
        last = next((d for d in lasts if d.first > first.first), None)
        if last is None:
            lines.append(f"  {first.first}  {first.summary}: no last day of school after it, year left out")
            continue
        years.append({"name": f"{first.first.year}-{last.first.year}", "first_day": first.first,
                      "last_day": last.first, "no_school": []})
        lines.append(f"  {first.first}  {first.summary}: first day of school year {years[-1]['name']}")
        lines.append(f"  {last.first}  {last.summary}: last day of school year {years[-1]['name']}")
    office: list[dict[str, Any]] = []
    for d in days:
        if d in firsts or d in lasts:
            continue
        entry: dict[str, Any] = {"date": d.first} if d.first == d.last else {"from": d.first, "to": d.last}
        entry["name"] = {"en": d.summary}
        span = f"{d.first}" if d.first == d.last else f"{d.first} to {d.last}"
        if any(w in d.summary.lower() for w in OFFICE_WORDS):
            office.append(entry)
            lines.append(f"  {span}  {d.summary}: offices closed")
            continue
        year = next((y for y in years if y["first_day"] <= d.first and d.last <= y["last_day"]), None)
        if year is None:
            lines.append(f"  {span}  {d.summary}: outside every school year, left out")
            continue
        year["no_school"].append(entry)
        lines.append(f"  {span}  {d.summary}: no school ({year['name']})")
    return {"school_years": years, "office_closed": office}, lines


def calendar_import(ics: Path, out: Path) -> list[str]:
    """Write calendar.yml from an iCalendar export; return what was read (one line per event)."""
    mapping, lines = calendar_from_ics(read_ics(ics))
    if not mapping["school_years"]:
        raise SourceError([Problem(str(ics), "no school year found: the export needs events named "
                                             "“First day of school” and “Last day of school”")])
    try:
        Calendar.model_validate(mapping)
    except ValidationError as exc:
        raise SourceError([Problem(str(ics), f"{key_path(tuple(e['loc']))}: {e['msg']}") for e in exc.errors()]) from None
    header = (f"# School calendar, imported from {ics.name} by `python -m build_scripts calendar import`.\n"
              "# Spanish names (name: {es: ...}) are to be added by the editors: the export has one language.\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return lines


def add_cli(sub: Any) -> None:
    """`calendar import FILE.ics [--out FILE]` under `python -m build_scripts`."""
    cal = sub.add_parser("calendar", help="the school calendar the deadline calculator counts on")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True)
    imp = cal_sub.add_parser("import", help="fill handbook/data/calendar.yml from an iCalendar (.ics) export")
    imp.add_argument("ics", type=Path, help="the district's calendar export (.ics)")
    imp.add_argument("--out", type=Path, default=None, help=f"file to write (default: handbook/{CALENDAR_FILE})")


def cmd_calendar(args: argparse.Namespace) -> int:
    try:
        config = Path(args.config).resolve()
        out = args.out or handbook_dir(config, read_config(config)) / CALENDAR_FILE
    except (OSError, SourceError) as exc:
        print(f"{args.config}: {exc}", file=sys.stderr)
        return 1
    if not args.ics.is_file():
        print(f"{args.ics}: no such file", file=sys.stderr)
        return 1
    try:
        lines = calendar_import(args.ics, out)
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print(f"Read {args.ics}:")
    print("\n".join(lines))
    print(f"Wrote {out}. Check it, add the Spanish names, then run `make check`.")
    return 0


# ---------------------------------------------------------------- the parts


def procedure_ids_of(hb: Handbook) -> list[str]:
    return [p.id for p in hb.deadlines.procedures] if hb.deadlines else []


PART = Part(
    name="deadlines",
    files=(DataFile(DEADLINES_FILE, Deadlines),),
    check=check,
    findings=findings,
    topics=(Topic(TOPIC, "Deadlines that disagree, or that count from an event no step sets", 100),),
    inserts={INSERT: InsertKind("timeline.md.j2", needs=("deadlines",), args=procedure_ids_of,
                                context=lambda r, page_id, arg: insert_context(r.hb, r.lang, arg))},
    changes=changes,
)
CALENDAR = Part(name="calendar", files=(DataFile(CALENDAR_FILE, Calendar),))
