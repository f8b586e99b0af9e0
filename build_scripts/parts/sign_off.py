"""The Sign-Off Page (data/sign_off.yml): the statements a student and a parent or guardian sign."""

from __future__ import annotations

from pydantic import Field

from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from ..source.schema import Strict, Text
from .base import DataFile, InsertKind, Part

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


PART = Part(
    name="sign_off",
    files=(DataFile(FILE, SignOff),),
    findings=findings,
    topics=(Topic("sign-off", "Sign-off statements that differ in form", 80),),
    inserts={"sign-off": InsertKind("sign-off.md.j2", needs=("sign_off",), print_layout="form")},
)
