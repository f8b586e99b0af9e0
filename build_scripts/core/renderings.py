"""One English name, one translated name: the same reader-facing English text rendered two ways.

A parent who follows a matrix row to its definition, or a response code to Section VII, or who quotes the form's
receipt to the staff who look it up, must meet the same name on both ends. This compares every short text field
of handbook/data (a behavior, a part of a slashed matrix row, a response, an office, a title, a label), every page
heading and every entry of the generator's catalogues (the site's, the form's, the print edition's, the
calculators' and the receiver's words, where this handbook's pages hold the form or a calculator) with its twin, and reports each
English text that has two or more translations, naming every place. Plain terms of the glossary (`kind: term`,
such as "working days") are found inside every text too, sentences included. The glossary can allow a second
rendering by giving the term a `why:`.
"""

from __future__ import annotations

import importlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..parts.calculators import INSERT as CALCULATOR_INSERT
from ..parts.glossary import PLAIN_TERM, TermMatcher, data_texts
from ..source.findings import Finding
from ..source.handbook import Handbook
from ..source.headings import headings_of
from ..source.i18n import project_rel
from ..source.inserts import page_holding
from ..source.paths import PRINT_DIR, PROJECT, SITE_TEMPLATES
from ..source.reading import SourceError, read_yaml_file, text_fields

# A name or label, not a sentence: longer texts are paragraphs, whose wording may rightly vary with the sentence.
MAX_WORDS = 12
CODE_RE = re.compile(r"\((?:[A-Z][A-Za-z]?[A-Z0-9]{1,4}(?: \d)?(?: (?:OR|O) [A-Z]{2,5})?)\)")  # "(LTH)", "(MED OR RCA)"
ANCHOR_RE = re.compile(r"\{\s*#[^}]*\}")
MARKUP_RE = re.compile(r"[*_`]|<[^>]+>")
# A matrix writes a name qualifier last: "Harassment (Sexual)" is the "Sexual Harassment" of the code table.
QUALIFIER_LAST_RE = re.compile(r"^(.*\S)\s*\(([^()\s/]+)\)$")
OTHER_WORDING = "another wording"  # what a plain term's translation is called where the glossary's is missing

# The generator's own catalogues, `<lang>.yml` each, and the insert whose readers see them (None: every handbook):
# the form's words and the receiver's (the staff who look up the receipt the family quotes) go with the form.
FORM_INSERT = "acknowledgement-form"
YAML_CATALOGUES = ((SITE_TEMPLATES / "i18n", None), (PRINT_DIR / "strings", None),
                   (SITE_TEMPLATES / "i18n" / "form", FORM_INSERT), (PROJECT / "receiver" / "strings", FORM_INSERT))
# The calculators' words are Python mappings (language -> key -> text), read where a page holds a calculator.
PYTHON_CATALOGUES = (("calculators/words.py", "calculators.words"), ("calculators/deadline_words.py", "calculators.deadline_words"))


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


# A leading definite article is grammar, not a second name: "El distrito" (who acts) is the "Distrito" of a label.
ARTICLES = {"es": ("el", "la", "los", "las"), "fr": ("le", "la", "les"), "pt": ("o", "a", "os", "as")}


def translated_key(text: str, lang: str) -> str:
    """A translated name as compared: normalised, without a leading definite article."""
    key = normalise(text)
    first, _, rest = key.partition(" ")
    return rest if rest and first in ARTICLES.get(lang, ()) else key


def english_key(text: str) -> str:
    """An English name as compared: normalised, a one-word qualifier in brackets put first, as English writes it
    ("Harassment (Sexual)" is "sexual harassment"); only on the English side, since Spanish puts it last anyway."""
    key = normalise(text)
    inverted = QUALIFIER_LAST_RE.match(key)
    return f"{inverted.group(2)} {inverted.group(1)}" if inverted else key


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
            if a != b:  # quoted the same in both languages: a literal (a field of a request), not a name
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
    for english, translated, place in catalogue_texts(hb, lang):
        found.extend(Rendering(a, b, place, w) for a, b, w in _pairs(english, translated))
    names = {english_key(r.english) for r in found if r.whole}
    return [r for r in found if r.whole or english_key(r.english) in names]


def _yaml_catalogue(folder: Path, lang: str) -> dict[str, tuple[str, str]]:
    """key -> (text, place) of one YAML catalogue; a missing or broken one gives nothing (the source check says so)."""
    path = folder / f"{lang}.yml"
    if not path.exists():
        return {}
    rel = project_rel(path)
    try:
        doc = read_yaml_file(path, rel)
    except SourceError:
        return {}
    data = doc.data if isinstance(doc.data, dict) else {}
    return {key: (text, f"{rel}:{doc.line_of((key,))}") for key, text in data.items() if isinstance(text, str)}


def _python_catalogue(rel: str, module: str, lang: str) -> dict[str, tuple[str, str]]:
    """key -> (text, place) of one language of the calculators' words."""
    words = importlib.import_module(module).WORDS.get(lang, {})
    lines = (PROJECT / rel).read_text(encoding="utf-8").split("\n")
    start = next((n for n, line in enumerate(lines) if line.strip() == f'"{lang}": {{'), 0)
    line_of = {}
    for n, line in enumerate(lines[start:], start + 1):
        for key in re.findall(r'"(\w+)":', line):
            line_of.setdefault(key, n)
    return {key: (text, f"{rel}:{line_of.get(key, start + 1)}") for key, text in words.items() if isinstance(text, str)}


def catalogue_texts(hb: Handbook, lang: str) -> list[tuple[str, str, str]]:
    """(English, translated, place of the translation) for every key of the catalogues of the inserts this handbook
    has, in both languages."""
    approved = hb.languages[0]
    catalogues: list[tuple[dict, dict]] = [
        (_yaml_catalogue(folder, approved), _yaml_catalogue(folder, lang))
        for folder, insert in YAML_CATALOGUES if insert is None or page_holding(hb, insert)]
    if page_holding(hb, CALCULATOR_INSERT):
        catalogues += [(_python_catalogue(rel, module, approved), _python_catalogue(rel, module, lang))
                       for rel, module in PYTHON_CATALOGUES]
    found: list[tuple[str, str, str]] = []
    for english, translated in catalogues:
        found += [(text, *translated[key]) for key, (text, _) in english.items() if key in translated]
    return found


def _page_blocks(hb: Handbook, lang: str) -> Iterator[tuple[str, str, str]]:
    """(English, translated, place) per line of each page where both have as many lines, else per paragraph where
    both have as many paragraphs, else the whole page."""
    approved = hb.languages[0]
    for page_id, original in sorted(hb.pages[approved].items()):
        page = hb.pages.get(lang, {}).get(page_id)
        if page is None:
            continue
        for separator in ("\n", "\n\n"):
            ours, theirs = original.body.split(separator), page.body.split(separator)
            if len(ours) == len(theirs):
                line = page.body_line
                for a, b in zip(ours, theirs):
                    yield a, b, f"{page.rel}:{line}"
                    line += b.count("\n") + separator.count("\n")
                break
        else:
            yield original.body, page.body, page.rel


def plain_term_renderings(hb: Handbook, lang: str) -> list[Rendering]:
    """For each plain term of the glossary, each text (data field, page paragraph, catalogue entry) that has it
    in English: rendered as the glossary says, or, if the translation has it fewer times, in another wording."""
    approved = hb.languages[0]
    terms = [t for t in (hb.glossary.terms if hb.glossary else []) if t.get("kind") == PLAIN_TERM and approved in t and lang in t]
    if not terms:
        return []
    texts = [*data_texts(hb, lang), *_page_blocks(hb, lang), *catalogue_texts(hb, lang)]
    matcher = TermMatcher(hb.glossary.terms, approved)
    found = []
    for term in terms:
        for english, translated, place in texts:
            times = matcher.count_source(term[approved], english)
            if times:
                rendered = matcher.count_target(term, lang, translated) >= times
                found.append(Rendering(term[approved], term[lang] if rendered else OTHER_WORDING, place))
    return found


def allowed(hb: Handbook) -> set[str]:
    """English texts the glossary allows more than one rendering for (the entry says why)."""
    if not hb.glossary:
        return set()
    approved = hb.languages[0]
    return {english_key(t[approved]) for t in hb.glossary.terms if t.get("why") and approved in t}


def two_way_renderings(hb: Handbook) -> list[Finding]:
    """A warning for each English name that has two or more translations in one language, with every place."""
    findings: list[Finding] = []
    exempt = allowed(hb)
    for lang in hb.languages[1:]:
        by_name: dict[str, dict[str, list[Rendering]]] = defaultdict(lambda: defaultdict(list))
        for r in collect(hb, lang) + plain_term_renderings(hb, lang):
            key = english_key(r.english)
            if key:
                by_name[key][translated_key(r.translated, lang)].append(r)
        for key, variants in sorted(by_name.items()):
            if len(variants) < 2 or key in exempt:
                continue
            parts, places = [], []
            for renderings in sorted(variants.values(), key=len, reverse=True):
                where = sorted(dict.fromkeys(r.place for r in renderings))
                label = renderings[0].translated
                shown = label if label == OTHER_WORDING else f"“{label}”"
                parts.append(f"{shown} ({', '.join(where[:4])}{' …' if len(where) > 4 else ''})")
                places.extend(where)
            english = next(iter(variants.values()))[0].english
            findings.append(Finding("renderings", f"“{english}” has {len(variants)} renderings ({lang}): " + "; ".join(parts),
                                    tuple(places)))
    return findings
