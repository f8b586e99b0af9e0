"""Reading what a reader typed (numbers from a form, the command line or JSON) into exact values, or saying why not.

Every number goes through calculators.numbers.read (the one number reader and its written rules); this module
adds what a field asks beyond being a number (not negative, a whole offense number from 1).
"""

from __future__ import annotations

from typing import Any

from .errors import CalculatorInputError
from .numbers import Reading, excerpt, fail, read

__all__ = ["excerpt", "fail", "non_negative", "offense_number"]


def non_negative(value: Any, field: str, lang: str) -> Reading:
    """A number of the field's kind, 0 or more (days absent, days enrolled, a value in dollars)."""
    reading = read(value, field, lang)
    if reading.value < 0:
        raise fail(lang, field, "negative")
    return reading


def offense_number(value: Any, lang: str) -> Reading:
    """1, 2, 3, ... (also '2' or 2.0 from a form or JSON)."""
    field = "offense"
    try:
        reading = read(value, field, lang)
    except CalculatorInputError as exc:
        if exc.code in ("not_number", "decimals", "ambiguous"):
            raise fail(lang, field, "offense_whole") from None
        raise
    if reading.value < 1:
        raise fail(lang, field, "offense_min")
    return reading
