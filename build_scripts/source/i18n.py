"""Reader-facing words of the generator itself, per language: its catalogues (site_templates/), the handbook's
own words for any of them (handbook/words/<lang>.yml), language names and dates in the reader's language (Babel's
CLDR data), and picking a language from source text."""

from __future__ import annotations

import string
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from .paths import PROJECT, SITE_TEMPLATES
from .reading import Problem, SourceError, YamlDoc, key_path, read_yaml_file

STRINGS_DIR = SITE_TEMPLATES / "i18n"
WORDS_DIR = "words"  # handbook/words/<lang>.yml: the handbook's own words for the generator's
# The sections of a words file and the catalogue each overrides: the site's words at the top level, the form's
# and the printed edition's under `form:` and `print:`.
SECTIONS = {"": STRINGS_DIR, "form": SITE_TEMPLATES / "i18n/form", "print": SITE_TEMPLATES / "print/strings"}


def without_accents(text: str) -> str:
    """Lower case, accents dropped ("Apelación" -> "apelacion"): how the generator compares words a reader or an
    editor writes with and without accents (search words, glossary terms)."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(ch))


def catalogue(lang: str, section: str = "") -> dict[str, str]:
    """The generator's own words in `lang` for one section (see SECTIONS), as shipped."""
    return read_catalogue(SECTIONS[section] / f"{lang}.yml")


def project_rel(path: Path) -> str:
    """How messages name a file of the generator: site_templates/i18n/en.yml (a path elsewhere as it is)."""
    return path.relative_to(PROJECT).as_posix() if path.is_relative_to(PROJECT) else path.as_posix()


def read_catalogue(path: Path, rel: str | None = None) -> dict[str, Any]:
    """One catalogue (`key: text` per line) read through the source reader, so that a broken one is named at its
    file and line like any source file: a SourceError, never PyYAML's own text. `rel`: how messages name the file."""
    rel = rel or project_rel(path)
    if not path.is_file():
        raise SourceError([Problem(rel, f"no words for the language '{path.stem}' here: copy another "
                                   "language's file beside it and translate its texts")])
    return dict(_read_catalogue(path, rel, path.stat().st_mtime_ns))


@lru_cache(maxsize=32)  # every page's renderer asks; read again when the file changes (`serve` rebuilds)
def _read_catalogue(path: Path, rel: str, _changed: int) -> dict[str, Any]:
    doc = read_yaml_file(path, rel)
    if not isinstance(doc.data, dict):
        raise SourceError([Problem(doc.rel, "must be a mapping: one 'key: text' per line", 1)])
    return doc.data


def load_strings(lang: str, words: dict[str, Any] | None = None, section: str = "") -> dict[str, str]:
    """The generator's words in `lang`, with the handbook's own words (a checked words/<lang>.yml) put in."""
    own = (words or {}).get(section) if section else words
    return catalogue(lang, section) | {k: v for k, v in (own or {}).items() if isinstance(v, str)}


def _fields(template: str) -> set[str] | None:
    """The {placeholders} a text asks to be filled; None when it holds anything but plain `{name}` ones (an
    unmatched brace, a format spec, a conversion): the pages' scripts fill some of them too, by name only."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    if any(name is not None and (spec or conversion) for _, name, spec, conversion in parsed):
        return None
    return {name for _, name, _, _ in parsed if name is not None}


def words_problems(doc: YamlDoc, lang: str) -> list[Problem]:
    """What is wrong with a handbook/words/<lang>.yml: a key the generator does not have (with the file's line),
    a value that is not text, or a {placeholder} the generator cannot fill (a literal brace is written {{ }})."""
    if doc.data is None:
        return []
    if not isinstance(doc.data, dict):
        return [Problem(doc.rel, "must be a mapping: a key of site_templates/i18n/<lang>.yml, then its text", 1)]
    problems = []

    def check(section: str, mapping: dict[Any, Any], loc: tuple[str, ...]) -> None:
        known = catalogue(lang, section)
        for key, value in mapping.items():
            where = (*loc, key)
            if not section and key in SECTIONS and key:
                if not isinstance(value, dict):
                    problems.append(Problem(doc.rel, f"'{key}' holds the {key} words: a mapping of key: text",
                                            doc.line_of(where), key_path(where)))
                else:
                    check(key, value, where)
                continue
            if key not in known:
                folder = SECTIONS[section].relative_to(SITE_TEMPLATES.parent).as_posix()
                problems.append(Problem(doc.rel, f"unknown key '{key}': the generator has no such word (the keys are "
                                        f"those of {folder}/{lang}.yml)", doc.line_of(where), key_path(where)))
            elif not isinstance(value, str) or not value.strip():
                problems.append(Problem(doc.rel, "needs a text", doc.line_of(where), key_path(where)))
            elif (fields := _fields(value)) is None or not fields <= (_fields(known[key]) or set()):
                allowed = ", ".join(f"{{{f}}}" for f in sorted(_fields(known[key]) or ())) or "none"
                problems.append(Problem(doc.rel, f"a {{placeholder}} the generator cannot fill (it fills: {allowed}; "
                                        "write a brace itself as {{ or }})", doc.line_of(where), key_path(where)))

    check("", doc.data, ())
    return problems


def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return None


def language_name(code: str, in_lang: str | None = None) -> str:
    """A language's name in `in_lang` (its own name when None: "English", "Español"), from CLDR; the code itself
    for a language CLDR does not know."""
    locale = _locale(in_lang or code)
    name = locale.languages.get(code) if locale else None
    return (name[:1].upper() + name[1:]) if name and in_lang is None else (name or code)


def long_date(value: date, lang: str) -> str:
    """A date as a reader of `lang` writes it ("February 18, 2025", "18 de febrero de 2025")."""
    locale = _locale(lang)
    return format_date(value, format="long", locale=locale) if locale else value.isoformat()


def pick(text: dict[str, str] | str | None, lang: str, fallback: str) -> str:
    """The text in `lang`; the approved language's text where a translation is missing (check reports those); a
    field that may be the same in every language (a plain string) as it is."""
    if not text or isinstance(text, str):
        return text or ""
    return text.get(lang) or text.get(fallback) or next(iter(text.values()))
