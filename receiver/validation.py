"""From request bytes to an accepted record, or to a problem that names the field in the record's language.

The form's published JSON Schema (site_templates/assets/acknowledgement.schema.json) is the one source of the
record's shape; this module adds only what the schema's descriptions state but JSON Schema cannot express (a real
calendar date, the date not after the moment of signing, the typed signature being the signer's name)."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import i18n
from .publications import Publication

PROJECT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = PROJECT / "site_templates" / "assets" / "acknowledgement.schema.json"


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


@dataclass(eq=False)
class Rejection(Exception):
    """A 4xx answer: HTTP status, a machine-readable code, a message in the record's language, the fields."""

    status: int
    code: str
    message: str
    problems: tuple[FieldProblem, ...] = field(default=())

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.problems:
            body["field"] = self.problems[0].field
            body["errors"] = [{"field": p.field, "message": p.message} for p in self.problems]
        return body


@cache
def validator(schema_file: Path = SCHEMA_FILE) -> Draft202012Validator:
    schema = json.loads(Path(schema_file).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def record_language(value: Any, fallback: str) -> str:
    """The language of the text acknowledged, when the record says one the receiver speaks."""
    if isinstance(value, dict) and isinstance(value.get("handbook"), dict):
        lang = value["handbook"].get("language")
        if isinstance(lang, str) and lang in i18n.LANGUAGES:
            return lang
    return fallback


def _reject_constant(name: str) -> None:
    raise ValueError(name)  # NaN / Infinity are not JSON


def parse_body(body: bytes, lang: str, max_depth: int) -> Any:
    """Bytes -> a JSON value, or a 400 Rejection (not UTF-8 JSON, nested too deep, text a database cannot hold)."""
    try:
        text = body.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise Rejection(400, "too_deep", i18n.text(lang, "err_too_deep", limit=max_depth)) from None
    except (UnicodeDecodeError, ValueError):
        raise Rejection(400, "not_json", i18n.text(lang, "err_not_json")) from None
    if _depth_over(value, max_depth):
        raise Rejection(400, "too_deep", i18n.text(lang, "err_too_deep", limit=max_depth))
    if not _storable(value):
        raise Rejection(400, "bad_text", i18n.text(lang, "err_bad_text"))
    return value


def _depth_over(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _storable(value: Any) -> bool:
    """No NUL (PostgreSQL text cannot hold it) and no lone surrogate (not encodable as UTF-8), keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return False
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _path(parts: Any, lang: str) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or i18n.text(lang, "record")


def _describe(error: ValidationError, lang: str) -> list[FieldProblem]:
    """One jsonschema error -> the field(s) it concerns and what is wrong, in `lang`."""
    where = list(error.absolute_path)
    kind = error.validator
    if kind == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        return [FieldProblem(_path(where + [name], lang), i18n.text(lang, "err_required", field=_path(where + [name], lang)))
                for name in error.validator_value if name not in present]
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []
        return [FieldProblem(_path(where + [k], lang), i18n.text(lang, "err_additional", field=_path(where + [k], lang)))
                for k in extra[:10]]
    name = _path(where, lang)
    if kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        types = f" {i18n.text(lang, 'or')} ".join(i18n.text(lang, f"type_{t}") for t in wanted)
        message = i18n.text(lang, "err_type", field=name, types=types)
    elif kind == "const":
        message = i18n.text(lang, "err_const", field=name, value=json.dumps(error.validator_value))
    elif kind == "enum":
        message = i18n.text(lang, "err_enum", field=name, values=", ".join(map(str, error.validator_value)))
    elif kind == "pattern":
        message = i18n.text(lang, "err_pattern", field=name)
    elif kind == "minLength":
        n = error.validator_value
        message = i18n.text(lang, "err_min_length", field=name) if n == 1 else i18n.text(lang, "err_min_length_n", field=name, n=n)
    elif kind == "maxLength":
        message = i18n.text(lang, "err_max_length", field=name, n=error.validator_value)
    elif kind == "minItems":
        message = i18n.text(lang, "err_min_items", field=name, n=error.validator_value)
    else:
        message = i18n.text(lang, "err_other", field=name)
    return [FieldProblem(name, message)]


def _same_name(a: str, b: str) -> bool:
    """The form's rule (acknowledgement.js, nameKey): Unicode form, repeated spaces, case and accents aside, so a
    name typed "José Martínez" is signed "Jose Martinez" on a keyboard without accents."""
    def norm(s: str) -> str:
        decomposed = unicodedata.normalize("NFKD", " ".join(s.split()))
        return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).casefold()
    return norm(a) == norm(b)


def _meaning_problems(record: dict[str, Any], lang: str) -> list[FieldProblem]:
    """What the schema's descriptions promise beyond JSON Schema (the record has already passed the schema)."""
    problems: list[FieldProblem] = []
    try:
        signed_day = date.fromisoformat(record["date"])
    except ValueError:
        problems.append(FieldProblem("date", i18n.text(lang, "err_date", field="date")))
        signed_day = None
    try:
        signed_at = datetime.fromisoformat(record["signed_at"])
    except ValueError:
        problems.append(FieldProblem("signed_at", i18n.text(lang, "err_date", field="signed_at")))
        signed_at = None
    if signed_day and signed_at and signed_day > signed_at.date():
        problems.append(FieldProblem("date", i18n.text(lang, "err_date_after", field="date")))
    signers = {"student": record["student"]["name"], "parent": record["parent"]["name"]}
    seen: set[str] = set()
    for i, statement in enumerate(record["statements"]):
        where = f"statements[{i}]"
        if statement["id"] in seen:
            problems.append(FieldProblem(f"{where}.id", i18n.text(lang, "err_duplicate_statement", field=f"{where}.id")))
        seen.add(statement["id"])
        name = signers.get(statement["id"])
        if name is not None and not _same_name(statement["typed_signature"], name):
            problems.append(FieldProblem(f"{where}.typed_signature",
                                         i18n.text(lang, "err_signature", field=f"{where}.typed_signature")))
    return problems


# Characters a name never needs and a forger uses: bidirectional overrides and isolates, zero-width spaces and
# joiners, other format (Cf) and control (Cc) characters, line and paragraph separators.
_REFUSED_CATEGORIES = {"Cf", "Cc", "Zl", "Zp", "Co", "Cs"}


def _name_fields(record: dict[str, Any]) -> list[tuple[list[Any], str]]:
    """Where people's and schools' names are in the record: (path, value)."""
    fields = [(["student", "name"], record["student"]["name"]), (["parent", "name"], record["parent"]["name"]),
              (["student", "school", "name"], record["student"]["school"]["name"])]
    if record["student"]["id"] is not None:
        fields.append((["student", "id"], record["student"]["id"]))
    fields += [(["statements", i, "typed_signature"], s["typed_signature"]) for i, s in enumerate(record["statements"])]
    return fields


def _set(record: dict[str, Any], path: list[Any], value: str) -> None:
    target: Any = record
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def normalise_names(record: dict[str, Any], lang: str) -> list[FieldProblem]:
    """Names as NFC with spaces collapsed (stored so: one spelling, one comparison); a name with a formatting or
    control character, or of spaces only, is refused."""
    problems: list[FieldProblem] = []
    for path, value in _name_fields(record):
        name = _path(path, lang)
        if any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in value):
            problems.append(FieldProblem(name, i18n.text(lang, "err_format_characters", field=name)))
            continue
        clean = " ".join(unicodedata.normalize("NFC", value).split())
        if not clean:
            problems.append(FieldProblem(name, i18n.text(lang, "err_blank", field=name)))
            continue
        _set(record, path, clean)
    return problems


def publication_problems(record: dict[str, Any], publications: tuple[Publication, ...], lang: str) -> list[FieldProblem]:
    """The record must acknowledge an edition, language, text and title the district publishes, with every
    statement of that edition's Sign-Off page (and no other)."""
    handbook = record["handbook"]
    same_edition = [p for p in publications if p.school_years == handbook["school_years"]]
    if not same_edition:
        editions = ", ".join(dict.fromkeys(p.school_years for p in publications))
        return [FieldProblem("handbook.school_years",
                             i18n.text(lang, "err_not_published", field="handbook.school_years", values=editions))]
    matching = [p for p in same_edition if p.language in (None, handbook["language"])]
    if not matching:
        languages = ", ".join(str(p.language) for p in same_edition)
        return [FieldProblem("handbook.language",
                             i18n.text(lang, "err_not_published", field="handbook.language", values=languages))]
    publication = matching[0]
    problems = [FieldProblem(f"handbook.{key}", i18n.text(lang, "err_not_published_value", field=f"handbook.{key}"))
                for key in ("fingerprint", "title", "district")
                if getattr(publication, key) is not None and handbook[key] != getattr(publication, key)]
    if publication.statements:
        signed = [s["id"] for s in record["statements"]]
        for missing in (i for i in publication.statements if i not in signed):
            problems.append(FieldProblem("statements", i18n.text(lang, "err_statement_missing", field="statements",
                                                                  id=missing)))
        for i, statement_id in enumerate(signed):
            if statement_id not in publication.statements:
                where = f"statements[{i}].id"
                problems.append(FieldProblem(where, i18n.text(lang, "err_statement_extra", field=where)))
    return problems


def check_record(value: Any, lang: str, schema_file: Path = SCHEMA_FILE,
                 publications: tuple[Publication, ...] = ()) -> dict[str, Any]:
    """The record if it is one the form could have sent for an edition the district publishes (names normalised),
    else a 422 Rejection naming every field that is wrong."""
    errors = sorted(validator(schema_file).iter_errors(value), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    problems = [p for e in errors for p in _describe(e, lang)]
    if not problems:
        problems = publication_problems(value, publications, lang) if publications else []
        problems += normalise_names(value, lang)
        problems += _meaning_problems(value, lang)
    if problems:
        unique = tuple(dict.fromkeys(problems))[:20]
        raise Rejection(422, "invalid_record", i18n.text(lang, "err_invalid", first=unique[0].message), unique)
    return value
