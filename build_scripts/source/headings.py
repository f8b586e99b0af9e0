"""Headings and anchors of a Markdown page, as MkDocs' toc extension will make them."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from markdown.extensions.toc import slugify

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{\s*#([\w-]+)\s*\})?\s*$")
ID_ATTR_RE = re.compile(r"\bid=\"([^\"]+)\"")
TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str
    explicit: bool  # written as `{ #id }`
    line: int  # 0-based line in the Markdown text


def headings_of(markdown_text: str) -> list[Heading]:
    """Every heading outside code fences, with the anchor MkDocs will give it."""
    found: list[Heading] = []
    seen: Counter[str] = Counter()
    in_fence = False
    for number, line in enumerate(markdown_text.split("\n")):
        if line.startswith("```"):
            in_fence = not in_fence
        if in_fence:
            continue
        m = HEADING_RE.match(line)
        if not m:
            continue
        if m.group(3):
            found.append(Heading(len(m.group(1)), m.group(2), m.group(3), True, number))
            continue
        text = html.unescape(TAG_RE.sub("", re.sub(r"[*_`]", "", m.group(2))))
        slug = slugify(text, "-")
        anchor = slug if not seen[slug] else f"{slug}_{seen[slug]}"
        seen[slug] += 1
        found.append(Heading(len(m.group(1)), m.group(2), anchor, False, number))
    return found


LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def first_heading_text(markdown_text: str) -> str | None:
    """The page's first heading as plain text (links, emphasis and tags dropped), or None if it has none."""
    for heading in headings_of(markdown_text):
        text = html.unescape(TAG_RE.sub("", re.sub(r"\*\*|__|[*`]", "", LINK_RE.sub(r"\1", heading.text)))).strip()
        if text:
            return text
    return None


def anchors_of(markdown_text: str) -> set[str]:
    """Anchors a rendered page will have: heading ids and HTML id attributes."""
    anchors = {h.anchor for h in headings_of(markdown_text)}
    for line in markdown_text.split("\n"):
        anchors.update(ID_ATTR_RE.findall(line))
    return anchors


def borrow_anchors(translated: str, original: str) -> str:
    """Give the translation's headings the original's anchors, so `page/#section` means the same in every language.

    Only when both pages have the same heading levels in the same order (the parity check requires it).
    """
    ours, theirs = headings_of(translated), headings_of(original)
    if [h.level for h in ours] != [h.level for h in theirs]:
        return translated
    lines = translated.split("\n")
    for mine, twin in zip(ours, theirs):
        if not mine.explicit:
            lines[mine.line] = f"{lines[mine.line].rstrip()} {{ #{twin.anchor} }}"
    return "\n".join(lines)
