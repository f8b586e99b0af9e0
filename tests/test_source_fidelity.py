"""The structured data reproduces the printed tables: every code-table row and every matrix cell, as printed.

The source text is read here independently of the importer that made handbook/, so a slip in either shows.
"""

from __future__ import annotations

from collections import Counter

from build_scripts.parts.matrices import matrix as matrix_named


def _unescape(text: str) -> str:
    return text.replace("\\$", "$").strip()


def _region(lines: list[str], start: str, end: str | None) -> list[str]:
    i = lines.index(start)
    j = lines.index(end, i) if end else len(lines)
    return lines[i + 1 : j]


def _matrix_rows(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(behavior, [cell, cell, cell]) as printed; a row wrapped onto a line with an empty first column is joined."""
    rows: list[tuple[str, list[str]]] = []
    for line in lines:
        if "\t" not in line:
            continue
        cols = [_unescape(c) for c in line.split("\t")]
        if cols[0] in ("Behavior", "Level 1", "Level 2") or cols[0].startswith(("Infractions of", "Verbal Warning", "Staff-Student",
                                                                                 "Behavior Contract (BC)", "Short-Term Suspension (STS)")):
            continue
        cells = (cols[1:4] + ["", "", ""])[:3]
        if not cols[0] and rows:
            prev = rows[-1][1]
            for k, extra in enumerate(cells):
                if extra:
                    prev[k] = f"{prev[k]} {extra}".strip()
            continue
        rows.append((cols[0], cells))
    return rows


def test_every_code_table_row_is_in_the_data(handbook, source_lines):
    printed = []
    for line in _region(source_lines, "CODE TABLE", "DISCIPLINE MATRIX: ELEMENTARY"):
        cols = line.split("\t")
        for k in range(0, len(cols) - 1, 2):
            if cols[k].strip():
                printed.append((cols[k].strip(), _unescape(cols[k + 1])))
    data = [(c.code, c.name["en"]) for c in handbook.codes.codes]
    assert Counter(data) == Counter(printed)
    assert len({c.id for c in handbook.codes.codes}) == len(printed)  # reused codes still get unique ids


def test_reused_codes_keep_both_meanings_with_kinds(handbook):
    exp = {c.name["en"]: c.kind for c in handbook.codes.codes if c.code == "EXP"}
    assert exp == {"Explosives": "behavior", "Expulsion": "response"}


def _data_rows(matrix):
    for level in matrix.levels:
        for row in level.rows:
            yield level, row


def _fixed(handbook, text: str) -> str:
    for fix in handbook.fixes.fixes:
        text = text.replace(fix.printed, fix.corrected)
    return text


def test_every_matrix_cell_is_in_the_data_as_printed(handbook, source_lines):
    for title, region in (("elementary", _region(source_lines, "DISCIPLINE MATRIX: ELEMENTARY", "DISCIPLINE MATRIX: SECONDARY")),
                          ("secondary", _region(source_lines, "DISCIPLINE MATRIX: SECONDARY", None))):
        printed = _matrix_rows(region)
        data = [((row.printed_behavior or row.behavior)["en"], [c.text["en"] if c.text else "" for c in row.cells])
                for _, row in _data_rows(matrix_named(handbook, title))]
        assert data == printed, title


def test_banded_cells_split_the_printed_text(handbook):
    for matrix in handbook.matrices:
        for _, row in _data_rows(matrix):
            for cell in row.cells:
                if cell.bands:
                    joined = " ".join(b.text["en"] for b in cell.bands)
                    assert joined == cell.text["en"], (row.id, joined)
                    assert {b.band for b in cell.bands} == {b.id for b in row.bands}


def test_cells_after_an_expulsion_are_empty(handbook):
    found = 0
    for matrix in handbook.matrices:
        for _, row in _data_rows(matrix):
            first = row.cells[0]
            if first.actions and first.actions[0].response == "e" and first.text["en"] == "EXPULSION":
                found += 1
                assert row.cells[-1].empty and not row.cells[-1].actions, row.id
                for cell in row.cells[1:]:
                    assert cell.empty == (cell.text is None) and (cell.actions or cell.empty), row.id
    assert found >= 5


def test_structured_reading_agrees_with_printed_days(handbook):
    """Each '<n>-day(s)' in a printed cell appears as an action with that many days."""
    import re

    for matrix in handbook.matrices:
        for _, row in _data_rows(matrix):
            for cell in row.cells:
                parts = [(b.text["en"], b.actions) for b in cell.bands] if cell.bands else [((cell.text or {}).get("en", ""), cell.actions)]
                for text, actions in parts:
                    printed_days = [int(d) for d in re.findall(r"(\d+)-days?", text)]
                    assert printed_days == [a.days for a in actions if a.days], (row.id, text)


def test_definitions_cover_every_printed_section_vi_heading(handbook, source_lines):
    start = next(i for i, line in enumerate(source_lines) if line.startswith("SECTION VI**"))
    end = source_lines.index("SECTION VII")
    titles = {_fixed(handbook, d.title["en"]) for d in handbook.definitions.definitions}
    for line in source_lines[start:end]:
        for part in line.replace("SECTION VI", "").split("**"):
            part = part.strip()
            head = part.split("(")[0]
            if part and head.isupper() and not part.startswith("-") and len(head) > 3 and "NOTE:" not in part:
                assert _fixed(handbook, part) in titles, part


def test_attendance_tiers_as_printed(handbook, source_lines):
    text = "\n".join(source_lines)
    for tier in handbook.attendance.tiers:
        assert f"{tier.heading['en']}. {tier.text['en']}" in text
    assert handbook.attendance.rate_statement["en"] in text
