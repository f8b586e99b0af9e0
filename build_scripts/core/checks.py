"""Integrity checks: the navigation, the inserts, internal links, both languages in step, and every present part's
own rules. Every problem names file and line; `check` fails on any of them, before MkDocs would."""

from __future__ import annotations

import re
from collections import Counter

from ..parts.registry import PARTS
from ..source.handbook import Handbook
from ..source.headings import anchors_of
from ..source.inserts import find_inserts, inserts_used
from ..source.reading import Problem
from .pages import render_language
from .parity import check_parity
from .render import Renderer

LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
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


def check_links(hb: Handbook) -> list[Problem]:
    """Links between pages (`page.md#anchor`) must reach an existing page and anchor."""
    problems = []
    for lang, pages in hb.pages.items():
        anchors = {pid: anchors_of(md) for pid, md in render_language(hb, lang).items()}
        anchors[REPORT_PAGE] = set()
        for page in pages.values():
            for offset, line in enumerate(page.body.split("\n")):
                for target in LINK_RE.findall(line):
                    if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                        continue  # an outside address, not ours to check
                    path, _, anchor = target.partition("#")
                    target_id = page.id if not path else path.rsplit("/", 1)[-1].removesuffix(".md")
                    lineno = page.body_line + offset
                    if path and not path.endswith(".md"):
                        problems.append(Problem(page.rel, f"link '{target}': link to a page's .md file", lineno))
                    elif target_id not in anchors:
                        problems.append(Problem(page.rel, f"broken link '{target}': no page '{target_id}'", lineno))
                    elif anchor and anchor not in anchors[target_id]:
                        problems.append(Problem(page.rel, f"broken link '{target}': no anchor '#{anchor}' on that page", lineno))
    return problems


def run_checks(hb: Handbook) -> list[Problem]:
    """Everything that must be fixed before the handbook can be built."""
    problems = check_navigation(hb) + check_inserts(hb) + check_parity(hb) + check_parts(hb)
    if problems:
        return problems  # links are checked on rendered pages, which need sound references first
    return check_links(hb)
