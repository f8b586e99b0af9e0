"""Attendance tiers (data/attendance.yml): how the absentee rate is counted, the tiers and what the school does."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.schema import Strict, Text
from .base import DataChange, DataFile, InsertKind, Part, Rendering, compare_items, place, text_change, value_change

FILE = "data/attendance.yml"


class Tier(Strict):
    tier: int
    heading: Text
    need: Text
    printed_range: Text
    below_percent: float | None = None
    from_percent: float | None = None
    printed_to_percent: float | None = None
    absences_counted: list[Literal["excused", "unexcused"]]
    text: Text


class AfterLastTier(Strict):
    title: Text
    items: list[Text]


class Attendance(Strict):
    rate_statement: Text
    rate_statement_absences_counted: list[Literal["excused", "unexcused"]]
    chronic_absence_from_percent: float
    tiers: list[Tier] = Field(min_length=1)
    after_last_tier: AfterLastTier | None = None



def findings(hb: Handbook) -> list[Finding]:
    """Tiers counting other absences than the rate statement; printed tier ranges that leave a gap."""
    a = hb.attendance
    lang = hb.languages[0]
    doc = hb.docs[FILE]
    out = []
    for i, tier in enumerate(a.tiers):
        if set(tier.absences_counted) != set(a.rate_statement_absences_counted):
            out.append(Finding("attendance",
                               f"“{a.rate_statement.get(lang)}” counts {' and '.join(a.rate_statement_absences_counted)} absences, "
                               f"but {tier.heading.get(lang)} counts {' and '.join(tier.absences_counted)} absences.",
                               (f"{doc.rel}:{doc.line_of(('rate_statement',))}", f"{doc.rel}:{doc.line_of(('tiers', i))}")))
        if i + 1 < len(a.tiers) and tier.printed_to_percent is not None:
            nxt = a.tiers[i + 1].from_percent
            if nxt is not None and tier.printed_to_percent < nxt:
                out.append(Finding("attendance",
                                   f"{tier.heading.get(lang)} is printed as “{tier.printed_range.get(lang)}” and "
                                   f"{a.tiers[i + 1].heading.get(lang)} starts at {nxt:g}%: a rate between {tier.printed_to_percent:g}% and {nxt:g}% "
                                   f"(for example {(tier.printed_to_percent + nxt) / 2:g}%) is in no tier as printed.",
                                   (f"{doc.rel}:{doc.line_of(('tiers', i))}",)))
    return out


def thresholds(r: Rendering, tier: Tier) -> str:
    """A tier's thresholds in the page's language ("from 10% to 19%", "below 20%")."""
    bounds = [r.t("changes_percent_from", n=f"{tier.from_percent:g}") if tier.from_percent is not None else "",
              r.t("changes_percent_to", n=f"{tier.printed_to_percent:g}") if tier.printed_to_percent is not None else "",
              r.t("changes_percent_below", n=f"{tier.below_percent:g}") if tier.below_percent is not None else ""]
    return " ".join(b for b in bounds if b)


def changes(before: Handbook, after: Handbook, r: Rendering) -> list[DataChange]:
    """A tier's thresholds (as printed, and as the calculator counts them), its text; the chronic-absence line."""
    old_a, new_a = before.attendance, after.attendance
    where = place(r, "attendance-tiers")

    def what(tier: Tier) -> str:
        return r.t("changes_what_tier", heading=r.tx(tier.heading))

    def tier_place(tier: Tier) -> tuple[str, str | None] | None:
        return place(r, "attendance-tiers", anchor=f"tier-{tier.tier}")

    def details(old: Tier, new: Tier) -> list[DataChange]:
        printed = text_change(r, what(new), old.printed_range, new.printed_range, tier_place(new))
        counted = [] if printed else value_change(r, what(new), thresholds(r, old), thresholds(r, new), tier_place(new))
        return printed + counted + text_change(r, what(new), old.text, new.text, tier_place(new))

    out = compare_items(r, old_a.tiers if old_a else [], new_a.tiers if new_a else [], what, lambda t: t.text,
                        tier_place, details, key=lambda t: t.tier)  # tiers are known by their number
    if old_a and new_a:
        out += value_change(r, r.t("changes_what_chronic"), r.t("changes_percent_from", n=f"{old_a.chronic_absence_from_percent:g}"),
                            r.t("changes_percent_from", n=f"{new_a.chronic_absence_from_percent:g}"), where)
        out += text_change(r, r.t("changes_what_rate"), old_a.rate_statement, new_a.rate_statement, where)
    return out


PART = Part(
    name="attendance",
    files=(DataFile(FILE, Attendance),),
    findings=findings,
    topics=(Topic("attendance", "Attendance rules that disagree", 70),),
    inserts={"attendance-tiers": InsertKind("attendance-tiers.md.j2", needs=("attendance",))},
    changes=changes,
)
