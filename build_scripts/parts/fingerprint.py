"""The content fingerprint of one language's handbook: which text exactly a family acknowledged."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..source.reading import read_yaml_data, source_rel

# Changing how the fingerprint is computed changes every fingerprint: say so by changing this prefix.
ALGORITHM = "handbook-fingerprint/1"
SKIPPED_FOLDERS = {"pages", "theme"}  # pages are read per language; the theme is presentation, not text


def _languages(root: Path) -> list[str]:
    edition = read_yaml_data(root / "edition.yml", source_rel(root / "edition.yml", root)) or {}
    return list(edition.get("languages") or [])


def reduce_to_language(data: Any, lang: str, languages: list[str]) -> Any:
    """Keep `lang`'s text of every reader-facing field (the approved language's where a translation is missing,
    as the site shows it) and every language-neutral value; drop the other languages' text."""
    if isinstance(data, dict):
        if data and all(isinstance(k, str) and k in languages for k in data):
            return data.get(lang, data.get(languages[0]))
        return {str(k): reduce_to_language(v, lang, languages) for k, v in data.items()}
    if isinstance(data, list):
        return [reduce_to_language(v, lang, languages) for v in data]
    return data


def _plain(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def fingerprint_document(handbook_root: Path, lang: str) -> str:
    """The canonical text that is hashed: the language's pages and every data file reduced to that language."""
    root = Path(handbook_root).resolve()
    languages = _languages(root)
    if lang not in languages:
        raise ValueError(f"{root / 'edition.yml'}: '{lang}' is not one of the handbook's languages {languages}")
    data: dict[str, Any] = {}
    for path in sorted(root.rglob("*.yml")):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIPPED_FOLDERS:
            continue
        parsed = read_yaml_data(path, source_rel(path, root))  # the data files are large: libyaml reads them
        data[rel.as_posix()] = reduce_to_language(parsed, lang, languages)
    pages = {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8").replace("\r\n", "\n")
        for path in sorted((root / "pages" / lang).glob("*.md"))
    }
    document = {"algorithm": ALGORITHM, "language": lang, "data": data, "pages": pages}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_plain)


def handbook_fingerprint(handbook_root: Path, lang: str) -> str:
    """SHA-256 (hex) of that language's handbook source, canonically serialised (comments and layout don't count)."""
    return hashlib.sha256(fingerprint_document(handbook_root, lang).encode("utf-8")).hexdigest()
