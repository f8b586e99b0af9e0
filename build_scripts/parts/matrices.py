"""The discipline matrices (data/matrices/*.yml): each cell's printed text and its structured reading (`actions`),
rows split by value into bands or into rows of one value group."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Literal

from pydantic import Field, model_validator

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.reading import Problem
from ..source.schema import Strict, Text
from ..source.inserts import holds
from .base import DataChange, DataFile, InsertKind, Part, Rendering, compare_items, place, text_change
from .consequences import response

GLOB = "data/matrices/*.yml"


class ValueRange(Strict):
    """A dollar range as the handbook words it."""

    below_usd: float | None = None  # less than
    up_to_usd: float | None = None  # at most
    above_usd: float | None = None  # more than
    from_usd: float | None = None  # at least

    def contains(self, value: float) -> bool:
        if self.below_usd is not None and not value < self.below_usd:
            return False
        if self.up_to_usd is not None and not value <= self.up_to_usd:
            return False
        if self.above_usd is not None and not value > self.above_usd:
            return False
        if self.from_usd is not None and not value >= self.from_usd:
            return False
        return True



class Action(Strict):
    """One part of a cell's structured reading: a response, maybe with a number of days."""

    response: str | None = None
    days: int | None = Field(default=None, ge=1)
    note: Literal["unspecified-parent-contact", "days-without-response"] | None = None


class Band(ValueRange):
    id: str
    label: Text


class BandCell(Strict):
    band: str
    text: Text
    actions: list[Action]


class Cell(Strict):
    text: Text | None = None
    empty: bool = False
    actions: list[Action] = []
    bands: list[BandCell] | None = None


class MatrixRow(Strict):
    id: str
    behavior: Text  # the behavior's name: what the calculators, the code table and the definitions show
    # the behavior cell exactly as printed, where it holds more than the name (its value bands); the matrix shows it
    printed_behavior: Text | None = None
    definitions: list[str] = []
    codes: list[str] = []
    value_range: ValueRange | None = None
    value_group: str | None = None  # rows that split one behavior by value share a group name
    bands: list[Band] | None = None
    cells: list[Cell] = Field(min_length=1)

    @model_validator(mode="after")
    def _printed_cell_starts_with_the_name(self) -> "MatrixRow":
        if self.printed_behavior is None:
            return self
        if not self.bands:
            raise ValueError("printed_behavior is for a row whose printed behavior cell also holds its value bands; this row has no bands")
        for lang, name in self.behavior.items():
            printed = self.printed_behavior.get(lang, "")
            if not printed.startswith(name) or printed == name:
                raise ValueError(f"printed_behavior ({lang}) must be the name '{name}' followed by what else the cell prints")
        return self


class MatrixLevel(Strict):
    level: int
    title: Text
    description: Text
    legend_printed: Text
    legend: list[str]
    rows: list[MatrixRow]


class Matrix(Strict):
    id: str
    school_level: str
    title: Text
    discretion_notice: Text
    guidance: Text
    special_circumstances: Text
    behavior_header: Text
    offense_headers: dict[str, list[str]]
    levels: list[MatrixLevel]



def matrix(hb: Handbook, matrix_id: str) -> Matrix | None:
    return next((m for m in hb.matrices or [] if m.id == matrix_id), None)


def matrix_ids(hb: Handbook) -> list[str]:
    return [m.id for m in hb.matrices or []]


def row_place(hb: Handbook, m: Matrix, row: MatrixRow) -> str:
    """How the report names a row: "<matrix>, Level <n>: <behavior>"."""
    lang = hb.languages[0]
    level = next(lv.level for lv in m.levels if row in lv.rows)
    return f"{m.title.get(lang)}, Level {level}: {row.behavior.get(lang)}"


# ---------------------------------------------------------------- check


def _matrix_files(hb: Handbook) -> dict[str, str]:
    return {m.id: f for f, doc in hb.docs.items() if f.startswith("data/matrices/")
            for m in hb.matrices if isinstance(doc.data, dict) and doc.data.get("id") == m.id}


def check(hb: Handbook) -> list[Problem]:
    """Rows pointing at unknown codes, definitions or responses; rows with the wrong number of cells; bands."""
    problems: list[Problem] = []
    code_ids = {c.id for c in hb.codes.codes} if hb.codes else set()
    def_ids = {d.id for d in hb.definitions.definitions} if hb.definitions else set()
    resp_ids = {r.id for r in hb.consequences.responses} if hb.consequences else set()
    matrix_files = _matrix_files(hb)
    for dup_id in {i for i, n in Counter(m.id for m in hb.matrices).items() if n > 1}:
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
        for dup_id in {i for i, n in Counter(row_ids).items() if n > 1}:
            problems.append(hb.where(f, ("levels",), f"two rows of this matrix have the id '{dup_id}'"))
    return problems


# ---------------------------------------------------------------- report


def _money(v: float) -> str:
    return f"${v:,.0f}"


def _describe(r: ValueRange) -> str:
    parts = []
    if r.below_usd is not None:
        parts.append(f"less than {_money(r.below_usd)}")
    if r.up_to_usd is not None:
        parts.append(f"{_money(r.up_to_usd)} or less")
    if r.above_usd is not None:
        parts.append(f"more than {_money(r.above_usd)}")
    if r.from_usd is not None:
        parts.append(f"{_money(r.from_usd)} or more")
    return " and ".join(parts)


def _bounds(ranges: list[ValueRange]) -> list[float]:
    return sorted({v for r in ranges for v in (r.below_usd, r.up_to_usd, r.above_usd, r.from_usd) if v is not None})


def value_range_findings(hb: Handbook) -> list[Finding]:
    lang = hb.languages[0]
    out = []
    for m in hb.matrices:
        for lv in m.levels:
            for row in lv.rows:
                if row.bands:
                    for v in _bounds(list(row.bands)):
                        if not any(b.contains(v) for b in row.bands):
                            bands = "; ".join(b.label.get(lang, "") for b in row.bands)
                            out.append(Finding("value-ranges", f"{row_place(hb, m, row)}: a value of exactly {_money(v)} falls in no band ({bands}).",
                                               (row_place(hb, m, row),)))
    groups: dict[str, dict[str, list[MatrixRow]]] = defaultdict(lambda: defaultdict(list))
    for m in hb.matrices:
        for lv in m.levels:
            for row in lv.rows:
                if row.value_group and row.value_range:
                    groups[row.value_group][m.id].append(row)
    for group, by_matrix in groups.items():
        for mid, rows in by_matrix.items():
            m = matrix(hb, mid)
            for v in _bounds([r.value_range for r in rows if r.value_range]):
                if not any(r.value_range.contains(v) for r in rows if r.value_range):
                    names = "; ".join(f"{r.behavior.get(lang)} ({_describe(r.value_range)})" for r in rows if r.value_range)
                    out.append(Finding("value-ranges", f"{m.title.get(lang)}: a value of exactly {_money(v)} fits none of the rows {names}.",
                                       tuple(row_place(hb, m, r) for r in rows)))
        # the same row id split differently in two matrices
        by_id: dict[str, list[tuple[Matrix, MatrixRow]]] = defaultdict(list)
        for mid, rows in by_matrix.items():
            for r in rows:
                by_id[r.id].append((matrix(hb, mid), r))
        for rid, pairs in by_id.items():
            described = {_describe(r.value_range) for _, r in pairs if r.value_range}
            if len(described) > 1:
                text = " vs ".join(f"{m.title.get(lang)}: “{r.behavior.get(lang)}” ({_describe(r.value_range)})" for m, r in pairs)
                out.append(Finding("value-ranges", f"The matrices draw the line differently: {text}.",
                                   tuple(row_place(hb, m, r) for m, r in pairs)))
    return out


def matrix_cell_findings(hb: Handbook) -> list[Finding]:
    lang = hb.languages[0]
    notes = {
        "days-without-response": "gives a number of days without saying which response",
        "unspecified-parent-contact": "says “Parent Contact” without saying whether staff or an administrator makes it",
    }
    out = []
    for m in hb.matrices:
        headers = m.offense_headers.get(lang) or []
        for lv in m.levels:
            used: set[str] = set()
            for row in lv.rows:
                for ci, cell in enumerate(row.cells):
                    parts = [(cell.text.get(lang, "") if cell.text else "", cell.actions)]
                    parts += [(b.text.get(lang, ""), b.actions) for b in cell.bands or []]
                    for text, actions in parts:
                        for a in actions:
                            if a.response:
                                used.add(a.response)
                            if a.note:
                                col = headers[ci] if ci < len(headers) else f"column {ci + 1}"
                                out.append(Finding("matrix-cells", f"{row_place(hb, m, row)}, {col}: “{text}” {notes[a.note]}.", (row_place(hb, m, row),)))
            legend = set(lv.legend)
            place = f"{m.title.get(lang)}, Level {lv.level}"
            for rid in sorted(used - legend):
                r = response(hb, rid)
                out.append(Finding("matrix-cells", f"{place}: cells use {r.code if r else rid}, which this level's legend does not list.", (place,)))
            for rid in [x for x in lv.legend if x not in used]:
                r = response(hb, rid)
                out.append(Finding("matrix-cells", f"{place}: the legend lists {r.code if r else rid}, which no cell of this level uses.", (place,)))
    return out



def findings(hb: Handbook) -> list[Finding]:
    return value_range_findings(hb) + matrix_cell_findings(hb)


# ---------------------------------------------------------------- changes since the previous edition


def _cell_text(r: Rendering, cell: Cell | BandCell | None) -> Text | None:
    """What a cell prints (an empty cell prints nothing: the page's word for it)."""
    if cell is None or cell.text is None:
        return {lang: r.t("changes_empty_cell") for lang in r.hb.languages}
    return cell.text


def changes(before: Handbook, after: Handbook, r: Rendering) -> list[DataChange]:
    """A row added or removed; a cell's consequence changed (each value band's own)."""
    out: list[DataChange] = []
    old_matrices = {m.id: m for m in before.matrices or []}
    for m in after.matrices or []:
        old_m = old_matrices.get(m.id)
        old_levels = {lv.level: lv for lv in old_m.levels} if old_m else {}
        headers = m.offense_headers.get(r.lang) or m.offense_headers.get(r.hb.languages[0]) or []
        for level in m.levels:
            def row_name(row: MatrixRow, level: MatrixLevel = level) -> str:
                return r.t("changes_what_row", matrix=r.tx(m.title), level=r.tx(level.title), behavior=r.tx(row.behavior))

            def where(row: MatrixRow) -> tuple[str, str | None] | None:
                return place(r, "matrix", m.id, row.id)

            def details(old: MatrixRow, new: MatrixRow) -> list[DataChange]:
                found = text_change(r, row_name(new), old.behavior, new.behavior, where(new))
                for k, cell in enumerate(new.cells):
                    old_cell = old.cells[k] if k < len(old.cells) else None
                    what = r.t("changes_what_cell", row=row_name(new), offense=headers[k] if k < len(headers) else k + 1)
                    if cell.bands or (old_cell and old_cell.bands):
                        old_bands = {b.band: b for b in (old_cell.bands or [])} if old_cell else {}
                        for band in cell.bands or []:
                            label = next((r.tx(b.label) for b in new.bands or [] if b.id == band.band), band.band)
                            found += text_change(r, f"{what}, {label}", _cell_text(r, old_bands.get(band.band)),
                                                 band.text, where(new))
                    else:
                        found += text_change(r, what, _cell_text(r, old_cell), _cell_text(r, cell), where(new))
                return found

            old_level = old_levels.get(level.level)
            out += compare_items(r, old_level.rows if old_level else [], level.rows, row_name,
                                 lambda row: row.behavior, where, details)
    return out


PART = Part(
    name="matrices",
    files=(DataFile(GLOB, Matrix),),
    changes=changes,
    check=check,
    findings=findings,
    topics=(Topic("value-ranges", "Dollar values that fall in no band, or bands that disagree", 20),
            Topic("matrix-cells", "Matrix cells whose reading is incomplete, and legends that do not match the cells", 60)),
    inserts={"matrix": InsertKind(
        "matrix.md.j2", needs=("matrices",), args=matrix_ids, print_layout="landscape",
        context=lambda r, page_id, arg: {
            "matrix": matrix(r.hb, arg or ""),
            "definition_page": r.page_holding("definitions"),
            # the "to the calculator" link only where the page holds the consequence calculator
            "calculator_here": holds(r.hb.pages[r.lang][page_id], "calculator", "consequence")})},
)
