"""The printed table of contents (data/contents.yml), kept to report where it and the sections disagree."""

from __future__ import annotations

import re

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.schema import Strict
from .base import DataFile, Part

FILE = "data/contents.yml"


class ContentsEntry(Strict):
    title: str
    page: int


class Contents(Strict):
    entries: list[ContentsEntry]


def _norm(title: str) -> str:
    title = re.sub(r"\.{2,}$", "", title.strip())
    title = title.replace("’", "'").rstrip(":").strip()
    return re.sub(r"\s+", " ", title).upper()


def findings(hb: Handbook) -> list[Finding]:
    """Contents entries with no section, out of page order; sections and definitions missing from the contents."""
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
    def_titles = [(_norm(d.title.get(lang, "")), d) for d in (hb.definitions.definitions if hb.definitions else [])]
    headings |= {t for t, _ in def_titles}
    for m in hb.matrices or []:
        headings.add(_norm(m.title.get(lang, "")))
    out = []
    listed = set()
    prev_page = 0
    for i, entry in enumerate(hb.contents.entries):
        title = entry.title
        for fix in (hb.fixes.fixes if hb.fixes else []):  # a typo corrected in the text is corrected in the contents too
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



PART = Part(
    name="contents",
    files=(DataFile(FILE, Contents),),
    findings=findings,
    topics=(Topic("contents", "Contents entries and sections that do not match", 40),),
)
