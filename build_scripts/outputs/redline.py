"""The Board's redline: `python -m build_scripts redline --out FILE.pdf`. The whole text of this edition in the
governing language with every insertion and deletion since the previous edition marked (in words too, not only by
strike-through and underline), then the data changes as a table; a tagged PDF/UA like the handbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.editions import Paragraph, aligned, data_changes, paragraphs, reading_order, word_segments
from ..core.render import Renderer
from ..source.handbook import Handbook
from ..source.reading import Problem, SourceError
from .print_html import print_templates


@dataclass(frozen=True)
class Block:
    """One paragraph of the redline: unchanged (`segments` one "same" run), changed, added or removed."""

    kind: str  # "same" | "changed" | "added" | "removed"
    heading: bool
    segments: tuple


def _block(before: Paragraph | None, after: Paragraph | None) -> Block:
    shown = after or before
    assert shown is not None
    heading = shown.index == 0 and shown.section > 0
    if before is None or after is None:
        kind = "added" if before is None else "removed"
        return Block(kind, heading, word_segments("", shown.text) if kind == "added" else word_segments(shown.text, ""))
    if before.text == after.text:
        return Block("same", heading, word_segments(after.text, after.text))
    return Block("changed", heading, word_segments(before.text, after.text))


def redline_pages(hb: Handbook) -> list[tuple[str, list[Block]]]:
    """(page title, its paragraphs marked) for every page of either edition, in reading order."""
    previous = hb.previous
    assert previous is not None
    lang = hb.languages[0]
    old_pages, new_pages = previous.pages.get(lang, {}), hb.pages[lang]
    ids = reading_order(hb, lang) + [pid for pid in reading_order(previous, lang) if pid not in new_pages]
    out = []
    for page_id in ids:
        page = new_pages.get(page_id) or old_pages[page_id]
        old = paragraphs(old_pages[page_id]) if page_id in old_pages else []
        new = paragraphs(new_pages[page_id]) if page_id in new_pages else []
        out.append((page.title, [_block(a, b) for a, b in aligned(old, new)]))
    return out


def redline_html(hb: Handbook) -> str:
    """The redline as one HTML document for WeasyPrint (site_templates/print/redline.html.j2)."""
    if hb.previous is None:
        raise SourceError([Problem(hb.docs["edition.yml"].rel, "no previous_edition: the redline compares this "
                                   "edition with the previous one; add `previous_edition: <its folder>`")])
    r = Renderer(hb, hb.languages[0])
    return print_templates().get_template("redline.html.j2").render(
        lang=r.lang, t=r.t, title=r.t("changes_redline_title", title=r.tx(hb.edition.title)),
        district=r.tx(hb.edition.district), years=hb.edition.school_years or "",
        pages=redline_pages(hb), data=data_changes(hb, r))


def build_redline(hb: Handbook, out_path: Path) -> Path:
    from .pdf import check_fonts, write_tagged_pdf

    check_fonts()
    return write_tagged_pdf(redline_html(hb), out_path, {}, hb.languages[0])
