"""A loaded handbook: its edition, navigation, pages per language, and the data of whichever parts it has.

The core knows no part by name: `Handbook.parts` maps each registered part's name to its loaded data, or None when
the handbook does not have that part, and `hb.<part name>` reads it (`hb.codes`, `hb.matrices`, ...). The loader
that fills it is build_scripts.core.load; the parts are build_scripts/parts/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import schema
from .headings import first_heading_text
from .i18n import load_strings, pick
from .reading import Problem, YamlDoc, key_path


@dataclass
class Page:
    """One Markdown page of the handbook in one language."""

    id: str
    lang: str
    rel: str  # path shown in messages, e.g. handbook/pages/en/section-05.md
    meta: dict[str, Any]
    body: str
    body_line: int  # line of the file where `body` starts

    @property
    def title(self) -> str:
        """The front matter's `title`, else the page's first heading, else its file name (`check` warns then)."""
        return str(self.meta.get("title") or self.heading or self.id)

    @cached_property
    def heading(self) -> str | None:
        """The page's first heading, as text (read once: titles are asked for on every link to the page)."""
        return first_heading_text(self.body)


@dataclass
class Handbook:
    root: Path
    edition: schema.Edition
    navigation: schema.Navigation
    pages: dict[str, dict[str, Page]]  # language -> page id -> page
    docs: dict[str, YamlDoc] = field(default_factory=dict)  # file -> parsed YAML, for line numbers
    parts: dict[str, Any] = field(default_factory=dict)  # part name -> its data; None: the handbook lacks it
    words: dict[str, dict[str, Any]] = field(default_factory=dict)  # language -> its words/<lang>.yml (checked)
    previous: "Handbook | None" = None  # the previous edition (edition.yml's previous_edition), loaded the same way

    def __getattr__(self, name: str) -> Any:
        # only called for names that are not fields: a part's data by the part's name
        parts = self.__dict__.get("parts")
        if parts is not None and name in parts:
            return parts[name]
        raise AttributeError(f"the handbook has no field or part '{name}'")

    def has(self, part: str) -> bool:
        return self.parts.get(part) is not None

    @property
    def languages(self) -> list[str]:
        return self.edition.languages

    @property
    def approved_language(self) -> str:
        return self.edition.languages[0]

    def site_folder(self, lang: str) -> str:
        """Where a language's site sits under site/: its own folder ("es/"), or the root when it is the only one."""
        return f"{lang}/" if len(self.languages) > 1 else ""

    def in_language(self, text: dict[str, str] | None, lang: str) -> str:
        """A reader-facing text in `lang`; the approved language's where it has no translation."""
        return pick(text, lang, self.languages[0])

    def strings(self, lang: str, section: str = "") -> dict[str, str]:
        """The generator's words in `lang` (a section: "" the site's, "form", "print"), the handbook's own put in."""
        return load_strings(lang, self.words.get(lang), section)

    def site_name(self, lang: str) -> str:
        """"<title> · <district>" in `lang`: what the site and its offline page are called."""
        return f"{self.in_language(self.edition.title, lang)} · {self.in_language(self.edition.district, lang)}"

    def translation_notice(self, lang: str) -> str:
        """The notice a translation carries (that the approved language governs); none in the approved language."""
        return self.edition.translation_notice.get(lang, "") if lang != self.languages[0] else ""

    def where(self, file: str, loc: tuple[str | int, ...], message: str) -> Problem:
        """A Problem pointing at the value at `loc` in a data file."""
        doc = self.docs[file]
        return Problem(doc.rel, message, doc.line_of(loc), key_path(loc))

    def nav_page_ids(self) -> list[str]:
        ids: list[str] = []
        for item in self.navigation.nav:
            if item.page:
                ids.append(item.page)
            ids.extend(item.pages)
        return ids
