"""What a part is, for the core: a small declarative record plus pure functions over the loaded handbook."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Protocol

from pydantic import BaseModel

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.reading import Problem


class Rendering(Protocol):
    """What an insert's context function may ask of the renderer (build_scripts.core.render.Renderer)."""

    hb: Handbook
    lang: str

    def t(self, key: str, **kw: Any) -> str: ...
    def tx(self, text: dict[str, str] | None) -> str: ...
    def page_holding(self, insert_name: str, arg: str | None = None) -> str | None: ...
    def page_title(self, page_id: str | None) -> str: ...


@dataclass(frozen=True)
class DataFile:
    """A file of the part inside the handbook folder; `path` may be a glob (`data/matrices/*.yml`: one model each)."""

    path: str
    model: type[BaseModel]

    @property
    def many(self) -> bool:
        return "*" in self.path


@dataclass(frozen=True)
class InsertKind:
    """An insert a page may hold: `<!-- insert: NAME [ARG] -->`.

    `needs`: the parts whose data it renders (a `check` error names their files when one is missing), or a function
    of the argument giving them. `args`: the arguments it takes (None: none; a function: from the data, such as the
    matrices' ids). `context`: extra template variables, from the renderer, the page id and the argument.
    `print_as`: "site" prints what the site shows, "screen-only" is left out of the PDF (and so is a page holding
    only such inserts). `print_layout`: the page layout its page takes in print (class hb-page--<layout>).
    `assets`: files of site_templates/assets/ a language's site ships only when one of its pages holds the insert;
    `page_scripts`: those of them a page holding it loads as deferred scripts after the theme's."""

    template: str
    needs: tuple[str, ...] | Callable[[str | None], tuple[str, ...]] = ()
    args: tuple[str, ...] | Callable[[Handbook], list[str]] | None = None
    context: Callable[[Rendering, str, str | None], dict[str, Any]] | None = None
    print_as: Literal["site", "screen-only"] = "site"
    print_layout: str | None = None
    assets: tuple[str, ...] = ()
    page_scripts: tuple[str, ...] = ()

    def needed_parts(self, arg: str | None) -> tuple[str, ...]:
        return self.needs(arg) if callable(self.needs) else self.needs

    def allowed_args(self, hb: Handbook) -> list[str] | None:
        return self.args(hb) if callable(self.args) else (list(self.args) if self.args is not None else None)


def duplicate_ids(hb: Handbook, file: str, items: list[Any], key: str, label: str) -> list[Problem]:
    """Each item of a list whose id another item of the list has too (a part's ids are unique in their file)."""
    ids = [getattr(x, "id") for x in items]
    twice = {i for i, n in Counter(ids).items() if n > 1}
    return [hb.where(file, (key, i, "id"), f"duplicate {label} id '{item_id}'")
            for i, item_id in enumerate(ids) if item_id in twice]


def _none(hb: Handbook) -> list[Any]:
    return []


# ---------------------------------------------------------------- what changed since the previous edition


@dataclass(frozen=True)
class DataChange:
    """One change of a part's data since the previous edition, for the changes page and the Board's redline.

    `what` names the thing in the page's language ("Elementary matrix, Level 1: Lateness, 2nd offense"); `before`
    and `after` are its values as a reader reads them (None: it was added, or removed); `text_lang` the language
    they are in (the governing one where the translation was not updated); `where` the page (and anchor) where it now
    stands, when a page shows it."""

    what: str
    before: str | None
    after: str | None
    text_lang: str
    where: tuple[str, str | None] | None = None
    # the page's sentence this data quotes word for word, before and after, in the governing language (a deadline's
    # quote): a paragraph that changed only there is this change again, so the changes page lists it once
    quoted: tuple[str, str] | None = None

    @property
    def kind(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None else "changed"


def same_words(a: str | None, b: str | None) -> bool:
    """Whitespace and line wrapping are not changes."""
    return " ".join((a or "").split()) == " ".join((b or "").split())


def text_change(r: Rendering, what: str, before: dict[str, str] | None, after: dict[str, str] | None,
                where: tuple[str, str | None] | None = None) -> list[DataChange]:
    """A reader-facing text's change, when its governing-language text changed: shown in the page's language
    where the translation changed too, else in the governing language (the translation is behind)."""
    governing = r.hb.languages[0]
    if same_words((before or {}).get(governing), (after or {}).get(governing)):
        return []
    lang = r.lang if r.lang in (before or after or {}) and (
        not before or not after or not same_words(before.get(r.lang), after.get(r.lang))) else governing
    return [DataChange(what, before.get(lang, before.get(governing)) if before else None,
                       after.get(lang, after.get(governing)) if after else None, lang, where)]


def value_change(r: Rendering, what: str, before: str | None, after: str | None,
                 where: tuple[str, str | None] | None = None) -> list[DataChange]:
    """A value the generator words in the page's language (a count of days, a threshold): a change when it differs."""
    return [] if before == after else [DataChange(what, before, after, r.lang, where)]


def compare_items(r: Rendering, before: list[Any] | None, after: list[Any] | None, name: Callable[[Any], str],
                  shown: Callable[[Any], dict[str, str] | None], where: Callable[[Any], tuple[str, str | None] | None],
                  details: Callable[[Any, Any], list[DataChange]],
                  key: Callable[[Any], Any] = lambda item: item.id) -> list[DataChange]:
    """The changes of a list of items known by their `key` (their id): each added or removed item (as `shown`), and
    each kept one's `details`, in the current edition's order (removed items last)."""
    old, new = {key(x): x for x in before or []}, {key(x): x for x in after or []}
    out: list[DataChange] = []
    for item_id, item in new.items():
        if item_id not in old:
            out += text_change(r, name(item), None, shown(item) or {r.hb.languages[0]: str(item_id)}, where(item))
        else:
            out += details(old[item_id], item)
    for item_id, item in old.items():
        if item_id not in new:
            out += text_change(r, name(item), shown(item) or {r.hb.languages[0]: str(item_id)}, None)
    return out


def place(r: Rendering, insert: str, arg: str | None = None, anchor: str | None = None) -> tuple[str, str | None] | None:
    """Where a change now stands: the page holding the insert that shows it, and the anchor there."""
    page = r.page_holding(insert, arg)
    return (page, anchor) if page else None


@dataclass(frozen=True)
class Part:
    """One optional part of a handbook, present when its data is.

    `load`: the part's data from its validated files (file path -> model, or a list of models for a glob); by
    default the one model, or the list. `check`: run when the part is active (its data is present, or a page holds
    one of its inserts); `findings`: when its data is present. `template_globals`: names its templates (and any
    other insert's) may call, such as `code(id)`. `changes`: what changed in its data since the previous edition
    (core/editions.py lists them on the changes page and in the redline)."""

    name: str
    files: tuple[DataFile, ...] = ()
    load: Callable[[Path, dict[str, Any]], Any] | None = None
    check: Callable[[Handbook], list[Problem]] = _none
    findings: Callable[[Handbook], list[Finding]] = _none
    topics: tuple[Topic, ...] = ()
    inserts: dict[str, InsertKind] = field(default_factory=dict)
    template_globals: Callable[[Handbook], dict[str, Any]] | None = None
    # what changed in the part's data since the previous edition: (previous, current, renderer) -> changes
    changes: Callable[[Handbook, Handbook, Rendering], list[DataChange]] | None = None

    def data_from(self, root: Path, loaded: dict[str, Any]) -> Any:
        """The part's data, or None when the handbook has none of its files."""
        if self.load is not None:
            return self.load(root, loaded)
        if not self.files:
            return None
        first = self.files[0]
        value = loaded.get(first.path)
        if first.many:
            return value or None
        return value
