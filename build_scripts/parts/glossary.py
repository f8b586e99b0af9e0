"""The glossary (glossary.yml): key terms and their translation; the report lists places rendered otherwise."""

from __future__ import annotations

import re
import unicodedata

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.reading import text_fields
from ..source.schema import Strict
from .base import DataFile, Part

FILE = "glossary.yml"


class Glossary(Strict):
    terms: list[dict[str, str]]  # one entry per term: language code -> the term in that language


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _term_pattern(term: str, loose: bool) -> re.Pattern[str]:
    """A glossary term: the exact words (plural allowed), or, loose, any ending on each word (gender, plural)."""
    if loose:
        parts = [re.escape(w[: max(3, len(w) - 2)]) + r"\w*" if len(w) > 3 else re.escape(w) for w in _fold(term).split()]
    else:
        parts = [re.escape(w) + r"(?:s|es|'s)?" for w in _fold(term).split()]
    return re.compile(r"\b" + r"\W+".join(parts) + r"\b")


def findings(hb: Handbook) -> list[Finding]:
    """Places where a glossary term of the approved text is not rendered by its glossary translation."""
    approved = hb.languages[0]
    pairs: list[tuple[str, dict[str, str]]] = []
    for page_id, page in hb.pages[approved].items():
        texts = {lang: hb.pages[lang][page_id].body for lang in hb.languages if page_id in hb.pages.get(lang, {})}
        pairs.append((page.rel, texts))
    for file, doc in hb.docs.items():
        for loc, text in text_fields(doc.data):
            if approved in text and all(isinstance(v, str) for v in text.values()) and file != FILE:
                pairs.append((f"{doc.rel}:{doc.line_of(loc)}", text))
    findings = []
    for term in hb.glossary.terms:
        source = _term_pattern(term[approved], loose=False)
        for lang in hb.languages[1:]:
            if lang not in term:
                continue
            target = _term_pattern(term[lang], loose=True)
            places = [place for place, texts in pairs
                      if lang in texts and source.search(_fold(texts[approved])) and not target.search(_fold(texts[lang]))]
            if places:
                findings.append(Finding("glossary", f"“{term[approved]}” is not rendered as “{term[lang]}” ({lang}) in {len(places)} place(s): "
                                        + ", ".join(places[:6]) + (" …" if len(places) > 6 else ""), tuple(places)))
    return findings


PART = Part(name="glossary", files=(DataFile(FILE, Glossary),), findings=findings,
            topics=(Topic("glossary", "Glossary terms translated another way", 90),))
