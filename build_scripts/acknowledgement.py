"""What the Sign-Off form needs at build time: its words, its record schema, the endpoint setting, the fingerprint."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from .fingerprint import handbook_fingerprint
from .handbook import Handbook
from .source import Problem, SourceError

SITE_TEMPLATES = Path(__file__).resolve().parent.parent / "site_templates"
FORM_STRINGS_DIR = SITE_TEMPLATES / "i18n" / "form"
SCHEMA_FILE = SITE_TEMPLATES / "assets" / "acknowledgement.schema.json"
ENDPOINT_KEY = "extra.handbook.acknowledgement_endpoint"
# Overrides mkdocs.yml's endpoint for one build, e.g. the preview's form posting to `make receiver`.
ENDPOINT_ENV = "ACKNOWLEDGEMENT_ENDPOINT"
_ENDPOINT_RE = re.compile(r"^(https?://[^\s/?#]+(/[^\s]*)?|/[^\s/][^\s]*)$")


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


def load_form_strings(lang: str) -> dict[str, str]:
    """The form's words in `lang` (site_templates/i18n/form/<lang>.yml)."""
    path = FORM_STRINGS_DIR / f"{lang}.yml"
    if not path.exists():
        raise SourceError([Problem(str(path.relative_to(SITE_TEMPLATES.parent)), f"no form strings for language '{lang}'")])
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def endpoint_setting(config: dict[str, Any], config_name: str = "mkdocs.yml") -> str | None:
    """`extra.handbook.acknowledgement_endpoint` of mkdocs.yml: None (the default: nothing leaves the browser),
    an http(s) address, or a path on the site's own server. $ACKNOWLEDGEMENT_ENDPOINT, when set, wins."""
    value = ((config.get("extra") or {}).get("handbook") or {}).get("acknowledgement_endpoint")
    if os.environ.get(ENDPOINT_ENV):
        value, config_name = os.environ[ENDPOINT_ENV], f"${ENDPOINT_ENV}"
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ENDPOINT_RE.match(value.strip()):
        raise SourceError([Problem(config_name, "must be an http:// or https:// address, or a path starting with /, "
                                   f"or null to keep records in the browser (got {value!r})", key=ENDPOINT_KEY)])
    return value.strip()


def check_statements(hb: Handbook, shape: RecordShape) -> list[Problem]:
    """Each Sign-Off statement must be one the form knows who signs."""
    return [hb.where("data/sign_off.yml", ("statements", i, "id"),
                     f"the Sign-Off form knows the statements {shape.roles}; it cannot offer '{s.id}'")
            for i, s in enumerate(hb.sign_off.statements) if s.id not in shape.roles]


def form_context(hb: Handbook, lang: str, endpoint: str | None, sign_off_page: str | None) -> dict[str, Any]:
    """Template variables of the `acknowledgement-form` insert."""
    shape = record_shape()
    problems = check_statements(hb, shape)
    if problems:
        raise SourceError(problems)
    return {
        "acknowledgement_endpoint": endpoint,
        "fingerprint": handbook_fingerprint(hb.root, lang),
        "form_strings": load_form_strings(lang),
        "record_shape": shape,
        "sign_off_page": sign_off_page,
    }
