"""Interface catalogues in step: every key of a language's catalogue exists in every other language's."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from ..source.paths import SITE_TEMPLATES as TEMPLATES
from ..source.i18n import read_catalogue
from ..source.reading import Problem, SourceError
# Folders of per-language catalogues, one `<lang>.yml` each: the site's words, the form's, the printed handbook's.
CATALOGUE_DIRS = ("i18n", "i18n/form", "print/strings")


def _keys(data: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _keys(value, path)


def missing_catalogue_keys(languages: list[str], templates: Path | None = None) -> list[Problem]:
    """A problem for each key one language's catalogue has and another's lacks (or a catalogue that is missing)."""
    templates = templates or TEMPLATES
    problems: list[Problem] = []
    for folder in CATALOGUE_DIRS:
        keys: dict[str, set[str]] = {}
        for lang in languages:
            path = templates / folder / f"{lang}.yml"
            rel = f"site_templates/{folder}/{lang}.yml"
            if not path.exists():
                if (templates / folder).is_dir():
                    problems.append(Problem(rel, f"no '{lang}' catalogue (the other languages have site_templates/{folder}/)"))
                continue
            try:  # through the source reader: a broken catalogue is named at its line, as a handbook file is
                keys[lang] = set(_keys(read_catalogue(path, rel)))
            except SourceError as exc:
                problems.extend(exc.problems)
        every = set().union(*keys.values()) if keys else set()
        for lang, present in keys.items():
            for key in sorted(every - present):
                others = ", ".join(f"{o}.yml" for o in keys if key in keys[o])
                problems.append(Problem(f"site_templates/{folder}/{lang}.yml", f"key '{key}' is missing (it is in {others})"))
    return problems
