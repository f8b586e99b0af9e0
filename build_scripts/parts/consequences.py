"""The consequence catalogue (data/consequences.yml): the numbered consequences and the matrices' abbreviations,
with their day ranges, appeal and hearing rules."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Literal

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.reading import Problem
from ..source.schema import Strict, Text
from .base import (DataChange, DataFile, InsertKind, Part, Rendering, compare_items, duplicate_ids, place, text_change,
                   value_change)

FILE = "data/consequences.yml"
RANGE_RE = re.compile(r"\b(\d+)\s*(?:-|–|to)\s*(\d+)\s+(?:school\s+)?days\b", re.I)
UP_TO_RE = re.compile(r"\bup to (\d+) (?:school )?days\b", re.I)


class DayRange(Strict):
    min: float | None = None
    max: float | None = None
    unit: Literal["school_days", "calendar_years"]


class Response(Strict):
    """A consequence: a numbered entry of the consequence section or an abbreviation of the matrices."""

    id: str
    code: str
    name: Text
    title: Text | None = None
    section_vii_number: int | None = None
    also_codes: list[str] = []
    see_also: str | None = None
    days: DayRange | None = None
    appealable: bool | None = None
    due_process_hearing: bool | None = None
    body: Text | None = None


class Consequences(Strict):
    responses: list[Response]



def response(hb: Handbook, resp_id: str) -> Response | None:
    return next((r for r in hb.consequences.responses if r.id == resp_id), None) if hb.consequences else None


def check(hb: Handbook) -> list[Problem]:
    problems = duplicate_ids(hb, FILE, hb.consequences.responses, "responses", "response")
    resp_ids = {r.id for r in hb.consequences.responses}
    for i, r in enumerate(hb.consequences.responses):
        if r.see_also and r.see_also not in resp_ids:
            problems.append(hb.where(FILE, ("responses", i, "see_also"), f"unknown response id '{r.see_also}'"))
    return problems


def _text_blocks(hb: Handbook) -> list[tuple[str, str]]:
    """(place, paragraph) for every paragraph of the approved language: pages and data bodies."""
    lang = hb.languages[0]
    blocks: list[tuple[str, str]] = []
    for page in hb.pages[lang].values():
        line = page.body_line
        for block in page.body.split("\n\n"):
            blocks.append((f"{page.rel}:{line}", block))
            line += block.count("\n") + 2
    for i, r in enumerate(hb.consequences.responses):
        if r.body and lang in r.body:
            doc = hb.docs[FILE]
            for block in r.body[lang].split("\n\n"):
                blocks.append((f"{doc.rel}:{doc.line_of(('responses', i, 'body'))} ({r.code})", block))
    for i, d in enumerate(hb.definitions.definitions if hb.definitions else []):
        if d.body and lang in d.body:
            doc = hb.docs["data/definitions.yml"]
            for block in d.body[lang].split("\n\n"):
                blocks.append((f"{doc.rel}:{doc.line_of(('definitions', i, 'body'))}", block))
    return blocks


def findings(hb: Handbook) -> list[Finding]:
    """A consequence whose day range the handbook states differently in different places."""
    lang = hb.languages[0]
    out = []
    blocks = _text_blocks(hb)
    for r in hb.consequences.responses:
        if not r.days or r.days.unit != "school_days" or r.days.max is None:
            continue
        name = r.name.get(lang, "").lower()
        stated: dict[tuple[float | None, float], list[str]] = defaultdict(list)
        for place, block in blocks:
            if name not in block.lower() and f"({r.code})" not in block:
                continue
            for lo, hi in RANGE_RE.findall(block):
                if int(lo) <= r.days.max and int(hi) > 1:
                    stated[(float(lo), float(hi))].append(place)
            for hi in UP_TO_RE.findall(block):
                stated[(None, float(hi))].append(place)
        maxima = {hi for (_, hi) in stated}
        minima = {lo for (lo, _) in stated if lo is not None}
        if len(maxima) > 1 or len(minima) > 1:
            described = "; ".join(
                f"{'up to ' + str(int(hi)) if lo is None else f'{int(lo)} to {int(hi)}'} days at {', '.join(places)}"
                for (lo, hi), places in sorted(stated.items(), key=lambda kv: (kv[0][1], kv[0][0] or 0))
            )
            out.append(Finding("day-ranges", f"{r.name.get(lang)} ({r.code}): the handbook gives different day ranges: {described}.",
                               tuple(p for ps in stated.values() for p in ps)))
    return out


def day_range(r: Rendering, days: DayRange | None) -> str | None:
    """A consequence's day range in the page's language ("1-2 school days"), None without one."""
    if days is None:
        return None
    unit = r.t(f"changes_unit_{days.unit}")
    low, high = (f"{n:g}" if n is not None else None for n in (days.min, days.max))
    if low and high:
        return r.t("changes_days_range", min=low, max=high, unit=unit) if low != high else f"{low} {unit}"
    return r.t("changes_days_up_to", max=high, unit=unit) if high else r.t("changes_days_from", min=low, unit=unit)


def changes(before: Handbook, after: Handbook, r: Rendering) -> list[DataChange]:
    """A consequence added or removed, its day range, its name or its text changed."""
    def what(resp: Response) -> str:
        return r.t("changes_what_consequence", name=r.tx(resp.name), code=resp.code)

    def where(resp: Response) -> tuple[str, str | None] | None:
        return place(r, "consequences", anchor=resp.id) if resp.section_vii_number is not None else None

    def details(old: Response, new: Response) -> list[DataChange]:
        return (value_change(r, r.t("changes_what_days", name=what(new)), day_range(r, old.days), day_range(r, new.days),
                             where(new))
                + text_change(r, what(new), old.name, new.name, where(new))
                + text_change(r, what(new), old.body, new.body, where(new)))

    return compare_items(r, before.consequences.responses if before.consequences else [],
                         after.consequences.responses if after.consequences else [], what, lambda x: x.body or x.name,
                         where, details)


PART = Part(
    name="consequences",
    files=(DataFile(FILE, Consequences),),
    check=check,
    findings=findings,
    topics=(Topic("day-ranges", "Day ranges that disagree", 10),),
    inserts={"consequences": InsertKind("consequences.md.j2", needs=("consequences",))},
    changes=changes,
    template_globals=lambda hb: {"response": lambda resp_id: response(hb, resp_id)},
)
