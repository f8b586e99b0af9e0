"""Calculator requests derived from the compiled data, shared by the CPython and the Pyodide tests.

Each case is a request as a JSON string (so both runtimes read exactly the same bytes) and, where the answer
is fixed by the data, what it must contain.
"""

from __future__ import annotations

import json
from typing import Any

LANGS = ("en", "es")


def value_inside(value_range: dict[str, float]) -> float:
    """A dollar value inside a range as the handbook words it (below / up to / above / from)."""
    low = value_range.get("from_usd", value_range["above_usd"] + 1 if "above_usd" in value_range else None)
    high = value_range.get("up_to_usd", value_range["below_usd"] - 1 if "below_usd" in value_range else None)
    if low is not None:
        return float(low)
    return float(max(high, 0)) if high is not None else 1.0


def limits(value_range: dict[str, float]) -> list[float]:
    return [float(v) for v in value_range.values()]


def request(calculator: str, lang: str = "en", **args: Any) -> str:
    return json.dumps({"calculator": calculator, "lang": lang, "args": args}, sort_keys=True)


def cell_cases(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every printed cell of every matrix (every band of a banded cell), in every language."""
    cases = []
    for matrix in data["matrices"]:
        for row in matrix["rows"]:
            ranges = {b["id"]: b["range"] for b in row["bands"] or []}
            for col, cell in enumerate(row["cells"]):
                if cell["empty"]:
                    continue
                for lang in LANGS:
                    base = {"behavior": row["id"], "school_level": matrix["school_level"], "offense": col + 1}
                    if cell["bands"]:
                        for band in cell["bands"]:
                            cases.append({"request": request("consequence", lang, **base,
                                                             damage_usd=value_inside(ranges[band["band"]])),
                                          "expect": {"handbook_text": band["text"][lang], "band": band["band"],
                                                     "matrix_level": row["level"]}})
                    else:
                        cases.append({"request": request("consequence", lang, **base),
                                      "expect": {"handbook_text": cell["text"][lang], "band": None,
                                                 "matrix_level": row["level"]}})
    return cases


def edge_cases(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Past the printed columns, exact band and range limits, lookups by name and code."""
    cases = []
    for matrix in data["matrices"]:
        level = matrix["school_level"]
        for row in matrix["rows"]:
            cases.append({"request": request("consequence", "en", behavior=row["id"], school_level=level,
                                             offense=len(row["cells"]) + 1)})
            cases.append({"request": request("consequence", "es", behavior=row["behavior"]["es"].upper(),
                                             school_level=level, offense=1, damage_usd=value_inside(
                                                 (row["bands"] or [{"range": {}}])[0]["range"]) if row["bands"] else None)})
            for code_id in row["codes"]:
                cases.append({"request": request("consequence", "en", behavior=data["codes"][code_id]["code"].lower(),
                                                 school_level=level, offense=2, damage_usd=1)})
            for rng in [b["range"] for b in row["bands"] or []] + ([row["value_range"]] if row["value_range"] else []):
                for value in limits(rng):
                    for lang in LANGS:
                        cases.append({"request": request("consequence", lang, behavior=row["id"], school_level=level,
                                                         offense=1, damage_usd=value)})
        for lang in LANGS:
            cases.append({"request": request("behavior_options", lang, school_level=level)})
    for lang in LANGS:
        cases.append({"request": request("school_levels", lang)})
        cases.append({"request": request("ui_words", lang)})
    return cases


# (days absent, days enrolled): the tier boundaries 4.99, 5, 9.95, 10, 19.99, 20 percent, and more
ABSENTEE = [(499, 10000), (5, 100), (199, 2000), (10, 100), (1999, 10000), (20, 100), (14, 120), (17, 180),
            (14.5, 120), (0, 1), (120, 120), (1, 3), (99, 1000), (0.5, 180.5)]


def absentee_cases() -> list[dict[str, Any]]:
    return [{"request": request("absentee", lang, days_absent=a, days_enrolled=e)} for a, e in ABSENTEE for lang in LANGS]


# one case per class of bad input: (calculator, args, field that must be named)
BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("absentee", {"days_absent": -1, "days_enrolled": 10}, "days_absent"),
    ("absentee", {"days_absent": 1, "days_enrolled": -10}, "days_enrolled"),
    ("absentee", {"days_absent": "abc", "days_enrolled": 10}, "days_absent"),
    ("absentee", {"days_absent": "NaN", "days_enrolled": 10}, "days_absent"),
    ("absentee", {"days_absent": 1, "days_enrolled": "Infinity"}, "days_enrolled"),
    ("absentee", {"days_absent": 0, "days_enrolled": 0}, "days_enrolled"),
    ("absentee", {"days_absent": 5}, "days_enrolled"),
    ("absentee", {"days_absent": 5, "days_enrolled": ""}, "days_enrolled"),
    ("absentee", {"days_enrolled": 5}, "days_absent"),
    ("absentee", {"days_absent": 11, "days_enrolled": 10}, "days_absent"),
    ("absentee", {"days_absent": 1.333, "days_enrolled": 10}, "days_absent"),  # days count 2 decimal places
    ("absentee", {"days_absent": True, "days_enrolled": 10}, "days_absent"),
    ("consequence", {"behavior": "juggling", "school_level": "elementary", "offense": 1}, "behavior"),
    ("consequence", {"behavior": "", "school_level": "elementary", "offense": 1}, "behavior"),
    ("consequence", {"behavior": "forgery", "school_level": "middle", "offense": 1}, "school_level"),
    ("consequence", {"behavior": "forgery", "offense": 1}, "school_level"),
    ("consequence", {"behavior": "forgery", "school_level": "elementary", "offense": 0}, "offense"),
    ("consequence", {"behavior": "forgery", "school_level": "elementary", "offense": -2}, "offense"),
    ("consequence", {"behavior": "forgery", "school_level": "elementary", "offense": 1.5}, "offense"),
    ("consequence", {"behavior": "forgery", "school_level": "elementary", "offense": "two"}, "offense"),
    ("consequence", {"behavior": "forgery", "school_level": "elementary", "offense": "NaN"}, "offense"),
    ("consequence", {"behavior": "forgery", "school_level": "elementary"}, "offense"),
    ("consequence", {"behavior": "arson", "school_level": "elementary", "offense": 1}, "damage_usd"),
    ("consequence", {"behavior": "arson", "school_level": "elementary", "offense": 1, "damage_usd": -5}, "damage_usd"),
    ("consequence", {"behavior": "arson", "school_level": "elementary", "offense": 1, "damage_usd": "lots"},
     "damage_usd"),
    ("consequence", {"behavior": "arson", "school_level": "elementary", "offense": 1, "damage_usd": "inf"},
     "damage_usd"),
]


def bad_input_cases() -> list[dict[str, Any]]:
    cases = [{"request": request(calc, lang, **args), "expect": {"ok": False, "field": field}}
             for calc, args, field in BAD_INPUT for lang in LANGS]
    raw = [  # requests no well-formed form would send
        '{"calculator": "absentee", "lang": "es", "args": {"days_absent": NaN, "days_enrolled": 10}}',
        '{"calculator": "absentee", "lang": "en", "args": {"days_absent": 1, "days_enrolled": Infinity}}',
        '{"calculator": "absentee", "lang": "es", "args": {"days_absent": 1, "days_enrolled": 5, "hours": 3}}',
        '{"calculator": "tarot", "lang": "es", "args": {}}',
        '{"calculator": "absentee", "lang": "fr", "args": {"days_absent": 1, "days_enrolled": 5}}',
        '{"calculator": "absentee", "args": [1, 2]}',
        '["absentee"]',
        "{not json",
    ]
    return cases + [{"request": text} for text in raw]


# Issue 12: numbers as people type them, in both languages (read, or refused naming the field) and hostile requests.
TYPED_NUMBERS = ["999,99", "999.99", "1.000,50", "1,000.50", "$1,000.01", "1,000", "1.000", "12,500.50", "17.9",
                 "17,9", "0e-999999999", "1e3", "0x1F", "NaN", "-Infinity", "１２", "1_000", "1 000", "-3", "17.9555"]


def hostile_cases() -> list[dict[str, Any]]:
    cases = []
    for lang in LANGS:
        for typed in TYPED_NUMBERS:
            cases.append({"request": request("consequence", lang, behavior="vandalism", school_level="elementary",
                                             offense="1", damage_usd=typed)})
            cases.append({"request": request("absentee", lang, days_absent=typed, days_enrolled="1,000")})
            cases.append({"request": request("absentee", lang, days_absent="1", days_enrolled=typed)})
            cases.append({"request": request("consequence", lang, behavior="FOR", school_level="elementary",
                                             offense=typed)})
        for digits in (400, 5000):
            cases.append({"request": '{"calculator": "absentee", "lang": "%s", "args": {"days_absent": %s, '
                                     '"days_enrolled": 1}}' % (lang, "9" * digits)})
        nested = "[" * 5000 + "]" * 5000
        cases.append({"request": '{"calculator": "absentee", "lang": "%s", "args": {"days_absent": %s}}' % (lang, nested)})
        cases.append({"request": request("consequence", lang, behavior="x" * 15000, school_level="elementary", offense=1)})
        cases.append({"request": request("absentee", lang, days_absent="\ud800", days_enrolled=1)})
    cases.append({"request": "[" * 100_000})
    cases.append({"request": '"' + "x" * 1_000_000 + '"'})
    cases.append({"request": '"' + '\\"' * 8000})
    return cases


def all_cases(data: dict[str, Any]) -> list[dict[str, Any]]:
    return cell_cases(data) + edge_cases(data) + absentee_cases() + bad_input_cases() + hostile_cases()
