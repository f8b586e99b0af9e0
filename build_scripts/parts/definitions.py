"""Definitions of prohibited behavior (data/definitions.yml), linked to codes and used by matrix rows."""

from __future__ import annotations

from typing import Any

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.reading import Problem
from ..source.schema import Strict, Text
from .base import DataChange, DataFile, InsertKind, Part, Rendering, compare_items, duplicate_ids, place, text_change
from .matrices import row_place

FILE = "data/definitions.yml"


class Definition(Strict):
    id: str
    title: Text
    codes: list[str] = []
    body: Text | None = None


class Definitions(Strict):
    definitions: list[Definition]


def definition(hb: Handbook, def_id: str) -> Definition | None:
    return next((d for d in hb.definitions.definitions if d.id == def_id), None) if hb.definitions else None


def check(hb: Handbook) -> list[Problem]:
    problems = duplicate_ids(hb, FILE, hb.definitions.definitions, "definitions", "definition")
    code_ids = {c.id for c in hb.codes.codes} if hb.codes else set()
    for i, d in enumerate(hb.definitions.definitions):
        for j, cid in enumerate(d.codes):
            if cid not in code_ids:
                why = "not in data/codes.yml" if hb.codes else "the handbook has no data/codes.yml"
                problems.append(hb.where(FILE, ("definitions", i, "codes", j), f"unknown code id '{cid}' ({why})"))
    return problems


def findings(hb: Handbook) -> list[Finding]:
    """Matrix behaviors without a definition, definitions no matrix row uses, definitions without text."""
    lang = hb.languages[0]
    out = []
    used = set()
    for m in hb.matrices or []:
        for lv in m.levels:
            for row in lv.rows:
                used.update(row.definitions)
                if not row.definitions:
                    out.append(Finding("definitions", f"{row_place(hb, m, row)}: no Section VI definition for this behavior.", (row_place(hb, m, row),)))
    for d in hb.definitions.definitions:
        if hb.matrices and d.id not in used:
            out.append(Finding("definitions", f"Section VI “{d.title.get(lang)}” is used by no matrix row.", (f"handbook/{FILE}",)))
        if not d.body:
            out.append(Finding("definitions", f"Section VI “{d.title.get(lang)}” has a heading but no definition text.", (f"handbook/{FILE}",)))
    return out


def matrix_rows_for(r: Rendering, def_id: str) -> list[tuple[Any, Any, Any, str | None]]:
    out = []
    for matrix in r.hb.matrices or []:
        for level in matrix.levels:
            for row in level.rows:
                if def_id in row.definitions:
                    out.append((matrix, level, row, r.page_holding("matrix", matrix.id)))
    return out


def changes(before: Handbook, after: Handbook, r: Rendering) -> list[DataChange]:
    """A definition added, removed, retitled or reworded."""
    def what(d: Definition) -> str:
        return r.t("changes_what_definition", title=r.tx(d.title))

    def where(d: Definition) -> tuple[str, str | None] | None:
        return place(r, "definitions", anchor=d.id)

    def details(old: Definition, new: Definition) -> list[DataChange]:
        return (text_change(r, r.t("changes_what_definition_title", title=r.tx(new.title)), old.title, new.title, where(new))
                + text_change(r, what(new), old.body, new.body, where(new)))

    return compare_items(r, before.definitions.definitions if before.definitions else [],
                         after.definitions.definitions if after.definitions else [], what, lambda d: d.body or d.title,
                         where, details)


PART = Part(
    name="definitions",
    files=(DataFile(FILE, Definitions),),
    check=check,
    findings=findings,
    topics=(Topic("definitions", "Matrix behaviors without a definition, and definitions no matrix row uses", 50),),
    inserts={"definitions": InsertKind(
        "definitions.md.j2", needs=("definitions",),
        context=lambda r, page_id, arg: {"matrix_rows_for_definition": lambda def_id: matrix_rows_for(r, def_id),
                                         "code_table_page": r.page_holding("code-table")})},
    changes=changes,
    template_globals=lambda hb: {"definition": lambda def_id: definition(hb, def_id)},
)
