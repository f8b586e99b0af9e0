"""A language's pages as the site will show them: inserts expanded, anchors shared with the approved language."""

from __future__ import annotations

from pathlib import Path

from ..source.handbook import Handbook
from ..source.headings import borrow_anchors
from .render import Renderer


def render_language(hb: Handbook, lang: str, pdf_files: dict[str, Path] | None = None,
                    acknowledgement_endpoint: str | None = None,
                    renderer: type[Renderer] = Renderer) -> dict[str, str]:
    """page id -> Markdown with every insert expanded; a translation's headings take the approved pages' anchors.

    `renderer`: the site's Renderer, or a subclass that expands inserts otherwise (print_html.PrintRenderer)."""
    expand = renderer(hb, lang, acknowledgement_endpoint=acknowledgement_endpoint, pdf_files=pdf_files)
    pages = {pid: expand.render_page(page) for pid, page in hb.pages[lang].items()}
    approved = hb.languages[0]
    if lang == approved:
        return pages
    originals = render_language(hb, approved, pdf_files, acknowledgement_endpoint, renderer)
    return {pid: borrow_anchors(md, originals[pid]) if pid in originals else md for pid, md in pages.items()}
