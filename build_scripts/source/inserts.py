"""Insert lines (`<!-- insert: NAME [ARG] -->`) in pages, the page that holds one, and links between pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only
    from .handbook import Handbook, Page

INSERT_RE = re.compile(r"^<!--\s*insert:\s*([a-z0-9-]+)(?:\s+([a-z0-9-]+))?\s*-->\s*$")


@dataclass(frozen=True)
class Insert:
    name: str
    arg: str | None
    line: int  # line in the page file


def find_inserts(page: "Page") -> list[Insert]:
    found = []
    for offset, line in enumerate(page.body.split("\n")):
        m = INSERT_RE.match(line.strip())
        if m:
            found.append(Insert(m.group(1), m.group(2), page.body_line + offset))
    return found


def holds(page: "Page", insert: str, arg: str | None = None) -> bool:
    """Whether a page holds an insert (with that argument, when one is given)."""
    return any(ins.name == insert and (arg is None or ins.arg == arg) for ins in find_inserts(page))


def page_holding(hb: "Handbook", insert: str, arg: str | None = None, lang: str | None = None) -> str | None:
    """Id of the page that carries an insert (so a link goes where the content is), among `lang`'s pages (the
    approved language's by default: the parity check keeps every language's inserts the same)."""
    for page in hb.pages[lang or hb.languages[0]].values():
        for ins in find_inserts(page):
            if ins.name == insert and (arg is None or ins.arg == arg):
                return page.id
    return None


def inserts_used(hb: "Handbook", lang: str) -> set[tuple[str, str | None]]:
    """(name, argument) of every insert some page of `lang` holds: what that language's site has to ship."""
    return {(ins.name, ins.arg) for page in hb.pages.get(lang, {}).values() for ins in find_inserts(page)}


def page_url(page_id: str) -> str:
    """Site path of a page (directory URLs): 'index' -> '', 'section-05' -> 'section-05/'."""
    return "" if page_id == "index" else f"{page_id}/"


def relative_url(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """Relative link between two pages (all pages sit at the top level of a language's site)."""
    prefix = "" if from_page == "index" else "../"
    rel = prefix + page_url(to_page)
    return (rel or "./") + (f"#{anchor}" if anchor else "")
