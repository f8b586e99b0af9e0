"""The core schema (pydantic): what every handbook has, edition.yml and navigation.yml. Each optional part owns the
schema of its own files (build_scripts/parts/). Reader-facing text is per language: {en: ..., es: ...}."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

Text = dict[str, str]
"""Reader-facing text, one entry per language code."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def non_empty(value: Text) -> Text:
    """A field validator for reader-facing text: some language, and no language's text empty."""
    if not value:
        raise ValueError("needs the text in at least one language")
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the '{lang}' text is empty")
    return value


# ---------------------------------------------------------------- edition


class Approval(Strict):
    heading: Text
    body: Text
    printed_date: str | Text  # the approval line as printed; per language when it has words ("Adopted: ...")
    date: date  # also the PDF's creation date (without an approval, the build's own date)


class Contact(Strict):
    id: str
    name: Text
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    address: str | None = None


class Edition(Strict):
    """edition.yml. Required: languages (the first is the approved one, which governs), district, title, and a
    translation notice per further language; everything else is optional and leaves nothing behind when absent."""

    languages: list[str] = Field(min_length=1)
    district: Text
    title: Text
    translation_notice: Text = {}  # per translated language: the text governs in the first language
    district_mark: Text | None = None
    motto: Text | None = None
    school_years: str | None = None
    school_years_label: Text | None = None
    approval: Approval | None = None
    approving_body: Text | None = None  # "the Board of Education": named where the approved language governs
    description: Text | None = None  # the site's description (search results, link previews)
    contacts: list[Contact] = []
    # the previous edition's handbook folder, relative to this one (e.g. ../editions/2022-2024): the changes page,
    # the Board's redline and the stale-translation warnings compare with it
    previous_edition: str | None = None

    _check = field_validator("district", "title")(non_empty)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.fullmatch(r"[a-z]{2,3}", code):
                raise ValueError(f"'{code}' is not a language code such as 'en' or 'es'")
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value


class NavItem(Strict):
    page: str | None = None
    label: Text | None = None
    pages: list[str] = []


class Navigation(Strict):
    nav: list[NavItem]
