"""A result laid out for a page, in the result's language: the handbook's words first, then the plain reading,
then definitions, meanings and notes, each with a link target ({page, anchor}) into the handbook.

Shape (what site_templates/assets/calculators.js draws, as text only):
    {title, read_as: [str], quote_label, quote, paragraphs: [str],
     sections: [{heading, items: [str | {text, link, link_text}]}]}
`read_as` says how each number typed was read ("Value in dollars: read as 999.99 dollars."), shown under the title.
"""

from __future__ import annotations

import re
from typing import Any

from .absentee import AbsenteeResult
from .consequence import ConsequenceResult
from .results import Quote
from .words import word

View = dict[str, Any]


def _plain_text(markdown: str) -> str:
    """Markdown emphasis and escapes out (the page shows text, never HTML)."""
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", markdown)
    text = re.sub(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])", r"\1", text)
    return text.replace("\\$", "$").strip()


def _first_paragraph(markdown: str | None) -> str:
    return _plain_text(re.split(r"\n\s*\n", markdown.strip())[0]) if markdown else ""


def _linked(text: str, page: str | None, anchor: str | None, link_text: str | None) -> dict[str, Any] | str:
    if not page:
        return text
    return {"text": text, "link": {"page": page, "anchor": anchor}, "link_text": link_text or page}


def _quote_item(quote: Quote, lead: str = "") -> dict[str, Any] | str:
    text = f"{lead} “{_plain_text(quote.text)}”".strip()
    return _linked(text, quote.page, quote.anchor, quote.page_title)


def consequence_view(r: ConsequenceResult) -> View:
    lang = r.lang
    paragraphs = [note.text for note in r.notes if note.kind in ("status", "value")]
    paragraphs.append(f"{word(lang, 'label_plain')}: {r.plain_language}")
    sections: list[dict[str, Any]] = []
    if r.definitions:
        sections.append({"heading": word(lang, "label_definitions"),
                         "items": [_linked(_first_paragraph(d.body), d.page, d.anchor, d.title) for d in r.definitions]})
    if r.meanings:
        sections.append({"heading": word(lang, "label_meanings"), "items": [
            _linked(f"{m.code} ({m.name}):", m.page, m.anchor, m.title) if m.page else f"{m.code}: {m.name}"
            for m in r.meanings]})
    for note in r.notes:
        if note.kind in ("status", "value"):
            continue
        items: list[Any] = [note.text]
        items += [_quote_item(step.quote, f"{step.text}:") if step.quote else step.text for step in note.steps]
        items += [_quote_item(q) for q in note.quotes]
        sections.append({"heading": note.title, "items": items})
    return {
        "title": word(lang, "view_title_consequence", behavior=r.behavior, offense=r.offense_label,
                      matrix=r.matrix_title, level=r.level_title),
        "read_as": [reading.text for reading in r.read_as],
        "quote_label": word(lang, "view_quote_label", column=r.printed_offense_header),
        "quote": r.handbook_text,
        "paragraphs": paragraphs,
        "sections": sections,
    }


def absentee_view(t: AbsenteeResult) -> View:
    lang = t.lang
    paragraphs = [t.summary, t.rule_text, t.chronic_text, t.absences_counted_text]
    if t.next_tier:
        paragraphs.append(t.next_tier.text)
    sections: list[dict[str, Any]] = []
    if t.referral:
        sections.append({"heading": t.referral.title, "items": list(t.referral.items)})
    if t.page:
        sections.append({"heading": word(lang, "label_in_handbook"),
                         "items": [_linked(t.heading, t.page, None, t.page_title)]})
    return {
        "title": word(lang, "view_title_absentee", tier=t.heading, need=t.need, rate=t.rate_text),
        "read_as": [reading.text for reading in t.read_as],
        "quote_label": word(lang, "view_quote_label", column=t.printed_range),
        "quote": t.handbook_text,
        "paragraphs": paragraphs,
        "sections": sections,
    }
