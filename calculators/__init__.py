"""Handbook calculators: consequence lookup and absentee-rate tier, pure Python (standard library only).

    from calculators import lookup_consequence, absentee_tier, CalculatorInputError
    r = lookup_consequence("FOR", "elementary", 2)          # r.handbook_text, r.matrix_level, r.to_dict()
    t = absentee_tier(14, 120, lang="es")                   # t.tier, t.rate_percent, t.to_dict()

The handbook's words and numbers come from data/handbook.json, compiled from handbook/ at build time
(build_scripts.parts.calculators.data); every function takes `data=` to use other compiled data instead.
A Web Worker calls `handle_request(json_string)` and gets a JSON string back.
"""

from .absentee import AbsenteeResult, absentee_tier
from .consequence import ConsequenceResult, behavior_options, lookup_consequence, school_levels
from .data import load_data
from .errors import CalculatorDataError, CalculatorInputError
from .requests import handle_request, run, ui_words
from .words import LANGUAGES

__all__ = [
    "AbsenteeResult",
    "CalculatorDataError",
    "CalculatorInputError",
    "ConsequenceResult",
    "LANGUAGES",
    "absentee_tier",
    "behavior_options",
    "handle_request",
    "load_data",
    "lookup_consequence",
    "run",
    "school_levels",
    "ui_words",
]
