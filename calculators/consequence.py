"""Consequence lookup: the discipline-matrix cell for a behavior, a school level and an offense number.

The answer is the cell as printed (for a value-banded cell, the band that applies) with its structured reading,
the behavior's definitions, what each response means, and the notes on discretion, appeal and due process that
the handbook attaches to such a response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import inputs
from .numbers import ReadAs
from .data import Data, check_lang, exact, page_title, resolve, tx
from .results import Quote, plain
from .words import WORDS, join, money, ordinal, unit, word
from .words import number as fmt_number

Row = dict[str, Any]


# ---------------------------------------------------------------- result


@dataclass(frozen=True)
class Action:
    """One part of a cell's reading: a response (maybe with days), in plain words."""

    response: str | None  # consequence id
    code: str | None  # as printed in the matrices, e.g. OSS
    name: str | None
    days: int | None
    unit: str | None  # school_days, calendar_years, ... (from the consequence the response refers to)
    note: str | None  # unspecified-parent-contact | days-without-response
    plain: str


@dataclass(frozen=True)
class BandOption:
    """A value band of the cell, when the value falls in none (the reader sees every reading)."""

    band: str
    label: str
    handbook_text: str
    actions: tuple[Action, ...]
    plain: str


@dataclass(frozen=True)
class Band:
    id: str
    label: str


@dataclass(frozen=True)
class Definition:
    id: str
    title: str
    body: str | None  # Markdown
    codes: tuple[str, ...]
    page: str | None
    page_title: str | None
    anchor: str | None


@dataclass(frozen=True)
class Meaning:
    """What a response means (its Section VII entry, or the entry its abbreviation refers to)."""

    response: str  # the response of the cell
    code: str
    name: str
    explained_by: str  # the consequence whose entry explains it
    title: str | None
    body: str | None  # Markdown
    days: dict[str, Any] | None  # {min, max, unit}
    appealable: bool | None
    due_process_hearing: bool | None
    page: str | None
    page_title: str | None
    anchor: str | None


@dataclass(frozen=True)
class Step:
    """One step of the due-process path, with its deadline."""

    id: str
    title: str
    heading: str
    days: int
    unit: str
    text: str
    quote: Quote | None


@dataclass(frozen=True)
class Note:
    kind: str  # status | value | discretion | short_term | due_process | disabilities | iep_review
    title: str
    text: str
    quotes: tuple[Quote, ...] = ()
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class ConsequenceResult:
    lang: str
    school_level: str
    matrix_id: str
    matrix_title: str
    matrix_page: str | None
    matrix_level: int
    level_title: str
    behavior_id: str
    behavior: str  # the row's name as printed
    codes: tuple[str, ...]
    row_anchor: str | None
    offense: int
    offense_label: str
    printed_offense: int  # the column shown (differs from `offense` past the printed entries)
    printed_offense_header: str
    status: str  # printed | beyond_printed | no_later_entry
    handbook_text: str  # as printed; for a banded cell, only the band that applies
    cell_text: str  # the whole cell as printed
    damage_usd: float | None
    value_status: str | None  # band | gap | in_range | outside_row | not_covered | not_used
    band: Band | None
    band_options: tuple[BandOption, ...]
    actions: tuple[Action, ...]
    plain_language: str
    summary: str
    definitions: tuple[Definition, ...]
    meanings: tuple[Meaning, ...]
    notes: tuple[Note, ...]
    read_as: tuple[ReadAs, ...] = ()  # how the value in dollars was read ("read as 999.99 dollars")

    @property
    def value_gap(self) -> bool:
        return self.value_status in ("gap", "not_covered")

    def to_dict(self) -> dict[str, Any]:
        return {"calculator": "consequence", **plain(self), "value_gap": self.value_gap}


# ---------------------------------------------------------------- finding the matrix and the row


def _key(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def _code_key(text: Any) -> str:
    return re.sub(r"\s+", "", str(text)).casefold()


def matrix_for(data: Data, school_level: Any, lang: str) -> dict[str, Any]:
    """The matrix of a school level (its `school_level` or its id, any case)."""
    if school_level is None or not str(school_level).strip():
        raise inputs.fail(lang, "school_level", "required")
    key = _key(school_level)
    for matrix in data["matrices"]:
        if key in (_key(matrix["school_level"]), _key(matrix["id"])):
            return matrix
    choices = ", ".join(m["school_level"] for m in data["matrices"])
    raise inputs.fail(lang, "school_level", "unknown_level", value=inputs.excerpt(school_level), choices=choices)


def _matrix_name(data: Data, matrix: dict[str, Any], lang: str) -> str:
    return page_title(data, matrix["page"], lang) or tx(matrix["title"], lang, data) or matrix["id"]


def find_row(data: Data, matrix: dict[str, Any], behavior: Any, lang: str) -> Row:
    """A row by id, by its name as printed (any language, any case) or by one of its codes."""
    if behavior is None or not str(behavior).strip():
        raise inputs.fail(lang, "behavior", "required")
    key = _key(behavior)
    rows = matrix["rows"]
    for row in rows:
        if _key(row["id"]) == key:
            return row
    for row in rows:
        if any(_key(name) == key for name in [*row["behavior"].values(), *(row.get("printed_behavior") or {}).values()]):
            return row
    typed_code = _code_key(behavior)  # once, not once per code (a long name made this quadratic)
    code_ids = {cid for cid, code in data["codes"].items() if _code_key(code["code"]) == typed_code}
    if code_ids:
        printed = data["codes"][sorted(code_ids)[0]]["code"]
        found = [row for row in rows if code_ids & set(row["codes"])]
        if len(found) == 1:
            return found[0]
        where = _matrix_name(data, matrix, lang)
        if found:
            names = word(lang, "list_joiner").join(f"{tx(r['behavior'], lang, data)} ({r['id']})" for r in found)
            raise inputs.fail(lang, "behavior", "ambiguous_code", code=printed, matrix=where, rows=names)
        names = word(lang, "list_joiner").join(tx(data["codes"][c]["name"], lang, data) or c for c in sorted(code_ids))
        raise inputs.fail(lang, "behavior", "code_not_in_matrix", code=printed, names=names, matrix=where)
    elsewhere = _row_elsewhere(data, matrix, key)
    if elsewhere is not None:  # a behavior picked in another level's matrix: follow the reader to this one
        found = counterparts(elsewhere, matrix)
        if len(found) == 1:
            return found[0]
        name, where = tx(elsewhere["behavior"], lang, data) or elsewhere["id"], _matrix_name(data, matrix, lang)
        if found:
            names = word(lang, "list_joiner").join(f"{tx(r['behavior'], lang, data)}" for r in found)
            raise inputs.fail(lang, "behavior", "listed_differently", behavior=name, matrix=where, rows=names)
        raise inputs.fail(lang, "behavior", "not_in_this_matrix", behavior=name, matrix=where)
    raise inputs.fail(lang, "behavior", "unknown_behavior", value=inputs.excerpt(behavior),
                      matrix=_matrix_name(data, matrix, lang))


def _row_elsewhere(data: Data, matrix: dict[str, Any], key: str) -> Row | None:
    """The row of another matrix named `key` (its id or its name as printed, any language), if any."""
    for other in data["matrices"]:
        if other is not matrix:
            for row in other["rows"]:
                names = [row["id"], *row["behavior"].values(), *(row.get("printed_behavior") or {}).values()]
                if any(_key(name) == key for name in names):
                    return row
    return None


def counterparts(row: Row, matrix: dict[str, Any]) -> list[Row]:
    """The rows of `matrix` that stand for `row` of another matrix, matched by their codes.

    The matrices of two school levels label the same behavior differently (and split or merge rows: one level's
    "BNI, PbA" row is two rows in the other), so names cannot be compared. Rows with exactly the same codes win;
    where several do (two behaviors under one code), the one with the same id; a row without codes matches the row
    with its id. Several rows: the reader chooses; none: the behavior is not in that matrix."""
    codes = set(row["codes"])
    if not codes:
        return [r for r in matrix["rows"] if r["id"] == row["id"]]
    sharing = [r for r in matrix["rows"] if codes & set(r["codes"])]
    same = [r for r in sharing if set(r["codes"]) == codes]
    if len(same) > 1:
        same = [r for r in same if r["id"] == row["id"]] or same
    return same if len(same) == 1 else sharing


# ---------------------------------------------------------------- reading cells


def _contains(value_range: dict[str, float], value: Fraction) -> bool:
    def limit(key: str) -> Fraction | None:
        return exact(value_range[key]) if key in value_range else None

    below, up_to, above, from_ = limit("below_usd"), limit("up_to_usd"), limit("above_usd"), limit("from_usd")
    return ((below is None or value < below) and (up_to is None or value <= up_to)
            and (above is None or value > above) and (from_ is None or value >= from_))


def _unit_of(data: Data, response_id: str | None) -> str | None:
    """The day unit of a response, or of the consequence its abbreviation refers to."""
    seen: set[str] = set()
    while response_id and response_id not in seen:
        seen.add(response_id)
        response = data["responses"].get(response_id)
        if response is None:
            return None
        if response.get("days"):
            return response["days"]["unit"]
        response_id = response.get("see_also")
    return None


def _action(data: Data, raw: dict[str, Any], lang: str) -> Action:
    rid, days, note = raw.get("response"), raw.get("days"), raw.get("note")
    response = data["responses"].get(rid) if rid else None
    name = tx(response["name"], lang, data) if response else None
    day_unit = _unit_of(data, rid)
    if note == "unspecified-parent-contact":
        text = word(lang, "action_unspecified_parent_contact")
    elif note == "days-without-response" or (days and not name):
        text = word(lang, "action_days_without_response", days=days, unit=unit(lang, day_unit, days or 0))
    elif days:
        text = word(lang, "action_days", name=name, days=days, unit=unit(lang, day_unit, days))
    else:
        text = name or ""
    return Action(response=rid, code=response["code"] if response else None, name=name, days=days,
                  unit=day_unit if days else None, note=note, plain=text)


def _actions(data: Data, raws: list[dict[str, Any]], lang: str) -> tuple[Action, ...]:
    return tuple(_action(data, a, lang) for a in raws)


def _plain(actions: tuple[Action, ...], lang: str) -> str:
    return word(lang, "action_joiner").join(a.plain for a in actions if a.plain)


def _cell_column(row: Row, offense: int) -> tuple[int, str]:
    """(0-based column to show, status) for an offense number."""
    cells = row["cells"]
    printed = [i for i, c in enumerate(cells) if not c["empty"] and c.get("text")]
    if offense <= len(cells) and (offense - 1) in printed:
        return offense - 1, "printed"
    earlier = [i for i in printed if i < offense - 1]
    last = earlier[-1] if earlier else printed[-1]
    ends_early = printed[-1] < len(cells) - 1
    return last, ("beyond_printed" if offense > len(cells) and not ends_early else "no_later_entry")


def _offense_label(offense: int, lang: str) -> str:
    return word(lang, "offense_label", ordinal=ordinal(offense, lang))


# ---------------------------------------------------------------- notes


def _quote(data: Data, entry: dict[str, Any] | None, lang: str, text: dict[str, str] | None = None,
           page: str | None = None) -> Quote | None:
    """A Quote from a due-process entry ({page, quote}) or from a text and a page."""
    if entry is not None:
        text, page = entry["quote"], entry["page"]
    shown = tx(text, lang, data)
    return Quote(shown, page, page_title(data, page, lang)) if shown else None


def _quotes(*quotes: Quote | None) -> tuple[Quote, ...]:
    return tuple(q for q in quotes if q)


def _name(data: Data, response_id: str, lang: str) -> str:
    return tx(data["responses"][response_id]["name"], lang, data) or response_id


def _printed_codes(data: Data, ids: list[str]) -> tuple[str, ...]:
    """The codes as printed, each once: the code table gives some codes more than one meaning."""
    return tuple(dict.fromkeys(data["codes"][c]["code"] for c in ids if c in data["codes"]))


def _codes_of(data: Data, ids: list[str], lang: str) -> str:
    return join([data["responses"][r]["code"] for r in ids if r in data["responses"]], lang)


def _notes(data: Data, matrix: dict[str, Any], actions: list[Action], lang: str) -> list[Note]:
    dp = data.get("due_process")
    notes: list[Note] = []
    mpage = matrix["page"]
    intro = (_quote(data, dp["minimum_guideline"], lang), _quote(data, dp["administrative_discretion"], lang)) if dp else ()
    notes.append(Note("discretion", word(lang, "note_discretion"), word(lang, "note_discretion_text"),
                      _quotes(*intro, _quote(data, None, lang, matrix["guidance"], mpage))))
    if not dp:
        special = _quote(data, None, lang, matrix["special_circumstances"], mpage)
        notes.append(Note("disabilities", word(lang, "note_disabilities"), word(lang, "note_disabilities_text_plain"),
                          (special,) if special else ()))
        return notes

    ids = [a.response for a in actions if a.response]
    st = dp["short_term_suspension"]
    short = [a for a in actions if a.response in st["responses"]
             and (a.days is None or "max" not in st["days"] or a.days <= st["days"]["max"])]
    if short:
        days = st["days"]
        key = "note_short_term_text_no" if st["appealable"] is False else "note_short_term_text_yes"
        text = word(lang, key, min=fmt_number(days.get("min", 0)), max=fmt_number(days.get("max", 0)),
                    unit=unit(lang, days["unit"], 2), codes=_codes_of(data, st["responses"], lang))
        notes.append(Note("short_term", word(lang, "note_short_term"), text, _quotes(_quote(data, st, lang))))

    long_ids = [r for r in dict.fromkeys(ids) if r in dp["long_term"]["responses"]]
    if long_ids:
        names = join([_name(data, r, lang) for r in long_ids], lang)
        steps = []
        for step in dp["long_term"]["steps"]:
            title_key = f"step_{step['id']}"
            heading = tx(step["heading"], lang, data) or step["id"]
            title = word(lang, title_key) if title_key in WORDS[lang] else heading
            within = step["within"]
            steps.append(Step(step["id"], title, heading, within["days"], within["unit"],
                              word(lang, "step_deadline", step=title, days=within["days"],
                                   unit=unit(lang, within["unit"], within["days"])),
                              _quote(data, step, lang)))
        notes.append(Note("due_process", word(lang, "note_due_process", names=names),
                          word(lang, "note_due_process_text", names=names), (), tuple(steps)))

    swd = dp["students_with_disabilities"]
    interim = swd["interim_setting"]
    notes.append(Note("disabilities", word(lang, "note_disabilities"),
                      word(lang, "note_disabilities_text", days=interim["max_days"],
                           unit=unit(lang, interim["unit"], interim["max_days"])),
                      _quotes(_quote(data, None, lang, matrix["special_circumstances"], mpage),
                              _quote(data, interim, lang))))
    review = swd["iep_review"]
    review_ids = [r for r in dict.fromkeys(ids) if r in review["responses"]]
    if review_ids:
        names = join([_name(data, r, lang) for r in review_ids], lang)
        notes.append(Note("iep_review", word(lang, "note_iep_review", names=names), word(lang, "note_iep_review_text"),
                          _quotes(_quote(data, review, lang))))
    return notes


# ---------------------------------------------------------------- definitions and meanings


def _body(text: dict[str, str] | None, lang: str, data: Data) -> str | None:
    shown = tx(text, lang, data)
    return shown.strip() if shown else None


def _definitions(data: Data, row: Row, lang: str) -> tuple[Definition, ...]:
    out = []
    for did in row["definitions"]:
        d = data["definitions"].get(did)
        if d is None:
            continue
        out.append(Definition(did, tx(d["title"], lang, data) or did, _body(d["body"], lang, data),
                              _printed_codes(data, d["codes"]),
                              d["page"], page_title(data, d["page"], lang), d["anchor"]))
    return tuple(out)


def _meanings(data: Data, actions: list[Action], lang: str) -> tuple[Meaning, ...]:
    out = []
    for rid in dict.fromkeys(a.response for a in actions if a.response):
        response = data["responses"].get(rid)
        if response is None:
            continue
        target_id = rid
        if response.get("section_vii_number") is None and response.get("see_also") in data["responses"]:
            target_id = response["see_also"]
        target = data["responses"][target_id]

        def own_or_target(key: str) -> Any:
            return response.get(key) if response.get(key) is not None else target.get(key)

        out.append(Meaning(
            response=rid, code=response["code"], name=tx(response["name"], lang, data) or rid,
            explained_by=target_id, title=tx(target.get("title"), lang, data), body=_body(target.get("body"), lang, data),
            days=target.get("days"), appealable=own_or_target("appealable"),
            due_process_hearing=own_or_target("due_process_hearing"),
            page=target.get("page"), page_title=page_title(data, target.get("page"), lang), anchor=target.get("anchor"),
        ))
    return tuple(out)


# ---------------------------------------------------------------- the lookup


def _band_option(data: Data, band_cell: dict[str, Any], labels: dict[str, str], lang: str) -> BandOption:
    actions = _actions(data, band_cell["actions"], lang)
    return BandOption(band_cell["band"], labels.get(band_cell["band"], band_cell["band"]),
                      tx(band_cell["text"], lang, data) or "", actions, _plain(actions, lang))


def _value_rows(matrix: dict[str, Any], row: Row) -> list[Row]:
    return [r for r in matrix["rows"] if r["value_group"] and r["value_group"] == row["value_group"]]


def lookup_consequence(behavior: Any, school_level: Any, offense: Any, damage_usd: Any = None, lang: str = "en",
                       *, data: Data | None = None) -> ConsequenceResult:
    """The matrix's response to an offense. Raises CalculatorInputError (message in `lang`) for bad input."""
    data = resolve(data)
    lang = check_lang(data, lang)
    matrix = matrix_for(data, school_level, lang)
    row = find_row(data, matrix, behavior, lang)
    offense_read = inputs.offense_number(offense, lang)
    nth = int(offense_read.value)
    value_read = None if damage_usd is None or (isinstance(damage_usd, str) and not damage_usd.strip()) \
        else inputs.non_negative(damage_usd, "damage_usd", lang)
    value = value_read.value if value_read else None

    column, status = _cell_column(row, nth)
    cell = row["cells"][column]
    cell_text = tx(cell["text"], lang, data) or ""
    behavior_name = tx(row["behavior"], lang, data) or row["id"]
    level = next(lv for lv in matrix["levels"] if lv["level"] == row["level"])
    level_title = tx(level["title"], lang, data) or str(row["level"])
    matrix_name = _matrix_name(data, matrix, lang)
    headers = matrix["offense_headers"].get(lang) or next(iter(matrix["offense_headers"].values()))
    notes: list[Note] = []
    if status != "printed":
        key = "status_beyond_printed" if status == "beyond_printed" else "status_no_later_entry"
        notes.append(Note("status", word(lang, "note_status"),
                          word(lang, key, offense=_offense_label(nth, lang),
                               last=_offense_label(column + 1, lang), text=cell_text)))

    handbook_text, band = cell_text, None
    options: tuple[BandOption, ...] = ()
    value_status = None
    actions = _actions(data, cell["actions"], lang)
    if cell.get("bands"):
        if value is None:
            raise inputs.fail(lang, "damage_usd", "damage_required", behavior=behavior_name)
        labels = {b["id"]: tx(b["label"], lang, data) or b["id"] for b in row["bands"] or []}
        ranges = {b["id"]: b["range"] for b in row["bands"] or []}
        match = next((b for b in cell["bands"] if b["band"] in ranges and _contains(ranges[b["band"]], value)), None)
        if match:
            value_status = "band"
            band = Band(match["band"], labels.get(match["band"], match["band"]))
            handbook_text = tx(match["text"], lang, data) or cell_text
            actions = _actions(data, match["actions"], lang)
            notes.append(Note("value", word(lang, "note_value"), word(lang, "value_band", value=money(value), band=band.label)))
        else:
            value_status = "gap"
            options = tuple(_band_option(data, b, labels, lang) for b in cell["bands"])
            same = len({tuple((a.response, a.days, a.note) for a in o.actions) for o in options}) == 1
            actions = options[0].actions if same else ()
            bands_text = word(lang, "list_joiner").join(labels[b] for b in labels)
            notes.append(Note("value", word(lang, "note_value"),
                              word(lang, "value_gap_same" if same else "value_gap", value=money(value), bands=bands_text)))
    elif value is not None and row.get("value_range"):
        if _contains(row["value_range"], value):
            value_status = "in_range"
            text = word(lang, "value_in_range", value=money(value))
        else:
            siblings = _value_rows(matrix, row)
            other = next((r for r in siblings if r is not row and _contains(r["value_range"] or {}, value)), None)
            if other:
                value_status = "outside_row"
                text = word(lang, "value_outside_row", value=money(value), row=behavior_name,
                            other=tx(other["behavior"], lang, data))
            else:
                value_status = "not_covered"
                names = word(lang, "list_joiner").join(tx(r["behavior"], lang, data) or r["id"] for r in siblings)
                text = word(lang, "value_not_covered", value=money(value), row=behavior_name, rows=names)
        notes.append(Note("value", word(lang, "note_value"), text))
    elif value is not None:
        value_status = "not_used"
        notes.append(Note("value", word(lang, "note_value"), word(lang, "value_not_used", value=money(value))))

    if options and not actions:
        plain_text = word(lang, "action_joiner").join(word(lang, "band_option", band=o.label, plain=o.plain)
                                                      for o in options)
        relevant = [a for o in options for a in o.actions]
    else:
        plain_text = _plain(actions, lang)
        relevant = list(actions)
    offense_label = _offense_label(nth, lang)
    summary = word(lang, "summary", offense=_offense_label(column + 1, lang), behavior=behavior_name,
                   matrix=matrix_name, level=level_title, plain=plain_text)
    if status != "printed":
        summary = f"{notes[0].text} {summary}"
    notes.extend(_notes(data, matrix, relevant, lang))
    return ConsequenceResult(
        lang=lang, school_level=matrix["school_level"], matrix_id=matrix["id"], matrix_title=matrix_name,
        matrix_page=matrix["page"], matrix_level=row["level"], level_title=level_title, behavior_id=row["id"],
        behavior=behavior_name, codes=_printed_codes(data, row["codes"]),
        row_anchor=row.get("anchor"), offense=nth, offense_label=offense_label, printed_offense=column + 1,
        printed_offense_header=headers[column] if column < len(headers) else _offense_label(column + 1, lang),
        status=status, handbook_text=handbook_text, cell_text=cell_text,
        damage_usd=float(value) if value is not None else None, value_status=value_status, band=band,
        band_options=options, actions=actions, plain_language=plain_text, summary=summary,
        definitions=_definitions(data, row, lang), meanings=_meanings(data, relevant, lang), notes=tuple(notes),
        read_as=(value_read.read_as(lang),) if value_read else (),
    )


# ---------------------------------------------------------------- the picker


def behavior_options(school_level: Any, lang: str = "en", *, data: Data | None = None) -> list[dict[str, Any]]:
    """Every row of a level's matrix, in printed order, for a searchable picker (by name or code)."""
    data = resolve(data)
    lang = check_lang(data, lang)
    matrix = matrix_for(data, school_level, lang)
    titles = {lv["level"]: tx(lv["title"], lang, data) for lv in matrix["levels"]}
    out = []
    for row in matrix["rows"]:
        name = tx(row["behavior"], lang, data) or row["id"]
        codes = _printed_codes(data, row["codes"])
        out.append({
            "id": row["id"],
            "label": name,
            "codes": list(codes),
            "level": row["level"],
            "level_title": titles.get(row["level"]),
            "needs_value": any(c.get("bands") for c in row["cells"]),
            "value_group": row["value_group"],
            "offenses": len(row["cells"]),
            "search": " ".join([_key(name), *(_key(n) for n in row["behavior"].values() if _key(n) != _key(name)),
                                *(c.casefold() for c in codes), *(_key(w) for w in (row.get("words") or {}).get(lang, []))]),
        })
    return out


def school_levels(lang: str = "en", *, data: Data | None = None) -> list[dict[str, Any]]:
    """The school levels the matrices cover, with each matrix's title in `lang`."""
    data = resolve(data)
    lang = check_lang(data, lang)
    return [{"id": m["school_level"], "matrix": m["id"], "title": _matrix_name(data, m, lang),
             "offense_headers": m["offense_headers"].get(lang) or next(iter(m["offense_headers"].values()))}
            for m in data["matrices"]]
