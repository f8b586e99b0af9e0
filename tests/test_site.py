"""The built English site: every page and section, the handbook's wording, real tables, nothing from outside."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import GUIDE_TXT, normalise_space, page_text, soup_of


def _html(site: Path, lang: str, page_id: str) -> Path:
    return site / lang / ("index.html" if page_id == "index" else f"{page_id}/index.html")


def test_every_page_is_built(built_site):
    hb = built_site.handbook
    for page_id in hb.pages["en"]:
        assert _html(built_site.site_dir, "en", page_id).exists(), page_id
    assert _html(built_site.site_dir, "en", "consistency-report").exists()
    assert (built_site.site_dir / "index.html").exists()


def test_html_lang_and_search_index(built_site):
    for html in (built_site.site_dir / "en").rglob("index.html"):
        assert soup_of(html).html["lang"] == "en", html
    # the site's own search index (outputs/search.py), not the theme's
    assert (built_site.site_dir / "en" / "search" / "index.json").is_file()
    assert not (built_site.site_dir / "en" / "search" / "search_index.json").exists()


def test_every_section_of_the_source_is_in_the_site(built_site, source_lines):
    site_text = " ".join(page_text(p) for p in (built_site.site_dir / "en").rglob("index.html"))
    headings = [line.split("**")[0] for line in source_lines if re.match(r"^SECTION [IVX]+\b", line) and "\t" not in line]
    headings += ["INTRODUCTION", "CODE TABLE", "DISCIPLINE MATRIX: ELEMENTARY", "DISCIPLINE MATRIX: SECONDARY", "Sign-Off Page"]
    assert len(headings) >= 13 + 5
    for heading in headings:
        assert heading in site_text, heading


def _segments(lines: list[str]) -> list[str]:
    """Sentences of the source, with the extraction's markup (bullets, bold/italic markers, escapes) removed."""
    out = []
    for line in lines:
        if "\t" in line or not line.strip():
            continue  # table rows are checked cell by cell in test_source_fidelity
        line = line.replace("\\$", "$").replace("❖", " ")
        line = re.sub(r"<(https?://[^>]+)>", r"\1", line)
        for part in re.split(r"\*+|_{3,}", line):
            part = re.sub(r"^\s*-?\s*(\d+\.\s+)?", "", part).strip()
            for sentence in re.split(r"(?<=[.;:?!])\s+", part):
                sentence = normalise_space(sentence)
                if sentence:
                    out.append(sentence)
    return out


def _apply_fixes(handbook, sentence: str) -> str:
    for fix in handbook.fixes.fixes:
        sentence = sentence.replace(fix.printed, fix.corrected)
    return sentence


def test_every_sentence_of_the_handbook_is_in_the_site(built_site, source_lines):
    hb = built_site.handbook
    contents_start = source_lines.index("Table of Contents")
    contents_end = source_lines.index("INTRODUCTION")
    kept = source_lines[:contents_start] + source_lines[contents_end:]
    site_text = " ".join(page_text(p) for p in (built_site.site_dir / "en").rglob("index.html"))
    missing = [s for s in _segments(kept) if s not in site_text and _apply_fixes(hb, s) not in site_text]
    assert not missing, f"{len(missing)} sentences missing, e.g. {missing[:5]}"


def test_every_sentence_of_the_concern_guide_is_in_the_site(built_site):
    if not GUIDE_TXT.exists():
        pytest.skip("../shared/source is not beside the project")  # source_lines fails under CI already
    text = page_text(_html(built_site.site_dir, "en", "concern-guide"))
    missing = [s for s in _segments(GUIDE_TXT.read_text(encoding="utf-8").split("\n")) if s not in text]
    assert not missing, missing[:5]


def test_fixes_are_listed_on_the_about_page(built_site):
    text = page_text(_html(built_site.site_dir, "en", "about"))
    assert built_site.handbook.fixes.fixes
    for fix in built_site.handbook.fixes.fixes:
        assert f"“{fix.printed}”" in text and f"“{fix.corrected}”" in text


def test_matrix_pages_are_accessible_tables(built_site):
    hb = built_site.handbook
    for matrix in hb.matrices:
        soup = soup_of(_html(built_site.site_dir, "en", f"matrix-{matrix.id}"))
        tables = soup.select("table.hb-matrix")
        assert len(tables) == len(matrix.levels)
        for table, level in zip(tables, matrix.levels):
            assert table.caption and level.title["en"] in table.caption.get_text()
            assert all(th.get("scope") == "col" for th in table.thead.find_all("th"))
            rows = table.tbody.find_all("tr")
            assert len(rows) == len(level.rows)
            for tr, row in zip(rows, level.rows):
                assert tr.th["scope"] == "row" and row.behavior["en"] in tr.th.get_text()
                assert len(tr.find_all("td")) == len(row.cells)


def test_matrix_rows_link_to_their_definitions(built_site):
    soup = soup_of(_html(built_site.site_dir, "en", "matrix-secondary"))
    row = soup.find("tr", id="arson")
    link = row.th.find("a")
    assert link["href"] == "../section-06/#arson"
    definitions = soup_of(_html(built_site.site_dir, "en", "section-06"))
    assert definitions.find(id="arson") is not None


def test_code_table_page_lists_every_code_with_a_filter_hook(built_site):
    soup = soup_of(_html(built_site.site_dir, "en", "code-table"))
    rows = soup.select("#hb-code-table tbody tr")
    assert len(rows) == len(built_site.handbook.codes.codes)
    assert soup.select_one(".hb-filter[data-filter-for=hb-code-table]") is not None
    # Without JavaScript there is no dead control: the filter input is created by the script.
    assert soup.select_one(".hb-filter input") is None


def test_nothing_is_requested_from_another_origin(built_site):
    for html in built_site.site_dir.rglob("*.html"):
        soup = soup_of(html)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr)
                if not url or (tag == "link" and "alternate" in (el.get("rel") or []) and not urlparse(url).netloc):
                    continue
                assert not urlparse(url).netloc and not url.startswith("//"), f"{html}: {tag} {url}"
    for css in built_site.site_dir.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"@import\s+url\(['\"]?https?:", text), css
        assert "fonts.googleapis" not in text, css


def test_consistency_report_page_is_reachable_but_not_in_the_menu(built_site):
    about = soup_of(_html(built_site.site_dir, "en", "about"))
    assert about.find("a", href=re.compile(r"consistency-report/?$"))
    index = soup_of(_html(built_site.site_dir, "en", "index"))
    nav_links = [a.get("href", "") for a in index.select("nav.md-nav--primary a")]
    assert not any("consistency-report" in h for h in nav_links)
    report = page_text(_html(built_site.site_dir, "en", "consistency-report"))
    assert "187" in report and "189" in report


def test_no_script_holds_back_the_first_paint_and_the_theme_bundle_runs_before_ours(built_site):
    """Every page's external scripts are deferred (so they keep their order) and the theme's bundle comes before
    the site's scripts, which subscribe to it. The search script is on every page of the theme."""
    for lang in built_site.handbook.languages:
        for html in (built_site.site_dir / lang).rglob("*.html"):
            soup = soup_of(html)
            if not soup.select_one("header.md-header"):
                continue  # the offline page: no theme
            scripts = [s for s in soup.find_all("script") if s.get("src")]
            assert scripts and all(s.has_attr("defer") or s.has_attr("async") for s in scripts), html
            order = [s["src"].rsplit("/", 1)[-1].split(".")[0] for s in scripts]
            assert order.index("bundle") < order.index("handbook"), html
            # the calculators' script only on pages that hold a calculator, after the site's own
            holds = bool(soup.select("[data-calculator]"))
            assert ("calculators" in order) == holds, html
            if holds:
                assert order.index("handbook") < order.index("calculators"), html
            assert "search" in order and order.index("bundle") < order.index("search"), html
