"""Any district's handbook builds: the minimal handbook, optional parts, only what a page uses ships, one language
as a real case, colours from the handbook, and a generator without import cycles."""

from __future__ import annotations

import ast
import re
import shutil
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest
from pypdf import PdfReader

from build_scripts.core.render import all_inserts
from build_scripts.outputs.site import build_site
from build_scripts.parts.calculators.runtime import failure_reason
from build_scripts.parts.registry import PARTS
from build_scripts.parts.theme import COLOURS, custom_properties
from build_scripts.source.paths import PAGE_TEMPLATES

from .conftest import PROJECT, page_text, soup_of, source_problems

FIXTURES = PROJECT / "tests" / "fixtures"
SIZE_LIMIT = 2_000_000  # a prose-only handbook's whole site, PDFs included
# Files that belong to a part: a site whose pages hold none of its inserts must not carry them.
PART_FILES = ("calculators.js", "calculators.css", "calculator-worker.js", "acknowledgement.js", "acknowledgement.css",
              "acknowledgement.schema.json")


def _brand_colours(handbook_dir: Path) -> set[str]:
    css = (handbook_dir / "theme" / "brand.css").read_text(encoding="utf-8")
    light, dark = custom_properties(css)
    # the district's own colours (primary, accent, links), not the dark scheme's neutral background
    return {value.lower() for name, value in (*light.items(), *dark.items()) if "-fg-" in name or "-a-color" in name}


@pytest.fixture(scope="module")
def prose_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("prose")
    return build_site(FIXTURES / "prose/mkdocs.yml", site_dir=out / "site", work_dir=out / "work")


@pytest.fixture(scope="module")
def english_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("english")
    return build_site(FIXTURES / "english-only/mkdocs.yml", site_dir=out / "site", work_dir=out / "work")


def _files(site: Path) -> list[Path]:
    return [p for p in site.rglob("*") if p.is_file()]


# ---------------------------------------------------------------- the prose-only handbook


def test_prose_handbook_has_only_the_minimal_files():
    root = FIXTURES / "prose/handbook"
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert all(f in ("edition.yml", "navigation.yml") or f.startswith("pages/") for f in files), files


def test_prose_handbook_builds_site_and_pdfs_in_both_languages(prose_site):
    site = prose_site.site_dir
    for lang in ("en", "es"):
        assert (site / lang / "index.html").is_file()
        assert list((site / lang).glob("*.pdf")), f"no {lang} PDF"
    assert "Los maestros responderán" in page_text(site / "es/policy/index.html")
    assert prose_site.findings == []


def test_prose_site_ships_no_part_it_does_not_use(prose_site):
    site = prose_site.site_dir
    assert not (site / "_pyodide").exists()
    names = {p.name for p in _files(site)}
    assert not names & set(PART_FILES), names & set(PART_FILES)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for name in PART_FILES:
            assert name not in html, f"{page} refers to {name}"
        assert "wasm-unsafe-eval" not in html, f"{page}: WebAssembly allowed where no calculator is"
    assert '"runtime": []' in (site / "sw.js").read_text(encoding="utf-8")  # nothing of a runtime to keep offline


def test_prose_site_is_small(prose_site):
    total = sum(p.stat().st_size for p in _files(prose_site.site_dir))
    assert total < SIZE_LIMIT, f"{total / 1e6:.2f} MB"
    # the theme's source maps and the other languages' search support are not shipped
    assert not [p for p in _files(prose_site.site_dir) if p.suffix == ".map"]
    assert not list(prose_site.site_dir.rglob("lunr*.js")) and not list(prose_site.site_dir.rglob("workers/search*.js"))


def test_prose_site_has_no_colour_of_another_district(prose_site):
    others = _brand_colours(PROJECT / "handbook") | _brand_colours(FIXTURES / "english-only/handbook")
    for path in _files(prose_site.site_dir):
        if path.suffix in {".html", ".css", ".js"}:
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            found = {c for c in others if c in text}
            assert not found, f"{path} carries {found}"
    # without a brand.css, the theme-less pages take the theme's defaults
    colours = (prose_site.site_dir / "colours.css").read_text(encoding="utf-8")
    for name, (_, _, fallback) in COLOURS.items():
        assert f"{name}: {fallback};" in colours


def test_no_empty_cover_lines_and_no_invented_pdf_dates(prose_site):
    home = soup_of(prose_site.site_dir / "en/index.html")
    assert home.select(".hb-cover, .hb-approval") == []
    for pdf in prose_site.site_dir.glob("*/*.pdf"):
        info = PdfReader(pdf).metadata
        assert not str(info.get("/Subject", "")).rstrip().endswith("·"), info
        assert "2000" not in str(info.get("/CreationDate", "")), info


def test_prose_site_keeps_the_language_chooser(prose_site):
    chooser = (prose_site.site_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="en/"' in chooser and 'href="es/"' in chooser and "colours.css" in chooser


# ---------------------------------------------------------------- one language


def test_one_language_site_has_no_chooser_no_menu_no_hreflang(english_site):
    site = english_site.site_dir
    home = soup_of(site / "index.html")
    assert home.find("h1").get_text(strip=True).startswith("Attendance Guide for Families")
    assert not (site / "choose-language.js").exists() and not (site / "en").exists()
    for page in site.rglob("*.html"):
        soup = soup_of(page)
        assert not soup.select("link[hreflang], a[hreflang]"), page
        assert not soup.select(".md-select"), f"{page} shows a language menu"


def test_one_language_site_takes_its_colours_and_works_offline(english_site):
    site = english_site.site_dir
    colours = (site / "assets/colours.css").read_text(encoding="utf-8")
    assert "--hb-primary: #2d6a4f;" in colours and "--hb-accent-on-dark: #c77dff;" in colours
    offline = (site / "offline.html").read_text(encoding="utf-8")
    assert "assets/colours.css" in offline and 'data-site-root="../"' in offline
    sw = (site / "sw.js").read_text(encoding="utf-8")
    assert '"folders": false' in sw and '"offline.html"' in sw
    assert "#1f4e79" not in colours.lower()


def test_cover_shows_only_the_fields_it_has(english_site):
    cover = page_text(english_site.site_dir / "index.html")
    assert "2031-2032" in cover
    assert not soup_of(english_site.site_dir / "index.html").select(".hb-cover__motto, .hb-cover__district")


# ---------------------------------------------------------------- this district's site: only what a page uses


def test_calculator_script_only_on_pages_holding_a_calculator(built_site):
    site = built_site.site_dir
    assert "calculators.js" not in (site / "en/section-01/index.html").read_text(encoding="utf-8")
    matrix = (site / "es/matrix-secondary/index.html").read_text(encoding="utf-8")
    assert matrix.index("bundle.") < matrix.index("assets/handbook.js") < matrix.index("assets/calculators.js")
    assert "hb-calc-jump" in matrix


# ---------------------------------------------------------------- check: before MkDocs would


def _write(root: Path, rel: str, text: str) -> None:
    (root / "handbook" / rel).write_text(text, encoding="utf-8")


def _line_of(root: Path, rel: str, needle: str) -> int:
    text = (root / "handbook" / rel).read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def test_insert_without_its_part_names_page_line_and_file(handbook_copy):
    (handbook_copy / "handbook/data/attendance.yml").unlink()
    line = _line_of(handbook_copy, "pages/en/section-05.md", "<!-- insert: attendance-tiers -->")
    problems = source_problems(handbook_copy)
    assert any(p.startswith(f"handbook/pages/en/section-05.md:{line}:") and "handbook/data/attendance.yml" in p
               for p in problems), problems
    assert any("pages/es/section-05.md" in p and "'calculator absentee' needs handbook/data/attendance.yml" in p
               for p in problems), problems


def test_page_missing_from_navigation(handbook_copy):
    nav = (handbook_copy / "handbook/navigation.yml").read_text(encoding="utf-8")
    _write(handbook_copy, "navigation.yml", nav.replace("  - page: concern-guide\n", ""))
    problems = source_problems(handbook_copy)
    assert "handbook/pages/en/concern-guide.md:1: this page is not in the menu: add 'concern-guide' to " \
           "handbook/navigation.yml" in problems, problems


def test_navigation_entry_without_a_page_names_its_own_line(handbook_copy):
    nav = (handbook_copy / "handbook/navigation.yml").read_text(encoding="utf-8")
    _write(handbook_copy, "navigation.yml", nav.replace("    pages: [code-table, ", "    pages: [code-table, no-such-page, "))
    line = _line_of(handbook_copy, "navigation.yml", "no-such-page")
    problems = source_problems(handbook_copy)
    assert any(p.startswith(f"handbook/navigation.yml:{line} (nav[2].pages[1])") and "no-such-page" in p
               for p in problems), problems


def test_heading_difference_reads_plainly(handbook_copy):
    page = handbook_copy / "handbook/pages/es/section-08.md"
    text = page.read_text(encoding="utf-8")
    headings = [m for m in re.finditer(r"^## .*$", text, re.M)]
    assert headings, "section-08 has level-2 headings"
    last = headings[-1]
    page.write_text(text[: last.start()] + text[last.end() + 1:], encoding="utf-8")
    problems = [p for p in source_problems(handbook_copy) if "heading structure" in p]
    assert problems and re.search(r"heading \d+ is level 2 \(“.+”\) in en \(handbook/pages/en/section-08\.md\), "
                                  r"(missing|level \d \(“.+”\)) in es", problems[0]), problems


def test_a_missing_optional_file_is_not_an_error(handbook_copy):
    (handbook_copy / "handbook/data/contents.yml").unlink()
    (handbook_copy / "handbook/data/fixes.yml").unlink()
    from build_scripts.core.validate import load_and_check

    hb, findings = load_and_check(handbook_copy / "mkdocs.yml")
    assert hb.contents is None and hb.fixes is None
    assert not [f for f in findings if f.topic == "contents"]


# ---------------------------------------------------------------- the parts and the code


def test_every_insert_has_its_template_and_names_known_parts():
    names = {part.name for part in PARTS}
    for name, (part, kind) in all_inserts().items():
        assert (PAGE_TEMPLATES / kind.template).is_file(), name
        for arg in (kind.args if isinstance(kind.args, tuple) else (None,)):
            assert set(kind.needed_parts(arg)) <= names, (name, arg)


def _imports(package: Path) -> dict[str, set[str]]:
    """module -> the modules of the same packages it imports (at module level or inside functions)."""
    graph: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        base = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        deps = graph.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = base.split(".")[: len(base.split(".")) - node.level + 1]
                    target = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                deps.update({target, *(f"{target}.{alias.name}" for alias in node.names)})
            elif isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
    return graph


def test_no_import_cycles():
    graph: dict[str, set[str]] = {}
    for package in ("build_scripts", "calculators", "receiver"):
        graph.update(_imports(PROJECT / package))
    known = set(graph)
    # a package importing its own modules (re-exports in __init__) is how packages are built, not a cycle
    graph = {m: {d for d in deps if d in known and d != m and not d.startswith(m + ".")} for m, deps in graph.items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"modules import each other in a circle: {' -> '.join(exc.args[1])}")


def test_the_cycle_test_can_fail(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import x\n")
    (pkg / "b.py").write_text("def x():\n    from .a import y\n")
    graph = _imports(pkg)
    with pytest.raises(CycleError):
        tuple(TopologicalSorter({m: {d for d in ds if d in graph and d != m} for m, ds in graph.items()}).static_order())


def test_snapshot_failure_reports_the_python_exception():
    minified = "var a=" + "x" * 200_000 + ";throw new Error(b)"
    stderr = "\n".join([minified, "Traceback (most recent call last):", '  File "<exec>", line 9, in <module>',
                        "ModuleNotFoundError: No module named 'calculators'", "    at new_error (pyodide.asm.js:10:1)",
                        minified])
    assert failure_reason(stderr) == "ModuleNotFoundError: No module named 'calculators'"
    assert failure_reason("") == "node failed without a message"


def test_generated_code_names_no_colour_of_this_district():
    colours = _brand_colours(PROJECT / "handbook")
    for folder in ("site_templates", "build_scripts"):
        for path in (PROJECT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".j2", ".html", ".css", ".js"}:
                text = path.read_text(encoding="utf-8", errors="replace").lower()
                assert not {c for c in colours if c in text}, path


def test_calculators_work_with_only_the_parts_they_need(tmp_path):
    """A handbook with a matrix but no attendance tiers: the consequence lookup answers; the absentee calculator,
    which its site cannot show, says plainly that the data has no tiers (never an internal error)."""
    import json

    import calculators
    from build_scripts.core.validate import load_and_check
    from build_scripts.parts.calculators.data import compile_calculator_data

    mini = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", mini)
    config = mini / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("../../../", f"{PROJECT}/"), encoding="utf-8")
    (mini / "handbook/data/attendance.yml").unlink()
    page = mini / "handbook/pages/en/attendance.md"
    page.write_text(page.read_text(encoding="utf-8").replace("<!-- insert: attendance-tiers -->",
                                                             "<!-- insert: calculator consequence -->"), encoding="utf-8")
    hb, _ = load_and_check(config)
    data = compile_calculator_data(hb)
    ask = lambda **request: json.loads(calculators.handle_request(json.dumps(request), data=data))  # noqa: E731
    level = ask(calculator="school_levels")["result"][0]["id"]
    row = ask(calculator="behavior_options", args={"school_level": level})["result"][0]["id"]
    assert ask(calculator="consequence", args={"behavior": row, "school_level": level, "offense": "1"})["ok"]
    answer = ask(calculator="absentee", args={"days_absent": "1", "days_enrolled": "10"})
    assert answer["error"]["code"] == "no_attendance" and "attendance" in answer["error"]["message"]
