"""The receiver's words in each language (strings/<lang>.yml); English when a language is not offered."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

STRINGS_DIR = Path(__file__).resolve().parent / "strings"
LANGUAGES = ("en", "es")
DEFAULT = "en"


@cache
def strings(lang: str) -> dict[str, str]:
    lang = lang if lang in LANGUAGES else DEFAULT
    return yaml.safe_load((STRINGS_DIR / f"{lang}.yml").read_text(encoding="utf-8"))


def text(lang: str, key: str, **values: object) -> str:
    return strings(lang)[key].format(**values)


def from_accept_language(header: str | None) -> str:
    """The first offered language the browser asks for (quality order ignored beyond order: browsers list by it)."""
    for part in (header or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT
