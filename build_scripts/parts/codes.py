"""The code table (data/codes.yml): every printed code, with a unique id even where a code is printed twice."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Literal

from pydantic import field_validator

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.reading import Problem
from ..source.schema import Strict, Text, non_empty
from .base import (DataChange, DataFile, InsertKind, Part, Rendering, compare_items, duplicate_ids, place,
                   text_change, value_change)

FILE = "data/codes.yml"
CODE_IN_TITLE_RE = re.compile(r"\(([A-Z][A-Za-z0-9]{1,4}(?: \d)?)\)")


class Code(Strict):
    id: str
    code: str
    kind: Literal["behavior", "response"]
    name: Text

    _check = field_validator("name")(non_empty)


class CodeTable(Strict):
    codes: list[Code]


def code(hb: Handbook, code_id: str) -> Code | None:
    return next((c for c in hb.codes.codes if c.id == code_id), None) if hb.codes else None


def printed_code(hb: Handbook, code_id: str) -> str:
    """The code as printed for a code id (the id itself when the table has no such entry)."""
    found = code(hb, code_id)
    return found.code if found else code_id


def check(hb: Handbook) -> list[Problem]:
    return duplicate_ids(hb, FILE, hb.codes.codes, "codes", "code")


def findings(hb: Handbook) -> list[Finding]:
    """A code printed for two meanings; a Section VI title naming a code the table lacks."""
    lang = hb.languages[0]
    out = []
    by_code: dict[str, list[str]] = defaultdict(list)
    for c in hb.codes.codes:
        by_code[c.code].append(c.name.get(lang, ""))
    for printed, names in by_code.items():
        if len(names) > 1:
            kind = "the same meaning twice" if len(set(names)) == 1 else "for different meanings"
            out.append(Finding("codes", f"The code table prints {printed} {kind}: " + "; ".join(f"“{n}”" for n in names) + ".",
                               (FILE,)))
    if hb.definitions:
        printed_codes = set(by_code)
        for i, d in enumerate(hb.definitions.definitions):
            title = d.title.get(lang, "")
            for named in CODE_IN_TITLE_RE.findall(title):
                if sum(ch.isupper() for ch in named) >= 2 and named not in printed_codes:
                    line = hb.docs["data/definitions.yml"].line_of(("definitions", i, "title"))
                    out.append(Finding("codes", f"Section VI “{title}” names the code {named}, which the code table does not list.",
                                       (f"handbook/data/definitions.yml:{line}",)))
    return out


def code_uses(r: Rendering) -> dict[str, list[tuple[str, str, str]]]:
    """code id -> [(label, page id, anchor)] of the places that use it (definitions, matrix rows)."""
    hb = r.hb
    uses: dict[str, list[tuple[str, str, str]]] = {}
    def_page = r.page_holding("definitions")
    for d in (hb.definitions.definitions if hb.definitions else []):
        for cid in d.codes:
            if def_page:
                uses.setdefault(cid, []).append((r.page_title(def_page), def_page, d.id))
    for m in hb.matrices or []:
        mpage = r.page_holding("matrix", m.id)
        for lv in m.levels:
            for row in lv.rows:
                for cid in row.codes:
                    if mpage:
                        label = f"{r.page_title(mpage)}, {r.tx(lv.title)}"
                        uses.setdefault(cid, []).append((label, mpage, row.id))
    return uses


def changes(before: Handbook, after: Handbook, r: Rendering) -> list[DataChange]:
    """A code added, removed, renamed, or printed otherwise."""
    def where(c: Code) -> tuple[str, str | None] | None:
        return place(r, "code-table", anchor=f"code-{c.id}")

    def details(old: Code, new: Code) -> list[DataChange]:
        what = r.t("changes_what_code", code=new.code)
        return (value_change(r, what, old.code, new.code, where(new))
                + text_change(r, what, old.name, new.name, where(new)))

    return compare_items(r, before.codes.codes if before.codes else [], after.codes.codes if after.codes else [],
                         lambda c: r.t("changes_what_code", code=c.code), lambda c: c.name, where, details)


PART = Part(
    name="codes",
    files=(DataFile(FILE, CodeTable),),
    check=check,
    findings=findings,
    topics=(Topic("codes", "Codes printed for more than one meaning, or missing from the code table", 30),),
    inserts={"code-table": InsertKind("code-table.md.j2", needs=("codes",),
                                      context=lambda r, page_id, arg: {"code_uses": code_uses(r)})},
    changes=changes,
    template_globals=lambda hb: {"code": lambda code_id: code(hb, code_id),
                                 "code_of": lambda code_id: printed_code(hb, code_id)},
)
