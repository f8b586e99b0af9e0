"""Expand `<!-- insert: NAME [ARG] -->` lines of handbook pages into Markdown rendered from the data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import jinja2
from markdown_it import MarkdownIt

from .acknowledgement import form_context
from . import deadlines  # part: deadlines (issue 14)
from .handbook import Handbook, Page
from .i18n import load_strings
from .runtime import wheel_filename

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "site_templates" / "pages"
INSERT_RE = re.compile(r"^<!--\s*insert:\s*([a-z0-9-]+)(?:\s+([a-z0-9-]+))?\s*-->\s*$")

# insert name -> (template, its argument: None/False for none, "matrix" for a matrix id, or the allowed words)
INSERTS: dict[str, tuple[str, str | tuple[str, ...] | bool | None]] = {
    "cover": ("cover.md.j2", None),
    "approval": ("approval.md.j2", None),
    "contents": ("contents.md.j2", None),
    "definitions": ("definitions.md.j2", None),
    "consequences": ("consequences.md.j2", None),
    "attendance-tiers": ("attendance-tiers.md.j2", None),
    "code-table": ("code-table.md.j2", None),
    "matrix": ("matrix.md.j2", "matrix"),
    "calculator": ("calculator.md.j2", ("consequence", "absentee", "deadline")),
    "timeline": ("timeline.md.j2", True),  # part: deadlines; its argument (a procedure id) is checked by deadlines.check
    "sign-off": ("sign-off.md.j2", None),
    "acknowledgement-form": ("acknowledgement-form.md.j2", None),
    "pdf-download": ("pdf-download.md.j2", None),
    "edition": ("edition.md.j2", None),
    "fixes": ("fixes.md.j2", None),
}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def md_inline(text: str) -> str:
    """Markdown of a data field -> inline HTML (for table cells and the like)."""
    return _md.renderInline(text or "")


def md_block(text: str) -> str:
    return _md.render(text or "")


@dataclass(frozen=True)
class Insert:
    name: str
    arg: str | None
    line: int  # line in the page file


def find_inserts(page: Page) -> list[Insert]:
    found = []
    for offset, line in enumerate(page.body.split("\n")):
        m = INSERT_RE.match(line.strip())
        if m:
            found.append(Insert(m.group(1), m.group(2), page.body_line + offset))
    return found


def page_holding(hb: Handbook, insert: str, arg: str | None = None, lang: str | None = None) -> str | None:
    """Id of the page that carries an insert (so a link goes where the content is), among `lang`'s pages (the
    approved language's by default: the parity check keeps every language's inserts the same)."""
    for page in hb.pages[lang or hb.languages[0]].values():
        for ins in find_inserts(page):
            if ins.name == insert and (arg is None or ins.arg == arg):
                return page.id
    return None


def page_url(page_id: str) -> str:
    """Site path of a page (directory URLs): 'index' -> '', 'section-05' -> 'section-05/'."""
    return "" if page_id == "index" else f"{page_id}/"


def relative_url(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """Relative link between two pages (all pages sit at the top level of a language's site)."""
    prefix = "" if from_page == "index" else "../"
    rel = prefix + page_url(to_page)
    return (rel or "./") + (f"#{anchor}" if anchor else "")


class Renderer:
    """Renders the inserts of one language's pages."""

    def __init__(self, handbook: Handbook, lang: str, acknowledgement_endpoint: str | None = None,
                 pdf_files: dict[str, Path] | None = None):
        self.hb = handbook
        self.lang = lang
        self.pdf_files = pdf_files or {}  # language -> built PDF (build_scripts.pdf.build_pdfs)
        self.acknowledgement_endpoint = acknowledgement_endpoint  # mkdocs.yml extra.handbook.acknowledgement_endpoint
        self.strings = load_strings(lang)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=False,  # templates emit Markdown; HTML parts escape with |e explicitly
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["tx"] = self.tx
        self.env.filters["md_inline"] = md_inline
        self.env.filters["md_block"] = md_block
        self.env.filters["code_of"] = lambda code_id: (handbook.code(code_id) or type("C", (), {"code": code_id})).code

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
            "url": url,
            "page_id": page_id,
            "matrix_rows_for_definition": self.matrix_rows_for_definition,
            "page_title": self.page_title,
            "page_holding": self.page_holding,
            "calculator_wheel": wheel_filename(),
            "definition_page": self.page_holding("definitions"),
            "consequence_page": self.page_holding("consequences"),
            "nav_pages": [hb.pages[self.lang][pid] for pid in hb.nav_page_ids() if pid in hb.pages[self.lang]],
            "code_uses": self.code_uses(),
        }

    def page_holding(self, insert_name: str, arg: str | None = None) -> str | None:
        return page_holding(self.hb, insert_name, arg, self.lang)

    def page_title(self, page_id: str | None) -> str:
        page = self.hb.pages[self.lang].get(page_id or "")
        return page.title if page else ""

    def matrix_rows_for_definition(self, def_id: str) -> list[tuple[Any, Any, Any, str | None]]:
        out = []
        for matrix in self.hb.matrices:
            for level in matrix.levels:
                for row in level.rows:
                    if def_id in row.definitions:
                        out.append((matrix, level, row, self.page_holding("matrix", matrix.id)))
        return out

    def code_uses(self) -> dict[str, list[tuple[str, str, str]]]:
        """code id -> [(label, page id, anchor)] of the places that use it."""
        uses: dict[str, list[tuple[str, str, str]]] = {}
        def_page = self.page_holding("definitions")
        for d in self.hb.definitions.definitions:
            for cid in d.codes:
                if def_page:
                    uses.setdefault(cid, []).append((self.page_title(def_page), def_page, d.id))
        for m in self.hb.matrices:
            mpage = self.page_holding("matrix", m.id)
            for lv in m.levels:
                for row in lv.rows:
                    for cid in row.codes:
                        if mpage:
                            label = f"{self.page_title(mpage)}, {self.tx(lv.title)}"
                            uses.setdefault(cid, []).append((label, mpage, row.id))
        return uses

    def render_insert(self, page_id: str, ins: Insert) -> str:
        template_name, arg_kind = INSERTS[ins.name]
        ctx = self.context(page_id)
        ctx["arg"] = ins.arg
        if arg_kind == "matrix":
            ctx["matrix"] = self.hb.matrix(ins.arg or "")
        if ins.name == "pdf-download":
            from .pdf import pdf_download  # WeasyPrint is imported only when a PDF is built

            ctx["pdf"] = pdf_download(self.hb, self.lang, self.pdf_files.get(self.lang), page_id)
        if ins.name == deadlines.INSERT or (ins.name == "calculator" and ins.arg == "deadline"):  # part: deadlines
            ctx.update(deadlines.insert_context(self.hb, self.lang, ins.arg))
        if ins.name == "acknowledgement-form":  # only this insert pays for reading the source to fingerprint it
            ctx.update(form_context(self.hb, self.lang, self.acknowledgement_endpoint, self.page_holding("sign-off")))
        return self.env.get_template(template_name).render(**ctx).strip("\n")

    def insert_problem(self, ins: Insert) -> str | None:
        """What is wrong with an insert line, or None."""
        if ins.name not in INSERTS:
            return f"unknown insert '{ins.name}' (known: {', '.join(sorted(INSERTS))})"
        arg_kind = INSERTS[ins.name][1]
        if arg_kind == "matrix" and not self.hb.matrix(ins.arg or ""):
            return f"insert '{ins.name}' names unknown matrix '{ins.arg}'"
        if isinstance(arg_kind, tuple) and ins.arg not in arg_kind:
            return f"insert '{ins.name}' takes one of: {', '.join(arg_kind)} (not '{ins.arg}')"
        if not arg_kind and ins.arg:
            return f"insert '{ins.name}' takes no argument"
        return None

    def render_page(self, page: Page) -> str:
        """The page's Markdown with every insert expanded."""
        lines = page.body.split("\n")
        out = []
        for line in lines:
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
