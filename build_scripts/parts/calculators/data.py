"""Compile what the calculators need from a loaded handbook into one JSON file, and package them as a wheel.

The calculators package (standard library only) never reads YAML: it reads this JSON. The wheel is made here
with `zipfile` rather than `pip wheel .`: it needs no setuptools in the build, it takes the data of the handbook
being built (not whatever JSON lies in the source tree), it writes nothing into the source tree (setuptools would
use ./build/, the generator's own folder), and it is byte-for-byte reproducible (fixed timestamps, sorted entries).

    python -m build_scripts calculator-data                 # writes calculators/data/handbook.json
    python -m build_scripts calculator-data --wheel DIR     # ... and builds the wheel into DIR
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

from ...source.handbook import Handbook
from ...source.inserts import page_holding
from ...source.paths import PROJECT
from ...source.reading import SourceError
from ..deadlines import calculator_data as deadline_data
from ..due_process import check as check_due_process
from ..search_words import everyday_words, fold

PACKAGE_DIR = PROJECT / "calculators"
DATA_NAME = "data/handbook.json"  # inside the package
DEFAULT_DATA_PATH = PACKAGE_DIR / DATA_NAME
PYPROJECT = PROJECT / "pyproject.toml"
SCHEMA = 1  # bump when the JSON's shape changes; the package refuses a schema it does not know

# ---------------------------------------------------------------- compile


def row_words(hb: Handbook) -> dict[str, dict[str, dict[str, list[str]]]]:
    """matrix id -> row id -> language -> the everyday words (search.yml) that find the row in the picker: those
    whose handbook terms stand, as whole words, in the row's name in that language ("fight" -> battery, public
    affray; "vapeo" -> tabaco). Empty lists when the handbook has no search.yml."""
    out: dict[str, dict[str, dict[str, list[str]]]] = {}
    entries = {lang: [(e.words, [f" {fold(t)} " for t in e.terms]) for e in everyday_words(hb, lang)]
               for lang in hb.languages}
    for m in hb.matrices or []:
        for lv in m.levels:
            for row in lv.rows:
                found = out.setdefault(m.id, {}).setdefault(row.id, {})
                for lang in hb.languages:
                    names = [row.behavior.get(lang), (row.printed_behavior or {}).get(lang)]
                    text = " " + " ".join(fold(n) for n in names if n) + " "
                    found[lang] = [w for words, terms in entries[lang] if any(t in text for t in terms) for w in words]
    return out


def compile_calculator_data(hb: Handbook) -> dict[str, Any]:
    """Everything the calculators read, in every language of the edition, as JSON-ready data."""
    problems = check_due_process(hb) if hb.due_process else []
    if problems:
        raise SourceError(problems)
    langs = hb.languages

    def tx(text: dict[str, str] | None) -> dict[str, str] | None:
        return None if text is None else {lang: text[lang] for lang in langs if lang in text}

    def dump(model: Any) -> Any:
        return None if model is None else model.model_dump(mode="json", exclude_none=True)

    used_pages: set[str] = set()

    def page(pid: str | None) -> str | None:
        if pid:
            used_pages.add(pid)
        return pid

    definition_page = page_holding(hb, "definitions")
    consequence_page = page_holding(hb, "consequences")
    attendance_page = page_holding(hb, "attendance-tiers")

    used_definitions = {d for m in hb.matrices or [] for lv in m.levels for r in lv.rows for d in r.definitions}
    definitions = {
        d.id: {
            "title": tx(d.title),
            "body": tx(d.body),
            "codes": d.codes,
            "page": page(definition_page),
            "anchor": d.id,
        }
        for d in (hb.definitions.definitions if hb.definitions else [])
        if d.id in used_definitions
    }
    responses = {}
    for r in (hb.consequences.responses if hb.consequences else []):
        numbered = r.section_vii_number is not None
        responses[r.id] = {
            "code": r.code,
            "name": tx(r.name),
            "title": tx(r.title),
            "section_vii_number": r.section_vii_number,
            "also_codes": r.also_codes,
            "see_also": r.see_also,
            "days": dump(r.days),
            "appealable": r.appealable,
            "due_process_hearing": r.due_process_hearing,
            "body": tx(r.body),
            "page": page(consequence_page) if numbered else None,
            "anchor": r.id if numbered and consequence_page else None,
        }
    matrices = []
    words = row_words(hb)
    for m in hb.matrices or []:
        mpage = page(page_holding(hb, "matrix", m.id))
        rows = []
        for lv in m.levels:
            for row in lv.rows:
                rows.append({
                    "id": row.id,
                    "level": lv.level,
                    "behavior": tx(row.behavior),
                    "printed_behavior": tx(row.printed_behavior) if row.printed_behavior else None,  # also accepted as input
                    "codes": row.codes,
                    "words": words[m.id][row.id],  # everyday words that find it (search.yml), per language
                    "definitions": row.definitions,
                    "value_range": dump(row.value_range),
                    "value_group": row.value_group,
                    "bands": [{"id": b.id, "label": tx(b.label),
                               "range": b.model_dump(mode="json", exclude_none=True, exclude={"id", "label"})}
                              for b in row.bands] if row.bands else None,
                    "cells": [{
                        "text": tx(c.text),
                        "empty": c.empty,
                        "actions": [dump(a) for a in c.actions],
                        "bands": [{"band": b.band, "text": tx(b.text), "actions": [dump(a) for a in b.actions]}
                                  for b in c.bands] if c.bands else None,
                    } for c in row.cells],
                    "page": mpage,
                    "anchor": row.id if mpage else None,
                })
        matrices.append({
            "id": m.id,
            "school_level": m.school_level,
            "title": tx(m.title),
            "discretion_notice": tx(m.discretion_notice),
            "guidance": tx(m.guidance),
            "special_circumstances": tx(m.special_circumstances),
            "offense_headers": {lang: m.offense_headers[lang] for lang in langs if lang in m.offense_headers},
            "levels": [{"level": lv.level, "title": tx(lv.title), "legend": lv.legend} for lv in m.levels],
            "page": mpage,
            "rows": rows,
        })
    att = hb.attendance
    attendance = None if att is None else {
        "rate_statement": tx(att.rate_statement),
        "rate_statement_absences_counted": att.rate_statement_absences_counted,
        "chronic_absence_from_percent": att.chronic_absence_from_percent,
        "tiers": [{
            "tier": t.tier,
            "heading": tx(t.heading),
            "need": tx(t.need),
            "printed_range": tx(t.printed_range),
            "below_percent": t.below_percent,
            "from_percent": t.from_percent,
            "printed_to_percent": t.printed_to_percent,
            "absences_counted": t.absences_counted,
            "text": tx(t.text),
        } for t in sorted(att.tiers, key=lambda t: t.tier)],
        "after_last_tier": {"title": tx(att.after_last_tier.title), "items": [tx(i) for i in att.after_last_tier.items]}
        if att.after_last_tier else None,
        "page": page(attendance_page),
    }
    due_process = None
    if hb.due_process is not None:
        due_process = hb.due_process.model_dump(mode="json", exclude_none=True)
        for quote in _quotes(due_process):
            page(quote["page"])
            quote["quote"] = tx(quote["quote"])
            if "heading" in quote:
                quote["heading"] = tx(quote["heading"])
    return {
        "schema": SCHEMA,
        "languages": langs,
        "edition": {"school_years": hb.edition.school_years, "title": tx(hb.edition.title)},
        "pages": {pid: {"title": {lang: hb.pages[lang][pid].title for lang in langs if pid in hb.pages.get(lang, {})}}
                  for pid in sorted(used_pages)},
        "codes": {c.id: {"code": c.code, "kind": c.kind, "name": tx(c.name)} for c in (hb.codes.codes if hb.codes else [])},
        "definitions": definitions,
        "responses": responses,
        "matrices": matrices,
        "attendance": attendance,
        "due_process": due_process,
        "deadlines": deadline_data(hb),
    }


def _quotes(node: Any) -> list[dict[str, Any]]:
    """Every {page, quote, ...} mapping inside the dumped due-process data."""
    found = []
    if isinstance(node, dict):
        if "page" in node and "quote" in node:
            found.append(node)
        for value in node.values():
            found.extend(_quotes(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_quotes(value))
    return found


def _json_bytes(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def write_calculator_data(hb: Handbook, path: Path | str = DEFAULT_DATA_PATH) -> Path:
    """Write the compiled JSON (atomically: a concurrent reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = _json_bytes(compile_calculator_data(hb))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".handbook-", suffix=".json.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the file is shipped, not a secret
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ---------------------------------------------------------------- wheel


_EPOCH = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: fixed so the wheel is reproducible


def _record_hash(payload: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(payload).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def project_name_version(pyproject: Path = PYPROJECT) -> tuple[str, str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return project["name"], project["version"]


def build_calculator_wheel(hb: Handbook, out_dir: Path | str, *, package_dir: Path = PACKAGE_DIR,
                           pyproject: Path = PYPROJECT) -> Path:
    """A pure-Python wheel (py3-none-any) of the calculators with this handbook's data inside."""
    name, version = project_name_version(pyproject)
    dist = re.sub(r"[-_.]+", "_", name).lower()
    dist_info = f"{dist}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" not in path.parts:
            files[f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"] = path.read_bytes()
    files[f"{package_dir.name}/{DATA_NAME}"] = _json_bytes(compile_calculator_data(hb))
    files[f"{dist_info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                      "Requires-Python: >=3.11\n").encode()
    files[f"{dist_info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: build_scripts.calculator_data\n"
                                   b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    files[f"{dist_info}/top_level.txt"] = f"{package_dir.name}\n".encode()
    record = "".join(f"{arc},{_record_hash(data)},{len(data)}\n" for arc, data in files.items())
    files[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"{dist}-{version}-py3-none-any.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arc, data in files.items():
            info = zipfile.ZipInfo(arc, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    wheel.write_bytes(buffer.getvalue())
    return wheel
