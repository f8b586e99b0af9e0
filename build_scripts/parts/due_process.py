"""Due-process quotes (data/due_process.yml): the handbook's own sentences the calculators cite (discretion, appeal,
hearings, students with disabilities), each checked word for word against its page in every language."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from ..source.handbook import Handbook
from ..source.reading import Problem
from ..source.schema import Strict, Text, non_empty
from .base import DataFile, Part
from .consequences import DayRange

FILE = "data/due_process.yml"


def squash(text: str) -> str:
    """White space folded, so a quote matches its page whatever the line breaks."""
    return re.sub(r"\s+", " ", text).strip()


class DueProcessQuote(Strict):
    """A sentence of the handbook, quoted as printed (`quote`, Markdown), and the page that holds it."""

    page: str
    quote: Text

    _check = field_validator("quote")(non_empty)


class DueProcessDeadline(Strict):
    days: int = Field(ge=1)
    unit: Literal["school_days", "calendar_days"]


class DueProcessStep(DueProcessQuote):
    id: str
    heading: Text
    within: DueProcessDeadline


class DueProcessShortTerm(DueProcessQuote):
    days: DayRange
    appealable: bool
    responses: list[str] = Field(min_length=1)  # consequence ids the sentence covers


class DueProcessLongTerm(Strict):
    responses: list[str] = Field(min_length=1)  # consequence ids that take the hearing-and-appeal path
    steps: list[DueProcessStep] = Field(min_length=1)


class DueProcessInterimSetting(DueProcessQuote):
    max_days: int = Field(ge=1)
    unit: Literal["school_days", "calendar_days"]


class DueProcessIepReview(DueProcessQuote):
    responses: list[str] = Field(min_length=1)


class DueProcessDisabilities(Strict):
    interim_setting: DueProcessInterimSetting
    iep_review: DueProcessIepReview


class DueProcess(Strict):
    minimum_guideline: DueProcessQuote
    administrative_discretion: DueProcessQuote
    short_term_suspension: DueProcessShortTerm
    long_term: DueProcessLongTerm
    students_with_disabilities: DueProcessDisabilities


def check(hb: Handbook) -> list[Problem]:
    """Due-process facts must point at real consequences and pages, and quote those pages word for word."""
    dp = hb.due_process
    problems: list[Problem] = []
    response_ids = {r.id for r in hb.consequences.responses} if hb.consequences else set()

    def where(loc: tuple[str | int, ...], message: str) -> None:
        problems.append(hb.where(FILE, loc, message))

    def check_quote(loc: tuple[str | int, ...], page_id: str, text: dict[str, str], field: str = "quote") -> None:
        for lang in hb.languages:
            page = hb.pages.get(lang, {}).get(page_id)
            if page is None:
                where((*loc, "page"), f"no page '{page_id}' in {lang}")
                continue
            if lang not in text:
                where((*loc, field), f"no {lang} text")
            elif squash(text[lang]) not in squash(page.body):
                where((*loc, field, lang), f"not found word for word in {page.rel}")

    def check_responses(loc: tuple[str | int, ...], ids: list[str]) -> None:
        for k, rid in enumerate(ids):
            if rid not in response_ids:
                where((*loc, "responses", k), f"unknown consequence id '{rid}' (data/consequences.yml)")

    check_quote(("minimum_guideline",), dp.minimum_guideline.page, dp.minimum_guideline.quote)
    check_quote(("administrative_discretion",), dp.administrative_discretion.page, dp.administrative_discretion.quote)
    st = dp.short_term_suspension
    check_quote(("short_term_suspension",), st.page, st.quote)
    check_responses(("short_term_suspension",), st.responses)
    check_responses(("long_term",), dp.long_term.responses)
    for k, step in enumerate(dp.long_term.steps):
        check_quote(("long_term", "steps", k), step.page, step.quote)
        check_quote(("long_term", "steps", k), step.page, step.heading, "heading")
    swd = dp.students_with_disabilities
    check_quote(("students_with_disabilities", "interim_setting"), swd.interim_setting.page, swd.interim_setting.quote)
    check_quote(("students_with_disabilities", "iep_review"), swd.iep_review.page, swd.iep_review.quote)
    check_responses(("students_with_disabilities", "iep_review"), swd.iep_review.responses)
    return problems


PART = Part(name="due_process", files=(DataFile(FILE, DueProcess),), check=check)
