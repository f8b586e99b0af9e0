"""The printable handbook as one HTML document per language, built from the same pages and inserts as the site.

Pages are expanded by the site's `Renderer` (the cover and the contents get print versions; widgets and pages that
exist for them are left out), converted with the site's Markdown extensions, then joined into one document: ids get
the page id as prefix (`section-06--arson`) and links between pages become in-document anchors.
"""

from __future__ import annotations

import posixpath
from datetime import date
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markdown
from bs4 import BeautifulSoup, Tag

from ..core.changes_page import changes_markdown
from ..core.editions import CHANGES_PAGE
from ..core.pages import render_language
from ..core.render import Renderer, all_inserts
from ..source.handbook import Handbook, Page
from ..source.inserts import Insert, find_inserts, page_url
from ..source.paths import PRINT_DIR
from ..source.site_config import read_site_config


# The site's extensions when no mkdocs.yml says otherwise.
DEFAULT_EXTENSIONS: list[Any] = ["attr_list", "md_in_html", "tables", "toc"]

# Inserts the print document shows differently: the cover and the contents are print layouts, the approval is on
# the cover.
PRINT_SLOTS = {"cover", "approval", "contents"}
COVER_LAYOUT = "cover"


def screen_only_inserts() -> set[str]:
    """Inserts that only work on screen (widgets, online forms): left out of print, and so is a page that exists for
    them (one whose every insert is screen-only, like a calculator's own page). Each insert says so itself."""
    return {name for name, (_, kind) in all_inserts().items() if kind.print_as == "screen-only"}


def page_layouts() -> dict[str, str]:
    """Inserts whose page needs its own page layout (class `hb-page--<layout>` in print.css)."""
    layouts = {name: kind.print_layout for name, (_, kind) in all_inserts().items() if kind.print_layout}
    return {**layouts, "cover": COVER_LAYOUT}
# Attributes holding id references, which get the page prefix like the ids themselves.
ID_REF_ATTRS = ("for", "headers", "aria-labelledby", "aria-describedby", "aria-controls")
# Site-only elements, meaningless on paper: widget placeholders filled by JavaScript, links to widgets.
# `hb-screen-only` is the general way for a template to mark one.
SCREEN_ONLY = ".hb-screen-only, .hb-filter, .hb-calc, .hb-calc-jump, .headerlink"
ID_SEPARATOR = "--"


class PrintError(Exception):
    """The handbook cannot be laid out for print (the message names the page)."""


@dataclass(frozen=True)
class PrintSection:
    """One handbook page as a section of the print document."""

    page_id: str
    title: str
    anchor: str
    layout: str | None
    new_page: bool
    group: str | None  # the navigation group's label, if the page is in one

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PrintDocument:
    lang: str
    title: str
    html: str
    sections: list[PrintSection] = field(default_factory=list)
    link_labels: dict[str, str] = field(default_factory=dict)  # anchor -> what a link to it leads to, in words

    def to_dict(self) -> dict[str, Any]:
        return {"lang": self.lang, "title": self.title, "sections": [s.to_dict() for s in self.sections],
                "link_labels": dict(self.link_labels)}


# ---------------------------------------------------------------- Markdown


class PrintRenderer(Renderer):
    """The site's renderer, with the print slots left as placeholders to fill once the document is assembled."""

    def render_insert(self, page_id: str, ins: Insert) -> str:
        if ins.name in screen_only_inserts():
            return ""
        if ins.name in PRINT_SLOTS:
            return f'\n<div class="print-slot" data-slot="{ins.name}"></div>\n'
        return super().render_insert(page_id, ins)


def render_print_pages(hb: Handbook, lang: str) -> dict[str, str]:
    """page id -> Markdown as the site renders it, with the print slots and without the screen-only inserts."""
    return render_language(hb, lang, renderer=PrintRenderer)


def markdown_extensions(config_file: Path | None) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The Markdown extensions of the site's mkdocs.yml (names and settings); no heading permalinks on paper."""
    entries: list[Any] = DEFAULT_EXTENSIONS
    if config_file and Path(config_file).exists():
        config = read_site_config(Path(config_file)).data  # the source reader, as for `check`
        entries = config.get("markdown_extensions") or DEFAULT_EXTENSIONS
    names: list[str] = []
    configs: dict[str, dict[str, Any]] = {}
    for entry in entries:
        name, settings = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        names.append(name)
        if settings:
            configs[name] = dict(settings)
    if "toc" in configs:
        configs["toc"]["permalink"] = False
    return names, configs


# ---------------------------------------------------------------- links and ids


def resolve_link(href: str, from_page: str) -> tuple[str, str | None] | None:
    """(page id, anchor) a site link points at, or None for an outside link.

    Handles the forms the site uses: `#anchor`, `../section-06/#arson` (directory URLs), `section-06.md#arson`.
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    anchor = parts.fragment or None
    if not parts.path:
        return from_page, anchor
    if parts.path.endswith(".md"):
        return posixpath.basename(parts.path)[: -len(".md")], anchor
    here = "/" + page_url(from_page)
    target = posixpath.normpath(posixpath.join(here, parts.path)).strip("/")
    return (target.split("/")[0] or "index"), anchor


def prefixed(page_id: str, anchor: str | None) -> str:
    return f"{page_id}{ID_SEPARATOR}{anchor}" if anchor else page_id


def _prefix_ids(root: Tag, page_id: str) -> None:
    for el in root.find_all(id=True):
        el["id"] = prefixed(page_id, el["id"])
    for attr in ID_REF_ATTRS:
        for el in root.find_all(attrs={attr: True}):
            el[attr] = " ".join(prefixed(page_id, ref) for ref in str(el[attr]).split())


def _rewrite_links(root: Tag, page_id: str, in_document: set[str]) -> list[tuple[Tag, str]]:
    """Point links between pages at in-document anchors; unlink pages the print edition leaves out.

    Returns the rewritten links with their target id, to check once every page's ids are known.
    """
    internal = []
    for a in root.find_all("a", href=True):
        target = resolve_link(str(a["href"]), page_id)
        if target is None:
            continue
        to_page, anchor = target
        if to_page not in in_document:
            a.name = "span"  # the text stays; the page it pointed to is site-only
            del a["href"]
            continue
        a["href"] = "#" + prefixed(to_page, anchor)
        a["class"] = [*a.get("class", []), "xref"]
        internal.append((a, prefixed(to_page, anchor)))
    return internal


def _print_details(root: Tag) -> None:
    """<details> is a screen toggle: on paper its summary is a label above its text."""
    for details in root.find_all("details"):
        summary = details.find("summary")
        if summary:
            summary.name = "p"
            summary["class"] = ["hb-details__summary"]
        details.name = "div"
        details["class"] = [*details.get("class", []), "hb-details"]
        details.attrs.pop("open", None)


# ---------------------------------------------------------------- the document


def _page_layout(page: Page) -> str | None:
    layouts = page_layouts()
    for ins in find_inserts(page):
        if ins.name in layouts:
            return layouts[ins.name]
    return None


def _sections(hb: Handbook, lang: str) -> list[PrintSection]:
    """The navigation's pages in reading order, but screen-only ones; group starts and layouts begin a new sheet."""
    out: list[PrintSection] = []
    pages = hb.pages[lang]
    for item in hb.navigation.nav:
        ids = [item.page] if item.page else item.pages
        group = hb.in_language(item.label, lang) if item.label else None
        first = True
        for pid in ids:
            if pid not in pages:
                continue
            page = pages[pid]
            inserts = {ins.name for ins in find_inserts(page)}
            if inserts and inserts <= screen_only_inserts():
                continue
            layout = _page_layout(page)
            out.append(PrintSection(pid, page.title, pid, layout, first or layout is not None, group))
            first = False
    return out


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ") + '"'


def css_content(template: str, **tokens: str) -> str:
    """A print string with {placeholders} as a CSS `content` value: literal parts quoted, placeholders as given."""
    parts = []
    for n, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if n % 2:
            parts.append(tokens[piece])
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts) or '""'


def print_templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PRINT_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _page_html(md: markdown.Markdown, markdown_text: str, section: PrintSection, in_document: set[str],
               soup: BeautifulSoup) -> tuple[Tag, list[tuple[Tag, str]]]:
    """One page as a <section> of the document, ids prefixed, links rewritten (returned for checking)."""
    md.reset()
    page_soup = BeautifulSoup(md.convert(markdown_text), "html.parser")
    for el in page_soup.select(SCREEN_ONLY):
        el.decompose()
    _print_details(page_soup)
    _prefix_ids(page_soup, section.page_id)
    links = _rewrite_links(page_soup, section.page_id, in_document)
    h1 = page_soup.find("h1")
    if h1 is not None and section.layout != "cover":
        h1["data-bookmark"] = section.title  # the navigation's short title names the page in the PDF's bookmarks
    classes = ["hb-page", f"hb-page--{section.page_id}"]
    if section.layout:
        classes.append(f"hb-page--{section.layout}")
    if section.new_page:
        classes.append("hb-page--new-sheet")
    wrapper = soup.new_tag("section", attrs={"id": section.anchor, "class": " ".join(classes)})
    for child in list(page_soup.contents):
        wrapper.append(child.extract())
    return wrapper, links


def _source_of(hb: Handbook, lang: str, page_id: str) -> str:
    """The file a print section comes from (the changes appendix is the generator's own)."""
    page = hb.pages[lang].get(page_id)
    return page.rel if page else f"the '{page_id}' page the build writes"


def _check_ids(hb: Handbook, lang: str, body: list[Tag], links: list[tuple[str, Tag, str]]) -> None:
    """Every id once in the document, every rewritten link pointing at one of them."""
    ids: dict[str, str] = {}
    for wrapper in body:
        page_id = str(wrapper["id"])
        for el in [wrapper, *wrapper.find_all(id=True)]:
            if el["id"] in ids:
                raise PrintError(f"{_source_of(hb, lang, page_id)}: the id '{el['id']}' is also used on the page "
                                 f"'{ids[el['id']]}'")
            ids[str(el["id"])] = page_id
    for from_page, a, target in links:
        if target not in ids:
            raise PrintError(f"{_source_of(hb, lang, from_page)}: the link '{a.get_text()}' points at '{target}', "
                             "which the print edition does not have")


def _cover_html(env: jinja2.Environment, hb: Handbook, lang: str, tx: Any) -> str:
    edition = hb.edition
    return env.get_template("cover.html.j2").render(
        district=tx(edition.district), mark=tx(edition.district_mark), motto=tx(edition.motto),
        years=edition.school_years or "", years_label=tx(edition.school_years_label),
        approval=edition.approval and {"heading": tx(edition.approval.heading), "body": tx(edition.approval.body),
                                       "printed": tx(edition.approval.printed_date)},
        notice=hb.translation_notice(lang),
        logo=hb.theme.logo.resolve().as_uri() if hb.theme is not None and hb.theme.logo is not None else None)


def print_document(hb: Handbook, lang: str, config_file: Path | None = None) -> PrintDocument:
    """The whole handbook in `lang` as one HTML document for WeasyPrint."""
    if lang not in hb.pages:
        raise PrintError(f"no pages in language '{lang}' (languages: {', '.join(hb.languages)})")
    strings = hb.strings(lang, "print")
    env = print_templates()
    tx = Renderer(hb, lang).tx
    sections = _sections(hb, lang)
    if not sections:
        raise PrintError(f"handbook/navigation.yml: no page of the navigation exists in language '{lang}'")
    markdown_pages = render_print_pages(hb, lang)
    appendix = changes_markdown(hb, lang, renderer=PrintRenderer)  # with a previous edition: what changed
    if appendix is not None:
        markdown_pages[CHANGES_PAGE] = appendix
        sections.append(PrintSection(CHANGES_PAGE, Renderer(hb, lang).t("changes_title"), CHANGES_PAGE, None, True, None))
    in_document = {s.page_id for s in sections}
    names, configs = markdown_extensions(config_file)
    md = markdown.Markdown(extensions=names, extension_configs=configs)

    soup = BeautifulSoup("", "html.parser")
    body: list[Tag] = []
    links: list[tuple[str, Tag, str]] = []
    for section in sections:
        wrapper, page_links = _page_html(md, markdown_pages[section.page_id], section, in_document, soup)
        body.append(wrapper)
        links += [(section.page_id, a, target) for a, target in page_links]
    _check_ids(hb, lang, body, links)

    toc_groups = _toc_groups([s for s in sections if s.layout != "cover"])
    filled = _fill_slots(body, {
        "cover": _cover_html(env, hb, lang, tx),
        "approval": "",  # on the cover
        "contents": env.get_template("toc.html.j2").render(groups=toc_groups, heading=None),
    }, strings["contents"])
    if "contents" not in filled:
        # No page carries the contents: they go after the cover (or first), under their own heading.
        toc = BeautifulSoup(env.get_template("toc.html.j2").render(groups=toc_groups, heading=strings["contents"]),
                            "html.parser")
        wrapper = soup.new_tag("section", attrs={"id": "print-contents", "class": "hb-page hb-page--new-sheet"})
        wrapper.append(toc)
        body.insert(1 if "cover" in filled else 0, wrapper)

    labels = _link_labels(body, sections)
    title = tx(hb.edition.title)
    # "2024-2026 School Year" in the running header and the PDF's subject; nothing when edition.yml gives no years
    edition_line = strings["edition"].format(years=hb.edition.school_years, label=tx(hb.edition.school_years_label)).strip() \
        if hb.edition.school_years else ""
    document = env.get_template("document.html.j2").render(
        lang=lang, title=title, district=tx(hb.edition.district), edition_line=edition_line,
        # the PDF's dates: the approval's, or the day of the build (never an invented one)
        document_date=(hb.edition.approval.date if hb.edition.approval else date.today()).isoformat(),
        body="".join(str(wrapper) for wrapper in body),
        css_page_of=css_content(strings["page_of"], page="counter(page)", pages="counter(pages)"),
        css_page_ref=css_content("(" + strings["page_ref"] + ")", page="target-counter(attr(href url), page)"),
        css_title=css_string(title), css_edition=css_string(edition_line),
    )
    return PrintDocument(lang, title, document, sections, labels)


def _first_line(el: Tag) -> str:
    return next((line.strip() for line in el.get_text("\n").split("\n") if line.strip()), "")


def _link_labels(body: list[Tag], sections: list[PrintSection]) -> dict[str, str]:
    """For each link target, the words that say where a link to it leads (the PDF's link descriptions).

    A page: its title; a heading: its text; a table row: its first cell (the behavior, the code).
    """
    titles = {s.anchor: s.title for s in sections}
    targets = {str(a["href"])[1:] for wrapper in body for a in wrapper.find_all("a", href=True)
               if str(a["href"]).startswith("#")}
    labels: dict[str, str] = {}
    for wrapper in body:
        for el in [wrapper, *wrapper.find_all(id=True)]:
            anchor = str(el["id"])
            if anchor not in targets:
                continue
            if anchor in titles:
                labels[anchor] = titles[anchor]
            elif el.name == "tr" and el.find(["th", "td"]) is not None:
                labels[anchor] = _first_line(el.find(["th", "td"]))
            else:
                labels[anchor] = re.sub(r"\s+", " ", el.get_text(" ")).strip()[:160] or anchor
    return labels


def _toc_groups(sections: list[PrintSection]) -> list[tuple[str | None, list[PrintSection]]]:
    """Consecutive sections of one navigation group together, in order."""
    groups: list[tuple[str | None, list[PrintSection]]] = []
    for s in sections:
        if groups and s.group and groups[-1][0] == s.group:
            groups[-1][1].append(s)
        else:
            groups.append((s.group, [s]))
    return groups


# Where the print edition starts a new sheet of its own accord (not for a page layout such as landscape): a page
# of the navigation that starts a group, and the contents' heading. A short document drops those that would leave
# a page nearly empty (build_scripts/outputs/pdf.py).
SHEET_BREAKS = ".hb-page--new-sheet, .print-contents__heading"
CONTENTS_HEADING_ID = "print-contents-heading"
FLOWING = "hb-flowing"  # print.css: no break before it after all


def sheet_break_ids(document_html: str) -> list[str]:
    """The ids of the elements before which the print edition starts a new sheet of its own accord."""
    soup = BeautifulSoup(document_html, "html.parser")
    layouts = {f"hb-page--{layout}" for layout in page_layouts().values()}
    return [str(el["id"]) for el in soup.select(SHEET_BREAKS)
            if el.get("id") and not layouts & set(el.get("class", []))]


def without_sheet_breaks(document_html: str, ids: set[str]) -> str:
    """The document with no new sheet before the elements `ids` (they follow on the page before)."""
    soup = BeautifulSoup(document_html, "html.parser")
    for el in soup.find_all(id=list(ids)):
        el["class"] = [*el.get("class", []), FLOWING]
    return str(soup)


def _fill_slots(body: list[Tag], slot_html: dict[str, str], contents_heading: str) -> set[str]:
    """Replace the print placeholders; the cover takes what comes before it on its page (the title)."""
    filled: set[str] = set()
    for section in body:
        for slot in section.select("div.print-slot"):
            name = str(slot["data-slot"])
            fragment = BeautifulSoup(slot_html[name], "html.parser")
            if name == "cover":
                title_holder = fragment.select_one(".print-cover__title")
                if title_holder is not None:
                    for before in reversed(list(slot.find_previous_siblings())):
                        title_holder.append(before.extract())
            elif name == "contents":
                heading = slot.find_previous_sibling(re.compile(r"^h[1-6]$"))
                if heading is None:  # the page gives the contents no heading of their own: the print edition does
                    heading = BeautifulSoup("", "html.parser").new_tag("h2")
                    heading.string = contents_heading
                    slot.insert_before(heading)
                heading["class"] = [*heading.get("class", []), "print-contents__heading"]
                heading["id"] = heading.get("id") or CONTENTS_HEADING_ID  # so the PDF's pages can tell where it starts
            slot.replace_with(fragment)
            filled.add(name)
    return filled
