"""Expand `<!-- insert: NAME [ARG] -->` lines of handbook pages into Markdown rendered from the data.

The core's own inserts render the edition and the navigation; every other insert belongs to a part
(build_scripts/parts/), which names its template, what it needs and its extra template variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import jinja2
from markdown_it import MarkdownIt

from ..parts.base import InsertKind, Part
from ..parts.registry import PARTS, part_inserts
from ..source.handbook import Handbook, Page
from ..source.i18n import language_name, long_date
from ..source.inserts import INSERT_RE, Insert, page_holding, relative_url
from ..source.paths import PAGE_TEMPLATES
from .printed import pdf_download

# The edition and the navigation are in every handbook: their inserts need no part.
CORE_INSERTS: dict[str, InsertKind] = {
    "cover": InsertKind("cover.md.j2"),
    "approval": InsertKind("approval.md.j2"),
    "contents": InsertKind("contents.md.j2"),
    "edition": InsertKind("edition.md.j2"),
    "pdf-download": InsertKind("pdf-download.md.j2", print_as="screen-only"),
}


def all_inserts() -> dict[str, tuple[Part | None, InsertKind]]:
    """Insert name -> (its part, or None for the core's own, and how it renders)."""
    return {**{name: (None, kind) for name, kind in CORE_INSERTS.items()}, **part_inserts()}


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def md_inline(text: str) -> str:
    """Markdown of a data field -> inline HTML (for table cells and the like)."""
    return _md.renderInline(text or "")


def md_block(text: str) -> str:
    return _md.render(text or "")


def part_files(part_name: str) -> str:
    """The files a part is made of, as an editor finds them ("handbook/data/codes.yml")."""
    part = next((p for p in PARTS if p.name == part_name), None)
    files = [f"handbook/{f.path}" for f in part.files] if part and part.files else []
    return " or ".join(files) or f"the {part_name} part's data"


class Renderer:
    """Renders the inserts of one language's pages."""

    def __init__(self, handbook: Handbook, lang: str, acknowledgement_endpoint: str | None = None,
                 pdf_files: dict[str, Path] | None = None):
        self.hb = handbook
        self.lang = lang
        self.pdf_files = pdf_files or {}  # language -> built PDF (build_scripts.outputs.pdf.build_pdfs)
        self.acknowledgement_endpoint = acknowledgement_endpoint  # mkdocs.yml extra.handbook.acknowledgement_endpoint
        self.strings = handbook.strings(lang)
        self.inserts = all_inserts()
        self._holding: dict[tuple[str, str | None], str | None] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(PAGE_TEMPLATES)),
            autoescape=False,  # templates emit Markdown; HTML parts escape with |e explicitly
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["tx"] = self.tx
        self.env.filters["long_date"] = lambda value: long_date(value, lang)
        self.env.filters["md_inline"] = md_inline
        self.env.filters["md_block"] = md_block
        for part in PARTS:  # a part's lookups (code(id), definition(id)...), as functions and as filters
            for name, function in (part.template_globals(handbook) if part.template_globals else {}).items():
                self.env.globals[name] = function
                self.env.filters[name] = function

    def tx(self, text: dict[str, str] | None) -> str:
        return self.hb.in_language(text, self.lang)

    def t(self, key: str, **kw: Any) -> str:
        value = self.strings[key]
        return value.format(**kw) if kw else value

    def context(self, page_id: str) -> dict[str, Any]:
        hb = self.hb
        url: Callable[..., str] = lambda to, anchor=None: relative_url(page_id, to, anchor)  # noqa: E731
        return {
            "hb": hb,
            "lang": self.lang,
            "t": self.t,
            "language_name": language_name,
            "url": url,
            "page_id": page_id,
            "page_title": self.page_title,
            "page_holding": self.page_holding,
            "nav_pages": [hb.pages[self.lang][pid] for pid in hb.nav_page_ids() if pid in hb.pages[self.lang]],
        }

    def page_holding(self, insert_name: str, arg: str | None = None) -> str | None:
        # asked once per row by the changes page (core/editions.py): each page's inserts are looked up once
        key = (insert_name, arg)
        if key not in self._holding:
            self._holding[key] = page_holding(self.hb, insert_name, arg, self.lang)
        return self._holding[key]

    def page_title(self, page_id: str | None) -> str:
        page = self.hb.pages[self.lang].get(page_id or "")
        return page.title if page else ""

    def render_insert(self, page_id: str, ins: Insert) -> str:
        _, kind = self.inserts[ins.name]
        ctx = self.context(page_id)
        ctx["arg"] = ins.arg
        if ins.name == "pdf-download":
            ctx["pdf"] = pdf_download(self.hb, self.lang, self.pdf_files.get(self.lang), page_id)
        if kind.context is not None:
            ctx.update(kind.context(self, page_id, ins.arg))
        return self.env.get_template(kind.template).render(**ctx).strip("\n")

    def insert_problem(self, ins: Insert) -> str | None:
        """What is wrong with an insert line, or None: unknown, a wrong argument, or a part it needs missing."""
        if ins.name not in self.inserts:
            return f"unknown insert '{ins.name}' (known: {', '.join(sorted(self.inserts))})"
        _, kind = self.inserts[ins.name]
        allowed = kind.allowed_args(self.hb)
        if allowed is None and ins.arg:
            return f"insert '{ins.name}' takes no argument"
        missing = [p for p in kind.needed_parts(ins.arg) if not self.hb.has(p)]
        if missing:
            return (f"insert '{ins.name}{' ' + ins.arg if ins.arg else ''}' needs "
                    + " and ".join(part_files(p) for p in missing) + ", which the handbook does not have")
        if allowed is not None and ins.arg not in allowed:
            return f"insert '{ins.name}' takes one of: {', '.join(allowed)} (not '{ins.arg}')"
        return None

    def render_page(self, page: Page) -> str:
        """The page's Markdown with every insert expanded."""
        out = []
        for line in page.body.split("\n"):
            m = INSERT_RE.match(line.strip())
            if m:
                out.append(self.render_insert(page.id, Insert(m.group(1), m.group(2), 0)))
            else:
                out.append(line)
        return "\n".join(out)

    def render_template(self, template_name: str, page_id: str, **extra: Any) -> str:
        ctx = self.context(page_id)
        ctx.update(extra)
        return self.env.get_template(template_name).render(**ctx)
