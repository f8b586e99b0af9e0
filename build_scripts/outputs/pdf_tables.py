"""Tie every table's header cells to their cells in the PDF's structure tree (PDF/UA-1 7.5, rule 15-003).

WeasyPrint tags <th> as /TH but writes no /Scope, so a screen reader cannot tell a column header (the offense
number) from a row header (the behavior). This gives each /TH a /Table attribute with /Scope: /Column for the
cells of a header row (in /THead, or a row of header cells only), /Row for a header cell in a row of data cells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pikepdf

SECTIONS = {"/THead", "/TBody", "/TFoot"}


def _kids(elem: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    kids = elem.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid


def _rows(table: pikepdf.Dictionary) -> Iterator[tuple[str, pikepdf.Dictionary]]:
    """(section, row) for every /TR of a table, in /THead, /TBody, /TFoot or straight under the table."""
    for kid in _kids(table):
        role = str(kid.get("/S"))
        if role == "/TR":
            yield "/TBody", kid
        elif role in SECTIONS:
            for row in _kids(kid):
                if str(row.get("/S")) == "/TR":
                    yield role, row


def _set_scope(cell: pikepdf.Dictionary, scope: str) -> None:
    attribute = pikepdf.Dictionary({"/O": pikepdf.Name("/Table"), "/Scope": pikepdf.Name(scope)})
    existing = cell.get("/A")
    if existing is None:
        cell["/A"] = attribute
        return
    owners = list(existing) if isinstance(existing, pikepdf.Array) else [existing]
    for owner in owners:
        if isinstance(owner, pikepdf.Dictionary) and owner.get("/O") == pikepdf.Name("/Table"):
            owner["/Scope"] = pikepdf.Name(scope)
            return
    cell["/A"] = pikepdf.Array(owners + [attribute])


def _tables(elem: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    stack = [elem]
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if str(node.get("/S")) == "/Table":
            yield node
        stack.extend(_kids(node))


def scope_header_cells(pdf: pikepdf.Pdf) -> int:
    """Give every /TH of every table its /Scope; return how many header cells were scoped."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    scoped = 0
    for table in _tables(root):
        for section, row in _rows(table):
            cells = [c for c in _kids(row) if str(c.get("/S")) in ("/TH", "/TD")]
            header_row = section == "/THead" or all(str(c.get("/S")) == "/TH" for c in cells)
            for cell in cells:
                if str(cell.get("/S")) == "/TH":
                    _set_scope(cell, "/Column" if header_row else "/Row")
                    scoped += 1
    return scoped


def add_table_scopes(path: Path) -> int:
    """Rewrite the PDF at `path` in place with every table header cell scoped (same content, same file ID rule)."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        scoped = scope_header_cells(pdf)
        if scoped:
            pdf.save(path, deterministic_id=True)  # the same source still gives the same bytes
    return scoped
