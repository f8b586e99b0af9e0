"""The printable handbook: one tagged PDF/UA-1 per language, from the same source as the site."""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

try:
    import weasyprint  # noqa: F401
    from pypdf import PdfReader
except ImportError as exc:  # the `pdf` extras are not installed
    if os.environ.get("CI"):
        raise
    pytest.skip(f"PDF tests need the pdf extras (pip install -e '.[pdf]'): {exc}", allow_module_level=True)

from build_scripts.source.headings import headings_of
from build_scripts.core.printed import PdfError, format_size, pdf_download, pdf_file_name
from build_scripts.source.i18n import catalogue
from build_scripts.outputs.pdf import build_pdfs, local_url_fetcher
from build_scripts.outputs.print_html import print_document, render_print_pages, resolve_link


def norm(text: str) -> str:
    """Whitespace collapsed, so text wrapped over lines in the PDF compares equal to the source."""
    return re.sub(r"\s+", " ", text).strip()


def heading_text(markdown_heading: str) -> str:
    """A heading's Markdown as a reader sees it: no emphasis marks, no tags."""
    return norm(html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"[*_`]", "", markdown_heading))))


@dataclass
class Outline:
    title: str
    depth: int
    page: int  # 1-based


@dataclass
class Built:
    lang: str
    path: Path
    reader: PdfReader
    document: Any  # print_html.PrintDocument
    text: list[str]  # per page
    outline: list[Outline]

    def page_of_section(self, title: str) -> int:
        return next(o.page for o in self.outline if o.depth == 0 and o.title == title)


def _outline(reader: PdfReader) -> list[Outline]:
    found: list[Outline] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append(Outline(item.title, depth, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


@pytest.fixture(scope="session")
def pdfs(handbook, tmp_path_factory) -> dict[str, Built]:
    """Both PDFs, built once for the session (they take seconds each)."""
    out = tmp_path_factory.mktemp("pdf")
    paths = build_pdfs(handbook, out)
    built = {}
    for lang, path in paths.items():
        reader = PdfReader(path)
        built[lang] = Built(lang, path, reader, print_document(handbook, lang),
                            [page.extract_text() or "" for page in reader.pages], _outline(reader))
    return built


@pytest.fixture(scope="session", params=["en", "es"])
def pdf(request, pdfs) -> Built:
    return pdfs[request.param]


def test_one_pdf_per_language_named_after_the_edition(handbook, pdfs):
    assert set(pdfs) == set(handbook.languages)
    for lang, built in pdfs.items():
        assert built.path.name == pdf_file_name(handbook, lang)
        assert handbook.edition.school_years in built.path.name
        assert built.path.name.endswith(f"-{lang}.pdf")
    assert len({b.path.name for b in pdfs.values()}) == len(pdfs)


def test_page_count_is_sane(pdf):
    sections = pdf.document.sections
    sheets = sum(1 for s in sections if s.new_page)
    assert sheets + 1 <= len(pdf.reader.pages) <= 40 * len(sections)
    # every section starts on a page of its own or after the previous one, never past the end
    starts = [pdf.page_of_section(s.title) for s in sections if s.layout != "cover"]
    assert starts == sorted(starts)
    assert starts[-1] <= len(pdf.reader.pages)


def test_language_title_and_tagging(handbook, pdf):
    root = pdf.reader.trailer["/Root"]
    assert root["/Lang"] == pdf.lang
    assert pdf.reader.metadata.title == handbook.edition.title[pdf.lang]
    assert "/StructTreeRoot" in root
    assert root["/StructTreeRoot"].get_object()["/K"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp


def _fonts(reader: PdfReader) -> dict[str, Any]:
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for font in (resources.get_object().get("/Font") or {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def test_every_font_is_embedded_and_self_hosted(pdf):
    fonts = _fonts(pdf.reader)
    assert fonts
    for name, font in fonts.items():
        described = font["/DescendantFonts"][0].get_object() if font["/Subtype"] == "/Type0" else font
        descriptor = described["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{name} is not embedded"
        assert "Liberation" in name, f"{name}: not the font the print stylesheet asks for (fallback?)"
        assert "/ToUnicode" in font, f"{name}: text could not be copied or read aloud"


def test_accents_and_enye_survive(pdfs):
    text = "".join(pdfs["es"].text)
    for char in "ñáéíóúÑ¿":
        assert char in text


def test_outline_has_every_section_and_its_headings(handbook, pdf):
    pages = render_print_pages(handbook, pdf.lang)
    titles = [(o.title, o.depth) for o in pdf.outline]
    for section in pdf.document.sections:
        heads = headings_of(pages[section.page_id])
        if section.layout == "cover":
            top = heading_text(heads[0].text)
        else:
            top = section.title
        assert (top, 0) in titles, f"no bookmark for {section.page_id}"
        start = titles.index((top, 0))
        end = next((i for i in range(start + 1, len(titles)) if titles[i][1] == 0), len(titles))
        under = [norm(t) for t, depth in titles[start + 1:end] if depth == 1]
        expected = [heading_text(h.text) for h in heads if h.level == 2]
        assert under == expected, f"bookmarks under {section.page_id}"


def test_text_holds_every_heading_and_code(handbook, pdf):
    text = norm(" ".join(pdf.text))
    pages = render_print_pages(handbook, pdf.lang)
    for section in pdf.document.sections:
        for heading in headings_of(pages[section.page_id]):
            assert heading_text(heading.text) in text, f"{section.page_id}: heading {heading.text!r} missing"
    for code in handbook.codes.codes:
        assert code.code in text, f"code {code.code} missing"


def _names(reader: PdfReader) -> dict[str, int]:
    """Named destination -> 1-based page."""
    return {name: reader.get_destination_page_number(dest) + 1 for name, dest in reader.named_destinations.items()}


def test_contents_page_numbers_match_where_sections_start(pdf):
    sections = pdf.document.sections
    first = next(n for n, text in enumerate(pdf.text) if sum(s.title in text for s in sections) > len(sections) // 2)
    toc_text = "\n".join(pdf.text[first:first + 2])
    names = _names(pdf.reader)
    for section in sections:
        if section.layout == "cover":
            continue
        m = re.search(re.escape(section.title) + r"[ .]*?(\d+)\s*$", toc_text, re.MULTILINE)
        assert m, f"{section.title!r} not in the contents"
        assert int(m.group(1)) == pdf.page_of_section(section.title), section.title
        assert names[section.anchor] == pdf.page_of_section(section.title)


def test_contents_and_cross_references_are_clickable_in_document(pdf):
    names = _names(pdf.reader)
    internal = external = 0
    for page in pdf.reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot["/Subtype"] != "/Link":
                continue
            if "/Dest" in annot:
                assert str(annot["/Dest"]) in names, f"link to missing anchor {annot['/Dest']}"
                # described in words for assistive technology, not by the anchor's name
                assert annot.get("/Contents") and str(annot["/Contents"]) != str(annot["/Dest"])
                internal += 1
            else:
                uri = str(annot["/A"]["/URI"])
                assert uri.startswith(("https://", "http://", "mailto:")), f"site-relative link left: {uri}"
                external += 1
    # the contents alone link every section; cross references add many more
    assert internal > 2 * len(pdf.document.sections)


def test_matrices_print_landscape_with_their_header_on_every_page(handbook, pdf):
    sections = [s for s in pdf.document.sections if s.layout != "cover"]
    matrices = [s for s in sections if s.layout == "landscape"]
    assert len(matrices) == len(handbook.matrices)
    starts = {s.page_id: pdf.page_of_section(s.title) for s in sections}
    for section in matrices:
        following = [starts[s.page_id] for s in sections if starts[s.page_id] > starts[section.page_id]]
        last = (min(following) - 1) if following else len(pdf.reader.pages)
        matrix = next(m for m in handbook.matrices if m.title[pdf.lang] in pdf.text[starts[section.page_id] - 1])
        headers = matrix.offense_headers[pdf.lang]
        for number in range(starts[section.page_id], last + 1):
            box = pdf.reader.pages[number - 1].mediabox
            assert box.width > box.height, f"page {number} ({section.page_id}) is not landscape"
            assert all(h in pdf.text[number - 1] for h in headers), f"page {number}: table header not repeated"


def test_cover_carries_the_edition_and_the_translation_notice(handbook, pdf):
    cover = norm(pdf.text[0])
    edition = handbook.edition
    for value in (edition.title[pdf.lang], edition.district_mark[pdf.lang], edition.school_years,
                  edition.approval.body[pdf.lang]):
        assert value in cover
    notice = edition.translation_notice.get(pdf.lang)
    if pdf.lang != handbook.languages[0]:
        assert notice and norm(notice) in cover
    else:
        assert not any(norm(n) in norm(" ".join(pdf.text)) for n in edition.translation_notice.values())


def test_running_footer_counts_pages_in_the_documents_language(pdf):
    strings = catalogue(pdf.lang, "print")
    total = len(pdf.reader.pages)
    footer = strings["page_of"].format(page=2, pages=total)
    assert footer in norm(pdf.text[1])
    assert strings["page_of"].format(page=1, pages=total) not in norm(pdf.text[0])  # not on the cover


# ---------------------------------------------------------------- the pieces, without WeasyPrint's time


def test_url_fetcher_refuses_anything_but_local_files(tmp_path):
    from weasyprint.urls import FatalURLFetchingError

    fetcher = local_url_fetcher()
    for url in ("https://fonts.googleapis.com/css?family=Roboto", "http://example.com/a.png", "data:text/css,a{}",
                "ftp://example.com/x", f"file://{tmp_path}/missing.css"):
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)
    css = tmp_path / "ok.css"
    css.write_text("p { color: black }", encoding="utf-8")
    assert fetcher.fetch(css.as_uri()).read() == b"p { color: black }"


def test_a_remote_stylesheet_stops_the_build_with_a_clear_error(handbook, tmp_path, monkeypatch):
    import build_scripts.outputs.print_html as print_html

    real = print_html.print_document

    def with_remote_css(*args, **kwargs):
        doc = real(*args, **kwargs)
        remote = '<link rel="stylesheet" href="https://cdn.example.com/x.css">'
        return replace(doc, html=doc.html.replace("<head>", "<head>" + remote))

    monkeypatch.setattr(print_html, "print_document", with_remote_css)
    with pytest.raises(PdfError, match="cdn.example.com"):
        build_pdfs(handbook, tmp_path)


@pytest.mark.parametrize(("href", "page", "expected"), [
    ("../section-06/#arson", "matrix-elementary", ("section-06", "arson")),
    ("section-06/#arson", "index", ("section-06", "arson")),
    ("section-06.md#arson", "about", ("section-06", "arson")),
    ("code-table.md", "index", ("code-table", None)),
    ("#level-1", "matrix-secondary", ("matrix-secondary", "level-1")),
    ("../", "about", ("index", None)),
    ("./#contents", "index", ("index", "contents")),
    ("https://www.example.org/students", "sign-off", None),
    ("mailto:someone@example.org", "about", None),
])
def test_site_links_resolve_to_pages_and_anchors(href, page, expected):
    assert resolve_link(href, page) == expected


def test_download_link_says_size_in_the_pages_language(handbook, tmp_path):
    pdf_path = tmp_path / pdf_file_name(handbook, "es")
    pdf_path.write_bytes(b"%" * 1_234_567)
    es = pdf_download(handbook, "es", pdf_path, "sign-off")
    assert es is not None
    assert es.href == f"../{pdf_path.name}"
    # decimals are written one way in Spanish, site and print alike: the point ("9.9%" in the absentee answers)
    assert es.details == catalogue("es", "print")["download_details"].format(size="1.2 MB")
    en = pdf_download(handbook, "en", pdf_path, "index")
    assert en is not None and en.href == f"./{pdf_path.name}" and "1.2 MB" in en.details
    assert pdf_download(handbook, "en", tmp_path / "not-built.pdf", "index") is None
    assert format_size(850_000, catalogue("en", "print")) == "850 KB"


def test_print_html_links_only_within_the_document(handbook):
    from bs4 import BeautifulSoup

    for lang in handbook.languages:
        soup = BeautifulSoup(print_document(handbook, lang).html, "html.parser")
        ids = [el["id"] for el in soup.find_all(id=True)]
        assert len(ids) == len(set(ids))
        for a in soup.find_all("a", href=True):
            href = a["href"]
            if href.startswith("#"):
                assert href[1:] in ids, f"{lang}: {href} has no target"
            else:
                assert href.startswith(("https://", "http://", "mailto:")), f"{lang}: site link left: {href}"
        assert not soup.select("details, .hb-filter, .hb-calc, div.print-slot")


def test_download_insert_renders_in_the_pages_language(handbook, tmp_path):
    from build_scripts.core.render import Renderer

    pdf_path = tmp_path / pdf_file_name(handbook, "es")
    pdf_path.write_bytes(b"%" * 2_400_000)
    renderer = Renderer(handbook, "es")
    template = renderer.env.get_template("pdf-download.md.j2")
    link = pdf_download(handbook, "es", pdf_path, "index")
    html_text = template.render(**renderer.context("index"), pdf=link)
    strings = catalogue("es", "print")
    assert f'href="./{pdf_path.name}"' in html_text and 'hreflang="es"' in html_text
    assert f"{strings['download_text']}</a> (PDF, 2.4 MB)" in html_text
    assert template.render(**renderer.context("index"), pdf=None).strip() == ""


def test_another_districts_handbook_prints_with_the_same_code(handbook, tmp_path):
    from build_scripts.core.validate import load_and_check

    config = Path(__file__).parent / "fixtures/mini/mkdocs.yml"
    mini, _ = load_and_check(config)
    paths = build_pdfs(mini, tmp_path, config)
    assert [p.name for p in paths.values()] == [f"code-of-conduct-{mini.edition.school_years}-en.pdf"]
    reader = PdfReader(paths["en"])
    text = norm(" ".join(page.extract_text() for page in reader.pages))
    assert reader.trailer["/Root"]["/Lang"] == "en" and reader.metadata.title == "Code of Conduct"
    assert "RIVERBEND UNIFIED" in text and catalogue("en", "print")["contents"] in text
    assert not any(name in text for name in handbook.edition.district.values())
    outline = [o.title for o in _outline(reader)]
    assert all(page.title in outline for pid, page in mini.pages["en"].items() if pid != "index")


def test_print_strings_exist_in_every_language(handbook):
    keys = {lang: set(catalogue(lang, "print")) for lang in handbook.languages}
    first = keys[handbook.languages[0]]
    assert all(k == first for k in keys.values()), keys


def test_a_missing_font_is_named_with_its_package(monkeypatch):
    import build_scripts.outputs.pdf as pdf_module

    monkeypatch.setattr(pdf_module, "FONTS", {"No Such Family Sans": "fonts-no-such-family"})
    with pytest.raises(PdfError, match="No Such Family Sans.*apt-get install fonts-no-such-family"):
        pdf_module.check_fonts()


def test_command_line_says_what_is_wrong(tmp_path, capsys):
    from build_scripts.cli import main

    assert main(["--config", str(tmp_path / "missing.yml"), "pdf", "--out", str(tmp_path)]) == 1
    assert "missing.yml not found" in capsys.readouterr().err


# ---------------------------------------------------------------- PDF/UA-1 rules a machine can check (pdfua)

# pdfua 0.1.3's empty-heading rule (UA-14-001) stops on any heading whose /K is an array (pikepdf's Array raises
# ValueError, not AttributeError, for `getattr(kid, "is_integer")`), so it cannot judge a WeasyPrint file; the
# non-empty headings are checked below by `test_every_heading_in_the_structure_tree_marks_content` instead.
PDFUA_CANNOT_RUN = {"UA-14-001"}


def test_pdfua_reports_nothing_on_either_pdf(pdf):
    from pdfua import validate

    report = validate(str(pdf.path))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    assert {o.rule_id for o in report.skipped} <= PDFUA_CANNOT_RUN, [(o.rule_id, o.skipped_reason) for o in report.skipped]


def _struct_elements(pdf_path):
    import pikepdf

    from build_scripts.outputs.pdf_tables import _kids

    doc = pikepdf.open(pdf_path)
    stack, out = [doc.Root["/StructTreeRoot"]], []
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(_kids(node))
    return doc, out


def test_every_table_header_cell_has_a_scope(pdf):
    import pikepdf

    doc, elements = _struct_elements(pdf.path)
    headers = [e for e in elements if str(e.get("/S")) == "/TH"]
    assert headers
    scopes = []
    for th in headers:
        attrs = th.get("/A")
        owners = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]
        scopes.append(next(str(a["/Scope"]) for a in owners if a is not None and a.get("/O") == "/Table"))
    assert set(scopes) <= {"/Column", "/Row"}
    assert "/Column" in scopes and "/Row" in scopes  # offense headers over the columns; each row's behavior
    doc.close()


def test_every_heading_in_the_structure_tree_marks_content(pdf):
    import pikepdf

    def marks_content(node) -> bool:
        kid = node.get("/K")
        items = list(kid) if isinstance(kid, pikepdf.Array) else [kid]
        return any(isinstance(i, int) or (isinstance(i, pikepdf.Dictionary)
                                          and (i.get("/Type") == "/MCR" or marks_content(i))) for i in items if i is not None)

    doc, elements = _struct_elements(pdf.path)
    headings = [e for e in elements if str(e.get("/S")) in {f"/H{n}" for n in range(1, 7)}]
    assert headings and all(marks_content(h) for h in headings)
    doc.close()
