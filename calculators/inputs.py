"""Reading what a reader typed (numbers from a form, the command line or JSON) into exact values, or saying why not."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .errors import CalculatorInputError
from .words import word


def fail(lang: str, field: str, kind: str, **values: Any) -> CalculatorInputError:
    """The error for `field`, its message in `lang` (the message key is 'err_' + kind)."""
    return CalculatorInputError(word(lang, f"err_{kind}", field=word(lang, f"field_{field}"), **values),
                                field=field, code=kind, lang=lang)


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def number(value: Any, field: str, lang: str, *, money: bool = False) -> Fraction:
    """A finite number, exact (decimal text stays decimal: '14.3' is 143/10, not a binary float)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail(lang, field, "required")
    if isinstance(value, bool):
        raise fail(lang, field, "not_number", value=_shown(value))
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise fail(lang, field, "not_finite")
        return Fraction(repr(value))
    if not isinstance(value, str):
        raise fail(lang, field, "not_number", value=_shown(value))
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if money:
        text = text.removeprefix("$").replace(",", "")  # $1,000
    elif "," in text and "." not in text:
        text = text.replace(",", ".")  # 14,5: a decimal comma
    try:
        parsed = float(text)
    except ValueError:
        raise fail(lang, field, "not_number", value=_shown(value)) from None
    if not math.isfinite(parsed):
        raise fail(lang, field, "not_finite")
    try:
        return Fraction(text)
    except ValueError:  # float() takes forms Fraction() does not, such as '1_000'
        return Fraction(repr(parsed))


def non_negative(value: Any, field: str, lang: str, *, money: bool = False) -> Fraction:
    amount = number(value, field, lang, money=money)
    if amount < 0:
        raise fail(lang, field, "negative")
    return amount


def half_days(value: Any, field: str, lang: str) -> Fraction:
    """A count of days: 0 or more, in whole or half days."""
    days = non_negative(value, field, lang)
    if (days * 2).denominator != 1:
        raise fail(lang, field, "half_days")
    return days


def offense_number(value: Any, lang: str) -> int:
    """1, 2, 3, ... (also '2' or 2.0 from a form or JSON)."""
    field = "offense"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail(lang, field, "required")
    if isinstance(value, bool):
        raise fail(lang, field, "offense_whole")
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(lang, field, "not_finite")
    if isinstance(value, (int, float, str)):
        try:
            amount = number(value, field, lang)
        except CalculatorInputError as exc:
            if exc.code == "not_number":
                raise fail(lang, field, "offense_whole") from None
            raise
        if amount.denominator != 1:
            raise fail(lang, field, "offense_whole")
        if amount < 1:
            raise fail(lang, field, "offense_min")
        return int(amount)
    raise fail(lang, field, "offense_whole")
