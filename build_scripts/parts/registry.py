"""Every part the generator knows, in the order their checks run and their inserts are listed."""

from __future__ import annotations

from . import (attendance, codes, consequences, contents, deadlines, definitions, due_process, fixes, form, glossary,
               matrices, search_words, sign_off, theme)
from .base import InsertKind, Part
from .calculators import PART as CALCULATORS

PARTS: tuple[Part, ...] = (
    codes.PART,
    definitions.PART,
    consequences.PART,
    matrices.PART,
    attendance.PART,
    sign_off.PART,
    form.PART,
    due_process.PART,
    deadlines.PART,
    deadlines.CALENDAR,
    CALCULATORS,
    contents.PART,
    fixes.PART,
    glossary.PART,
    search_words.PART,
    theme.PART,
)


def part_inserts() -> dict[str, tuple[Part, InsertKind]]:
    """Insert name -> (the part that owns it, how it renders)."""
    found: dict[str, tuple[Part, InsertKind]] = {}
    for part in PARTS:
        for name, kind in part.inserts.items():
            if name in found:
                raise ValueError(f"two parts define the insert '{name}': {found[name][0].name} and {part.name}")
            found[name] = (part, kind)
    return found


def part_named(name: str) -> Part:
    return next(part for part in PARTS if part.name == name)
