"""Editions (issue 20): what changed since the previous edition, on a changes page per language, in the printed
appendix and the Board's redline; translations left behind in the consistency report.

tests/fixtures/editions/ holds two editions of a small bilingual handbook with every kind of change."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from build_scripts.core.changes_page import changes_markdown
from build_scripts.core.editions import (Paragraph, STALE, match_paragraphs, paragraphs, prose_changes,
                                         word_segments)
from build_scripts.core.load import load_handbook
from build_scripts.core.validate import load_and_check
from build_scripts.outputs.site import assemble_docs
from build_scripts.source.handbook import Page
from build_scripts.source.reading import SourceError

from .browser import project_copy
from .conftest import PROJECT

FIXTURE = PROJECT / "tests" / "fixtures" / "editions"


@pytest.fixture(scope="module")
def editions():
    return load_and_check(FIXTURE / "mkdocs.yml")


def _soup(markdown: str) -> BeautifulSoup:
    """The page's HTML blocks (the changes are HTML inside the Markdown, as the site's Markdown passes them on)."""
    return BeautifulSoup(markdown, "html.parser")


def _text(markdown: str) -> str:
    """The page as a reader reads it (tags gone, whitespace collapsed)."""
    return " ".join(_soup(markdown).get_text(" ").split())


def _entries(markdown: str) -> list[str]:
    """Each prose change and each data change of a changes page, as text."""
    soup = _soup(markdown)
    items = soup.select("div.hb-change") + soup.select("ul.hb-changes-data > li")
    return [" ".join(item.get_text().split()) for item in items]


# ---------------------------------------------------------------- the changes page


def test_changes_page_lists_each_kind_of_change_once_and_nothing_else(editions):
    hb, _ = editions
    en = _entries(changes_markdown(hb, "en"))
    prose = [e for e in en if e.startswith("Paragraph")]
    # reworded, removed, reworded (Spanish behind), added, split in two (one change); the deadline's sentence, changed
    # only where deadlines.yml quotes it, is the deadline's own change below (listed once, with its place)
    assert len(prose) == 5, prose
    assert not any("ten (10)" in e for e in prose)
    assert any("Paragraph removed: Teachers take attendance" in e for e in prose)
    assert any("Paragraph added: Phones stay in lockers" in e for e in prose)
    assert any("[removed: two] [added: three]" in e for e in prose)
    # the split paragraph is one change: its second half is not listed as added
    assert not any(e.startswith("Paragraph added: The office checks") for e in prose)
    # re-wrapped (whitespace only) and moved word for word: never listed
    page = _text(changes_markdown(hb, "en"))
    assert "first bell" not in page and "feels unwell" not in page
    data = [e for e in en if not e.startswith("Paragraph")]
    expected = [
        "Code LAT: was “Lateness”, now “Late arrival”.",  # renamed
        "Code PHN: added, “Phone use”.",
        "Code NOI: removed (it was “Noise”).",
        "Definition of LATE ARRIVAL (LAT): was “Arriving after the bell rings.”, now “Arriving after the second bell rings.”.",
        "Consequence Detention (DET), number of days: was “1 to 2 school days”, now “1 to 3 school days”.",
        "CONSEQUENCES: ALL GRADES, Minor: Late arrival, Second time: was “1-day DET”, now “2-day DET”.",
        "Attendance, STEP 1: was “under 15%”, now “under 20%”.",
        "Chronic absence: was “from 15%”, now “from 20%”.",
        "Sign-off statement (Name): was “, have read the Conduct Guide.”, now “, have read and understood the Conduct Guide.”.",
        "Deadline, Grievance: Family (Appeals): was “within 5 school days after: The principal decided”, "
        "now “within 10 calendar days after: The family received the notice”.",
    ]
    for sentence in expected:
        assert any(e.startswith(sentence) for e in data), (sentence, data)
    assert len(data) == 20, data  # the above, plus the names and texts changed with them (each once)
    assert len(set(data)) == len(data)


def test_spanish_page_words_every_change_in_spanish_and_shows_the_governing_text_where_behind(editions):
    hb, _ = editions
    markdown = changes_markdown(hb, "es")
    es = _entries(markdown)
    assert len([e for e in es if e.startswith("Párrafo")]) == 5
    # the translation was updated with its twin: shown in Spanish, with Spanish marks
    assert any("salón[añadido: , pasillo] y [eliminado: pasillo.][añadido: autobús.]" in e for e in es)
    # not updated: the approved English shown, marked as such (lang) and said in words
    behind = _soup(markdown).select("div.hb-change[lang=en]")
    assert len(behind) == 1 and "three" in behind[0].get_text()
    assert "aún no se ha actualizado" in behind[0].get_text()
    assert behind[0].select_one(".hb-change__kind")["lang"] == "es"
    assert "Código LAT: decía “Retraso”, ahora dice “Llegada tarde”." in es
    assert any(e.startswith("Plazo, Reclamo: La familia (Apela): decía “dentro de 5 días escolares después de: "
                            "El director decidió”, ahora dice “dentro de 10 días calendario") for e in es)
    cell = next(e for e in es if "Segunda vez" in e)
    assert "decía “1-day DET”, ahora dice “2-day DET”" in cell  # the Spanish cell was not updated: the English shown
    assert len([e for e in es if not e.startswith("Párrafo")]) == 20


def test_each_data_change_links_to_where_it_now_stands(editions):
    hb, _ = editions
    soup = _soup(changes_markdown(hb, "en"))
    links = {" ".join(li.get_text().split()).split(": was")[0]: li.a["href"]
             for li in soup.select("ul.hb-changes-data > li") if li.a}
    assert links["Deadline, Grievance: Family (Appeals)"] == "../grievance/#deadline-appeal"
    assert links["CONSEQUENCES: ALL GRADES, Minor: Late arrival, Second time"] == "../matrix-all/#lateness"
    assert links["Attendance, STEP 1"] == "../attendance/#tier-1"
    assert links["Definition of LATE ARRIVAL (LAT)"] == "../rules/#lateness"
    # removed things stand nowhere: no link
    removed = [li for li in soup.select("ul.hb-changes-data > li") if "removed" in li.get_text()]
    assert removed and all(li.a is None for li in removed)


def test_marks_say_added_and_removed_in_words(editions):
    hb, _ = editions
    soup = _soup(changes_markdown(hb, "en"))
    for mark in soup.select("div.hb-change--changed ins, div.hb-change--changed del"):
        label = mark.select_one(".hb-change__label").get_text().strip()  # a no-break space after it, unmarked
        assert label == ("[added:" if mark.name == "ins" else "[removed:")


def test_site_has_the_changes_page_linked_from_home_and_about(editions, tmp_path):
    hb, findings = editions
    for lang in hb.languages:
        docs = tmp_path / lang
        assemble_docs(hb, lang, findings, docs)
        assert (docs / "changes.md").exists()
        assert 'href="../changes/"' not in (docs / "index.md").read_text() and 'href="changes/"' in (docs / "index.md").read_text()
        assert "(changes.md)" in (docs / "about.md").read_text()


def test_without_a_previous_edition_there_is_no_changes_page_and_no_link(handbook, tmp_path):
    assert handbook.edition.previous_edition is None  # this district keeps no earlier edition
    for hb in (handbook, load_handbook(PROJECT / "tests/fixtures/mini/handbook")):
        assert hb.previous is None and prose_changes(hb) == []
        for lang in hb.languages:
            assert changes_markdown(hb, lang) is None
            docs = tmp_path / hb.root.parent.name / lang
            assemble_docs(hb, lang, [], docs)
            assert not (docs / "changes.md").exists()
            linking = [p.name for p in docs.glob("*.md")
                       if re.search(r"\(changes\.md\)|href=\"(\.\./)?changes/\"", p.read_text(encoding="utf-8"))]
            assert linking == []


# ---------------------------------------------------------------- stale translations


def test_stale_translations_name_the_spanish_paragraph_and_fields_left_behind(editions):
    _, findings = editions
    stale = [f for f in findings if f.topic == STALE.id]
    places = sorted(f.places[0] for f in stale)
    assert places == ["handbook/data/matrices/all.yml:22", "handbook/data/sign_off.yml:3", "handbook/pages/es/rules.md:13"]
    paragraph = next(f for f in stale if "rules.md" in f.places[0])
    assert "“A student who is late two times" in paragraph.message and "“A student who is late three times" in paragraph.message
    cell = next(f for f in stale if "all.yml" in f.places[0])
    assert "cells[1].text.es" in cell.message and "“1-day DET”" in cell.message and "“2-day DET”" in cell.message
    # updated twins are not flagged: the reworded first rule, the definition, the deadline sentence
    assert not any(word in f.message for f in stale for word in ("hallway", "second bell", "ten (10)"))


def test_check_prints_the_topic(tmp_path):
    run = subprocess.run([str(PROJECT / ".venv/bin/python"), "-m", "build_scripts", "--config",
                          str(FIXTURE / "mkdocs.yml"), "check"], capture_output=True, text=True, cwd=PROJECT, timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"{STALE.heading} (3):" in run.stdout
    assert "handbook/pages/es/rules.md:13" in run.stdout


# ---------------------------------------------------------------- the previous edition as source


def _copy_fixture(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "editions")
    config = tmp_path / "editions" / "mkdocs.yml"
    text = config.read_text().replace("../../../", str(PROJECT) + "/")
    config.write_text(text)
    return tmp_path / "editions"


def test_a_broken_file_of_the_previous_edition_is_named(tmp_path):
    root = _copy_fixture(tmp_path)
    codes = root / "previous" / "data" / "codes.yml"
    codes.write_text(codes.read_text().replace("kind: behavior", "kind: behaviour", 1))
    with pytest.raises(SourceError) as err:
        load_and_check(root / "mkdocs.yml")
    problems = [str(p) for p in err.value.problems]
    assert any(p.startswith("handbook/edition.yml:8 (previous_edition): the previous edition has problems") for p in problems)
    assert any(p.startswith("previous/data/codes.yml:2 (codes[0].kind)") for p in problems), problems


def test_a_missing_previous_edition_folder_is_a_check_error(tmp_path):
    root = _copy_fixture(tmp_path)
    edition = root / "handbook" / "edition.yml"
    edition.write_text(edition.read_text().replace("../previous", "../editions/2029-2030"))
    with pytest.raises(SourceError) as err:
        load_and_check(root / "mkdocs.yml")
    assert [str(p) for p in err.value.problems][0].startswith(
        "handbook/edition.yml:8 (previous_edition): the previous edition '../editions/2029-2030' is not a folder")


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.text(max_size=40), st.sampled_from(["/", "..", ".", "../handbook", "../previous/pages",
                                                        "../previous/edition.yml", "x" * 5000, "a\x00b"])))
def test_any_previous_edition_value_gets_a_clear_answer(tmp_path_factory, value):
    import yaml

    root = tmp_path_factory.getbasetemp() / "hostile-previous"
    if not root.exists():
        _copy_fixture(root)
    edition = root / "editions" / "handbook" / "edition.yml"
    original = (FIXTURE / "handbook" / "edition.yml").read_text().replace("previous_edition: ../previous\n", "")
    edition.write_text(original + yaml.safe_dump({"previous_edition": value}, allow_unicode=True, width=10_000))
    try:
        hb, _ = load_and_check(root / "editions" / "mkdocs.yml")
    except SourceError as err:  # said at edition.yml's line, before whatever the folder's own files hold (a
        first = err.problems[0]  # control character is refused by the reader, without a key)
        assert (first.file, first.line) == ("handbook/edition.yml", 8), err.problems
        assert first.key in ("previous_edition", None)
    else:
        assert hb.previous is not None or not value


# ---------------------------------------------------------------- print: the appendix and the Board's redline


def test_the_printed_handbook_ends_with_the_changes_appendix(editions):
    from build_scripts.outputs.print_html import print_document

    hb, _ = editions
    document = print_document(hb, "es", FIXTURE / "mkdocs.yml")
    assert document.sections[-1].page_id == "changes" and document.sections[-1].title == "Qué cambió en esta edición"
    appendix = BeautifulSoup(document.html, "html.parser").select_one("section#changes")
    assert "Párrafo modificado" in appendix.get_text()
    # its links lead inside the document (the deadline's step on the grievance page)
    assert appendix.select_one('a[href="#grievance--deadline-appeal"]') is not None


def test_redline_pdf_marks_the_changes_and_is_tagged(editions, tmp_path):
    pytest.importorskip("weasyprint")
    from pdfua import validate

    from build_scripts.outputs.redline import build_redline

    hb, _ = editions
    path = build_redline(hb, tmp_path / "redline.pdf")
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "Redline: Conduct Guide" in text
    assert "late [REMOVED: two] [ADDED: three] times" in text
    assert "PARAGRAPH REMOVED: Teachers take attendance" in text
    assert "during class unless a teacher allows them" in text and "Students treat each other" in text  # the whole text
    assert "1-day DET 2-day DET" in text  # the data table: what, before, after
    report = validate(str(path))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Tagged:\s+yes", info)


def test_redline_command_without_previous_edition_says_what_to_add(tmp_path):
    run = subprocess.run([str(PROJECT / ".venv/bin/python"), "-m", "build_scripts", "--config",
                          str(PROJECT / "tests/fixtures/mini/mkdocs.yml"), "redline", "--out", str(tmp_path / "r.pdf")],
                         capture_output=True, text=True, cwd=PROJECT, timeout=120)
    assert run.returncode == 1 and "previous_edition" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "r.pdf").exists()


# ---------------------------------------------------------------- this district, as an editor would try it


def test_editor_changes_a_sentence_a_matrix_cell_and_a_deadline_in_english_only(tmp_path):
    config = project_copy(tmp_path / "current")
    shutil.copytree(tmp_path / "current" / "handbook", tmp_path / "previous")
    hb_dir = tmp_path / "current" / "handbook"

    def edit(rel: str, old: str, new: str) -> None:
        path = hb_dir / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit("pages/en/section-01.md", "- During regular school hours and extension", "- During regular school hours, field trips and extension")
    matrix = (hb_dir / "data/matrices/elementary.yml").read_text(encoding="utf-8")
    cell = matrix.index("en: Admin-Parent Contact", matrix.index("en: Admin-Parent Contact") + 1)  # 2nd offense
    (hb_dir / "data/matrices/elementary.yml").write_text(matrix[:cell] + "en: Detention" + matrix[cell + len("en: Admin-Parent Contact"):], encoding="utf-8")
    sentence = "he/she shall within three (3) school days appeal"
    edit("pages/en/section-03.md", sentence, sentence.replace("three (3)", "five (5)"))
    edit("data/deadlines.yml", sentence, sentence.replace("three (3)", "five (5)"))
    edit("data/deadlines.yml", "        count: 3\n        unit: school_days\n        from: principal-decision",
         "        count: 5\n        unit: school_days\n        from: principal-decision")
    (hb_dir / "edition.yml").write_text((hb_dir / "edition.yml").read_text() + "previous_edition: ../../previous\n")

    hb, findings = load_and_check(config)
    for lang in hb.languages:
        entries = _entries(changes_markdown(hb, lang))
        # the sentence, the cell, the deadline: nothing else (the deadline's sentence on its page, changed only where
        # deadlines.yml quotes it, is the deadline's change again: listed once, as the deadline with its place)
        assert len(entries) == 3, entries
        assert any("field trips" in e for e in entries) and any("Detention" in e for e in entries)
        assert sum("five (5)" in e or "5 " in e for e in entries) == 1
    stale = sorted(f.places[0] for f in findings if f.topic == STALE.id)
    assert stale == ["handbook/data/deadlines.yml:127", "handbook/data/matrices/elementary.yml:72",
                     "handbook/pages/es/section-01.md:11", "handbook/pages/es/section-03.md:23"]


# ---------------------------------------------------------------- diffing, for any text


words = st.lists(st.sampled_from(["the", "student", "may", "appeal", "within", "three", "(3)", "days", "school,",
                                  "five", "(5)", ".", "and", "Board"]), max_size=30).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(words, words)
def test_word_marks_rebuild_both_texts(before, after):
    segments = word_segments(before, after)

    def rebuilt(keep: str) -> str:
        return " ".join(" ".join(s.text + s.gap for s in segments if s.kind in ("same", keep)).split())

    assert rebuilt("removed").replace(" ", "") == before.replace(" ", "")
    assert rebuilt("added").replace(" ", "") == after.replace(" ", "")
    if " ".join(before.split()) == " ".join(after.split()):
        assert all(s.kind == "same" for s in segments)


def _page(body: str) -> Page:
    return Page("p", "en", "handbook/pages/en/p.md", {}, body, 5)


@settings(max_examples=100, deadline=None)
@given(st.lists(words.filter(lambda w: w.strip()), min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_rewrapping_is_no_change_and_a_moved_paragraph_is_not_listed(texts, random):
    body = "\n\n".join(texts)
    rewrapped = "\n\n".join(t.replace(" ", "\n", 2) for t in texts)
    assert match_paragraphs(paragraphs(_page(body)), paragraphs(_page(rewrapped))) == []
    moved = texts[:]
    random.shuffle(moved)
    assert match_paragraphs(paragraphs(_page(body)), paragraphs(_page("\n\n".join(moved)))) == []


def test_a_reworded_paragraph_is_one_change_not_a_removal_and_an_addition():
    old = paragraphs(_page("First rule stays.\n\nA student may appeal within three (3) school days to the principal."))
    new = paragraphs(_page("First rule stays.\n\nA student may appeal within five (5) school days to the principal."))
    [(before, after)] = match_paragraphs(old, new)
    assert isinstance(before, Paragraph) and isinstance(after, Paragraph) and after.line == 7


# ---------------------------------------------------------------- the page in a browser


def test_changes_page_meets_wcag_in_both_schemes_and_fits_a_phone(tmp_path, browser):
    from build_scripts.outputs.site import build_site

    from .browser import serve_site
    from .test_quality import RUN_AXE, WCAG_TAGS, LIGHTHOUSE_RULES, _axe_source

    site = build_site(FIXTURE / "mkdocs.yml", site_dir=tmp_path / "site", work_dir=tmp_path / "work",
                      with_pdf=False).site_dir
    axe = _axe_source()
    with serve_site(site) as url:  # the session's browser: a second Playwright in one process cannot start
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": 320, "height": 800}, color_scheme=scheme)
            context.add_init_script(script=axe)
            page = context.new_page()
            for lang in ("en", "es"):
                page.goto(f"{url}/{lang}/changes/")
                assert page.evaluate(RUN_AXE, [WCAG_TAGS, LIGHTHOUSE_RULES, None]) == [], (scheme, lang)
                assert page.evaluate("document.documentElement.scrollWidth") <= 320
                assert page.locator("div.hb-change ins .hb-change__label").count() >= 4
            context.close()


def test_a_paragraph_is_left_to_the_data_change_only_when_it_changed_only_where_the_data_quotes_it():
    from build_scripts.core.editions import ProseChange, shown_by_data
    from build_scripts.parts.base import DataChange

    def change(before: str, after: str) -> ProseChange:
        return ProseChange("p", "", Paragraph(before, 1, 0, 0, ""), Paragraph(after, 1, 0, 0, ""), ())

    old, new = "appeal within three (3) school days.", "appeal within five (5) school days."
    deadline = DataChange("Deadline", "3 school days", "5 school days", "en", quoted=(old, new))
    other = DataChange("Code LAT", "Late", "Lateness", "en")
    assert shown_by_data(change(f"Parents may {old} Then", f"Parents may {new} Then"), [other, deadline])
    # a word changed beside the quoted sentence: the paragraph is a change of its own
    assert not shown_by_data(change(f"Parents may {old} Then", f"A parent may {new} Then"), [deadline])
    # the sentence changed while the deadline's data did not (no such data change): listed as prose
    assert not shown_by_data(change(f"Parents may {old}", f"Parents may {new}"), [other])
    assert not shown_by_data(ProseChange("p", "", None, Paragraph(new, 1, 0, 0, ""), ()), [deadline])
