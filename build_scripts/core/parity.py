"""Language parity: every page and data field in every language, same structure, no untranslated paragraphs."""

from __future__ import annotations

import re
from typing import Iterator

from ..source.handbook import Handbook
from ..source.headings import Heading, headings_of
from ..source.inserts import find_inserts
from ..source.reading import Problem, key_path, text_fields
from .catalogues import missing_catalogue_keys

# Short, frequent function words: a paragraph made of the approved language's words is not translated yet.
FUNCTION_WORDS = {
    "en": {"the", "and", "of", "to", "is", "are", "be", "will", "with", "for", "that", "this", "or", "by", "any",
           "which", "shall", "may", "must", "not", "from", "have", "has", "their", "his", "her", "who", "when"},
    "es": {"el", "la", "los", "las", "y", "de", "del", "que", "en", "un", "una", "por", "para", "con", "se", "su",
           "sus", "es", "son", "será", "debe", "puede", "al", "lo", "o", "cuando", "como"},
}


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def looks_untranslated(text: str, original_lang: str, lang: str) -> bool:
    """True when a paragraph reads as the original language rather than `lang` (needs a few function words)."""
    words = _words(re.sub(r"<[^>]+>|\([^)]*\)|https?://\S+", " ", text))
    original = sum(w in FUNCTION_WORDS.get(original_lang, set()) for w in words)
    translated = sum(w in FUNCTION_WORDS.get(lang, set()) for w in words)
    return original >= 3 and original > 2 * translated


def _paragraphs(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    line = first_line
    for block in body.split("\n\n"):
        stripped = block.strip("\n")
        if stripped and not stripped.startswith("<!--"):
            yield line + (len(block) - len(block.lstrip("\n"))), stripped
        line += block.count("\n") + 2


def _heading_state(heading: Heading | None) -> str:
    return f"level {heading.level} (“{heading.text}”)" if heading else "missing"


def check_parity(hb: Handbook) -> list[Problem]:
    """Pages in one language only, twins whose headings differ, fields missing a language, untranslated paragraphs."""
    problems: list[Problem] = []
    approved, others = hb.languages[0], hb.languages[1:]
    all_ids = set().union(*(set(pages) for pages in hb.pages.values()))
    for page_id in sorted(all_ids):
        present = [lang for lang in hb.languages if page_id in hb.pages.get(lang, {})]
        for lang in hb.languages:
            if lang not in present:
                twin = hb.pages[present[0]][page_id]
                problems.append(Problem(twin.rel, f"this page has no '{lang}' twin (expected pages/{lang}/{page_id}.md)"))
    for lang in others:
        if not hb.edition.translation_notice.get(lang, "").strip():
            problems.append(hb.where("edition.yml", ("translation_notice",),
                                     f"no translation notice for '{lang}' (that the {approved} text governs)"))
        for page_id, page in hb.pages.get(lang, {}).items():
            original = hb.pages[approved].get(page_id)
            if not original:
                continue
            ours, theirs = headings_of(page.body), headings_of(original.body)
            for k in range(max(len(ours), len(theirs))):
                mine = ours[k] if k < len(ours) else None
                twin = theirs[k] if k < len(theirs) else None
                if mine is None or twin is None or mine.level != twin.level:
                    line = page.body_line + (mine.line if mine else page.body.count("\n"))
                    what = (f"heading {k + 1} is {_heading_state(twin)} in {approved} ({original.rel}), "
                            f"{_heading_state(mine)} in {lang}")
                    problems.append(Problem(page.rel, f"heading structure differs from its twin: {what}", line))
                    break
            if [(i.name, i.arg) for i in find_inserts(page)] != [(i.name, i.arg) for i in find_inserts(original)]:
                problems.append(Problem(page.rel, f"its inserts differ from those of {original.rel}", page.body_line))
            for line, paragraph in _paragraphs(page.body, page.body_line):
                if looks_untranslated(paragraph, approved, lang):
                    problems.append(Problem(page.rel, f"this paragraph is still in '{approved}': {paragraph[:60]}…", line))
    for file, doc in hb.docs.items():
        for loc, text in text_fields(doc.data):
            if approved not in text:
                continue
            for lang in others:
                value = text.get(lang)
                if value is None or (isinstance(value, str) and not value.strip()):
                    problems.append(Problem(doc.rel, f"no '{lang}' text", doc.line_of(loc), key_path(loc)))
                elif isinstance(value, str) and value != text[approved] and looks_untranslated(value, approved, lang):
                    problems.append(Problem(doc.rel, f"the '{lang}' text is still in '{approved}'", doc.line_of(loc + (lang,)), key_path(loc + (lang,))))
    return problems + missing_catalogue_keys(hb.languages)
