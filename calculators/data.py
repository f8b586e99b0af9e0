"""The compiled handbook data: loaded lazily from the package (or given by the caller), and read in a language."""

from __future__ import annotations

import functools
import json
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import CalculatorDataError, CalculatorInputError
from .words import LANGUAGES, word

Data = dict[str, Any]
SCHEMA = 1  # the shape of data this package reads (build_scripts.calculator_data writes it)
DATA_FILE = "data/handbook.json"


def _checked(data: Any, where: str) -> Data:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise CalculatorDataError(f"{where}: calculator data of schema {found!r}, expected {SCHEMA}")
    return data


@functools.cache
def packaged_data() -> Data:
    """The data shipped inside the package (read once, on first use)."""
    try:
        text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalculatorDataError(
            f"{__package__}/{DATA_FILE} is missing: compile it with `python -m build_scripts.calculator_data`"
        ) from None
    return _checked(json.loads(text), f"{__package__}/{DATA_FILE}")


def load_data(path: str | Path | None = None) -> Data:
    """The packaged data, or the compiled JSON at `path` (for another handbook, or tests)."""
    if path is None:
        return packaged_data()
    return _checked(json.loads(Path(path).read_text(encoding="utf-8")), str(path))


def resolve(data: Data | None) -> Data:
    return packaged_data() if data is None else _checked(data, "data")


def languages(data: Data) -> list[str]:
    """Languages both the package and the data speak, the data's first language first."""
    return [lang for lang in data["languages"] if lang in LANGUAGES]


def check_lang(data: Data, lang: Any) -> str:
    """A supported language code ('es-MX' -> 'es'); otherwise an error in the data's first language."""
    langs = languages(data)
    if isinstance(lang, str):
        code = lang.strip().lower().replace("_", "-").split("-")[0]
        if code in langs:
            return code
    fallback = langs[0] if langs else LANGUAGES[0]
    raise CalculatorInputError(
        word(fallback, "err_unknown_lang", field=word(fallback, "field_lang"), value=lang, choices=", ".join(langs)),
        field="lang", code="unknown_lang", lang=fallback,
    )


def tx(text: dict[str, str] | None, lang: str, data: Data) -> str | None:
    """A reader-facing text in `lang`, falling back to the data's first language."""
    if not text:
        return None
    if lang in text:
        return text[lang]
    first = data["languages"][0]
    return text.get(first) or next(iter(text.values()))


def exact(value: float | int) -> Fraction:
    """A number of the data as an exact fraction of its decimal form (9.9 is 99/10, not the nearest binary float)."""
    return Fraction(repr(float(value)))


def page_title(data: Data, page: str | None, lang: str) -> str | None:
    if not page:
        return None
    entry = data["pages"].get(page)
    return tx(entry["title"], lang, data) if entry else None
