"""Any district's document in its own words (issue 22): the generator names nothing the handbook did not, a
handbook may put its own words in place of any of the generator's, every word of a Spanish page is Spanish, the
site's name and description come from edition.yml, and a short document prints without nearly empty pages.

Built with the project's own mkdocs.yml, as a new district does: copy it, write handbook/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from build_scripts.core.load import load_handbook
from build_scripts.core.render import Renderer
from build_scripts.core.validate import settings_warnings
from build_scripts.outputs.pdf import NEARLY_EMPTY, page_fill
from build_scripts.outputs.site import build_site
from build_scripts.source.i18n import catalogue, language_name, load_strings, long_date, words_problems
from build_scripts.source.reading import SourceError, YamlDoc, parse_yaml

from .conftest import PROJECT

FIXTURES = PROJECT / "tests" / "fixtures"
# Words of another district or another kind of document: no page of a policy that does not say them may show them.
FOREIGN = re.compile(r"handbook|Board of Education|Junta de Educación|Student Behavior|Conducta Estudiantil|"
                     r"Los Lunas|\bmanual\b", re.IGNORECASE)
# What Material for MkDocs itself writes in English whatever the page's language, unless the generator says it.
THEME_ENGLISH = ("Permanent link", "404 - Not found", "Dark theme", "Light theme", "Switch to dark mode",
                 "Switch to light mode")
VISIBLE_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


def _project_for(tmp: Path, fixture: str, mkdocs: str | None = None) -> Path:
    """A new district's project: the generator's mkdocs.yml (or the text given) beside a copy of a fixture's
    handbook/; returns the mkdocs.yml."""
    shutil.copytree(FIXTURES / fixture / "handbook", tmp / "handbook")
    config = tmp / "mkdocs.yml"
    config.write_text(mkdocs if mkdocs is not None else (PROJECT / "mkdocs.yml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    return config


def _build(tmp_path_factory, fixture: str):
    tmp = tmp_path_factory.mktemp(fixture)
    return build_site(_project_for(tmp, fixture), site_dir=tmp / "site", work_dir=tmp / "work")


@pytest.fixture(scope="module")
def prose(tmp_path_factory):
    return _build(tmp_path_factory, "prose")


@pytest.fixture(scope="module")
def english_only(tmp_path_factory):
    return _build(tmp_path_factory, "english-only")


def visible_strings(path: Path, skip: set[str] = frozenset()) -> list[str]:
    """What a reader sees or hears of a built page: its text nodes and the attributes screen readers or tooltips
    read, each stripped; scripts, styles and the strings `skip` left out."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    texts = [s.strip() for s in soup.find_all(string=True) if s.strip()]
    texts += [str(el[a]).strip() for el in soup.find_all(True) for a in VISIBLE_ATTRIBUTES if el.get(a)]
    meta = soup.find("meta", attrs={"name": "description"})
    texts += [meta["content"]] if meta else []
    return [t for t in texts if t not in skip]


def _pages(site: Path, folder: str = "") -> list[Path]:
    return sorted((site / folder).rglob("*.html"))


# ---------------------------------------------------------------- no word the handbook did not write


@pytest.mark.parametrize("which", ["prose", "english_only"])
def test_no_word_of_another_district_or_document_type(which, request):
    built = request.getfixturevalue(which)
    for path in _pages(built.site_dir):  # the search box's words included: they are the generator's, and neutral
        for text in visible_strings(path):
            assert not FOREIGN.search(text), f"{path.relative_to(built.site_dir)}: {text!r}"
    for pdf in built.site_dir.rglob("*.pdf"):
        text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert not FOREIGN.search(text), pdf.name


def test_one_language_site_says_nothing_about_which_translation_governs(english_only):
    hb = english_only.handbook
    about = Renderer(hb, "en").render_template("edition.md.j2", "index")
    assert "governs" not in about and hb.in_language(hb.edition.district, "en") in about
    # the same handbook in two languages does say it, without naming a body edition.yml does not name
    hb.edition.languages.append("es")
    try:
        assert "The English version governs." in Renderer(hb, "en").render_template("edition.md.j2", "index")
    finally:
        hb.edition.languages.remove("es")


def test_the_approving_body_and_dates_are_the_handbooks_in_the_readers_language(handbook):
    es = Renderer(handbook, "es").render_template("edition.md.j2", "index")
    assert "La versión en inglés, aprobada por la Junta de Educación de Los Lunas Schools, es la que rige." in es
    assert "18 de febrero de 2025" in es and "inglés, español" in es and "2025-02-18</time>" not in es
    en = Renderer(handbook, "en").render_template("edition.md.j2", "index")
    assert "February 18, 2025" in en and "English, Spanish" in en


def test_language_names_and_dates_come_from_cldr():
    assert (language_name("en"), language_name("es"), language_name("es", "en")) == ("English", "Español", "Spanish")
    assert language_name("zz") == "zz"  # a code CLDR does not know stays a code, never a failure
    from datetime import date
    assert long_date(date(2031, 9, 1), "es") == "1 de septiembre de 2031"


# ---------------------------------------------------------------- every word of a Spanish page is Spanish


def test_every_spanish_page_carries_none_of_the_themes_or_generators_english(prose):
    english = {v for k, v in catalogue("en").items() if "{" not in v and v != catalogue("es")[k]}
    english |= set(THEME_ENGLISH)
    pages = _pages(prose.site_dir, "es")
    assert len(pages) >= 5  # the pages, the report, the 404 and offline pages
    for path in pages:
        found = english & set(visible_strings(path))
        assert not found, f"{path.relative_to(prose.site_dir)}: {sorted(found)}"
    page = (prose.site_dir / "es/policy/index.html").read_text(encoding="utf-8")
    assert 'title="Enlace permanente"' in page and 'title="Tema oscuro"' in page  # the toggles: mkdocs.yml's palette
    assert "Página no encontrada" in visible_strings(prose.site_dir / "es/404.html")
    # its tab is titled too (WCAG 2.4.2), not only with the site's name
    title = BeautifulSoup((prose.site_dir / "es/404.html").read_text(encoding="utf-8"), "html.parser").title.string
    assert title.startswith("Página no encontrada - "), title


def test_language_menus_name_each_language_in_its_own_words(prose):
    chooser = visible_strings(prose.site_dir / "index.html")
    assert "English" in chooser and "Español" in chooser and "en" not in chooser and "es" not in chooser


# ---------------------------------------------------------------- site name and description from edition.yml


def test_site_name_and_description_are_the_editions_per_language(tmp_path):
    config = _project_for(tmp_path, "prose")
    edition = tmp_path / "handbook/edition.yml"
    edition.write_text(edition.read_text(encoding="utf-8") + "description:\n  en: How families and schools work "
                       "together.\n  es: Cómo trabajan juntas las familias y las escuelas.\n", encoding="utf-8")
    site = build_site(config, site_dir=tmp_path / "site", work_dir=tmp_path / "work", with_pdf=False).site_dir
    for lang, description in (("en", "How families and schools work together."),
                              ("es", "Cómo trabajan juntas las familias y las escuelas.")):
        soup = BeautifulSoup((site / lang / "index.html").read_text(encoding="utf-8"), "html.parser")
        assert soup.find("meta", attrs={"name": "description"})["content"] == description
        assert soup.title.string.endswith("Distrito Escolar de Cedar Hollow" if lang == "es" else "Cedar Hollow School District")


def test_a_copied_mkdocs_yml_with_district_text_and_fixture_paths_builds_and_check_warns(tmp_path):
    # what a new district copies from a fixture or an older project: its name, its description, paths that held
    # only where the file was
    old = ("site_name: Student Behavior Handbook\nsite_description: Student Behavior Handbook, as a searchable site.\n"
           "theme:\n  name: material\n  custom_dir: ../../../site_templates/overrides\n  font: false\n"
           "hooks:\n  - ../../../build_scripts/hooks.py\nextra:\n  handbook:\n    source: handbook\n")
    config = _project_for(tmp_path, "prose", old)
    warnings = [str(w) for w in settings_warnings(config)]
    assert [w.split(":")[0:2] for w in warnings] == [["mkdocs.yml", "1 (site_name)"], ["mkdocs.yml", "2 (site_description)"],
                                                      ["mkdocs.yml", "5 (theme.custom_dir)"], ["mkdocs.yml", "8 (hooks)"]]
    assert all("ignored" in w for w in warnings)
    site = build_site(config, site_dir=tmp_path / "site", work_dir=tmp_path / "work", with_pdf=False).site_dir
    home = (site / "en/index.html").read_text(encoding="utf-8")
    assert "Student Behavior" not in home and "Family Engagement Policy" in home
    assert (site / "en/404.html").is_file() and "Page not found" in (site / "en/404.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- handbook/words/<lang>.yml


def _with_words(tmp_path: Path, lang: str, text: str) -> Path:
    _project_for(tmp_path, "prose")
    (tmp_path / "handbook/words").mkdir(exist_ok=True)
    (tmp_path / "handbook/words" / f"{lang}.yml").write_text(text, encoding="utf-8")
    return tmp_path / "handbook"


def test_a_handbooks_own_words_replace_the_generators(tmp_path):
    root = _with_words(tmp_path, "es", "contents_intro: \"Las partes de la política:\"\nprint:\n"
                       "  download_text: Descargar la política\nform:\n  field_edition: Versión\n")
    hb = load_handbook(root)
    assert hb.strings("es")["contents_intro"] == "Las partes de la política:"
    assert hb.strings("es", "print")["download_text"] == "Descargar la política"
    assert hb.strings("es", "form")["field_edition"] == "Versión"
    assert hb.strings("en")["contents_intro"] == catalogue("en")["contents_intro"]  # the other language untouched
    assert "Las partes de la política:" in Renderer(hb, "es").render_page(hb.pages["es"]["index"])


@pytest.mark.parametrize("text, line, says", [
    ("contents_intro: Partes\ncontents_intor: Partes\n", 2, "unknown key 'contents_intor'"),
    ("print:\n  download_txt: Descargar\n", 2, "unknown key 'download_txt'"),
    ("print: Descargar\n", 1, "mapping of key: text"),
    ("contents_intro:\n  - una\n", 2, "needs a text"),
    ("filter_count: \"{shown} de {todos}\"\n", 1, "{placeholder} the generator cannot fill"),
    ("filter_count: \"{shown:>{total}} de {total}\"\n", 1, "{placeholder} the generator cannot fill"),
    ("filter_count: \"{shown} de {total\"\n", 1, "{placeholder} the generator cannot fill"),
    ("- contents_intro\n", 1, "must be a mapping"),
])
def test_a_wrong_word_is_a_check_error_with_its_line(tmp_path, text, line, says):
    root = _with_words(tmp_path, "es", text)
    with pytest.raises(SourceError) as info:
        load_handbook(root)
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 1 and problems[0].startswith(f"handbook/words/es.yml:{line}") and says in problems[0], problems


def test_words_for_a_language_the_handbook_lacks_are_refused(tmp_path):
    root = _with_words(tmp_path, "fr", "contents_intro: Sommaire\n")
    with pytest.raises(SourceError) as info:
        load_handbook(root)
    assert "'fr' is not a language of edition.yml" in str(info.value)


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(sorted(catalogue("en"))), value=st.text(max_size=40))
def test_any_accepted_word_renders_and_any_other_is_refused(key, value):
    """Hostile input: whatever an editor types for a key, `check` refuses it or every use of it works."""
    text = yaml.safe_dump({key: value}, allow_unicode=True)
    data, node = parse_yaml(text, "handbook/words/en.yml")
    problems = words_problems(YamlDoc(Path("en.yml"), "handbook/words/en.yml", data, node), "en")
    if problems:
        assert all(p.line == 1 and p.file == "handbook/words/en.yml" for p in problems)
        return
    fields = set(re.findall(r"\{(\w+)\}", catalogue("en")[key]))
    load_strings("en", data)[key].format(**{f: "1" for f in fields})


# ---------------------------------------------------------------- print: a short document prints short


def test_a_short_document_prints_without_nearly_empty_pages(prose, english_only):
    from weasyprint import HTML

    for built in (prose, english_only):
        for pdf in sorted(built.site_dir.rglob("*.pdf")):
            pages = PdfReader(pdf).pages
            # the prose policy fits one sheet; the guide has a cover and one sheet
            assert len(pages) == (2 if built is english_only else 1), (pdf.name, len(pages))
    # and the rule itself: a page is measured by what it holds
    empty = HTML(string="<p>One line.</p>").render().pages[0]
    full = HTML(string="<p>x</p>" * 80).render().pages[0]
    assert page_fill(empty) < NEARLY_EMPTY < page_fill(full)


# ---------------------------------------------------------------- the district's look: logo and favicon


def _icon_and_images(path: Path) -> tuple[str | None, list[str]]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    icon = soup.find("link", rel="icon")
    return (icon["href"] if icon else None), [img["src"] for img in soup.find_all("img")]


def test_the_districts_logo_and_favicon_mark_every_page_the_chooser_offline_page_and_cover(english_only):
    from build_scripts.outputs.print_html import print_document

    site = english_only.site_dir
    pages = _pages(site)
    assert len(pages) >= 4
    for path in pages:
        icon, images = _icon_and_images(path)
        assert icon and icon.endswith("assets/brand/favicon.svg"), path
        assert any(src.endswith("assets/brand/logo.svg") for src in images), path
        assert (path.parent / icon).resolve().is_file() or (site / icon.lstrip("/")).is_file(), icon
    assert not (site / "assets/favicon.svg").exists()  # the neutral icon is not shipped beside the district's
    cover = print_document(english_only.handbook, "en").html
    assert (english_only.handbook.root / "theme/logo.svg").resolve().as_uri() in cover
    from pdfua import validate  # the cover's logo is a tagged figure with its text

    (pdf,) = site.glob("*.pdf")
    assert [(f.rule_id, f.message) for f in validate(str(pdf)).findings] == []


def test_without_a_logo_no_theme_or_other_mark_stands_for_the_district(prose):
    import material

    theme_icons = Path(material.__file__).parent / "templates/.icons/material"
    book = re.search(r' d="([^"]+)"', (theme_icons / "book-open-variant.svg").read_text()).group(1)
    library = re.search(r' d="([^"]+)"', (theme_icons / "library.svg").read_text()).group(1)
    site = prose.site_dir
    assert not list(site.rglob("assets/images/favicon.png"))  # the theme's own icon is not shipped
    for path in _pages(site):
        html = path.read_text(encoding="utf-8")
        assert book not in html and library not in html, path
        icon, images = _icon_and_images(path)
        assert icon and icon.endswith("assets/favicon.svg") and not images, path
    assert (site / "en/assets/favicon.svg").is_file() and (site / "es/assets/favicon.svg").is_file()


def test_the_adoption_line_is_printed_in_the_readers_language_on_cover_and_in_print(tmp_path):
    from build_scripts.outputs.print_html import print_document

    _project_for(tmp_path, "prose")
    edition = tmp_path / "handbook/edition.yml"
    edition.write_text(edition.read_text(encoding="utf-8") + (
        "approval:\n  heading: {en: ADOPTED, es: ADOPTADA}\n  body: {en: The School Board, es: La Junta Escolar}\n"
        "  printed_date: {en: 'Policy Adopted: 6/15/92', es: 'Política adoptada: 15/6/92'}\n  date: 1992-06-15\n"
        "approving_body: {en: the School Board, es: la Junta Escolar}\n"), encoding="utf-8")
    for lang in ("en", "es"):  # the home pages show the cover and the approval
        home = tmp_path / f"handbook/pages/{lang}/index.md"
        text = home.read_text(encoding="utf-8")
        home.write_text(text.replace("<!-- insert: contents -->", "<!-- insert: cover -->\n\n<!-- insert: approval -->"
                                     "\n\n<!-- insert: contents -->"), encoding="utf-8")
    hb = load_handbook(tmp_path / "handbook")
    cover = Renderer(hb, "es").render_template("approval.md.j2", "index")
    assert "Política adoptada: 15/6/92" in cover and "Policy Adopted" not in cover
    printed = print_document(hb, "es").html
    assert "Política adoptada: 15/6/92" in printed and "Policy Adopted" not in printed
    about = Renderer(hb, "es").render_template("edition.md.j2", "index")
    assert "aprobada por la Junta Escolar, es la que rige" in about and "15 de junio de 1992" in about
