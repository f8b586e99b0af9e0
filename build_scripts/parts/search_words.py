"""Everyday words (search.yml): what readers type -> the handbook's own terms, per language.

Search finds "vape" on the tobacco rule and "bullying" (Spanish) on "acoso escolar" through this list, and the
consequence picker offers the same behaviors for the same words. The district keeps the list: every term must be
found on a page of that language (or in the data its pages show), so a term renamed in the text is caught by `check`
rather than silently matching nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import Field, RootModel, field_validator

from ..source.handbook import Handbook
from ..source.i18n import without_accents
from ..source.reading import Problem, text_fields
from ..source.schema import Strict
from .base import DataFile, Part

FILE = "search.yml"


class WordsEntry(Strict):
    words: list[str] = Field(min_length=1)  # what readers type (any case, accents optional)
    terms: list[str] = Field(min_length=1)  # the handbook's words they mean

    @field_validator("words", "terms")
    @classmethod
    def _no_empty(cls, values: list[str]) -> list[str]:
        if any(not value.strip() for value in values):
            raise ValueError("an empty word or term")
        return values


class SearchWords(RootModel[dict[str, list[WordsEntry]]]):
    """search.yml: language code -> its entries."""


@dataclass(frozen=True)
class EverydayWord:
    """Words a reader types, and the handbook's terms (in the same language) they stand for."""

    words: tuple[str, ...]
    terms: tuple[str, ...]


def fold(text: str) -> str:
    """Lower case without accents, one space between words: how readers' words and the text are compared."""
    return " ".join(re.findall(r"\w+", without_accents(text)))


def everyday_words(hb: Handbook, lang: str) -> tuple[EverydayWord, ...]:
    """The language's everyday words; none when the handbook has no search.yml or no entry for the language."""
    data: SearchWords | None = hb.parts.get("search")
    if data is None:
        return ()
    return tuple(EverydayWord(tuple(e.words), tuple(e.terms)) for e in data.root.get(lang, []))


def _language_text(hb: Handbook, lang: str) -> str:
    """Everything a reader of `lang` can read: the pages and the data their inserts show, folded."""
    texts = [page.body for page in hb.pages.get(lang, {}).values()]
    for file, doc in hb.docs.items():
        if file == FILE:
            continue
        for _, text in text_fields(doc.data):
            value = text.get(lang)
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, list):
                texts.extend(v for v in value if isinstance(v, str))
    return " \n ".join(fold(t) for t in texts)


def check(hb: Handbook) -> list[Problem]:
    data: SearchWords = hb.search
    problems: list[Problem] = []
    for lang, entries in data.root.items():
        if lang not in hb.languages:
            problems.append(hb.where(FILE, (lang,), f"'{lang}' is not a language of this handbook "
                                                    f"(edition.yml: {', '.join(hb.languages)})"))
            continue
        text = f" {_language_text(hb, lang)} "
        for i, entry in enumerate(entries):
            for j, term in enumerate(entry.terms):
                if not fold(term) or f" {fold(term)} " not in text:
                    problems.append(hb.where(FILE, (lang, i, "terms", j),
                                             f"“{term}” is on no page of the '{lang}' handbook: search would lead "
                                             "readers nowhere (use the text's own words)"))
    return problems


PART = Part(name="search", files=(DataFile(FILE, SearchWords),), check=check)
