"""The calculators part: the `calculator` insert (consequence lookup, absentee tier), the data the calculators
package reads (data.py: compiled from the matrices, consequences, attendance and due-process parts), and their browser
runtime (runtime.py: Pyodide, the wheel, the start-up snapshot). A language's site ships the runtime, the widget's
script, stylesheet and worker only when one of its pages holds a calculator."""

from __future__ import annotations

from calculators.consequence import counterparts

from ...source.handbook import Handbook
from ..base import InsertKind, Part
from ..deadlines import insert_context
from .data import row_words
from .runtime import RUNTIME_DIR, wheel_filename

KINDS: dict[str, tuple[str, ...]] = {  # calculator -> the parts its answers come from
    "consequence": ("matrices", "consequences"),
    "absentee": ("attendance",),
    "deadline": ("deadlines",),  # counted on the calendar part when the handbook has one
}
INSERT = "calculator"
WIDGET_SCRIPT = "calculators.js"
WIDGET_ASSETS = (WIDGET_SCRIPT, "calculators.css", "calculator-worker.js")

def runtime_path(hb: Handbook) -> str:
    """The runtime's folder from a language's home: it sits at the site's root, shared by every language."""
    return ("../" if len(hb.languages) > 1 else "") + f"{RUNTIME_DIR}/"


def row_counterparts(hb: Handbook) -> dict[str, dict[str, str]]:
    """matrix id -> row id -> "other-matrix:row ..." for the picker: where the behavior a reader chose under one
    school level stands in the other matrices (rows matched by their codes: calculators.consequence.counterparts)."""
    plain = {m.id: {"rows": [{"id": row.id, "codes": row.codes} for lv in m.levels for row in lv.rows]}
             for m in hb.matrices or []}
    return {mid: {row["id"]: " ".join(f"{oid}:{match['id']}" for oid, other in plain.items() if oid != mid
                                      for match in counterparts(row, other))
                  for row in matrix["rows"]}
            for mid, matrix in plain.items()}


PART = Part(
    name="calculators",
    inserts={INSERT: InsertKind(
        "calculator.md.j2", args=tuple(KINDS), needs=lambda arg: KINDS.get(arg or "", ()), print_as="screen-only",
        context=lambda r, page_id, arg: {"calculator_wheel": wheel_filename(), "runtime_path": runtime_path(r.hb),
                                         **(insert_context(r.hb, r.lang, arg) if arg == "deadline" else {}),
                                         **({"counterparts": row_counterparts(r.hb), "words": row_words(r.hb)} if arg == "consequence" else {})},
        assets=WIDGET_ASSETS, page_scripts=(WIDGET_SCRIPT,))},
)


def uses_calculators(inserts: set[tuple[str, str | None]]) -> bool:
    """Whether a set of (insert, argument) pairs holds a calculator: then the runtime ships."""
    return any(name == INSERT for name, _ in inserts)
