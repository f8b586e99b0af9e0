"""What changed since the previous edition (edition.yml's `previous_edition`): the prose, paragraph by paragraph
with word-level marks, and each part's data (each part describes its own changes: `Part.changes`); and the
translated paragraphs and fields left behind when their governing-language twin changed (a report topic).

Paragraphs are compared as a reader reads them (Markdown rendered to text, whitespace collapsed), so a re-wrapped
line or a changed emphasis is no change. They are matched with difflib: unchanged paragraphs in order first, then
the rest by similarity, so a moved, reworded or split paragraph is one change, not a deletion and an addition.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Iterator

from markdown_it import MarkdownIt

from ..parts.base import DataChange, Rendering, same_words
from ..parts.registry import PARTS
from ..source.findings import Finding, Topic
from ..source.handbook import Handbook, Page
from ..source.inserts import INSERT_RE
from ..source.reading import key_path, text_fields

STALE = Topic("stale-translations", "Translations not updated when their governing-language text changed", 96)
CHANGES_PAGE = "changes"  # written by the build when the handbook names a previous edition, not a file of the handbook
SIMILAR = 0.5  # paragraphs at least this alike (difflib's ratio over words) are one paragraph, changed
_md = MarkdownIt("commonmark", {"html": True})
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Paragraph:
    text: str  # as a reader reads it: rendered to text, whitespace collapsed
    line: int  # line of its file
    section: int  # which section of the page (0: before the first heading), for twins across languages
    index: int  # its place in that section
    heading: str  # the section's heading ("" before the first one)


@dataclass(frozen=True)
class Segment:
    kind: str  # "same" | "added" | "removed"
    text: str  # words and punctuation, without the space after them
    gap: str = ""  # the space that follows it (outside any mark)


@dataclass(frozen=True)
class ProseChange:
    """A paragraph added, removed or changed on a page; `segments` mark the words of a changed one."""

    page_id: str
    heading: str  # the section it stands in (the previous edition's, for a removed paragraph)
    before: Paragraph | None
    after: Paragraph | None
    segments: tuple[Segment, ...]

    @property
    def kind(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None else "changed"


@lru_cache(maxsize=4096)
def reading_text(block: str) -> str:
    """A Markdown block as a reader reads it: no markup, entities decoded, whitespace collapsed."""
    rendered = _TAG_RE.sub(" ", _md.render(block))
    return " ".join(html.unescape(rendered).split())


_ITEM_RE = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s")


def _blocks(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(line, Markdown) of each block of a page: paragraphs, headings, and each item of a list on its own."""
    line = first_line
    for block in body.split("\n\n"):
        at = line + (len(block) - len(block.lstrip("\n")))
        line += block.count("\n") + 2
        lines = block.strip("\n").split("\n")
        if not _ITEM_RE.match(lines[0]):
            yield at, "\n".join(lines)
            continue
        start = 0
        for k in range(1, len(lines) + 1):
            if k == len(lines) or _ITEM_RE.match(lines[k]):
                yield at + start, "\n".join(lines[start:k])
                start = k


def paragraphs(page: Page) -> list[Paragraph]:
    """The page's paragraphs (headings, list items, tables...) in reading order; insert lines are data, compared
    by their parts."""
    return list(_paragraphs(page.body, page.body_line))


@lru_cache(maxsize=512)  # each page is read for every change of it (twins, both languages' pages, the report)
def _paragraphs(body: str, body_line: int) -> tuple[Paragraph, ...]:
    out: list[Paragraph] = []
    section, index, heading = 0, 0, ""
    for at, block in _blocks(body, body_line):
        if not block.strip() or INSERT_RE.match(block.strip()):
            continue
        text = reading_text(block)
        if not text:
            continue
        if block.lstrip().startswith("#"):
            section, index, heading = section + 1, 0, text
        out.append(Paragraph(text, at, section, index, heading))
        index += 1
    return tuple(out)


_TOKEN_RE = re.compile(r"[\w’'-]+\s*|[^\w\s]+\s*", re.UNICODE)


def word_segments(before: str, after: str) -> tuple[Segment, ...]:
    """Word-level marks between two texts: runs of words kept, removed and added (punctuation is a word of its
    own, so "hours" and "hours," differ by the comma only)."""
    old, new = _TOKEN_RE.findall(before), _TOKEN_RE.findall(after)
    matcher = SequenceMatcher(None, [t.strip() for t in old], [t.strip() for t in new], autojunk=False)
    segments: list[Segment] = []

    def add(kind: str, tokens: list[str]) -> None:
        run = "".join(tokens)
        if run.strip():
            segments.append(Segment(kind, run.rstrip(), run[len(run.rstrip()):] and " "))

    # runs of changes with only punctuation kept between them read as one change: "three (3)" -> "five (5)"
    runs: list[list[int]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        short_punctuation = op == "equal" and all(not re.search(r"\w", t) for t in new[j1:j2])
        if runs and runs[-1][0] != "equal" and (op != "equal" or short_punctuation):  # type: ignore[comparison-overlap]
            runs[-1][2], runs[-1][4] = i2, j2
        else:
            runs.append([op, i1, i2, j1, j2])  # type: ignore[list-item]
    for k in range(len(runs) - 1):  # a closing bracket or quote goes with the change it closes: "(3)" -> "(5)"
        change, kept = runs[k], runs[k + 1]
        while change[0] != "equal" and kept[0] == "equal" and kept[4] - kept[3] > 1 \
                and new[kept[3]].strip() in (")", "]", "”", "’", '"', "'"):
            change[2], change[4], kept[1], kept[3] = change[2] + 1, change[4] + 1, kept[1] + 1, kept[3] + 1
    for op, i1, i2, j1, j2 in runs:
        if op == "equal":
            add("same", new[j1:j2])
            continue
        add("removed", old[i1:i2])
        add("added", new[j1:j2])
    return tuple(segments)


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(" "), b.split(" "), autojunk=False).ratio()


def _may_be_alike(a: str, b: str) -> bool:
    """A cheap upper bound of _ratio first: most pairs of a rewritten page are far apart."""
    return SequenceMatcher(None, a.split(" "), b.split(" "), autojunk=False).quick_ratio() >= SIMILAR


def match_paragraphs(old: list[Paragraph], new: list[Paragraph]) -> list[tuple[Paragraph | None, Paragraph | None]]:
    """(before, after) pairs for every paragraph that is not the same in both, in the new page's reading order."""
    return [(a, b) for a, b in aligned(old, new) if a is None or b is None or a.text != b.text]


def aligned(old: list[Paragraph], new: list[Paragraph]) -> list[tuple[Paragraph | None, Paragraph | None]]:
    """Every paragraph of both editions as (before, after), in the new page's reading order, a removed one where
    it stood: the whole text, as the Board's redline shows it.

    The same text in order is unchanged; of the rest, the same text elsewhere is a moved paragraph (no change of
    wording, not listed), then the most alike pairs above SIMILAR are changed paragraphs; a paragraph split in two
    (or two merged) pairs with the joined pair when that is alike."""
    matcher = SequenceMatcher(None, [p.text for p in old], [p.text for p in new], autojunk=False)
    gone = [i for op, i1, i2, _, _ in matcher.get_opcodes() if op != "equal" for i in range(i1, i2)]
    came = [j for op, _, _, j1, j2 in matcher.get_opcodes() if op != "equal" for j in range(j1, j2)]
    pairs: list[tuple[int | None, int | None, str | None]] = [(i, j, None) for i, j in _equal_pairs(matcher)]
    for i in list(gone):  # moved, word for word
        j = next((j for j in came if new[j].text == old[i].text), None)
        if j is not None:
            gone.remove(i)
            came.remove(j)
            pairs.append((i, j, None))
    # candidates: one paragraph for one, one split in two side by side, two merged into one; the most alike first
    candidates: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = []

    def consider(olds: tuple[int, ...], news: tuple[int, ...]) -> None:
        a, b = " ".join(old[i].text for i in olds), " ".join(new[j].text for j in news)
        if _may_be_alike(a, b):
            candidates.append((_ratio(a, b), olds, news))

    for i in gone:
        for j in came:
            consider((i,), (j,))
            if j + 1 in came:
                consider((i,), (j, j + 1))
            if i + 1 in gone:
                consider((i, i + 1), (j,))
    for score, olds, news in sorted(candidates, key=lambda c: (-c[0], len(c[1]) + len(c[2]))):
        if score < SIMILAR or not set(olds) <= set(gone) or not set(news) <= set(came):
            continue
        for i in olds:
            gone.remove(i)
        for j in news:
            came.remove(j)
        joined = "merged" if len(olds) == 2 else (new[news[0]].text + " " + new[news[1]].text) if len(news) == 2 else None
        pairs.append((olds[0], news[0], joined))
    pairs += [(i, None, None) for i in gone] + [(None, j, None) for j in came]

    def order(pair: tuple[int | None, int | None, str | None]) -> tuple[float, int]:
        i, j, _ = pair
        if j is not None:
            return (j, 1)
        # a removed paragraph stands after the new paragraph that follows what preceded it
        kept = [b for a, b in _equal_pairs(matcher) if a < i]
        return ((kept[-1] if kept else -1) + 0.5, 0)

    out: list[tuple[Paragraph | None, Paragraph | None]] = []
    for i, j, joined in sorted(pairs, key=order):
        before = old[i] if i is not None else None
        after = new[j] if j is not None else None
        if joined == "merged" and before is not None:
            before = Paragraph(before.text + " " + old[i + 1].text, before.line, before.section, before.index,
                               before.heading)
        elif joined and after is not None:
            after = Paragraph(joined, after.line, after.section, after.index, after.heading)
        out.append((before, after))
    return out


def _equal_pairs(matcher: SequenceMatcher) -> Iterator[tuple[int, int]]:
    for op, i1, i2, j1, _ in matcher.get_opcodes():
        if op == "equal":
            yield from ((i1 + k, j1 + k) for k in range(i2 - i1))


def reading_order(hb: Handbook, lang: str) -> list[str]:
    """The pages in reading order (the navigation's), then any other."""
    listed = [pid for pid in hb.nav_page_ids() if pid in hb.pages.get(lang, {})]
    return listed + sorted(set(hb.pages.get(lang, {})) - set(listed))


def prose_changes(hb: Handbook, lang: str | None = None) -> list[ProseChange]:
    """Every paragraph added, removed or changed since the previous edition, in `lang` (the governing language by
    default), page by page in reading order; pages added or removed whole count paragraph by paragraph."""
    previous = hb.previous
    if previous is None:
        return []
    lang = lang or hb.languages[0]
    old_pages, new_pages = previous.pages.get(lang, {}), hb.pages.get(lang, {})
    page_ids = reading_order(hb, lang) + [pid for pid in reading_order(previous, lang) if pid not in new_pages]
    changes: list[ProseChange] = []
    for page_id in page_ids:
        old = paragraphs(old_pages[page_id]) if page_id in old_pages else []
        new = paragraphs(new_pages[page_id]) if page_id in new_pages else []
        for before, after in match_paragraphs(old, new):
            segments = word_segments(before.text, after.text) if before and after else ()
            heading = after.heading if after else before.heading if before else ""
            changes.append(ProseChange(page_id, heading, before, after, segments))
    return changes


def twin(paragraph: Paragraph | None, others: list[Paragraph]) -> Paragraph | None:
    """A paragraph's twin in another language: same section of the page, same place in it (the parity check keeps
    the headings of every language in step)."""
    if paragraph is None:
        return None
    return next((p for p in others if p.section == paragraph.section and p.index == paragraph.index), None)


def translated_prose(hb: Handbook, change: ProseChange, lang: str) -> ProseChange | None:
    """The change as it stands in a translation, when that translation was updated too (None: it was not)."""
    assert hb.previous is not None
    old_page = hb.previous.pages.get(lang, {}).get(change.page_id)
    new_page = hb.pages.get(lang, {}).get(change.page_id)
    old_paragraphs = paragraphs(old_page) if old_page else []
    new_paragraphs = paragraphs(new_page) if new_page else []
    before, after = twin(change.before, old_paragraphs), twin(change.after, new_paragraphs)
    if (change.before and before is None) or (change.after and after is None):
        return None
    if before and after and same_words(before.text, after.text):
        return None
    # an added paragraph's place holds one the translation had already (it was not added there), or a removed
    # one's text is still there: the translation was not updated
    if before is None and after is not None and any(same_words(p.text, after.text) for p in old_paragraphs):
        return None
    if after is None and before is not None and any(same_words(p.text, before.text) for p in new_paragraphs):
        return None
    return ProseChange(change.page_id, after.heading if after else before.heading if before else "", before, after,
                       word_segments(before.text, after.text) if before and after else ())


def data_changes(hb: Handbook, r: Rendering) -> list[DataChange]:
    """Each part's own changes, in the order of the parts; none without a previous edition."""
    if hb.previous is None:
        return []
    return [change for part in PARTS if part.changes is not None and (hb.has(part.name) or hb.previous.has(part.name))
            for change in part.changes(hb.previous, hb, r)]


# ---------------------------------------------------------------- the changes page


@dataclass(frozen=True)
class ShownChange:
    """A prose change as a page in one language shows it: in that language where the translation was updated,
    else in the governing language (`behind`)."""

    change: ProseChange
    lang: str
    behind: bool


@dataclass(frozen=True)
class PageChanges:
    page_id: str
    title: str
    link: bool  # the page is in this edition
    sections: list[tuple[str, list[ShownChange]]]  # (heading in the page's language, its changes)


def _section_heading(hb: Handbook, lang: str, change: ProseChange) -> str:
    """The heading of the section a change stands in, in `lang` (the twin heading; the change's own otherwise)."""
    side, edition = (change.after, hb) if change.after else (change.before, hb.previous)
    if side is None or side.section == 0 or edition is None:
        return ""
    page = edition.pages.get(lang, {}).get(change.page_id)
    heading = twin(Paragraph("", 0, side.section, 0, ""), paragraphs(page)) if page else None
    return heading.text if heading else side.heading


def shown_by_data(change: ProseChange, data: list[DataChange]) -> bool:
    """Whether a changed paragraph differs from its previous text only in sentences the data quotes and whose data
    change is listed (a deadline's count in its sentence): then that data change says it, with its place."""
    if change.before is None or change.after is None:
        return False
    before, after = reading_text(change.before.text), reading_text(change.after.text)
    for quoted in {c.quoted for c in data if c.quoted}:
        old, new = (reading_text(q) for q in quoted)
        if old and old != new and old in before and new in after:
            before = before.replace(old, new)
    return before == after


def prose_by_page(hb: Handbook, lang: str, data: list[DataChange] | None = None) -> list[PageChanges]:
    """The governing language's prose changes, grouped by page and section, as `lang`'s page shows them; a paragraph
    whose change `data` already lists (`shown_by_data`) is left out."""
    governing = hb.languages[0]
    pages: dict[str, PageChanges] = {}
    for change in prose_changes(hb):
        if data and shown_by_data(change, data):
            continue
        shown = ShownChange(change, governing, False)
        if lang != governing:
            translated = translated_prose(hb, change, lang)
            shown = ShownChange(translated, lang, False) if translated else ShownChange(change, governing, True)
        page = hb.pages.get(lang, {}).get(change.page_id) or (hb.previous.pages.get(lang, {}).get(change.page_id)
                                                               if hb.previous else None)
        group = pages.setdefault(change.page_id, PageChanges(change.page_id, page.title if page else change.page_id,
                                                             change.page_id in hb.pages.get(lang, {}), []))
        heading = _section_heading(hb, lang, change)
        if not group.sections or group.sections[-1][0] != heading:
            group.sections.append((heading, []))
        group.sections[-1][1].append(shown)
    return list(pages.values())


# ---------------------------------------------------------------- stale translations


def _stable_key(data: object, loc: tuple) -> tuple:
    """A field's key path with list positions replaced by the items' ids where they have one, so that a field
    keeps its key when items are added before it."""
    key: list[object] = []
    node = data
    for part in loc:
        child = node[part] if isinstance(node, (dict, list)) else None  # type: ignore[index]
        if isinstance(part, int) and isinstance(child, dict) and "id" in child:
            key.append(("id", str(child["id"])))
        elif isinstance(part, int) and isinstance(child, dict) and "tier" in child:
            key.append(("tier", str(child["tier"])))
        else:
            key.append(part)
        node = child
    return tuple(key)


def _excerpts(before: str, after: str, words: int = 24) -> tuple[str, str]:
    """The two texts quoted around where they start to differ, so a long paragraph's message shows the change."""
    old, new = before.split(), after.split()
    first = next((k for k, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    start = max(0, first - 6)

    def quote(text: list[str]) -> str:
        part = " ".join(text[start:start + words])
        return "“" + ("…" if start else "") + part + ("…" if start + words < len(text) else "") + "”"

    return quote(old), quote(new)


def stale_translations(hb: Handbook) -> list[Finding]:
    """Each translated paragraph or field whose governing-language twin changed since the previous edition while
    it did not: where it is, and the governing text before and after."""
    previous = hb.previous
    if previous is None or len(hb.languages) < 2:
        return []
    governing = hb.languages[0]
    found: list[Finding] = []
    for lang in hb.languages[1:]:
        for change in prose_changes(hb):
            if change.before is None or change.after is None:
                continue
            page = hb.pages.get(lang, {}).get(change.page_id)
            old_page = previous.pages.get(lang, {}).get(change.page_id)
            if page is None or old_page is None:
                continue
            now = twin(change.after, paragraphs(page))
            then = twin(change.before, paragraphs(old_page))
            if now is not None and then is not None and same_words(now.text, then.text):
                then_text, now_text = _excerpts(change.before.text, change.after.text)
                found.append(Finding(STALE.id, f"{page.rel}:{now.line}: this paragraph was not updated when its "
                                     f"'{governing}' twin changed from {then_text} to {now_text}.",
                                     (f"{page.rel}:{now.line}",)))
    for file, doc in hb.docs.items():
        old_doc = previous.docs.get(file)
        if old_doc is None:
            continue
        old_fields = {_stable_key(old_doc.data, loc): text for loc, text in text_fields(old_doc.data)}
        for loc, text in text_fields(doc.data):
            before = old_fields.get(_stable_key(doc.data, loc))
            if before is None or not all(isinstance(t.get(governing), str) for t in (before, text)):
                continue  # new, or not a text (a list of column headers per language)
            if same_words(before[governing], text[governing]):
                continue
            for lang in hb.languages[1:]:
                if isinstance(text.get(lang), str) and isinstance(before.get(lang), str) \
                        and same_words(before[lang], text[lang]):
                    where = f"{doc.rel}:{doc.line_of(loc + (lang,))}"
                    then_text, now_text = _excerpts(before[governing], text[governing])
                    found.append(Finding(STALE.id, f"{where} ({key_path(loc + (lang,))}): not updated when the "
                                         f"'{governing}' text changed from {then_text} to {now_text}.", (where,)))
    return found
