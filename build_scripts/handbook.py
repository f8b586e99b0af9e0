"""Load a handbook folder into validated models (one `Handbook`), or fail naming file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import models
from .i18n import pick
from .source import (MAX_PAGE_BYTES, Problem, SourceError, YamlDoc, key_path, parse_yaml, read_source_text, read_yaml,
                     split_front_matter)

M = TypeVar("M", bound=BaseModel)

# file (relative to the handbook folder) -> model; `matrices/*.yml` are read separately
DATA_FILES: dict[str, type[BaseModel]] = {
    "edition.yml": models.Edition,
    "navigation.yml": models.Navigation,
    "data/codes.yml": models.CodeTable,
    "data/definitions.yml": models.Definitions,
    "data/consequences.yml": models.Consequences,
    "data/attendance.yml": models.Attendance,
    "data/sign_off.yml": models.SignOff,
    "data/fixes.yml": models.Fixes,
}
OPTIONAL_FILES: dict[str, type[BaseModel]] = {
    "data/contents.yml": models.Contents,
    "glossary.yml": models.Glossary,
    "data/schools.yml": models.Schools,
    "data/due_process.yml": models.DueProcess,  # what the calculators cite about due process
}


@dataclass
class Page:
    """One Markdown page of the handbook in one language."""

    id: str
    lang: str
    rel: str  # path shown in messages, e.g. handbook/pages/en/section-05.md
    meta: dict[str, Any]
    body: str
    body_line: int  # line of the file where `body` starts

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.id)


@dataclass
class Handbook:
    root: Path
    edition: models.Edition
    navigation: models.Navigation
    codes: models.CodeTable
    definitions: models.Definitions
    consequences: models.Consequences
    attendance: models.Attendance
    sign_off: models.SignOff
    fixes: models.Fixes
    contents: models.Contents | None
    glossary: models.Glossary | None
    matrices: list[models.Matrix]
    pages: dict[str, dict[str, Page]]  # language -> page id -> page
    docs: dict[str, YamlDoc] = field(default_factory=dict)  # file -> parsed YAML, for line numbers
    due_process: models.DueProcess | None = None
    schools: models.Schools | None = None  # the acknowledgement form's list (data/schools.yml, optional)

    @property
    def languages(self) -> list[str]:
        return self.edition.languages

    def in_language(self, text: dict[str, str] | None, lang: str) -> str:
        """A reader-facing text in `lang`; the approved language's where it has no translation."""
        return pick(text, lang, self.languages[0])

    def site_name(self, lang: str) -> str:
        """"<title> · <district>" in `lang`: what the site and its offline page are called."""
        return f"{self.in_language(self.edition.title, lang)} · {self.in_language(self.edition.district, lang)}"

    def translation_notice(self, lang: str) -> str:
        """The notice a translation carries (that the approved language governs); none in the approved language."""
        return self.edition.translation_notice.get(lang, "") if lang != self.languages[0] else ""

    def where(self, file: str, loc: tuple[str | int, ...], message: str) -> Problem:
        """A Problem pointing at the value at `loc` in a data file."""
        doc = self.docs[file]
        return Problem(doc.rel, message, doc.line_of(loc), key_path(loc))

    def nav_page_ids(self) -> list[str]:
        ids: list[str] = []
        for item in self.navigation.nav:
            if item.page:
                ids.append(item.page)
            ids.extend(item.pages)
        return ids

    def code(self, code_id: str) -> models.Code | None:
        return next((c for c in self.codes.codes if c.id == code_id), None)

    def definition(self, def_id: str) -> models.Definition | None:
        return next((d for d in self.definitions.definitions if d.id == def_id), None)

    def response(self, resp_id: str) -> models.Response | None:
        return next((r for r in self.consequences.responses if r.id == resp_id), None)

    def matrix(self, matrix_id: str) -> models.Matrix | None:
        return next((m for m in self.matrices if m.id == matrix_id), None)


def _validate(doc: YamlDoc, model: type[M], problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(doc.data if doc.data is not None else {})
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            problems.append(Problem(doc.rel, err["msg"], doc.line_of(loc), key_path(loc) or None))
        return None


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


def _check_other_data_files(root: Path, read: set[str]) -> list[Problem]:
    """YAML files of the folder no model reads: the fingerprint still hashes them (fingerprint.py), so they must
    read as sound YAML too, or the build would fail on them later without naming them."""
    problems: list[Problem] = []
    for path in sorted(root.rglob("*.yml")):
        rel = path.relative_to(root)
        if rel.as_posix() in read or rel.parts[0] in ("pages", "theme"):
            continue
        try:
            read_yaml(path, root)
        except SourceError as exc:
            problems.extend(exc.problems)
    return problems


def load_handbook(root: Path) -> Handbook:
    """Read and validate every file of a handbook folder; raise SourceError listing all problems."""
    root = Path(root).resolve()
    problems: list[Problem] = []
    if not root.is_dir():
        raise SourceError([Problem(str(root), "handbook folder not found")])
    docs: dict[str, YamlDoc] = {}
    loaded: dict[str, Any] = {}
    for name, model in {**DATA_FILES, **OPTIONAL_FILES}.items():
        path = root / name
        if not path.exists():
            if name in DATA_FILES:
                problems.append(Problem(f"{root.name}/{name}", "required file is missing"))
            loaded[name] = None
            continue
        try:
            doc = read_yaml(path, root)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        docs[name] = doc
        loaded[name] = _validate(doc, model, problems)
    matrices: list[models.Matrix] = []
    matrix_files = sorted((root / "data" / "matrices").glob("*.yml"))
    if not matrix_files:
        problems.append(Problem(f"{root.name}/data/matrices", "no discipline matrix files found"))
    for path in matrix_files:
        try:
            doc = read_yaml(path, root)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        key = path.relative_to(root).as_posix()
        docs[key] = doc
        matrix = _validate(doc, models.Matrix, problems)
        if matrix:
            matrices.append(matrix)
    problems.extend(_check_other_data_files(root, {*DATA_FILES, *OPTIONAL_FILES, *(p.relative_to(root).as_posix()
                                                                                for p in matrix_files)}))
    edition = loaded.get("edition.yml")
    pages = _load_pages(root, edition.languages if edition else ["en"], problems)
    if problems:
        raise SourceError(problems)
    return Handbook(
        root=root,
        edition=edition,
        navigation=loaded["navigation.yml"],
        codes=loaded["data/codes.yml"],
        definitions=loaded["data/definitions.yml"],
        consequences=loaded["data/consequences.yml"],
        attendance=loaded["data/attendance.yml"],
        sign_off=loaded["data/sign_off.yml"],
        fixes=loaded["data/fixes.yml"],
        contents=loaded.get("data/contents.yml"),
        glossary=loaded.get("glossary.yml"),
        matrices=matrices,
        pages=pages,
        docs=docs,
        schools=loaded.get("data/schools.yml"),
        due_process=loaded.get("data/due_process.yml"),
    )
