"""The Sign-Off Page (data/sign_off.yml): the statements a student and a parent or guardian sign."""

from __future__ import annotations

from pydantic import Field

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.schema import Strict, Text
from .base import DataChange, DataFile, InsertKind, Part, Rendering, compare_items, place, text_change

FILE = "data/sign_off.yml"


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



def findings(hb: Handbook) -> list[Finding]:
    """A statement without the date line the others have."""
    lang = hb.languages[0]
    st = hb.sign_off.statements
    with_date = [s for s in st if s.date_label]
    out = []
    if with_date and len(with_date) < len(st):
        for s in st:
            if not s.date_label:
                out.append(Finding("sign-off", f"The statement “{s.name_label.get(lang)}” has no date line, unlike {', '.join(x.name_label.get(lang, '') for x in with_date)}.",
                                   ("handbook/data/sign_off.yml",)))
    return out


def changes(before: Handbook, after: Handbook, r: Rendering) -> list[DataChange]:
    """A statement added, removed or reworded (the words before the name, and the statement itself)."""
    def what(s: Statement) -> str:
        return r.t("changes_what_statement", label=r.tx(s.name_label))

    def where(s: Statement) -> tuple[str, str | None] | None:
        return place(r, "sign-off")

    def details(old: Statement, new: Statement) -> list[DataChange]:
        return (text_change(r, what(new), old.before_name, new.before_name, where(new))
                + text_change(r, what(new), old.text, new.text, where(new)))

    return compare_items(r, before.sign_off.statements if before.sign_off else [],
                         after.sign_off.statements if after.sign_off else [], what, lambda s: s.text, where, details)


PART = Part(
    name="sign_off",
    files=(DataFile(FILE, SignOff),),
    findings=findings,
    topics=(Topic("sign-off", "Sign-off statements that differ in form", 80),),
    inserts={"sign-off": InsertKind("sign-off.md.j2", needs=("sign_off",), print_layout="form")},
    changes=changes,
)
