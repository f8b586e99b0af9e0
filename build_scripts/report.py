"""Policy consistency report: where the handbook disagrees with itself, found from the data (warnings only)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from .handbook import Handbook
from .models import Matrix, MatrixRow, ValueRange

Topic = str


@dataclass(frozen=True)
class Finding:
    topic: Topic
    message: str
    places: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return asdict(self)


TOPICS: dict[Topic, str] = {  # in report order; headings in English for the terminal (the site translates them)
    "day-ranges": "Day ranges that disagree",
    "value-ranges": "Dollar values that fall in no band, or bands that disagree",
    "codes": "Codes printed for more than one meaning, or missing from the code table",
    "contents": "Contents entries and sections that do not match",
    "definitions": "Matrix behaviors without a definition, and definitions no matrix row uses",
    "matrix-cells": "Matrix cells whose reading is incomplete, and legends that do not match the cells",
    "attendance": "Attendance rules that disagree",
    "sign-off": "Sign-off statements that differ in form",
    "glossary": "Glossary terms translated another way",
    "renderings": "English names translated two ways",
}

RANGE_RE = re.compile(r"\b(\d+)\s*(?:-|–|to)\s*(\d+)\s+(?:school\s+)?days\b", re.I)
UP_TO_RE = re.compile(r"\bup to (\d+) (?:school )?days\b", re.I)
CODE_IN_TITLE_RE = re.compile(r"\(([A-Z][A-Za-z0-9]{1,4}(?: \d)?)\)")


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


def _text_blocks(hb: Handbook) -> list[tuple[str, str]]:
    """(place, paragraph) for every paragraph of the approved language: pages and data bodies."""
    lang = hb.languages[0]
    blocks: list[tuple[str, str]] = []
    for page in hb.pages[lang].values():
        line = page.body_line
        for block in page.body.split("\n\n"):
            blocks.append((f"{page.rel}:{line}", block))
            line += block.count("\n") + 2
    for i, r in enumerate(hb.consequences.responses):
        if r.body and lang in r.body:
            doc = hb.docs["data/consequences.yml"]
            for block in r.body[lang].split("\n\n"):
                blocks.append((f"{doc.rel}:{doc.line_of(('responses', i, 'body'))} ({r.code})", block))
    for i, d in enumerate(hb.definitions.definitions):
        if d.body and lang in d.body:
            doc = hb.docs["data/definitions.yml"]
            for block in d.body[lang].split("\n\n"):
                blocks.append((f"{doc.rel}:{doc.line_of(('definitions', i, 'body'))}", block))
    return blocks


def day_range_findings(hb: Handbook) -> list[Finding]:
    lang = hb.languages[0]
    out = []
    blocks = _text_blocks(hb)
    for r in hb.consequences.responses:
        if not r.days or r.days.unit != "school_days" or r.days.max is None:
            continue
        name = r.name.get(lang, "").lower()
        stated: dict[tuple[float | None, float], list[str]] = defaultdict(list)
        for place, block in blocks:
            if name not in block.lower() and f"({r.code})" not in block:
                continue
            for lo, hi in RANGE_RE.findall(block):
                if int(lo) <= r.days.max and int(hi) > 1:
                    stated[(float(lo), float(hi))].append(place)
            for hi in UP_TO_RE.findall(block):
                stated[(None, float(hi))].append(place)
        maxima = {hi for (_, hi) in stated}
        minima = {lo for (lo, _) in stated if lo is not None}
        if len(maxima) > 1 or len(minima) > 1:
            described = "; ".join(
                f"{'up to ' + str(int(hi)) if lo is None else f'{int(lo)} to {int(hi)}'} days at {', '.join(places)}"
                for (lo, hi), places in sorted(stated.items(), key=lambda kv: (kv[0][1], kv[0][0] or 0))
            )
            out.append(Finding("day-ranges", f"{r.name.get(lang)} ({r.code}): the handbook gives different day ranges: {described}.",
                               tuple(p for ps in stated.values() for p in ps)))
    return out


def _row_place(hb: Handbook, m: Matrix, row: MatrixRow) -> str:
    lang = hb.languages[0]
    level = next(lv.level for lv in m.levels if row in lv.rows)
    return f"{m.title.get(lang)}, Level {level}: {row.behavior.get(lang)}"


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
                            out.append(Finding("value-ranges", f"{_row_place(hb, m, row)}: a value of exactly {_money(v)} falls in no band ({bands}).",
                                               (_row_place(hb, m, row),)))
    groups: dict[str, dict[str, list[MatrixRow]]] = defaultdict(lambda: defaultdict(list))
    for m in hb.matrices:
        for lv in m.levels:
            for row in lv.rows:
                if row.value_group and row.value_range:
                    groups[row.value_group][m.id].append(row)
    for group, by_matrix in groups.items():
        for mid, rows in by_matrix.items():
            m = hb.matrix(mid)
            for v in _bounds([r.value_range for r in rows if r.value_range]):
                if not any(r.value_range.contains(v) for r in rows if r.value_range):
                    names = "; ".join(f"{r.behavior.get(lang)} ({_describe(r.value_range)})" for r in rows if r.value_range)
                    out.append(Finding("value-ranges", f"{m.title.get(lang)}: a value of exactly {_money(v)} fits none of the rows {names}.",
                                       tuple(_row_place(hb, m, r) for r in rows)))
        # the same row id split differently in two matrices
        by_id: dict[str, list[tuple[Matrix, MatrixRow]]] = defaultdict(list)
        for mid, rows in by_matrix.items():
            for r in rows:
                by_id[r.id].append((hb.matrix(mid), r))
        for rid, pairs in by_id.items():
            described = {_describe(r.value_range) for _, r in pairs if r.value_range}
            if len(described) > 1:
                text = " vs ".join(f"{m.title.get(lang)}: “{r.behavior.get(lang)}” ({_describe(r.value_range)})" for m, r in pairs)
                out.append(Finding("value-ranges", f"The matrices draw the line differently: {text}.",
                                   tuple(_row_place(hb, m, r) for m, r in pairs)))
    return out


def code_findings(hb: Handbook) -> list[Finding]:
    lang = hb.languages[0]
    out = []
    by_code: dict[str, list[str]] = defaultdict(list)
    for c in hb.codes.codes:
        by_code[c.code].append(c.name.get(lang, ""))
    for code, names in by_code.items():
        if len(names) > 1:
            kind = "the same meaning twice" if len(set(names)) == 1 else "for different meanings"
            out.append(Finding("codes", f"The code table prints {code} {kind}: " + "; ".join(f"“{n}”" for n in names) + ".",
                               ("data/codes.yml",)))
    printed = set(by_code)
    for i, d in enumerate(hb.definitions.definitions):
        title = d.title.get(lang, "")
        for code in CODE_IN_TITLE_RE.findall(title):
            if sum(ch.isupper() for ch in code) >= 2 and code not in printed:
                line = hb.docs["data/definitions.yml"].line_of(("definitions", i, "title"))
                out.append(Finding("codes", f"Section VI “{title}” names the code {code}, which the code table does not list.",
                                   (f"handbook/data/definitions.yml:{line}",)))
    return out


def _norm(title: str) -> str:
    title = re.sub(r"\.{2,}$", "", title.strip())
    title = title.replace("’", "'").rstrip(":").strip()
    return re.sub(r"\s+", " ", title).upper()


def contents_findings(hb: Handbook) -> list[Finding]:
    if not hb.contents:
        return []
    lang = hb.languages[0]
    headings: set[str] = set()
    section_titles: list[tuple[str, str]] = []  # (normalized, place)
    for page in hb.pages[lang].values():
        if page.meta.get("section"):
            section_titles.append((_norm(str(page.meta["section"])), page.rel))
        for offset, line in enumerate(page.body.split("\n")):
            m = re.match(r"^(#{1,3})\s+(.*?)\s*(\{.*\})?$", line)
            if not m:
                continue
            text = m.group(2)
            headings.add(_norm(text))
            if m.group(1) == "#":
                for part in text.split(": ", 1):
                    headings.add(_norm(part))
                    if len(m.group(1)) == 1 and part != text.split(": ", 1)[0]:
                        section_titles.append((_norm(part), f"{page.rel}:{page.body_line + offset}"))
    def_titles = [(_norm(d.title.get(lang, "")), d) for d in hb.definitions.definitions]
    headings |= {t for t, _ in def_titles}
    for m in hb.matrices:
        headings.add(_norm(m.title.get(lang, "")))
    out = []
    listed = set()
    prev_page = 0
    for i, entry in enumerate(hb.contents.entries):
        title = entry.title
        for fix in hb.fixes.fixes:  # a typo corrected in the text is corrected in the contents too
            title = title.replace(fix.printed, fix.corrected)
        norm = _norm(title)
        listed.add(norm)
        line = hb.docs["data/contents.yml"].line_of(("entries", i))
        place = f"handbook/data/contents.yml:{line}"
        if norm not in headings:
            out.append(Finding("contents", f"The contents list “{entry.title}” (page {entry.page}), but no section or heading has that title.", (place,)))
        if entry.page < prev_page:
            out.append(Finding("contents", f"The contents list “{entry.title}” on page {entry.page}, after an entry on page {prev_page}: out of page order.", (place,)))
        prev_page = max(prev_page, entry.page)
    for norm, d in def_titles:
        if norm not in listed:
            out.append(Finding("contents", f"Section VI “{d.title.get(lang)}” is not in the contents.", ("handbook/data/definitions.yml",)))
    for norm, place in section_titles:
        if norm not in listed:
            out.append(Finding("contents", f"The section title “{norm}” is not in the contents.", (place,)))
    return out


def definition_findings(hb: Handbook) -> list[Finding]:
    lang = hb.languages[0]
    out = []
    used = set()
    for m in hb.matrices:
        for lv in m.levels:
            for row in lv.rows:
                used.update(row.definitions)
                if not row.definitions:
                    out.append(Finding("definitions", f"{_row_place(hb, m, row)}: no Section VI definition for this behavior.", (_row_place(hb, m, row),)))
    for d in hb.definitions.definitions:
        if d.id not in used:
            out.append(Finding("definitions", f"Section VI “{d.title.get(lang)}” is used by no matrix row.", ("handbook/data/definitions.yml",)))
        if not d.body:
            out.append(Finding("definitions", f"Section VI “{d.title.get(lang)}” has a heading but no definition text.", ("handbook/data/definitions.yml",)))
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
                                out.append(Finding("matrix-cells", f"{_row_place(hb, m, row)}, {col}: “{text}” {notes[a.note]}.", (_row_place(hb, m, row),)))
            legend = set(lv.legend)
            place = f"{m.title.get(lang)}, Level {lv.level}"
            for rid in sorted(used - legend):
                r = hb.response(rid)
                out.append(Finding("matrix-cells", f"{place}: cells use {r.code if r else rid}, which this level's legend does not list.", (place,)))
            for rid in [x for x in lv.legend if x not in used]:
                r = hb.response(rid)
                out.append(Finding("matrix-cells", f"{place}: the legend lists {r.code if r else rid}, which no cell of this level uses.", (place,)))
    return out


def attendance_findings(hb: Handbook) -> list[Finding]:
    a = hb.attendance
    lang = hb.languages[0]
    doc = hb.docs["data/attendance.yml"]
    out = []
    for i, tier in enumerate(a.tiers):
        if set(tier.absences_counted) != set(a.rate_statement_absences_counted):
            out.append(Finding("attendance",
                               f"“{a.rate_statement.get(lang)}” counts {' and '.join(a.rate_statement_absences_counted)} absences, "
                               f"but {tier.heading.get(lang)} counts {' and '.join(tier.absences_counted)} absences.",
                               (f"{doc.rel}:{doc.line_of(('rate_statement',))}", f"{doc.rel}:{doc.line_of(('tiers', i))}")))
        if i + 1 < len(a.tiers) and tier.printed_to_percent is not None:
            nxt = a.tiers[i + 1].from_percent
            if nxt is not None and tier.printed_to_percent < nxt:
                out.append(Finding("attendance",
                                   f"{tier.heading.get(lang)} is printed as “{tier.printed_range.get(lang)}” and "
                                   f"{a.tiers[i + 1].heading.get(lang)} starts at {nxt:g}%: a rate between {tier.printed_to_percent:g}% and {nxt:g}% "
                                   f"(for example {(tier.printed_to_percent + nxt) / 2:g}%) is in no tier as printed.",
                                   (f"{doc.rel}:{doc.line_of(('tiers', i))}",)))
    return out


def sign_off_findings(hb: Handbook) -> list[Finding]:
    lang = hb.languages[0]
    st = hb.sign_off.statements
    with_date = [s for s in st if s.date_label]
    out = []
    if with_date and len(with_date) < len(st):
        for s in st:
            if not s.date_label:
                out.append(Finding("sign-off", f"The statement “{s.name_label.get(lang)}” has no date line, unlike {', '.join(x.name_label.get(lang, '') for x in with_date)}.",
                                   ("handbook/data/sign_off.yml",)))
    return out


def consistency_report(hb: Handbook) -> list[Finding]:
    """Every place where the handbook disagrees with itself, as found from the data."""
    return (day_range_findings(hb) + value_range_findings(hb) + code_findings(hb) + contents_findings(hb)
            + definition_findings(hb) + matrix_cell_findings(hb) + attendance_findings(hb) + sign_off_findings(hb))


def format_report(findings: list[Finding]) -> str:
    """Plain-text report for the terminal."""
    if not findings:
        return "Consistency report: nothing found."
    lines = [f"Consistency report: {len(findings)} findings (warnings; the build goes on)"]
    for topic, heading in TOPICS.items():
        items = [f for f in findings if f.topic == topic]
        if items:
            lines.append(f"\n{heading} ({len(items)}):")
            lines.extend(f"  - {f.message}" for f in items)
    return "\n".join(lines)
