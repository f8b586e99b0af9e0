"""The "What changed in this edition" page of one language (site and print appendix), from core/editions.py."""

from __future__ import annotations

from ..source.handbook import Handbook
from .editions import CHANGES_PAGE, data_changes, prose_by_page
from .render import Renderer


def changes_markdown(hb: Handbook, lang: str, renderer: type[Renderer] = Renderer) -> str | None:
    """The page's Markdown, or None when the handbook names no previous edition (then nothing links to it)."""
    if hb.previous is None:
        return None
    r = renderer(hb, lang)
    data = data_changes(hb, r)
    return r.render_template("changes.md.j2", CHANGES_PAGE, prose=prose_by_page(hb, lang, data), data=data)
