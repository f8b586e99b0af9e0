"""Site search: an index per language built from the built pages, and the search script that reads it.

Why from the built HTML: it is what the reader sees (inserts expanded, tables as cells), it knows no theme, and a new
district's handbook needs no code. Each section (a heading with an id, down to h4) is one document: a reader lands on
the matching section, not on the page's top. Widgets are left out (a calculator page is found by its introduction,
not by its no-JavaScript fallback), table cells are separated, and the printed codes in a heading ("FORGERY (FOR)")
make that section the code's definition. The browser side (site_templates/assets/search.js) indexes these documents
with MiniSearch (npm, pinned): accents and case folded, prefixes, typos, the language's stop words, search.yml's
everyday words. docs/architecture.md, "Search", has the measurements behind the choice.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from stop_words import StopWordError, get_stop_words

from ..parts.search_words import everyday_words, fold
from ..source.handbook import Handbook
from ..source.i18n import load_strings
from ..source.inserts import find_inserts
from ..source.paths import ASSETS, PROJECT
from .csp import script_with_config

SEARCH_DIR = "search"
INDEX_FILE = f"{SEARCH_DIR}/index.json"
SCRIPT = "assets/search.js"
ENGINE = "assets/minisearch.js"
SEARCH_FILES = (INDEX_FILE, ENGINE, SCRIPT)  # what search fetches: kept by the service worker for offline use
ENGINE_SOURCE = PROJECT / "node_modules" / "minisearch" / "dist" / "umd" / "index.js"
SECTION_HEADINGS = ("h1", "h2", "h3", "h4")
# What a reader does not read as text: widgets (their no-JavaScript notes and form labels), the theme's permalinks.
LEFT_OUT = "script, style, template, form, button, select, datalist, noscript, [hidden], .headerlink, .hb-calc, .hb-filter"
_MARK = "\u0000{}\u0000"
_MARK_RE = re.compile("\u0000(\\d+)\u0000")
SHORT_WORD = 4  # a listed stop word this short is one wherever it is ("how", "many", "de", "los")
COMMON_SHARE = 0.05  # a longer one is a stop word when at least this share of the sections use it
_CODE_LIKE = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Z][A-Za-z0-9]{1,5}$")


@dataclass(frozen=True)
class Section:
    """One searchable place: a heading of a page and the text under it, up to the next heading."""

    page: int  # index into the pages list
    anchor: str  # the heading's id ("" for the page's top)
    title: str
    text: str
    codes: tuple[str, ...]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _heading_codes(heading: str, known: set[str] | None, stop: set[str]) -> tuple[str, ...]:
    """The printed codes a heading names in parentheses: "FORGERY (FOR)" -> FOR, "(MED OR RCA)" -> MED, RCA.
    With the handbook's code table, only its codes; without one, code-like tokens that are not plain words."""
    found: list[str] = []
    for group in re.findall(r"\(([^()]*)\)", heading):
        for token in re.split(r"[^\w]+", group):
            is_code = token in known if known is not None else (_CODE_LIKE.match(token) and token.lower() not in stop)
            if is_code and token not in found:
                found.append(token)
    return tuple(found)


def page_sections(html: str, page: int, page_title: str, known: set[str] | None, stop: set[str]) -> list[Section]:
    """The sections of a built page's <article> (the whole <main> or <body> when it has none)."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup.find("main") or soup.body
    if article is None:
        return []
    for element in article.select(LEFT_OUT):
        element.decompose()
    headings: list[tuple[str, str]] = []
    for heading in article.find_all(SECTION_HEADINGS):
        if not heading.get("id"):
            continue
        headings.append((str(heading["id"]), _clean(heading.get_text(" "))))
        heading.replace_with(soup.new_string(" " + _MARK.format(len(headings) - 1) + " "))
    parts = _MARK_RE.split(article.get_text(" "))
    sections: list[Section] = []
    before = _clean(parts[0])
    if before:
        sections.append(Section(page, "", page_title, before, ()))
    for i in range(1, len(parts), 2):
        anchor, title = headings[int(parts[i])]
        text = _clean(parts[i + 1])
        top = not sections and i == 1 and (title == page_title or fold(title) == fold(page_title))
        sections.append(Section(page, "" if top else anchor, title, text, _heading_codes(title, known, stop)))
    return sections


def stop_words(hb: Handbook, lang: str, sections: list[Section]) -> list[str]:
    """The language's stop words (the stop-words package) that are short or common in this handbook, less the
    words of search.yml. The package's lists are long ("absent", "fire" are in the English one): a longer listed
    word that few sections use is a topic word here and stays searchable. Codes are not exempt: "for" stays a stop
    word though FORGERY's code is FOR (typed FOR, it is the code)."""
    listed = _listed_stop_words(lang)
    if not sections or not listed:
        return []
    counts: dict[str, int] = {}
    for section in sections:
        for word in set(fold(section.title + " " + section.text).split()):
            counts[word] = counts.get(word, 0) + 1
    topical: set[str] = set()
    for entry in everyday_words(hb, lang):
        for phrase in entry.words + entry.terms:
            topical.update(fold(phrase).split())
    common = COMMON_SHARE * len(sections)
    return sorted(w for w in listed if not w.isdigit() and w not in topical
                  and (len(w) <= SHORT_WORD or counts.get(w, 0) >= common))


def _listed_stop_words(lang: str) -> set[str]:
    try:
        return {fold(w) for w in get_stop_words(lang) if " " not in fold(w) and fold(w)}
    except StopWordError:  # the package has no list for this language: every word counts
        return set()


def _page_url(page_id: str) -> str:
    return "" if page_id == "index" else f"{page_id}/"


def _insert_page(hb: Handbook, lang: str, insert: str) -> str | None:
    for page_id, page in hb.pages[lang].items():
        if any(i.name == insert for i in find_inserts(page)):
            return page_id
    return None


def ui_strings(hb: Handbook, lang: str) -> dict[str, Any]:
    """The search box's words in the page's language, and where the no-result line points."""
    strings = load_strings(lang)
    keys = ("search_button", "search_label", "search_placeholder", "search_close", "search_loading",
            "search_count_one", "search_count_other", "search_none", "search_none_contents",
            "search_none_codes", "search_none_look", "search_also", "search_failed")
    ui: dict[str, Any] = {key: strings[key] for key in keys}
    codes = _insert_page(hb, lang, "code-table")
    contents = _insert_page(hb, lang, "contents") or "index"
    ui["codes_url"] = _page_url(codes) if codes else None
    ui["contents_url"] = _page_url(contents)
    return ui


def build_index(hb: Handbook, lang: str, lang_site: Path) -> dict[str, Any]:
    """The language's search documents, from its built pages, in the navigation's order."""
    # a code printed in two parts ("LAR 1", "AGG BAK") is found by its letters: "LARCENY (LAR 1)" defines LAR
    known = ({part for c in hb.codes.codes for part in c.code.split() if not part.isdigit()}
             if hb.has("codes") else None)
    listed = _listed_stop_words(lang)
    order = [p for p in hb.nav_page_ids() if p in hb.pages[lang]]
    order += sorted(p for p in hb.pages[lang] if p not in order)
    pages: list[dict[str, str]] = []
    sections: list[Section] = []
    for page_id in order:
        path = lang_site / _page_url(page_id) / "index.html"
        if not path.is_file():
            continue
        title = hb.pages[lang][page_id].title
        pages.append({"u": _page_url(page_id), "t": title})
        sections += page_sections(path.read_text(encoding="utf-8"), len(pages) - 1, title, known, listed)
    codes: dict[str, list[int]] = {}
    for i, section in enumerate(sections):
        for code in section.codes:
            codes.setdefault(code, []).append(i)
    # codes that are also words of the text ("bus", "for", "sec"): typed in small letters they are the word
    lowercase_words = set(re.findall(r"\b[a-z\u00e0-\u00ff]+\b", " ".join(s.text for s in sections)))
    return {
        "pages": pages,
        "words_too": sorted(c for c in codes if c.lower() in lowercase_words),
        "docs": [{"p": s.page, "a": s.anchor, "t": s.title, "x": s.text} for s in sections],
        "codes": codes,
        "stop": stop_words(hb, lang, sections),
        "words": [[list(e.words), list(e.terms)] for e in everyday_words(hb, lang)],
    }


def write_search(hb: Handbook, lang: str, lang_site: Path) -> list[Path]:
    """search/index.json, the search script with the language's words, and the engine, into the language's site."""
    index = build_index(hb, lang, lang_site)
    (lang_site / SEARCH_DIR).mkdir(parents=True, exist_ok=True)
    index_path = lang_site / INDEX_FILE
    index_path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    text = script_with_config(ASSETS / "search.js",
                              {"index": INDEX_FILE, "engine": ENGINE, "lang": lang, "ui": ui_strings(hb, lang)})
    script = lang_site / SCRIPT
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(text, encoding="utf-8")
    shutil.copy2(ENGINE_SOURCE, lang_site / ENGINE)
    return [index_path, script, lang_site / ENGINE]
