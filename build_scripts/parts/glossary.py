"""The glossary (glossary.yml): key terms and their translation; the report lists places rendered otherwise.

An entry is `{en: ..., es: ...}`; optional keys: `why` (a second rendering is allowed, and why),
`also_<lang>` (other accepted forms of the translation, separated by `;`, such as the verb of a noun: "apelar" for
"appeal"), and `kind: term` (a plain term, such as "working days": the one-name check of the core, which reads every
text and every catalogue, reports it, so this part leaves it out).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.i18n import without_accents
from ..source.reading import text_fields
from ..source.schema import Strict
from .base import DataFile, Part

FILE = "glossary.yml"
PLAIN_TERM = "term"  # the `kind:` of a plain term


LANGUAGE_KEY = re.compile(r"[a-z]{2}")
OTHER_KEYS = re.compile(r"why|kind|also_[a-z]{2}")


def _known_keys(term: dict[str, str]) -> dict[str, str]:
    """An entry has language codes and the keys above, and only the one kind."""
    unknown = [k for k in term if not (LANGUAGE_KEY.fullmatch(k) or OTHER_KEYS.fullmatch(k))]
    if unknown:
        raise ValueError(f"unknown key '{unknown[0]}' (a language code, why, kind or also_<language>)")
    if "kind" in term and term["kind"] != PLAIN_TERM:
        raise ValueError(f"kind is '{term['kind']}'; the only kind is '{PLAIN_TERM}' (a plain term)")
    return term


class Glossary(Strict):
    # one entry per term: language code -> the term in that language (and the keys above)
    terms: list[Annotated[dict[str, str], AfterValidator(_known_keys)]]


# Page markers (`<!-- insert: attendance-tiers -->`) and heading anchors are not reader text.
MARKER_RE = re.compile(r"<!--.*?-->|\{\s*#[^}]*\}", re.S)
# A translation may coordinate a second qualifier inside the term: "suspensión a corto o a largo plazo".
COORDINATED = r"(?:\W+(?:\w+\W+){1,2}(?:o|u|y|e|ni))?"


def fold(text: str) -> str:
    """Reader text for matching: no page markers, no case, no accents."""
    return without_accents(MARKER_RE.sub(" ", text))


def source_pattern(term: str) -> re.Pattern[str]:
    """A term of the approved text as whole words; the last word may take a plural ('School Board' is not in
    'Springfield Schools Board'); a name of several words also as a matrix writes it, qualifier last: 'sexual
    harassment' as 'Harassment (Sexual)'."""
    words = [re.escape(w) for w in fold(term).split()]
    if not words:
        return re.compile(r"(?!x)x")
    plural = r"(?:s|es|'s)?"
    forms = [r"\W+".join(words) + plural]
    if len(words) > 1:
        forms.append(words[-1] + plural + r"\s*\(" + r"\W+".join(words[:-1]) + r"\)")
    return re.compile(r"(?<![\w-])(?:" + "|".join(forms) + r")(?![\w-])")


def target_pattern(forms: list[str]) -> re.Pattern[str]:
    """A translation, loosely: any ending on each word (gender, plural), any of its accepted forms."""
    alternatives = []
    for form in forms:
        parts = [re.escape(w[: max(3, len(w) - 2)]) + r"\w*" if len(w) > 3 else re.escape(w) for w in fold(form).split()]
        if parts:
            alternatives.append((COORDINATED + r"\W+").join(parts))
    return re.compile(r"\b(?:" + "|".join(alternatives or [r"(?!x)x"]) + r")\b")


def accepted_forms(term: dict[str, Any], lang: str) -> list[str]:
    """The entry's translation and the other forms it accepts (`also_<lang>`)."""
    also = str(term.get(f"also_{lang}") or "")
    return [term[lang], *(form.strip() for form in also.split(";") if form.strip())]


class TermMatcher:
    """Counts a glossary term in texts: as whole words, not inside a longer glossary term ('harassment' inside
    'sexual harassment', 'bullying' inside 'cyber bullying'), and its translation in the other language."""

    def __init__(self, terms: list[dict[str, Any]], approved: str):
        self._source = {t[approved]: source_pattern(t[approved]) for t in terms if approved in t}
        folded = {english: fold(english).split() for english in self._source}
        self._longer = {english: [self._source[other] for other, words in folded.items()
                                  if len(words) > len(mine) and re.search(r"(?<!\w)" + re.escape(" ".join(mine)) + r"(?!\w)",
                                                                          " ".join(words))]
                        for english, mine in folded.items()}

    def count_source(self, english: str, text: str) -> int:
        """How often the term appears in a text of the approved language, on its own."""
        folded = fold(text)
        covered = [m.span() for pattern in self._longer[english] for m in pattern.finditer(folded)]
        return sum(1 for m in self._source[english].finditer(folded)
                   if not any(start <= m.start() and m.end() <= end for start, end in covered))

    @staticmethod
    def count_target(term: dict[str, Any], lang: str, text: str) -> int:
        return len(target_pattern(accepted_forms(term, lang)).findall(fold(text)))


def data_texts(hb: Handbook, lang: str) -> list[tuple[str, str, str]]:
    """(approved text, its `lang` twin, place of the twin) for every text field of the data files but the glossary."""
    approved = hb.languages[0]
    texts = []
    for file, doc in sorted(hb.docs.items()):
        if file == FILE:
            continue
        for loc, text in text_fields(doc.data):
            english, translated = text.get(approved), text.get(lang)
            if isinstance(english, str) and isinstance(translated, str):
                texts.append((english, translated, f"{doc.rel}:{doc.line_of(loc + (lang,)) or doc.line_of(loc)}"))
    return texts


def findings(hb: Handbook) -> list[Finding]:
    """Places where a glossary term of the approved text is not rendered by its glossary translation."""
    approved = hb.languages[0]
    terms = [t for t in hb.glossary.terms if approved in t]
    matcher = TermMatcher(terms, approved)
    findings = []
    for lang in hb.languages[1:]:
        pages = [(original.body, hb.pages[lang][page_id].body, original.rel)
                 for page_id, original in sorted(hb.pages[approved].items()) if page_id in hb.pages.get(lang, {})]
        texts = pages + data_texts(hb, lang)
        for term in terms:
            if term.get("kind") == PLAIN_TERM or lang not in term:
                continue
            places = [place for english, translated, place in texts
                      if matcher.count_source(term[approved], english) and not matcher.count_target(term, lang, translated)]
            if places:
                findings.append(Finding("glossary", f"“{term[approved]}” is not rendered as “{term[lang]}” ({lang}) in {len(places)} place(s): "
                                        + ", ".join(places[:6]) + (" …" if len(places) > 6 else ""), tuple(places)))
    return findings


PART = Part(name="glossary", files=(DataFile(FILE, Glossary),), findings=findings,
            topics=(Topic("glossary", "Glossary terms translated another way", 90),))
