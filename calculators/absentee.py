"""Absentee rate and tier: absences (excused and unexcused; whole, half or class-period days) / days enrolled x 100.

Tiers come from the data: a tier runs from its `from_percent` up to the next tier's `from_percent` (or its own
`below_percent`). Where the printed range stops short of the next tier (printed "5%-9.9%", next from 10%), the
next tier's start closes the gap, and the result says which rule placed the rate. All comparisons are exact
(fractions), so 9.95% is never mistaken for 10%.

Absences needed for the next tier: the smallest number of further absences, in half days, that brings the rate
to the next tier's start, counting each further absence as one more day enrolled too (a student absent on the
coming school days is enrolled on them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import inputs
from .numbers import ReadAs
from .data import Data, check_lang, exact, page_title, resolve, tx
from .errors import CalculatorInputError
from .results import Quote, plain
from .words import join, number, unit, word

HUNDRED = Fraction(100)


@dataclass(frozen=True)
class NextTier:
    tier: int
    heading: str
    from_percent: float
    additional_absences: float  # half days; each also counted as a day enrolled
    text: str


@dataclass(frozen=True)
class Referral:
    """What continued absence after the last tier brings (the handbook's words)."""

    title: str
    items: tuple[str, ...]
    text: str  # the calculator's one-line lead-in


@dataclass(frozen=True)
class AbsenteeResult:
    lang: str
    days_absent: float
    days_enrolled: float
    rate_percent: float  # rounded to 3 decimals for display; the tier is decided on the exact rate
    rate_text: str
    tier: int
    heading: str
    need: str
    printed_range: str
    handbook_text: str  # the tier's text as printed
    rule: str  # as_printed | gap
    rule_text: str
    chronic: bool
    chronic_from_percent: float
    chronic_text: str
    absences_counted: tuple[str, ...]
    absences_counted_text: str
    next_tier: NextTier | None
    referral: Referral | None  # only at the last tier
    rate_statement: Quote | None
    page: str | None
    page_title: str | None
    summary: str
    read_as: tuple[ReadAs, ...] = ()  # how each number was read ("Days absent: read as 17.9 days.")

    def to_dict(self) -> dict[str, Any]:
        return {"calculator": "absentee", **plain(self)}


def _percent(value: Fraction | float, lang: str) -> str:
    return word(lang, "percent", value=number(value))


def _bounds(tiers: list[dict[str, Any]], k: int) -> tuple[Fraction | None, Fraction | None]:
    """[lower, upper) of tier k: from its start to the next tier's start (or its own 'below')."""
    tier = tiers[k]
    lower = exact(tier["from_percent"]) if tier.get("from_percent") is not None else None
    uppers = []
    if tier.get("below_percent") is not None:
        uppers.append(exact(tier["below_percent"]))
    if k + 1 < len(tiers) and tiers[k + 1].get("from_percent") is not None:
        uppers.append(exact(tiers[k + 1]["from_percent"]))
    return lower, (min(uppers) if uppers else None)


def _in(rate: Fraction, lower: Fraction | None, upper: Fraction | None) -> bool:
    return (lower is None or rate >= lower) and (upper is None or rate < upper)


def _as_printed(tier: dict[str, Any], rate: Fraction, lower: Fraction | None, upper: Fraction | None) -> bool:
    """Whether the rate lies in the range as printed (a printed upper end such as 9.9 is inclusive)."""
    if tier.get("printed_to_percent") is not None:
        return (lower is None or rate >= lower) and rate <= exact(tier["printed_to_percent"])
    return _in(rate, lower, upper)


def additional_absences(absent: Fraction, enrolled: Fraction, target_percent: Fraction) -> Fraction | None:
    """Fewest further absences (in half days) for the rate to reach target, each also a day enrolled."""
    p = target_percent / HUNDRED
    if p >= 1:
        return None
    needed = (p * enrolled - absent) / (1 - p)
    if needed <= 0:
        return Fraction(0)
    return Fraction(math.ceil(needed * 2), 2)


def absentee_tier(days_absent: Any, days_enrolled: Any, lang: str = "en", *, data: Data | None = None) -> AbsenteeResult:
    """The absentee rate, its tier and what it brings. Raises CalculatorInputError (message in `lang`)."""
    data = resolve(data)
    lang = check_lang(data, lang)
    if not data.get("attendance"):  # a handbook without attendance tiers (the site then has no such calculator)
        raise CalculatorInputError(word(lang, "err_no_attendance"), field=None, code="no_attendance", lang=lang)
    absent_read = inputs.non_negative(days_absent, "days_absent", lang)
    enrolled_read = inputs.non_negative(days_enrolled, "days_enrolled", lang)
    absent, enrolled = absent_read.value, enrolled_read.value
    if enrolled == 0:
        raise inputs.fail(lang, "days_enrolled", "enrolled_zero")
    if absent > enrolled:
        raise inputs.fail(lang, "days_absent", "absent_over_enrolled", absent=number(absent), enrolled=number(enrolled))

    att = data["attendance"]
    tiers = sorted(att["tiers"], key=lambda t: t["tier"])
    rate = absent / enrolled * HUNDRED
    k = next((i for i in range(len(tiers)) if _in(rate, *_bounds(tiers, i))), None)
    if k is None:  # the data's ranges leave a hole: the highest tier already begun
        k = max((i for i in range(len(tiers)) if (_bounds(tiers, i)[0] or 0) <= rate), default=0)
    tier = tiers[k]
    lower, upper = _bounds(tiers, k)
    heading = tx(tier["heading"], lang, data) or str(tier["tier"])
    printed_range = tx(tier["printed_range"], lang, data) or ""
    rate_text = _percent(rate, lang)
    if _as_printed(tier, rate, lower, upper):
        rule, rule_text = "as_printed", word(lang, "rule_as_printed", rate=rate_text, tier=heading, range=printed_range)
    else:
        nxt = tiers[k + 1]
        rule = "gap"
        rule_text = word(lang, "rule_gap", tier=heading, range=printed_range, rate=rate_text,
                         next=tx(nxt["heading"], lang, data), next_from=_percent(exact(nxt["from_percent"]), lang))

    chronic_from = exact(att["chronic_absence_from_percent"])
    chronic = rate >= chronic_from
    chronic_text = word(lang, "chronic_yes" if chronic else "chronic_no", threshold=_percent(chronic_from, lang))

    next_tier = None
    if k + 1 < len(tiers) and tiers[k + 1].get("from_percent") is not None:
        nxt = tiers[k + 1]
        start = exact(nxt["from_percent"])
        more = additional_absences(absent, enrolled, start)
        if more is not None:
            nheading = tx(nxt["heading"], lang, data) or str(nxt["tier"])
            next_tier = NextTier(nxt["tier"], nheading, float(start), float(more),
                                 word(lang, "next_tier", next=nheading, from_=_percent(start, lang), n=number(more),
                                      days=unit(lang, None, more)))
    referral = None
    if k == len(tiers) - 1 and att.get("after_last_tier"):
        after = att["after_last_tier"]
        title = tx(after["title"], lang, data) or ""
        referral = Referral(title, tuple(tx(item, lang, data) or "" for item in after["items"]),
                            word(lang, "last_tier", title=title))

    counted = tuple(tier["absences_counted"])
    counted_text = word(lang, "absences_counted", kinds=join([word(lang, f"absence_{c}") for c in counted], lang))
    statement = tx(att["rate_statement"], lang, data)
    need = tx(tier["need"], lang, data) or ""
    summary = word(lang, "abs_summary", absent=number(absent), enrolled=number(enrolled), rate=rate_text,
                   tier=heading, need=need)
    return AbsenteeResult(
        lang=lang, days_absent=float(absent), days_enrolled=float(enrolled), rate_percent=round(float(rate), 3),
        rate_text=rate_text, tier=tier["tier"], heading=heading, need=need, printed_range=printed_range,
        handbook_text=tx(tier["text"], lang, data) or "", rule=rule, rule_text=rule_text, chronic=chronic,
        chronic_from_percent=float(chronic_from), chronic_text=chronic_text, absences_counted=counted,
        absences_counted_text=counted_text, next_tier=next_tier, referral=referral,
        rate_statement=Quote(statement, att["page"], page_title(data, att["page"], lang)) if statement else None,
        page=att["page"], page_title=page_title(data, att["page"], lang), summary=summary,
        read_as=(absent_read.read_as(lang), enrolled_read.read_as(lang)),
    )
