"""What the district publishes: the editions (and, read from the built site, each language's title, district,
content fingerprint and Sign-Off statements) a record may acknowledge. A record naming anything else is refused,
so nobody can count a student as signed against an edition, a text or a set of statements that does not exist.

The built site is the one source: its Sign-Off form carries these values (acknowledgement-form.md.j2 writes them as
data- attributes of <form id="ack-form"> and one data-statement per statement), exactly what the form sends."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path


@dataclass(frozen=True)
class Publication:
    """One published edition in one language; None or () where only the edition is known (`serve --edition`)."""

    school_years: str
    language: str | None = None
    fingerprint: str | None = None
    title: str | None = None
    district: str | None = None
    statements: tuple[str, ...] = ()


class PublicationError(ValueError):
    """A --site the receiver cannot read publications from; the message says what is missing."""


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.form: dict[str, str | None] | None = None
        self.statements: list[str] = []
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == "ack-form":
            self.form, self._in_form = a, True
        elif self._in_form and a.get("data-statement"):
            self.statements.append(str(a["data-statement"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def from_site(site_dir: Path) -> tuple[Publication, ...]:
    """Every Sign-Off form of the built site (one per language), as publications."""
    if not site_dir.is_dir():
        raise PublicationError(f"{site_dir}: no built site there (run `make site`, or give --edition)")
    found: dict[tuple[str, str | None], Publication] = {}
    for page in sorted(site_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        if 'id="ack-form"' not in text:
            continue
        reader = _FormReader()
        reader.feed(text)
        form = reader.form
        if not form or not form.get("data-school-years"):
            continue
        publication = Publication(str(form["data-school-years"]), form.get("data-lang"), form.get("data-fingerprint"),
                                  form.get("data-edition-title"), form.get("data-edition-district"),
                                  tuple(reader.statements))
        found.setdefault((publication.school_years, publication.language), publication)
    if not found:
        raise PublicationError(f"{site_dir}: no Sign-Off form in this built site (is it the site's output folder?)")
    return tuple(found.values())
