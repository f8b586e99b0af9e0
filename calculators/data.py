"""The compiled handbook data: loaded lazily from the package (or given by the caller), and read in a language."""

from __future__ import annotations

import functools
import json
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import CalculatorDataError, CalculatorInputError
from .numbers import excerpt
from .words import LANGUAGES, word

Data = dict[str, Any]
SCHEMA = 1  # the shape of data this package reads (build_scripts.parts.calculators.data writes it)
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
            f"{__package__}/{DATA_FILE} is missing: compile it with `python -m build_scripts calculator-data`"
        ) from None
    return _checked(json.loads(text), f"{__package__}/{DATA_FILE}")


MAX_DATA_BYTES = 64 * 1024 * 1024  # compiled data is well under 1 MB; a bigger "data file" is something else


def load_data(path: str | Path | None = None) -> Data:
    """The packaged data, or the compiled JSON at `path` (for another handbook, or tests).

    A file that cannot be calculator data (missing, a folder, a device, not UTF-8, not JSON, nested too deep,
    too big) raises CalculatorDataError naming the file and what is wrong, never another exception."""
    if path is None:
        return packaged_data()
    where = str(path)
    try:
        if not Path(path).is_file():  # a folder, /dev/zero or a pipe would be read forever or fail obscurely
            what = "is a folder" if Path(path).is_dir() else "is not a regular file" if Path(path).exists() \
                else "does not exist"
            raise CalculatorDataError(f"{where}: {what}; give the compiled calculator data (a .json file)")
        with open(path, "rb") as f:
            raw = f.read(MAX_DATA_BYTES + 1)
    except OSError as exc:
        raise CalculatorDataError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_DATA_BYTES:
        raise CalculatorDataError(f"{where}: larger than {MAX_DATA_BYTES // 2**20} MB, not calculator data")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise CalculatorDataError(f"{where}, line {line}: a byte that is not UTF-8; save the file as UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalculatorDataError(f"{where}, line {exc.lineno}: not JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # a number too long to convert; nesting past the recursion limit
        raise CalculatorDataError(f"{where}: not calculator data ({excerpt(str(exc), 80)})") from None
    return _checked(data, where)


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
        word(fallback, "err_unknown_lang", field=word(fallback, "field_lang"), value=excerpt(lang),
             choices=", ".join(langs)),
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
