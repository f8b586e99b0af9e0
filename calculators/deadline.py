"""Deadline calculator: the last day of each due-process step, counted as Sections III and VIII count days.

    from calculators.deadline import deadline_for_step, deadlines_from_event, list_steps
    r = deadline_for_step("appeal-board", "2025-10-06", lang="es")   # r.last_day '2025-10-09', r.last_day_text
    rs = deadlines_from_event("hearing", "2025-10-06")                # every step counting from that event

Rules (Section VIII, and the calendar's own definitions):
- counting starts the day after the event; the last counted day is the deadline;
- school days: weekdays of a school year that are not `no_school`; after a year's `last_day` and before the next
  `first_day`, school days are the administrative office's working days;
- working days: weekdays that are not `office_closed`; calendar days: every day; a calendar month: the same day
  of the next month (the month's last day when it has no such day); hours before an event: whole days back.
- without a calendar (the district publishes none), school and working days are weekdays, and every answer says so.

Every step, count, unit and sentence comes from the compiled data (`deadlines`, from handbook/data/deadlines.yml;
the calendar from handbook/data/calendar.yml or a file the caller passes). Standard library only (runs in Pyodide).
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .data import Data, check_lang, resolve, tx
from .deadline_words import WORDS
from .errors import CalculatorInputError
from .results import Quote, plain

DATE_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$", re.ASCII)  # ASCII digits only: no other reading
MAX_DAYS = 3660  # a count never runs further than this: a calendar with no school day left cannot hang the answer


def word(lang: str, key: str, **values: object) -> str:
    text = WORDS[lang][key]
    return text.format(**values) if values else text


def fail(lang: str, field_name: str, kind: str, **values: Any) -> CalculatorInputError:
    return CalculatorInputError(word(lang, f"err_{kind}", field=word(lang, f"field_{field_name}"), **values),
                                field=field_name, code=kind, lang=lang)


def date_text(day: date, lang: str) -> str:
    """'Thursday, October 9, 2025' / 'jueves 9 de octubre de 2025'."""
    weekday = word(lang, f"weekday_{day.weekday()}")
    month = word(lang, f"month_{day.month}")
    return word(lang, "date", weekday=weekday, day=day.day, month=month, year=day.year)


def unit_text(lang: str, unit: str, count: int) -> str:
    return word(lang, f"unit_{unit}_{'one' if count == 1 else 'other'}")


# ---------------------------------------------------------------- the calendar


@dataclass(frozen=True)
class Named:
    first: date
    last: date
    name: dict[str, str]


@dataclass(frozen=True)
class Year:
    name: str
    first_day: date
    last_day: date
    no_school: tuple[Named, ...]


@dataclass(frozen=True)
class SchoolCalendar:
    years: tuple[Year, ...]
    office_closed: tuple[Named, ...]

    @property
    def first(self) -> date:
        return self.years[0].first_day

    @property
    def last(self) -> date:
        return self.years[-1].last_day

    def year_of(self, day: date) -> Year | None:
        return next((y for y in self.years if y.first_day <= day <= y.last_day), None)

    def closed(self, day: date) -> Named | None:
        return next((c for c in self.office_closed if c.first <= day <= c.last), None)


def _iso(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    m = DATE_RE.match(str(value))
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise ValueError(f"{where}: '{value}' is not a date (YYYY-MM-DD)")


def _named(entry: Any, where: str) -> Named:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), dict):
        raise ValueError(f"{where}: needs `date` (or `from` and `to`) and `name: {{en: ..., es: ...}}`")
    if "date" in entry:
        first = last = _iso(entry["date"], where)
    else:
        first, last = _iso(entry.get("from"), where), _iso(entry.get("to"), where)
    if last < first:
        raise ValueError(f"{where}: `to` is before `from`")
    return Named(first, last, {str(k): str(v) for k, v in entry["name"].items()})


def calendar_from_mapping(mapping: Any) -> SchoolCalendar:
    """calendar.yml's shape (as parsed YAML or JSON) -> a SchoolCalendar; ValueError naming the entry when wrong."""
    if not isinstance(mapping, dict) or not isinstance(mapping.get("school_years"), list) or not mapping["school_years"]:
        raise ValueError("the calendar needs `school_years`: a list of {name, first_day, last_day, no_school}")
    years = []
    for i, y in enumerate(mapping["school_years"]):
        where = f"school_years[{i}]"
        if not isinstance(y, dict):
            raise ValueError(f"{where}: needs name, first_day and last_day")
        first, last = _iso(y.get("first_day"), f"{where}.first_day"), _iso(y.get("last_day"), f"{where}.last_day")
        if last < first:
            raise ValueError(f"{where}: last_day is before first_day")
        no_school = tuple(_named(e, f"{where}.no_school[{k}]") for k, e in enumerate(y.get("no_school") or []))
        years.append(Year(str(y.get("name", first.year)), first, last, no_school))
    years.sort(key=lambda y: y.first_day)
    closed = tuple(_named(e, f"office_closed[{k}]") for k, e in enumerate(mapping.get("office_closed") or []))
    return SchoolCalendar(tuple(years), closed)


# ---------------------------------------------------------------- counting


@dataclass(frozen=True)
class Skipped:
    date: str
    reason: str  # in the reader's language: "Saturday", "Winter break", ...


def _weekend(day: date, lang: str) -> str | None:
    return word(lang, "weekend") if day.weekday() >= 5 else None  # the date itself names the day


def _why_not_counted(day: date, unit: str, cal: SchoolCalendar | None, lang: str, data: Data) -> tuple[str | None, bool]:
    """(None if the day counts, else the reason in words; whether the summer rule applied to it)."""
    if unit == "calendar_days":
        return None, False
    weekend = _weekend(day, lang)
    if cal is None:
        return weekend, False
    if unit == "school_days":
        year = cal.year_of(day)
        # a named break first, so "Winter break" reads as one run, weekends inside it included
        if year is not None:
            off = next((n for n in year.no_school if n.first <= day <= n.last), None)
            return (tx(off.name, lang, data) if off else weekend), False
        # between school years: the administrative office's working days (Section VIII)
        closed = cal.closed(day)
        return (tx(closed.name, lang, data) if closed else weekend), True
    closed = cal.closed(day)
    return (tx(closed.name, lang, data) if closed else weekend), False


def _add_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Count:
    last_day: date
    counted: tuple[date, ...]
    skipped: tuple[Skipped, ...]
    summer_rule: bool


def count_days(start: date, count: int, unit: str, direction: str, cal: SchoolCalendar | None, lang: str,
               data: Data) -> Count:
    """The last day of `count` `unit`s after (or before) `start`, the days counted and those passed over."""
    if unit == "calendar_months":
        last = start
        for _ in range(count):
            last = _add_month(last)
        return Count(last, (last,), (), False)
    if unit == "hours":
        days = -(-count // 24)  # whole days, rounded up: 72 hours are 3 days
        step = -1 if direction == "before" else 1
        counted = tuple(start + timedelta(days=step * k) for k in range(1, days + 1))
        return Count(counted[-1], counted, (), False)
    step = -1 if direction == "before" else 1
    counted: list[date] = []
    skipped: list[Skipped] = []
    summer = False
    day = start
    for _ in range(MAX_DAYS):
        day = day + timedelta(days=step)
        reason, between_years = _why_not_counted(day, unit, cal, lang, data)
        if reason is None:
            counted.append(day)
            summer = summer or between_years
            if len(counted) == count:
                return Count(day, tuple(counted), tuple(skipped), summer)
        else:
            skipped.append(Skipped(day.isoformat(), reason))
    raise fail(lang, "date", "no_days_left", date=start.isoformat())


# ---------------------------------------------------------------- inputs


def _deadline_data(data: Data, lang: str) -> dict[str, Any]:
    block = data.get("deadlines")
    if not block:
        raise CalculatorInputError(word(lang, "err_no_deadlines"), field=None, code="no_deadlines", lang=lang)
    return block


def read_date(value: Any, lang: str, cal: SchoolCalendar | None) -> date:
    """'YYYY-MM-DD' -> a date; a clear error for a missing, malformed, impossible or out-of-calendar date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail(lang, "date", "required")
    m = DATE_RE.match(str(value)) if isinstance(value, str) else None
    if not m:
        raise fail(lang, "date", "date_format", value=str(value)[:40])
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise fail(lang, "date", "date_impossible", value=value.strip()) from None
    if cal is not None and not (cal.first <= day <= cal.last):
        raise fail(lang, "date", "date_outside", value=day.isoformat(), first=date_text(cal.first, lang),
                   last=date_text(cal.last, lang))
    return day


def _calendar_of(block: dict[str, Any], given: Any) -> SchoolCalendar | None:
    if isinstance(given, SchoolCalendar):
        return given
    if given is not None:
        return calendar_from_mapping(given)
    return calendar_from_mapping(block["calendar"]) if block.get("calendar") else None


def _step(block: dict[str, Any], value: Any, lang: str) -> dict[str, Any]:
    ids = [s["id"] for s in block["steps"]]
    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail(lang, "step", "required")
    key = str(value).strip().lower()
    found = next((s for s in block["steps"] if s["id"] == key), None)
    if found is None:
        raise fail(lang, "step", "unknown_step", value=str(value)[:60], choices=", ".join(ids))
    return found


def _event(block: dict[str, Any], value: Any, lang: str) -> str:
    starts = []
    for s in block["steps"]:
        if s["from"] not in starts:
            starts.append(s["from"])
    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail(lang, "event", "required")
    key = str(value).strip().lower()
    if key not in starts:
        raise fail(lang, "event", "unknown_event", value=str(value)[:60], choices=", ".join(starts))
    return key


# ---------------------------------------------------------------- answers


@dataclass(frozen=True)
class DeadlineResult:
    lang: str
    step: str
    procedure: str
    procedure_title: str
    who: str
    does: str
    count: int
    unit: str
    direction: str
    amount_text: str  # "3 school days" / "3 días escolares"
    event: str
    event_name: str
    event_date: str
    last_day: str  # YYYY-MM-DD
    last_day_text: str  # "Thursday, October 9, 2025" / "jueves 9 de octubre de 2025"
    summary: str
    counted_days: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    skipped_text: tuple[str, ...]  # the days not counted, runs grouped, by name
    quote: Quote
    calendar: bool  # counted on the district's calendar (False: weekdays, see notes)
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)


def _runs(skipped: tuple[Skipped, ...], lang: str) -> tuple[str, ...]:
    """Consecutive days passed over for the same reason, as one line: 'December 22 – January 2: Winter break'."""
    out: list[str] = []
    runs: list[list[Any]] = []
    for s in skipped:
        day = date.fromisoformat(s.date)
        if runs and runs[-1][2] == s.reason and abs((day - runs[-1][1]).days) == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day, s.reason])
    for first, last, reason in runs:
        first, last = min(first, last), max(first, last)
        if first == last:
            out.append(word(lang, "skipped_one", day=date_text(first, lang), reason=reason))
        else:
            out.append(word(lang, "skipped_run", first=date_text(first, lang), last=date_text(last, lang), reason=reason))
    return tuple(out)


def _answer(block: dict[str, Any], step: dict[str, Any], start: date, cal: SchoolCalendar | None, lang: str,
            data: Data) -> DeadlineResult:
    c = count_days(start, step["count"], step["unit"], step["direction"], cal, lang, data)
    proc = next(p for p in block["procedures"] if p["id"] == step["procedure"])
    amount = f"{step['count']} {unit_text(lang, step['unit'], step['count'])}"
    event_name = tx(block["events"].get(step["from"]), lang, data) or step["from"]
    who, does = tx(step["who"], lang, data) or "", tx(step["does"], lang, data) or ""
    last_text = date_text(c.last_day, lang)
    key = "summary_before" if step["direction"] == "before" else "summary_after"
    summary = word(lang, key, who=who, does=does, amount=amount, event=event_name, date=date_text(start, lang),
                   last=last_text)
    notes: list[str] = []
    if cal is None:  # said in every answer, whatever the unit
        notes.append(word(lang, "note_no_calendar"))
    if step["unit"] == "hours":
        notes.append(word(lang, "note_hours", hours=step["count"], last=last_text))
    if c.summer_rule:
        notes.append(word(lang, "note_summer"))
    if not step.get("from_stated", True):
        notes.append(word(lang, "note_from_unstated", event=event_name))
    if not step.get("unit_stated", True):
        notes.append(word(lang, "note_unit_unstated", count=step["count"], unit=unit_text(lang, step["unit"], 2)))
    return DeadlineResult(
        lang=lang, step=step["id"], procedure=proc["id"], procedure_title=tx(proc["title"], lang, data) or "",
        who=who, does=does, count=step["count"], unit=step["unit"], direction=step["direction"], amount_text=amount,
        event=step["from"], event_name=event_name, event_date=start.isoformat(), last_day=c.last_day.isoformat(),
        last_day_text=last_text, summary=summary, counted_days=tuple(d.isoformat() for d in c.counted),
        skipped=c.skipped, skipped_text=_runs(c.skipped, lang),
        quote=Quote(tx(step["quote"], lang, data) or "", proc["page"], tx(proc["page_title"], lang, data)),
        calendar=cal is not None, notes=tuple(notes))


def deadline_for_step(step: Any, event_date: Any, lang: str = "en", *, calendar: Any = None,
                      data: Data | None = None) -> DeadlineResult:
    """The last day of one step (by id) that counts from an event on `event_date` (YYYY-MM-DD)."""
    data = resolve(data)
    lang = check_lang(data, lang)
    block = _deadline_data(data, lang)
    found = _step(block, step, lang)
    cal = _calendar_of(block, calendar)
    return _answer(block, found, read_date(event_date, lang, cal), cal, lang, data)


def deadlines_from_event(event: Any, event_date: Any, lang: str = "en", *, calendar: Any = None,
                         data: Data | None = None) -> list[DeadlineResult]:
    """The last day of every step that counts from `event`, in the procedure's order."""
    data = resolve(data)
    lang = check_lang(data, lang)
    block = _deadline_data(data, lang)
    key = _event(block, event, lang)
    cal = _calendar_of(block, calendar)
    start = read_date(event_date, lang, cal)
    return [_answer(block, s, start, cal, lang, data) for s in block["steps"] if s["from"] == key]


def list_steps(lang: str = "en", *, data: Data | None = None) -> list[dict[str, Any]]:
    """Every step: id, the handbook's sentence (`quote`, in `lang`), count, unit, and what it counts from."""
    data = resolve(data)
    lang = check_lang(data, lang)
    block = _deadline_data(data, lang)
    return [{"id": s["id"], "quote": tx(s["quote"], lang, data), "count": s["count"], "unit": s["unit"],
             "direction": s["direction"], "from": s["from"], "procedure": s["procedure"]} for s in block["steps"]]


# ---------------------------------------------------------------- a page's view (calculators.js draws it)


def deadline_view(results: list[DeadlineResult]) -> dict[str, Any]:
    first = results[0]
    lang = first.lang
    paragraphs = [word(lang, "view_intro", event=first.event_name, date=date_text(date.fromisoformat(first.event_date), lang))]
    if not first.calendar:
        paragraphs.append(word(lang, "note_no_calendar"))
    sections = []
    for r in results:
        items: list[Any] = [word(lang, "label_last_day", last=r.last_day_text, amount=r.amount_text)]
        items.append({"text": f"“{r.quote.text}”", "link": {"page": r.quote.page, "anchor": f"deadline-{r.step}"},
                      "link_text": r.quote.page_title or r.quote.page})
        if r.skipped_text:
            items.append(word(lang, "label_not_counted", days="; ".join(r.skipped_text)))
        items += [n for n in r.notes if n != word(lang, "note_no_calendar")]
        sections.append({"heading": f"{r.who}: {r.does}", "items": items})
    return {"title": word(lang, "view_title", event=first.event_name), "quote_label": None, "quote": None,
            "paragraphs": paragraphs, "sections": sections}


def request(data: Data, lang: str, step: Any = None, event: Any = None, date: Any = None) -> tuple[Any, Any]:
    """handle_request's `deadline` calculator: args {step, date} (one step) or {event, date} (every step)."""
    if step is not None and event is None:
        r = deadline_for_step(step, date, lang, data=data)
        return {"results": [r.to_dict()]}, deadline_view([r])
    results = deadlines_from_event(event, date, lang, data=data)
    return {"results": [r.to_dict() for r in results]}, deadline_view(results)


def steps_request(data: Data, lang: str) -> tuple[Any, Any]:
    """handle_request's `deadline_steps`: the list `--list` prints."""
    return list_steps(lang, data=data), None


# ---------------------------------------------------------------- command line (python -m calculators deadline)


def add_parser(sub: Any, common: Any) -> None:
    p = sub.add_parser("deadline", help="the last day of a due-process step (Sections III and VIII)")
    p.add_argument("step", nargs="?", help="the step's id (see --list)")
    p.add_argument("--list", action="store_true", help="list every step: id, the handbook's sentence, count, unit")
    p.add_argument("--from", dest="from_date", metavar="YYYY-MM-DD", help="the date of the event the step counts from")
    p.add_argument("--calendar", metavar="FILE", help="a school calendar in calendar.yml's form (YAML or JSON)")
    common(p)


def read_calendar_file(path: str) -> Any:
    """A calendar file as a mapping: JSON always; YAML when PyYAML is installed (the build's environment)."""
    import json
    from pathlib import Path

    text = Path(path).read_text(encoding="utf-8")
    if path.endswith(".json"):
        return json.loads(text)
    try:
        import yaml  # not a dependency of this package: only the command line reads a YAML calendar
    except ImportError:
        return json.loads(text)
    return yaml.safe_load(text)


def main(args: Any, data: Data) -> int:
    import json
    import sys

    if args.list:
        steps = list_steps(args.lang, data=data)
        if args.json:
            print(json.dumps([{k: s[k] for k in ("id", "quote", "count", "unit")} for s in steps],
                             ensure_ascii=False, indent=2))
        else:
            print("\n".join(f"{s['id']}\t{s['count']} {s['unit']}\t{s['quote']}" for s in steps))
        return 0
    lang = check_lang(data, args.lang)
    if not args.step:
        raise fail(lang, "step", "required")
    if not args.from_date:
        raise fail(lang, "date", "required")
    calendar = None
    if args.calendar:
        try:
            calendar = calendar_from_mapping(read_calendar_file(args.calendar))
        except (OSError, ValueError) as exc:
            print(f"{args.calendar}: {exc}", file=sys.stderr)
            return 2
    r = deadline_for_step(args.step, args.from_date, lang, calendar=calendar, data=data)
    if args.json:
        print(json.dumps(r.to_dict(), ensure_ascii=False, indent=2))
        return 0
    lines = [r.summary, f"“{r.quote.text}” ({r.quote.page_title})"]
    lines += [word(lang, "label_not_counted", days="; ".join(r.skipped_text))] if r.skipped_text else []
    lines += list(r.notes)
    print("\n".join(lines))
    return 0
