"""Integrity checks: references, unique ids, inserts, internal links. Every finding names file and line."""

from __future__ import annotations

import re
from collections import Counter

from .handbook import Handbook
from .calculator_data import check_calculator_data
from . import deadlines  # part: deadlines (issue 14)
from .headings import anchors_of
from .pages import render_language
from .parity import check_parity
from .render import Renderer, find_inserts
from .source import Problem

LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _duplicates(ids: list[str]) -> set[str]:
    return {i for i, n in Counter(ids).items() if n > 1}


def check_ids_and_references(hb: Handbook) -> list[Problem]:
    """Duplicate ids and references to unknown codes, definitions, responses, bands and pages."""
    problems: list[Problem] = []
    code_ids = {c.id for c in hb.codes.codes}
    def_ids = {d.id for d in hb.definitions.definitions}
    resp_ids = {r.id for r in hb.consequences.responses}

    def dup(file: str, items: list, key: str, label: str) -> None:
        ids = [getattr(x, "id") for x in items]
        twice = _duplicates(ids)
        for i, item_id in enumerate(ids):
            if item_id in twice:
                problems.append(hb.where(file, (key, i, "id"), f"duplicate {label} id '{item_id}'"))

    dup("data/codes.yml", hb.codes.codes, "codes", "code")
    dup("data/definitions.yml", hb.definitions.definitions, "definitions", "definition")
    dup("data/consequences.yml", hb.consequences.responses, "responses", "response")

    for i, d in enumerate(hb.definitions.definitions):
        for j, cid in enumerate(d.codes):
            if cid not in code_ids:
                problems.append(hb.where("data/definitions.yml", ("definitions", i, "codes", j),
                                         f"unknown code id '{cid}' (not in data/codes.yml)"))
    for i, r in enumerate(hb.consequences.responses):
        if r.see_also and r.see_also not in resp_ids:
            problems.append(hb.where("data/consequences.yml", ("responses", i, "see_also"),
                                     f"unknown response id '{r.see_also}'"))

    matrix_files = {m.id: f for f, doc in hb.docs.items() if f.startswith("data/matrices/")
                    for m in hb.matrices if doc.data and doc.data.get("id") == m.id}
    for dup_id in _duplicates([m.id for m in hb.matrices]):
        problems.append(Problem("handbook/data/matrices", f"two matrix files have the id '{dup_id}'"))
    for m in hb.matrices:
        f = matrix_files[m.id]
        n_cols = len(next(iter(m.offense_headers.values()), []))
        row_ids: list[str] = []
        for li, lv in enumerate(m.levels):
            for j, rid in enumerate(lv.legend):
                if rid not in resp_ids:
                    problems.append(hb.where(f, ("levels", li, "legend", j), f"unknown response id '{rid}'"))
            for ri, row in enumerate(lv.rows):
                at = ("levels", li, "rows", ri)
                row_ids.append(row.id)
                for j, did in enumerate(row.definitions):
                    if did not in def_ids:
                        problems.append(hb.where(f, at + ("definitions", j),
                                                 f"row '{row.id}' points at unknown definition '{did}'"))
                for j, cid in enumerate(row.codes):
                    if cid not in code_ids:
                        problems.append(hb.where(f, at + ("codes", j), f"row '{row.id}' points at unknown code '{cid}'"))
                if len(row.cells) != n_cols:
                    problems.append(hb.where(f, at + ("cells",),
                                             f"row '{row.id}' has {len(row.cells)} cells; the matrix has {n_cols} offense columns"))
                band_ids = {b.id for b in row.bands or []}
                for ci, cell in enumerate(row.cells):
                    cat = at + ("cells", ci)
                    if cell.empty == (cell.text is not None):
                        problems.append(hb.where(f, cat, "a cell has either `text` or `empty: true`"))
                    if row.bands and not cell.empty and not cell.bands:
                        problems.append(hb.where(f, cat, f"row '{row.id}' is split by value: each cell needs `bands`"))
                    for bi, bc in enumerate(cell.bands or []):
                        if bc.band not in band_ids:
                            problems.append(hb.where(f, cat + ("bands", bi, "band"), f"unknown band '{bc.band}'"))
                    parts = [(cat + ("actions", k), a) for k, a in enumerate(cell.actions)]
                    for bi, bc in enumerate(cell.bands or []):
                        parts += [(cat + ("bands", bi, "actions", k), a) for k, a in enumerate(bc.actions)]
                    for loc, action in parts:
                        if action.response and action.response not in resp_ids:
                            problems.append(hb.where(f, loc + ("response",), f"unknown response id '{action.response}'"))
        for dup_id in _duplicates(row_ids):
            problems.append(hb.where(f, ("levels",), f"two rows of this matrix have the id '{dup_id}'"))

    for lang in hb.languages:
        for i, pid in enumerate(hb.nav_page_ids()):
            if pid not in hb.pages.get(lang, {}):
                problems.append(hb.where("navigation.yml", ("nav",),
                                         f"navigation names page '{pid}', which has no file pages/{lang}/{pid}.md"))
    for dup_id in _duplicates(hb.nav_page_ids()):
        problems.append(hb.where("navigation.yml", ("nav",), f"page '{dup_id}' appears twice in the navigation"))
    return problems


def check_inserts(hb: Handbook) -> list[Problem]:
    problems = []
    for lang, pages in hb.pages.items():
        renderer = Renderer(hb, lang)
        for page in pages.values():
            for ins in find_inserts(page):
                message = renderer.insert_problem(ins)
                if message:
                    problems.append(Problem(page.rel, message, ins.line))
    return problems


def check_links(hb: Handbook) -> list[Problem]:
    """Links between pages (`page.md#anchor`) must reach an existing page and anchor."""
    problems = []
    for lang, pages in hb.pages.items():
        anchors = {pid: anchors_of(md) for pid, md in render_language(hb, lang).items()}
        anchors["consistency-report"] = set()
        for page in pages.values():
            for offset, line in enumerate(page.body.split("\n")):
                for target in LINK_RE.findall(line):
                    if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                        continue  # an outside address, not ours to check
                    path, _, anchor = target.partition("#")
                    target_id = page.id if not path else path.rsplit("/", 1)[-1].removesuffix(".md")
                    lineno = page.body_line + offset
                    if path and not path.endswith(".md"):
                        problems.append(Problem(page.rel, f"link '{target}': link to a page's .md file", lineno))
                    elif target_id not in anchors:
                        problems.append(Problem(page.rel, f"broken link '{target}': no page '{target_id}'", lineno))
                    elif anchor and anchor not in anchors[target_id]:
                        problems.append(Problem(page.rel, f"broken link '{target}': no anchor '#{anchor}' on that page", lineno))
    return problems


def run_checks(hb: Handbook) -> list[Problem]:
    """Everything that must be fixed before the handbook can be built."""
    problems = check_ids_and_references(hb) + check_inserts(hb) + check_parity(hb) + check_calculator_data(hb)
    problems += deadlines.check(hb)  # part: deadlines (issue 14)
    if problems:
        return problems  # links are checked on rendered pages, which need sound references first
    return check_links(hb)
