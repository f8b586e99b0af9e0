"""The online Sign-Off form (the `acknowledgement-form` insert): its words, its record schema, the endpoint setting,
the fingerprint, and the schools it offers (data/schools.yml, optional: without it the form asks for a typed name).
Its script, stylesheet and schema ship only with a language whose pages hold the form."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from ..source.handbook import Handbook
from ..source.paths import SITE_TEMPLATES
from ..source.reading import Problem, SourceError
from ..source.schema import Strict, Text, non_empty
from ..source.site_config import ENDPOINT_KEY, endpoint_problem
from .base import DataFile, InsertKind, Part, Rendering
from .fingerprint import handbook_fingerprint

# Overrides mkdocs.yml's endpoint for one build, e.g. the preview's form posting to `make receiver`.
ENDPOINT_ENV = "ACKNOWLEDGEMENT_ENDPOINT"
SCHEMA_FILE = SITE_TEMPLATES / "assets" / "acknowledgement.schema.json"


@dataclass(frozen=True)
class RecordShape:
    """The values the record schema allows, so the form offers exactly those (one source: the schema file)."""

    schema_version: int
    roles: list[str]  # statement ids the form can sign: who signs which statement
    grades: list[str]
    relationships: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_shape(schema_file: Path = SCHEMA_FILE) -> RecordShape:
    props = json.loads(schema_file.read_text(encoding="utf-8"))["properties"]
    return RecordShape(
        schema_version=props["schema_version"]["const"],
        roles=props["statements"]["items"]["properties"]["id"]["enum"],
        grades=props["student"]["properties"]["grade"]["enum"],
        relationships=props["parent"]["properties"]["relationship"]["enum"],
    )


def endpoint_setting(config: dict[str, Any], config_name: str = "mkdocs.yml") -> str | None:
    """`extra.handbook.acknowledgement_endpoint` of mkdocs.yml: None (the default: nothing leaves the browser),
    an http(s) address, or a path on the site's own server. $ACKNOWLEDGEMENT_ENDPOINT, when set, wins."""
    extra = config.get("extra") if isinstance(config, dict) else None
    handbook = extra.get("handbook") if isinstance(extra, dict) else None
    value = handbook.get("acknowledgement_endpoint") if isinstance(handbook, dict) else None
    if os.environ.get(ENDPOINT_ENV):
        value, config_name = os.environ[ENDPOINT_ENV], f"${ENDPOINT_ENV}"
    problem = endpoint_problem(value)  # the rule of site_config.py, which `check` applies with the line
    if problem:
        raise SourceError([Problem(config_name, problem, key=ENDPOINT_KEY)])
    return value or None


def check_statements(hb: Handbook, shape: RecordShape) -> list[Problem]:
    """Each Sign-Off statement must be one the form knows who signs."""
    return [hb.where("data/sign_off.yml", ("statements", i, "id"),
                     f"the Sign-Off form knows the statements {shape.roles}; it cannot offer '{s.id}'")
            for i, s in enumerate(hb.sign_off.statements) if s.id not in shape.roles]


def check(hb: Handbook) -> list[Problem]:
    """The form signs the Sign-Off statements: each must be one the record schema knows who signs."""
    return check_statements(hb, record_shape()) if hb.sign_off else []


def form_context(r: Rendering, page_id: str, arg: str | None) -> dict[str, Any]:
    """Template variables of the `acknowledgement-form` insert (only this insert pays for fingerprinting the source)."""
    hb, lang = r.hb, r.lang
    shape = record_shape()
    problems = check_statements(hb, shape)
    if problems:
        raise SourceError(problems)
    return {
        "acknowledgement_endpoint": getattr(r, "acknowledgement_endpoint", None),
        "fingerprint": handbook_fingerprint(hb.root, lang),
        "form_strings": hb.strings(lang, "form"),
        "record_shape": shape,
        "sign_off_page": r.page_holding("sign-off"),
    }


class School(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")  # lower-case letters, digits, dashes: a stable key for records
    name: Text

    _check = field_validator("name")(non_empty)


class Schools(Strict):
    """The district's schools, offered by the acknowledgement form; empty means the form asks for a typed name."""

    schools: list[School] = []

    @field_validator("schools")
    @classmethod
    def _unique_ids(cls, value: list[School]) -> list[School]:
        seen: set[str] = set()
        for school in value:
            if school.id in seen:
                raise ValueError(f"two schools have the id '{school.id}'")
            seen.add(school.id)
        return value


PART = Part(
    name="schools",
    files=(DataFile("data/schools.yml", Schools),),
    check=check,
    inserts={"acknowledgement-form": InsertKind(
        "acknowledgement-form.md.j2", needs=("sign_off",), context=form_context, print_as="screen-only",
        # the template links its script and stylesheet itself; the record's schema is published beside them
        assets=("acknowledgement.js", "acknowledgement.css", "acknowledgement.schema.json"))},
)
