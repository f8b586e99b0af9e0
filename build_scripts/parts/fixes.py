"""Typing errors corrected in this edition (data/fixes.yml), listed on "About this edition" by the `fixes` insert."""

from __future__ import annotations

from ..source.schema import Strict, Text
from .base import DataFile, InsertKind, Part


class Fix(Strict):
    where: str
    printed: str
    corrected: str
    reason: Text


class Fixes(Strict):
    fixes: list[Fix] = []


# Without the file the insert says that nothing was corrected (fixes.md.j2), so it needs no data.
PART = Part(name="fixes", files=(DataFile("data/fixes.yml", Fixes),),
            inserts={"fixes": InsertKind("fixes.md.j2")})
