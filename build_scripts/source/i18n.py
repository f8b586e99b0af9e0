"""Reader-facing words of the generator itself, per language, and picking a language from source text."""

from __future__ import annotations

import yaml

from .paths import SITE_TEMPLATES

STRINGS_DIR = SITE_TEMPLATES / "i18n"


def load_strings(lang: str) -> dict[str, str]:
    """The generator's own strings in `lang` (site_templates/i18n/<lang>.yml)."""
    path = STRINGS_DIR / f"{lang}.yml"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no interface strings for language '{lang}'")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def pick(text: dict[str, str] | None, lang: str, fallback: str) -> str:
    """The text in `lang`; the approved language's text where a translation is missing (check reports those)."""
    if not text:
        return ""
    return text.get(lang) or text.get(fallback) or next(iter(text.values()))
