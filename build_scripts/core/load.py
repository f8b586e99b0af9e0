"""Load a handbook folder into one validated `Handbook`, or fail naming file and line.

Required: edition.yml, navigation.yml and pages/<language>/*.md. Every other file belongs to a part
(build_scripts/parts/) and is optional: a part without its files is simply absent (`hb.<part>` is None).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..parts.registry import PARTS
from ..source import schema
from ..source.handbook import Handbook, Page
from ..source.i18n import WORDS_DIR, words_problems
from ..source.reading import (MAX_PAGE_BYTES, Problem, SourceError, YamlDoc, key_path, missing_colon, parse_yaml,
                              read_source_text, read_yaml, split_front_matter)

M = TypeVar("M", bound=BaseModel)

CORE_FILES: dict[str, type[BaseModel]] = {
    "edition.yml": schema.Edition,
    "navigation.yml": schema.Navigation,
}


def _validate(doc: YamlDoc, model: type[M], problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(doc.data if doc.data is not None else {})
    except ValidationError as exc:
        errors = exc.errors()
        # `district {en: X}`: a key and its value run together without ':' read as one unknown key, and the real key
        # as missing; said once, as the mistake it is, on that line
        run_together = {(tuple(e["loc"][:-1]), _first_word(e["loc"][-1])): e["loc"][-1] for e in errors
                        if e["type"] == "extra_forbidden" and isinstance(e["loc"][-1], str)
                        and _first_word(e["loc"][-1]) != e["loc"][-1]}
        for err in errors:
            loc = tuple(err["loc"])
            message = err["msg"]
            if err["type"] == "missing" and (loc[:-1], loc[-1]) in run_together:
                continue
            if err["type"] == "extra_forbidden" and (loc[:-1], _first_word(str(loc[-1]))) in run_together:
                message = missing_colon(_first_word(str(loc[-1])))
            problems.append(Problem(doc.rel, message, doc.line_of(loc), key_path(loc) or None))
        return None


def _first_word(key: Any) -> Any:
    return re.split(r"[\s{\[]", key, maxsplit=1)[0] if isinstance(key, str) else key


def _load_pages(root: Path, languages: list[str], problems: list[Problem]) -> dict[str, dict[str, Page]]:
    pages: dict[str, dict[str, Page]] = {}
    for lang in languages:
        folder = root / "pages" / lang
        pages[lang] = {}
        if not folder.is_dir():
            problems.append(Problem(f"{root.name}/pages/{lang}", "no pages folder for this language"))
            continue
        for path in sorted(folder.glob("*.md")):
            rel = path.relative_to(root.parent).as_posix()
            try:
                front, body, body_line = split_front_matter(read_source_text(path, rel, MAX_PAGE_BYTES))
                meta = parse_yaml(front, rel, first_line=2)[0] or {}
            except SourceError as exc:
                problems.extend(exc.problems)
                continue
            if not isinstance(meta, dict):
                problems.append(Problem(rel, "front matter must be a mapping", 2))
                continue
            page_id = str(meta.get("id") or path.stem)
            if page_id != path.stem:
                problems.append(Problem(rel, f"front matter id '{page_id}' differs from the file name", 2, "id"))
            pages[lang][path.stem] = Page(path.stem, lang, rel, meta, body, body_line)
    return pages


def _read(root: Path, rel: str, model: type[M], docs: dict[str, YamlDoc], problems: list[Problem],
          attempted: set[str]) -> M | None:
    attempted.add(rel)
    try:
        doc = read_yaml(root / rel, root)
    except SourceError as exc:
        problems.extend(exc.problems)
        return None
    docs[rel] = doc
    return _validate(doc, model, problems)


def _check_other_data_files(root: Path, read: set[str], skip: Path | None = None) -> list[Problem]:
    """YAML files of the folder no part reads: the fingerprint still hashes them (parts/fingerprint.py), so they
    must read as sound YAML too, or the build would fail on them later without naming them. `skip`: a previous
    edition kept inside the folder, which is read as a handbook of its own."""
    problems: list[Problem] = []
    for path in sorted(root.rglob("*.yml")):
        rel = path.relative_to(root)
        if rel.as_posix() in read or rel.parts[0] in ("pages", "theme") or (skip and skip in path.parents):
            continue
        try:
            read_yaml(path, root)
        except SourceError as exc:
            problems.extend(exc.problems)
    return problems


def _load_words(root: Path, languages: list[str], attempted: set[str], problems: list[Problem]) -> dict[str, Any]:
    """handbook/words/<lang>.yml: the handbook's own words for any of the generator's, checked key by key."""
    words: dict[str, Any] = {}
    for path in sorted((root / WORDS_DIR).glob("*.yml")):
        rel = path.relative_to(root).as_posix()
        attempted.add(rel)
        try:
            doc = read_yaml(path, root)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        if path.stem not in languages:
            problems.append(Problem(doc.rel, f"'{path.stem}' is not a language of edition.yml ({', '.join(languages)})", 1))
            continue
        found = words_problems(doc, path.stem)
        problems.extend(found)
        if not found and isinstance(doc.data, dict):
            words[path.stem] = doc.data
    return words


def _previous_folder(root: Path, edition: schema.Edition | None) -> Path | None:
    if edition is None or not edition.previous_edition:
        return None
    try:
        return (root / edition.previous_edition).resolve()
    except (OSError, ValueError):  # said by _load_previous, which tries the name again
        return root / edition.previous_edition


def _load_previous(root: Path, folder: Path, docs: dict[str, YamlDoc], problems: list[Problem]) -> Handbook | None:
    """The previous edition named by edition.yml, read like this one (its problems name its own files); its own
    previous_edition is not followed: only this edition's changes are shown."""
    rel, line = docs["edition.yml"].rel, docs["edition.yml"].line_of(("previous_edition",))
    try:
        why = ("is this handbook's own folder" if folder == root else "is not a folder" if not folder.is_dir()
               else "holds no edition.yml" if not (folder / "edition.yml").is_file() else None)
    except (OSError, ValueError) as exc:  # a name the system refuses (too long, a NUL byte)
        why = f"cannot be read ({exc})"
    if why:
        written = docs["edition.yml"].data.get("previous_edition")
        problems.append(Problem(rel, f"the previous edition '{written}' {why}: give the folder holding the previous "
                                "edition's handbook, relative to this one", line, "previous_edition"))
        return None
    try:
        return load_handbook(folder, follow_previous=False)
    except SourceError as exc:
        problems.append(Problem(rel, "the previous edition has problems (listed below)", line, "previous_edition"))
        problems.extend(exc.problems)
        return None


def load_handbook(root: Path, follow_previous: bool = True) -> Handbook:
    """Read and validate every file of a handbook folder; raise SourceError listing all problems. With
    `follow_previous`, the previous edition edition.yml names is read too (`Handbook.previous`)."""
    root = Path(root).resolve()
    problems: list[Problem] = []
    if not root.is_dir():
        raise SourceError([Problem(str(root), "handbook folder not found")])
    docs: dict[str, YamlDoc] = {}
    attempted: set[str] = set()  # every file read for the core or a part, sound or not
    core: dict[str, Any] = {}
    for name, model in CORE_FILES.items():
        if not (root / name).exists():
            problems.append(Problem(f"{root.name}/{name}", "required file is missing (see docs/editor-guide.md: a handbook's files)"))
            continue
        core[name] = _read(root, name, model, docs, problems, attempted)
    parts: dict[str, Any] = {}
    for part in PARTS:
        loaded: dict[str, Any] = {}
        for data_file in part.files:
            if data_file.many:
                paths = sorted(root.glob(data_file.path))
                models = [_read(root, p.relative_to(root).as_posix(), data_file.model, docs, problems, attempted)
                          for p in paths]
                loaded[data_file.path] = [m for m in models if m is not None]
            elif (root / data_file.path).exists():
                loaded[data_file.path] = _read(root, data_file.path, data_file.model, docs, problems, attempted)
        parts[part.name] = part.data_from(root, loaded)
    edition = core.get("edition.yml")
    words = _load_words(root, edition.languages, attempted, problems) if edition else {}
    previous_folder = _previous_folder(root, edition)
    problems.extend(_check_other_data_files(root, attempted, previous_folder))
    pages = _load_pages(root, edition.languages if edition else ["en"], problems)
    previous = None
    if follow_previous and previous_folder is not None:
        previous = _load_previous(root, previous_folder, docs, problems)
    if problems:
        raise SourceError(problems)
    return Handbook(root=root, edition=edition, navigation=core["navigation.yml"], pages=pages, docs=docs, parts=parts,
                    words=words, previous=previous)
