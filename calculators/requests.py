"""JSON in, JSON out: the one entry point a Web Worker (or any other program) calls.

    handle_request('{"calculator": "consequence", "lang": "es",
                     "args": {"behavior": "FOR", "school_level": "elementary", "offense": 2}}')
    -> '{"ok": true, "result": {...}, "view": {...}}'
       or '{"ok": false, "error": {"message": ..., "field": ..., "code": ...}}'

`result` is the calculator's full answer (ConsequenceResult / AbsenteeResult .to_dict()); `view` is the same
answer laid out for a page (see calculators.view). Other calculators: behavior_options, school_levels, ui_words,
ready (loads the data; a worker can send it as soon as Pyodide is up).

It never raises and never returns a traceback: bad input gives the reader's-language message and the field to fix;
anything unexpected gives a short message in that language (code "internal"). It answers fast whatever it is
sent: a request longer than MAX_REQUEST characters or nested deeper than MAX_DEPTH is refused before it is
parsed (json.loads would recurse, and in Pyodide overflow the stack), number tokens too long to convert are never
converted (numbers.JSON_NUMBERS), and messages quote at most a short excerpt of what was sent.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any, Callable

from .absentee import absentee_tier
from .consequence import behavior_options, lookup_consequence, school_levels
from .data import Data, check_lang, languages, resolve
from .errors import CalculatorDataError, CalculatorInputError
from .numbers import JSON_NUMBERS, excerpt
from .view import absentee_view, consequence_view
from . import deadline  # part: deadlines (issue 14)
from .words import LANGUAGES, WORDS, word


def ui_words(lang: str = "en", *, data: Data | None = None) -> dict[str, str]:
    """The calculator's labels and field names in `lang` (for a form drawn by a page)."""
    lang = check_lang(resolve(data), lang)
    return {k: v for k, v in WORDS[lang].items() if k.startswith(("field_", "label_"))}


# Each calculator: (data, lang, **inputs) -> (result, view or None); the view is the result laid out for a page.
Answer = tuple[Any, "dict[str, Any] | None"]


def _consequence(data: Data, lang: str, behavior: Any = None, school_level: Any = None, offense: Any = None,
                 damage_usd: Any = None) -> Answer:
    r = lookup_consequence(behavior, school_level, offense, damage_usd, lang, data=data)
    return r.to_dict(), consequence_view(r)


def _absentee(data: Data, lang: str, days_absent: Any = None, days_enrolled: Any = None) -> Answer:
    t = absentee_tier(days_absent, days_enrolled, lang, data=data)
    return t.to_dict(), absentee_view(t)


def _options(data: Data, lang: str, school_level: Any = None) -> Answer:
    return behavior_options(school_level, lang, data=data), None


def _levels(data: Data, lang: str) -> Answer:
    return school_levels(lang, data=data), None


def _words(data: Data, lang: str) -> Answer:
    return ui_words(lang, data=data), None


def _ready(data: Data, lang: str) -> Answer:
    """Loads the data (so the first real question is fast) and says what is available."""
    return {"languages": languages(data), "school_levels": school_levels(lang, data=data)}, None


# A real request is a few hundred characters (the longest behavior name is under 200); two levels deep.
MAX_REQUEST = 16_384
MAX_DEPTH = 16
# A JSON string (to the end of the text if it is not closed: so each is scanned once) or a bracket.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)

CALCULATORS: dict[str, Callable[..., Answer]] = {
    "consequence": _consequence,
    "absentee": _absentee,
    "behavior_options": _options,
    "school_levels": _levels,
    "ui_words": _words,
    "ready": _ready,
    "deadline": deadline.request,  # part: deadlines: args {event, date} or {step, date}
    "deadline_steps": deadline.steps_request,  # part: deadlines
}


def _failure(lang: str, code: str) -> dict[str, Any]:
    """A response for a failure that is no field's fault; its message is the words' "err_<code>"."""
    return {"ok": False, "error": {"message": word(lang, f"err_{code}"), "field": None, "code": code}}


def _inputs_of(fn: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(fn).parameters)[2:]


def run(request: Any, *, data: Data | None = None) -> dict[str, Any]:
    """A request as a dict -> a response dict ({"ok": true, "result", "view"?} or {"ok": false, "error"})."""
    lang = LANGUAGES[0]
    try:
        data = resolve(data)
        lang = data["languages"][0] if data["languages"][0] in LANGUAGES else lang
        if not isinstance(request, dict):
            raise CalculatorInputError(word(lang, "err_bad_request"), code="bad_request", lang=lang)
        lang = check_lang(data, request.get("lang", lang))
        name = request.get("calculator")
        fn = CALCULATORS.get(name) if isinstance(name, str) else None
        if fn is None:
            raise CalculatorInputError(
                word(lang, "err_unknown_calculator", field=word(lang, "field_calculator"), value=excerpt(name),
                     choices=", ".join(CALCULATORS)),
                field="calculator", code="unknown_calculator", lang=lang)
        args = request.get("args") or {}
        if not isinstance(args, dict):
            raise CalculatorInputError(word(lang, "err_bad_request"), code="bad_request", lang=lang)
        allowed = _inputs_of(fn)
        for key in args:
            if key not in allowed:
                raise CalculatorInputError(
                    word(lang, "err_unexpected_arg", value=excerpt(key), choices=", ".join(allowed) or "-"),
                    field=excerpt(key), code="unexpected_arg", lang=lang)
        result, view = fn(data, lang, **args)
        return {"ok": True, "result": result, **({"view": view} if view is not None else {})}
    except CalculatorInputError as exc:
        return {"ok": False, "error": exc.to_dict()}
    except CalculatorDataError:
        return _failure(lang, "no_data")
    except Exception:  # noqa: BLE001 - a page must get a message, never a traceback
        return _failure(lang, "internal")


def _depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped); the text is at most MAX_REQUEST."""
    depth = deepest = 0
    for token in _STRING_OR_BRACKET.findall(text):
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth -= 1
    return deepest


def _parsed(request_json: Any) -> tuple[Any, str | None]:
    """(the request, None) or (None, the failure's code): too long, too deep, or not JSON at all."""
    if isinstance(request_json, (bytes, bytearray, memoryview)):
        if len(request_json) > MAX_REQUEST * 4:
            return None, "request_too_large"
        try:
            request_json = bytes(request_json).decode("utf-8")
        except UnicodeDecodeError:
            return None, "bad_json"
    if not isinstance(request_json, str):
        return None, "bad_json"
    if len(request_json) > MAX_REQUEST:
        return None, "request_too_large"
    if _depth(request_json) > MAX_DEPTH:
        return None, "request_too_deep"
    try:
        return json.loads(request_json, **JSON_NUMBERS), None
    except (ValueError, RecursionError):  # RecursionError cannot happen below MAX_DEPTH; kept as a last guard
        return None, "bad_json"


def handle_request(request_json: str, *, data: Data | None = None) -> str:
    """A JSON request string -> a JSON response string (see the module docstring). Never raises."""
    try:
        request, problem = _parsed(request_json)
        response = _failure(LANGUAGES[0], problem) if problem else run(request, data=data)
        return json.dumps(response, ensure_ascii=False, allow_nan=False)
    except Exception:  # noqa: BLE001 - a page must get a message, never a traceback
        return json.dumps(_failure(LANGUAGES[0], "internal"), ensure_ascii=False)
