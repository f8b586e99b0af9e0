"""The one number reader of the calculators: every numeric field of every calculator reads its value here.

What a reader may type (the rules, in both languages, are the words "number_forms"):
- digits, with `.` as the decimal point: 14, 17.9, 999.99, .5;
- `,` between groups of three digits (thousands): 1,000 · 12,500.50;
- in Spanish also the decimal comma: 999,99 · 17,9 · 1.000,50 (`.` between groups of three);
- a leading `$` in dollar fields, a leading `-` (so that "-3" is told it cannot be negative).
Every convention the language allows is tried; the text is read only when all readings agree on one value.
So "1,000" in Spanish (one thousand, or 1 with a decimal comma) is refused as ambiguous and the reader is shown
both readings, while "1,000" in English and "999,99" in Spanish are read. Exponents (1e3), hexadecimal,
underscores, spaces inside, NaN, infinity and digits other than 0-9 (full-width, Arabic-Indic, ...) are refused,
and so is any value beyond the field's bound or with more decimal places than the field counts.

The text is bounded (MAX_TEXT characters) before anything is computed from it, and the value is built from its
digit strings directly, never with Fraction(text) or float(text) on what was typed: `0e-999999999` is refused at
once instead of computing 10 to the billionth power.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .errors import CalculatorInputError
from .words import word

MAX_TEXT = 40  # characters of a typed number; the longest accepted value, "-$10,000,000.00", has 15
EXCERPT = 40  # characters of what was typed that a message quotes


@dataclass(frozen=True)
class FieldRule:
    """What one numeric field accepts."""

    field: str
    maximum: int  # the largest value accepted (a sane bound: no real input comes near it)
    decimals: int  # the most decimal places the field counts (0: whole numbers only)
    money: bool = False  # a leading "$" is allowed
    unit: str | None = None  # the words' unit key shown in "read as" ("days", "dollars"); None: a bare number


RULES: dict[str, FieldRule] = {rule.field: rule for rule in (
    # Days: whole, half or class-period days (a secondary school reports 17.9); two places are enough.
    # 100,000 days is far past any school record (the tests use 10,000 and more to hit tier limits exactly).
    FieldRule("days_absent", 100_000, 2, unit="days"),
    FieldRule("days_enrolled", 100_000, 2, unit="days"),
    FieldRule("damage_usd", 10_000_000, 2, money=True, unit="dollars"),
    FieldRule("offense", 1_000, 0),
)}


@dataclass(frozen=True)
class Reading:
    """A number as it was read: the exact value and which separators it was written with."""

    field: str
    value: Fraction
    typed: str  # what was typed (cut to EXCERPT characters); for a JSON or Python number, its plain form
    thousands: str | None  # the thousands separator used ("," or "."), None if there was none
    decimal: str | None  # the decimal mark used ("." or ","), None if there was none

    def read_as(self, lang: str) -> "ReadAs":
        """What the page shows: "Value in dollars: read as 999.99 dollars." in the reader's language."""
        rule = RULES[self.field]
        shown = show(self.value, lang, money=rule.money)
        count = "one" if self.value == 1 else "other"
        with_unit = shown if rule.unit is None else f"{shown} {word(lang, f'unit_{rule.unit}_{count}')}"
        return ReadAs(self.field, self.typed, float(self.value), shown, self.thousands, self.decimal,
                      word(lang, "read_as", field=word(lang, f"field_{self.field}"), value=with_unit))


@dataclass(frozen=True)
class ReadAs:
    """A Reading as a result carries it (JSON-ready)."""

    field: str
    typed: str
    value: float
    shown: str  # the value as the page writes it in the reader's language: 12,500.50 / 12500.50
    thousands: str | None
    decimal: str | None
    text: str


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    """What was typed, short enough to quote in a message: a 1 MB string is cut, a huge integer never printed
    (str() of one is slow, and raises past 4,300 digits), a list or an object never walked."""
    if isinstance(value, str):
        text = value[:limit * 2]
    elif isinstance(value, bool) or value is None or isinstance(value, (float, Fraction, Decimal)):
        text = str(value)
    elif isinstance(value, int):
        text = str(value) if value.bit_length() <= 128 else "…"
    elif isinstance(value, (list, tuple)):
        text = "[…]"
    elif isinstance(value, dict):
        text = "{…}"
    else:
        text = repr(value) if isinstance(value, UnreadableNumber) else type(value).__name__
    text = " ".join(text.split())  # newlines and tabs shown as spaces
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate ("\\ud800" in JSON) cannot be sent on
    return text if len(text) <= limit else text[:limit - 1] + "…"


class UnreadableNumber:
    """A JSON number token not converted (see JSON_NUMBERS): refused naming the field, as too large when it is
    known to be beyond every field's bound (an integer of over 40 digits, 1e400), else as not a number."""

    def __init__(self, token: str, *, too_large: bool):
        self.token = token[:EXCERPT]
        self.too_large = too_large

    def __repr__(self) -> str:
        return self.token + "…"


def _json_int(token: str) -> int | UnreadableNumber:
    return int(token) if len(token) <= MAX_TEXT else UnreadableNumber(token, too_large=True)


def _json_float(token: str) -> float | UnreadableNumber:
    if len(token) > MAX_TEXT:
        return UnreadableNumber(token, too_large=False)
    value = float(token)
    # 1e400 becomes infinity: it was written as a (very large) number, so it is too large, not "not finite"
    return UnreadableNumber(token, too_large=True) if math.isinf(value) else value


# json.loads(text, **JSON_NUMBERS): number tokens longer than MAX_TEXT are never converted (a 5,000-digit integer
# would raise in int(), a 1 MB float token take time in float()); the reader refuses them naming the field.
JSON_NUMBERS = {"parse_int": _json_int, "parse_float": _json_float}


# -------------------------------------------------------------------------------- the written forms

# (thousands separator, decimal mark) conventions each language reads. English: 12,500.50. Spanish: the same, and
# 12.500,50 (a decimal comma). A number without separators reads the same under every convention.
CONVENTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": ((",", "."),),
    "es": ((",", "."), (".", ",")),
}
_SIGNED = re.compile(r"(?P<sign>[-+])?(?P<currency>\$)? ?(?P<body>.*)", re.DOTALL)
_BODY = re.compile(r"[0-9.,]+")  # ASCII digits only: no full-width or other scripts' digits
_NOT_FINITE = {"nan", "inf", "infinity", "∞", "infinito"}


def _pattern(thousands: str, decimal: str) -> re.Pattern[str]:
    t, d = re.escape(thousands), re.escape(decimal)
    # the integer part: plain digits, or groups of three after a first group of 1-3 digits that does not start
    # with 0 ("0,500" is no thousands grouping); the decimal part: digits after the mark
    return re.compile(rf"(?:(?P<plain>[0-9]+)|(?P<grouped>[1-9][0-9]{{0,2}}(?:{t}[0-9]{{3}})+))?"
                      rf"(?:{d}(?P<fraction>[0-9]+))?")


_PATTERNS = {conv: _pattern(*conv) for convs in CONVENTIONS.values() for conv in convs}


def _readings(body: str, lang: str) -> dict[Fraction, tuple[str | None, str | None]]:
    """Every value `body` has under the conventions of `lang`, with the separators each reading used."""
    found: dict[Fraction, tuple[str | None, str | None]] = {}
    for thousands, decimal in CONVENTIONS[lang]:
        m = _PATTERNS[(thousands, decimal)].fullmatch(body)
        if not m or not (m["plain"] or m["grouped"] or m["fraction"]):
            continue
        whole = m["plain"] or (m["grouped"] or "").replace(thousands, "") or "0"
        fraction = m["fraction"] or ""
        value = Fraction(int(whole + fraction), 10 ** len(fraction))  # both strings are ≤ MAX_TEXT digits
        found.setdefault(value, (thousands if m["grouped"] else None, decimal if m["fraction"] else None))
    return found


def show(value: Fraction, lang: str, *, money: bool = False) -> str:
    """A value as the page writes it back, so that it cannot be misread: English 12,500.5 (money 12,500.50);
    Spanish 12500.5, with the decimal point the whole site writes (rates, sizes: as in Mexico and New Mexico) and
    no thousands separator (a "." or "," between thousands is read both ways by Spanish readers here)."""
    places = 0 if value.denominator == 1 else 2 if money else next(
        (p for p in range(1, 7) if (value * 10 ** p).denominator == 1), 6)
    scaled = Decimal(round(value * 10 ** places)).scaleb(-places)  # exact for the values the fields accept
    text = f"{scaled:{',' if lang == 'en' else ''}.{places}f}"
    return text


def _lang(lang: str) -> str:
    return lang if lang in CONVENTIONS else "en"


# -------------------------------------------------------------------------------- reading


def fail(lang: str, field: str, kind: str, **values: Any) -> CalculatorInputError:
    """The error for `field`, its message in `lang` (the message key is 'err_' + kind)."""
    return CalculatorInputError(word(lang, f"err_{kind}", field=word(lang, f"field_{field}"), **values),
                                field=field, code=kind, lang=lang)


def _not_number(lang: str, field: str, value: Any) -> CalculatorInputError:
    return fail(lang, field, "not_number", value=excerpt(value), forms=word(lang, "number_forms"))


def _checked(value: Fraction, rule: FieldRule, lang: str) -> Fraction:
    if abs(value) > rule.maximum:
        raise fail(lang, rule.field, "too_large", maximum=show(Fraction(rule.maximum), lang))
    if (value * 10 ** rule.decimals).denominator != 1:
        raise fail(lang, rule.field, "decimals", places=rule.decimals)
    return value


def _from_text(text: str, rule: FieldRule, lang: str) -> Reading:
    typed = excerpt(text)
    if len(text) > MAX_TEXT * 4:  # not a number anyone types; nothing below runs on it
        raise _not_number(lang, rule.field, text)
    stripped = text.strip()
    if len(stripped) > MAX_TEXT:
        raise _not_number(lang, rule.field, text)
    m = _SIGNED.fullmatch(stripped)
    assert m is not None  # the pattern matches any text
    body = m["body"]
    if body.casefold() in _NOT_FINITE:
        raise fail(lang, rule.field, "not_finite")
    if (m["currency"] and not rule.money) or not _BODY.fullmatch(body):
        raise _not_number(lang, rule.field, text)
    readings = _readings(body, _lang(lang))
    if not readings:
        raise _not_number(lang, rule.field, text)
    if len(readings) > 1:
        # each reading written in full (not rounded to cents); one with decimals is said to be so, since in
        # Spanish "1,234" written back is as ambiguous as what was typed
        shown = [show(v, lang) if v.denominator == 1 else word(lang, "ambiguous_decimals", value=show(v, lang))
                 for v in sorted(readings)]
        raise fail(lang, rule.field, "ambiguous", value=typed, readings=f" {word(lang, 'or')} ".join(shown),
                   forms=word(lang, "number_forms"))
    (value, (thousands, decimal)), = readings.items()
    value = -value if m["sign"] == "-" else value
    return Reading(rule.field, _checked(value, rule, lang), typed, thousands, decimal)


def read(value: Any, field: str, lang: str) -> Reading:
    """The value of a numeric field (text from a form or the command line, or a JSON / Python number), or a
    CalculatorInputError in `lang` that names the field and says what to write."""
    rule = RULES[field]
    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail(lang, field, "required")
    if isinstance(value, str):
        return _from_text(value, rule, lang)
    if isinstance(value, UnreadableNumber) and value.too_large:
        raise fail(lang, field, "too_large", maximum=show(Fraction(rule.maximum), lang))
    if isinstance(value, (bool, UnreadableNumber)):
        raise _not_number(lang, field, value)
    if isinstance(value, int):
        if abs(value) > rule.maximum:  # checked before any conversion: a 400-digit integer is never printed
            raise fail(lang, field, "too_large", maximum=show(Fraction(rule.maximum), lang))
        return Reading(field, Fraction(value), str(value), None, None)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise fail(lang, field, "not_finite")
        if abs(value) > rule.maximum:
            raise fail(lang, field, "too_large", maximum=show(Fraction(rule.maximum), lang))
        exact = Fraction(repr(value))  # the shortest decimal that is this float: 17.9 is 179/10 (repr is short)
        return Reading(field, _checked(exact, rule, lang), repr(value), None, "." if exact.denominator > 1 else None)
    if isinstance(value, Decimal):  # Python callers; Fraction(Decimal("0e-999999999")) would hang too
        if not value.is_finite():
            raise fail(lang, field, "not_finite")
        if value.is_zero():
            return Reading(field, Fraction(0), "0", None, None)
        if value.adjusted() > 30:
            raise fail(lang, field, "too_large", maximum=show(Fraction(rule.maximum), lang))
        if value.as_tuple().exponent < -30:  # type: ignore[operator]
            raise fail(lang, field, "decimals", places=rule.decimals)
        exact = Fraction(value)
        return Reading(field, _checked(exact, rule, lang), excerpt(str(value)), None, None)
    if isinstance(value, Fraction):
        if abs(value) > rule.maximum:
            raise fail(lang, field, "too_large", maximum=show(Fraction(rule.maximum), lang))
        return Reading(field, _checked(value, rule, lang), excerpt(str(value)), None, None)
    raise _not_number(lang, field, value)

