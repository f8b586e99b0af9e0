"""One English name, one translated name: the same reader-facing English text rendered two ways.

A parent who follows a matrix row to its definition, or a response code to Section VII, must meet the same
name on both ends. This compares every short text field of handbook/data (a behavior, a response, an office, a
title, a label) and every page heading with its twin, and reports each English text that has two or more
translations, naming every place. The glossary can allow a second rendering by giving the term a `why:`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator

from ..source.findings import Finding
from ..source.handbook import Handbook
from ..source.headings import headings_of
from ..source.reading import text_fields

# A name or label, not a sentence: longer texts are paragraphs, whose wording may rightly vary with the sentence.
MAX_WORDS = 12
CODE_RE = re.compile(r"\((?:[A-Z][A-Za-z]?[A-Z0-9]{1,4}(?: \d)?(?: (?:OR|O) [A-Z]{2,5})?)\)")  # "(LTH)", "(MED OR RCA)"
ANCHOR_RE = re.compile(r"\{\s*#[^}]*\}")
MARKUP_RE = re.compile(r"[*_`]|<[^>]+>")


@dataclass(frozen=True)
class Rendering:
    english: str  # as written, for the message
    translated: str
    place: str  # file:line
    whole: bool = True  # the whole field or heading (or a coded name of a legend), not one part of a slashed list


def normalise(text: str) -> str:
    """The name itself: no code in brackets, no markup, no case, one space, no closing punctuation."""
    text = MARKUP_RE.sub("", ANCHOR_RE.sub("", text))
    text = CODE_RE.sub("", text)
    text = re.sub(r"\s+", " ", text).strip(" :.;,").casefold()
    return text


def _is_name(text: str) -> bool:
    return "\n" not in text.strip() and 0 < len(text.split()) <= MAX_WORDS and bool(re.search(r"[^\W\d_]", text))


QUOTED_RE = re.compile(r"[\"“”«»]([^\"“”«»]+)[\"“”«»]")


def _pairs(english: str, translated: str) -> Iterator[tuple[str, str, bool]]:
    """(English, translation, is_whole): the whole text; each quoted name when both quote as many; and, for names
    joined by slashes with as many parts on both sides, each part (is_whole False: a part is trusted only where
    it is also a name of its own somewhere, or in a legend of coded names, since a translation may reorder parts)."""
    if _is_name(english) and _is_name(translated):
        yield english, translated, True
    quoted_en, quoted_tr = QUOTED_RE.findall(english), QUOTED_RE.findall(translated)
    if len(quoted_en) == len(quoted_tr) and english.strip() not in quoted_en:
        for a, b in zip(quoted_en, quoted_tr):
            yield from _pairs(a, b)
    ours, theirs = re.split(r"\s*/\s*", english), re.split(r"\s*/\s*", translated)
    if 1 < len(ours) == len(theirs):
        legend = all(CODE_RE.search(part) for part in ours)
        for a, b in zip(ours, theirs):
            if _is_name(a) and _is_name(b) and (legend or len(normalise(a).split()) > 1):  # "…Items/Behavior": one word is an ending
                yield a, b, legend


def collect(hb: Handbook, lang: str) -> list[Rendering]:
    """Every (English name, translated name, place) of the data files and the page headings."""
    approved = hb.languages[0]
    found: list[Rendering] = []
    for file, doc in sorted(hb.docs.items()):
        if file == "glossary.yml":
            continue
        for loc, text in text_fields(doc.data):
            english, translated = text.get(approved), text.get(lang)
            if isinstance(english, list) and isinstance(translated, list) and len(english) == len(translated):
                items = [(loc + (i,), e, t) for i, (e, t) in enumerate(zip(english, translated))]
            else:
                items = [(loc, english, translated)]
            for item_loc, e, t in items:
                if not (isinstance(e, str) and isinstance(t, str)):
                    continue
                place = f"{doc.rel}:{doc.line_of(item_loc + (lang,)) or doc.line_of(loc)}"
                found.extend(Rendering(a, b, place, w) for a, b, w in _pairs(e, t))
    for page_id, original in sorted(hb.pages[approved].items()):
        page = hb.pages.get(lang, {}).get(page_id)
        if page is None:
            continue
        theirs, ours = headings_of(original.body), headings_of(page.body)
        if [h.level for h in theirs] != [h.level for h in ours]:
            continue  # the parity check reports it; pairing headings would be guesswork
        for h_en, h_tr in zip(theirs, ours):
            place = f"{page.rel}:{page.body_line + h_tr.line}"
            found.extend(Rendering(a, b, place, w) for a, b, w in _pairs(h_en.text, h_tr.text))
    names = {normalise(r.english) for r in found if r.whole}
    return [r for r in found if r.whole or normalise(r.english) in names]


def allowed(hb: Handbook) -> set[str]:
    """English texts the glossary allows more than one rendering for (the entry says why)."""
    if not hb.glossary:
        return set()
    approved = hb.languages[0]
    return {normalise(t[approved]) for t in hb.glossary.terms if t.get("why") and approved in t}


def two_way_renderings(hb: Handbook) -> list[Finding]:
    """A warning for each English name that has two or more translations in one language, with every place."""
    findings: list[Finding] = []
    exempt = allowed(hb)
    for lang in hb.languages[1:]:
        by_name: dict[str, dict[str, list[Rendering]]] = defaultdict(lambda: defaultdict(list))
        for r in collect(hb, lang):
            key = normalise(r.english)
            if key:
                by_name[key][normalise(r.translated)].append(r)
        for key, variants in sorted(by_name.items()):
            if len(variants) < 2 or key in exempt:
                continue
            parts, places = [], []
            for renderings in sorted(variants.values(), key=len, reverse=True):
                where = sorted(dict.fromkeys(r.place for r in renderings))
                parts.append(f"“{renderings[0].translated}” ({', '.join(where[:4])}{' …' if len(where) > 4 else ''})")
                places.extend(where)
            english = next(iter(variants.values()))[0].english
            findings.append(Finding("renderings", f"“{english}” has {len(variants)} renderings ({lang}): " + "; ".join(parts),
                                    tuple(places)))
    return findings
