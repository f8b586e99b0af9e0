"""Integrity checks: the navigation, the inserts, internal links, both languages in step, and every present part's
own rules. Every problem names file and line; `check` fails on any of them, before MkDocs would."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt

from ..parts.registry import PARTS
from ..source.handbook import Handbook
from ..source.headings import anchors_of
from ..source.inserts import find_inserts, inserts_used
from ..source.paths import ASSETS
from ..source.reading import Problem
from .editions import CHANGES_PAGE
from .pages import render_language
from .parity import check_parity
from .render import Renderer

LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# CommonMark as MkDocs' Markdown reads reference definitions; HTML on, so the insert comments stay HTML.
_md = MarkdownIt("commonmark", {"html": True})
NAVIGATION = "navigation.yml"
REPORT_PAGE = "consistency-report"  # written by the build, not a file of the handbook


def _nav_entries(hb: Handbook) -> list[tuple[str, tuple[str | int, ...]]]:
    """(page id, its key path in navigation.yml) in menu order, so a problem points at the entry's own line."""
    entries: list[tuple[str, tuple[str | int, ...]]] = []
    for i, item in enumerate(hb.navigation.nav):
        if item.page:
            entries.append((item.page, ("nav", i, "page")))
        entries.extend((pid, ("nav", i, "pages", j)) for j, pid in enumerate(item.pages))
    return entries


def check_navigation(hb: Handbook) -> list[Problem]:
    """Every page in the menu once, every menu entry a page in every language."""
    problems: list[Problem] = []
    entries = _nav_entries(hb)
    for lang in hb.languages:
        for pid, loc in entries:
            if pid not in hb.pages.get(lang, {}):
                problems.append(hb.where(NAVIGATION, loc, f"navigation names page '{pid}', which has no file pages/{lang}/{pid}.md"))
    twice = {pid for pid, n in Counter(pid for pid, _ in entries).items() if n > 1}
    for pid, loc in entries:
        if pid in twice:
            problems.append(hb.where(NAVIGATION, loc, f"page '{pid}' appears twice in the navigation"))
            twice.discard(pid)
    listed = {pid for pid, _ in entries}
    for lang in hb.languages:
        for pid, page in sorted(hb.pages.get(lang, {}).items()):
            if pid not in listed:
                problems.append(Problem(page.rel, f"this page is not in the menu: add '{pid}' to handbook/{NAVIGATION}", 1))
    for lang in hb.languages:  # the site's address (and the language chooser's link) opens index.md
        if hb.pages.get(lang) and "index" not in hb.pages[lang]:
            problems.append(Problem(f"{hb.root.name}/pages/{lang}", "no index.md: the home page, the first page "
                                    "readers see, is the file index.md"))
    return problems


def check_inserts(hb: Handbook) -> list[Problem]:
    problems = []
    for lang, pages in hb.pages.items():
        renderer = Renderer(hb, lang)
        for page in pages.values():
            for ins in find_inserts(page):
                message = renderer.insert_problem(ins)
                if message:
                    problems.append(Problem(page.rel, message, ins.line))
    return problems


def active(part_name: str, hb: Handbook) -> bool:
    """A part takes part in `check` when its data is present or a page holds one of its inserts."""
    part = next(p for p in PARTS if p.name == part_name)
    if hb.has(part.name):
        return True
    used = {name for lang in hb.languages for name, _ in inserts_used(hb, lang)}
    return bool(used & set(part.inserts))


def check_parts(hb: Handbook) -> list[Problem]:
    return [problem for part in PARTS if active(part.name, hb) for problem in part.check(hb)]


def _page_link_problem(target: str, page_id: str, anchors: dict[str, set[str]]) -> str | None:
    """What is wrong with a link from page `page_id` to `target` (None: it reaches its page and anchor)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
        return None  # an outside address, not ours to check
    path, _, anchor = target.partition("#")
    target_id = page_id if not path else path.rsplit("/", 1)[-1].removesuffix(".md")
    if path and not path.endswith(".md"):
        return f"link '{target}': link to a page's .md file"
    if target_id not in anchors:
        return f"broken link '{target}': no page '{target_id}'"
    if anchor and anchor not in anchors[target_id]:
        return f"broken link '{target}': no anchor '#{anchor}' on that page"
    return None


def _image_problem(hb: Handbook, target: str) -> str | None:
    """Images come from the site itself: the district's files in handbook/theme/ (written assets/brand/NAME)."""
    if target.startswith("data:"):
        return None
    if re.match(r"^([a-z][a-z0-9+.-]*:|//)", target, re.I):
        return (f"image '{target}' is on another server, and the site makes no request to another server: put the "
                "file in handbook/theme/ and write assets/brand/<its name>")
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if path.startswith("assets/brand/"):
        found = (hb.root / "theme" / path.removeprefix("assets/brand/")).is_file()
    else:
        found = path.startswith("assets/") and (ASSETS / path.removeprefix("assets/")).is_file()
    if not found:
        return f"no image file '{target}': put the file in handbook/theme/ and write assets/brand/<its name>"
    return None


def _reference_definitions(body: str) -> list[tuple[str, int, str]]:
    """(label, 0-based line, target) of each `[label]: target` of a page, and whether each is used as an image
    (then the label is prefixed '!'): markdown-it reads them as CommonMark does, wherever they are."""
    env: dict[str, Any] = {}
    tokens = _md.parse(body, env)
    images = {child.attrGet("src") for token in tokens for child in token.children or [] if child.type == "image"}
    links = {child.attrGet("href") for token in tokens for child in token.children or [] if child.type == "link_open"}
    found = []
    for label, ref in env.get("references", {}).items():
        href = ref["href"]
        as_image = href in images and href not in links
        found.append((("!" if as_image else "") + label, ref.get("map", [0])[0], unquote(href)))
    return found


_FULL_REFERENCE_RE = re.compile(r"\[([^\[\]]+)\]\[([^\[\]]*)\]")


def _undefined_references(body: str) -> list[tuple[str, int]]:
    """(label, 0-based line) of each `[text][label]` (or `[label][]`) whose label no `[label]: target` defines:
    Markdown then prints the brackets as they are, and the reader gets no link."""
    env: dict[str, Any] = {}
    tokens = _md.parse(body, env)
    defined = {label.casefold() for label in env.get("references", {})}
    lines = body.split("\n")
    found = []
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        for child in token.children or []:
            if child.type != "text":
                continue  # code spans keep their brackets on purpose
            for match in _FULL_REFERENCE_RE.finditer(child.content):
                label = " ".join((match[2] or match[1]).split())
                if label.casefold() in defined:
                    continue
                at = next((n for n in range(*token.map) if match[0] in lines[n]), token.map[0])
                found.append((label, at))
    return found


def check_links(hb: Handbook) -> list[Problem]:
    """Links between pages (`page.md#anchor`), inline or reference-style (`[text][ref]` ... `[ref]: page.md`), must
    reach an existing page and anchor; images must be the site's own files."""
    problems = []
    for lang, pages in hb.pages.items():
        anchors = {pid: anchors_of(md) for pid, md in render_language(hb, lang).items()}
        anchors[REPORT_PAGE] = set()
        if hb.previous is not None:  # the build writes the changes page: editors may link to it
            anchors[CHANGES_PAGE] = {"changes-text", "changes-data"}
        for page in pages.values():
            for offset, line in enumerate(page.body.split("\n")):
                lineno = page.body_line + offset
                for target in LINK_RE.findall(line):
                    message = _page_link_problem(target, page.id, anchors)
                    if message:
                        problems.append(Problem(page.rel, message, lineno))
                for target in IMAGE_RE.findall(line):
                    message = _image_problem(hb, target)
                    if message:
                        problems.append(Problem(page.rel, message, lineno))
            for label, offset, target in _reference_definitions(page.body):
                if label.startswith("!"):
                    message = _image_problem(hb, target)
                else:
                    message = _page_link_problem(target, page.id, anchors)
                if message:
                    problems.append(Problem(page.rel, f"reference [{label.lstrip('!').lower()}]: {message}",
                                            page.body_line + offset))
            for label, offset in _undefined_references(page.body):
                problems.append(Problem(page.rel, f"the reference [{label}] is not defined: add a line "
                                        f"`[{label}]: page.md` (or write the link as [text](page.md))",
                                        page.body_line + offset))
    return problems


def run_checks(hb: Handbook) -> list[Problem]:
    """Everything that must be fixed before the handbook can be built."""
    problems = check_navigation(hb) + check_inserts(hb) + check_parity(hb) + check_parts(hb)
    if problems:
        return problems  # links are checked on rendered pages, which need sound references first
    return check_links(hb)


def page_warnings(hb: Handbook) -> list[Problem]:
    """What `check` points out without failing: a page with neither a `title:` nor a heading, which the contents list
    and the browser's tab could only call by its file name."""
    return [Problem(page.rel, f"no `title:` in its front matter and no heading: it shows as '{page.id}'; add a line "
                    "`title: ...` to its front matter or a heading (`# ...`) to the page", 1)
            for lang in hb.languages for page in hb.pages[lang].values()
            if not page.meta.get("title") and page.heading is None]
