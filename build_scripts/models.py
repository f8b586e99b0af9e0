"""Schema of the handbook's data files (pydantic). Reader-facing text is per language: {en: ..., es: ...}."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Text = dict[str, str]
"""Reader-facing text, one entry per language code."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _non_empty(value: Text) -> Text:
    if not value:
        raise ValueError("needs the text in at least one language")
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the '{lang}' text is empty")
    return value


class ValueRange(Strict):
    """A dollar range as the handbook words it."""

    below_usd: float | None = None  # less than
    up_to_usd: float | None = None  # at most
    above_usd: float | None = None  # more than
    from_usd: float | None = None  # at least

    def contains(self, value: float) -> bool:
        if self.below_usd is not None and not value < self.below_usd:
            return False
        if self.up_to_usd is not None and not value <= self.up_to_usd:
            return False
        if self.above_usd is not None and not value > self.above_usd:
            return False
        if self.from_usd is not None and not value >= self.from_usd:
            return False
        return True


# ---------------------------------------------------------------- edition


class Approval(Strict):
    heading: Text
    body: Text
    printed_date: str
    date: date


class Contact(Strict):
    id: str
    name: Text
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    address: str | None = None


class Edition(Strict):
    languages: list[str] = Field(min_length=1)
    district: Text
    district_mark: Text
    title: Text
    motto: Text
    school_years: str
    school_years_label: Text
    approval: Approval
    contacts: list[Contact] = []
    translation_notice: Text = {}  # per translated language: the text governs in the first language


class NavItem(Strict):
    page: str | None = None
    label: Text | None = None
    pages: list[str] = []


class Navigation(Strict):
    nav: list[NavItem]


# ---------------------------------------------------------------- codes and definitions


class Code(Strict):
    id: str
    code: str
    kind: Literal["behavior", "response"]
    name: Text

    _check = field_validator("name")(_non_empty)


class CodeTable(Strict):
    codes: list[Code]


class Definition(Strict):
    id: str
    title: Text
    codes: list[str] = []
    body: Text | None = None


class Definitions(Strict):
    definitions: list[Definition]


class DayRange(Strict):
    min: float | None = None
    max: float | None = None
    unit: Literal["school_days", "calendar_years"]


class Response(Strict):
    """A consequence: a numbered entry of the consequence section or an abbreviation of the matrices."""

    id: str
    code: str
    name: Text
    title: Text | None = None
    section_vii_number: int | None = None
    also_codes: list[str] = []
    see_also: str | None = None
    days: DayRange | None = None
    appealable: bool | None = None
    due_process_hearing: bool | None = None
    body: Text | None = None


class Consequences(Strict):
    responses: list[Response]


# ---------------------------------------------------------------- matrices


class Action(Strict):
    """One part of a cell's structured reading: a response, maybe with a number of days."""

    response: str | None = None
    days: int | None = Field(default=None, ge=1)
    note: Literal["unspecified-parent-contact", "days-without-response"] | None = None


class Band(ValueRange):
    id: str
    label: Text


class BandCell(Strict):
    band: str
    text: Text
    actions: list[Action]


class Cell(Strict):
    text: Text | None = None
    empty: bool = False
    actions: list[Action] = []
    bands: list[BandCell] | None = None


class MatrixRow(Strict):
    id: str
    behavior: Text  # the behavior's name: what the calculators, the code table and the definitions show
    # the behavior cell exactly as printed, where it holds more than the name (its value bands); the matrix shows it
    printed_behavior: Text | None = None
    definitions: list[str] = []
    codes: list[str] = []
    value_range: ValueRange | None = None
    value_group: str | None = None  # rows that split one behavior by value share a group name
    bands: list[Band] | None = None
    cells: list[Cell] = Field(min_length=1)

    @model_validator(mode="after")
    def _printed_cell_starts_with_the_name(self) -> "MatrixRow":
        if self.printed_behavior is None:
            return self
        if not self.bands:
            raise ValueError("printed_behavior is for a row whose printed behavior cell also holds its value bands; this row has no bands")
        for lang, name in self.behavior.items():
            printed = self.printed_behavior.get(lang, "")
            if not printed.startswith(name) or printed == name:
                raise ValueError(f"printed_behavior ({lang}) must be the name '{name}' followed by what else the cell prints")
        return self


class MatrixLevel(Strict):
    level: int
    title: Text
    description: Text
    legend_printed: Text
    legend: list[str]
    rows: list[MatrixRow]


class Matrix(Strict):
    id: str
    school_level: str
    title: Text
    discretion_notice: Text
    guidance: Text
    special_circumstances: Text
    behavior_header: Text
    offense_headers: dict[str, list[str]]
    levels: list[MatrixLevel]


# ---------------------------------------------------------------- attendance, sign-off, fixes, contents


class Tier(Strict):
    tier: int
    heading: Text
    need: Text
    printed_range: Text
    below_percent: float | None = None
    from_percent: float | None = None
    printed_to_percent: float | None = None
    absences_counted: list[Literal["excused", "unexcused"]]
    text: Text


class AfterLastTier(Strict):
    title: Text
    items: list[Text]


class Attendance(Strict):
    rate_statement: Text
    rate_statement_absences_counted: list[Literal["excused", "unexcused"]]
    chronic_absence_from_percent: float
    tiers: list[Tier] = Field(min_length=1)
    after_last_tier: AfterLastTier | None = None


class Statement(Strict):
    id: str
    before_name: Text
    name_label: Text
    text: Text
    signature_label: Text
    date_label: Text | None = None


class SignOff(Strict):
    heading: list[Text]
    statements: list[Statement] = Field(min_length=1)


class Fix(Strict):
    where: str
    printed: str
    corrected: str
    reason: Text


class Fixes(Strict):
    fixes: list[Fix] = []


class Glossary(Strict):
    terms: list[dict[str, str]]  # one entry per term: language code -> the term in that language


class ContentsEntry(Strict):
    title: str
    page: int


class Contents(Strict):
    entries: list[ContentsEntry]


# ---------------------------------------------------------------- schools (the acknowledgement form's list)


class School(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")  # lower-case letters, digits, dashes: a stable key for records
    name: Text

    _check = field_validator("name")(_non_empty)


class Schools(Strict):
    """The district's schools, offered by the acknowledgement form; empty means the form asks for a typed name."""

    schools: list[School] = []

    @field_validator("schools")
    @classmethod
    def _unique_ids(cls, value: list[School]) -> list[School]:
        seen: set[str] = set()
        for school in value:
            if school.id in seen:
                raise ValueError(f"two schools have the id '{school.id}'")
            seen.add(school.id)
        return value


# ---------------------------------------------------------------- due process (cited by the calculators)


class DueProcessQuote(Strict):
    """A sentence of the handbook, quoted as printed (`quote`, Markdown), and the page that holds it."""

    page: str
    quote: Text

    _check = field_validator("quote")(_non_empty)


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
