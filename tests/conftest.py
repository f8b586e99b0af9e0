"""Shared fixtures: the real handbook, a built site, and the reference source text."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from build_scripts.core.validate import load_and_check
from build_scripts.outputs.site import build_site
from build_scripts.parts.calculators.data import compile_calculator_data
from build_scripts.core.load import load_handbook
from build_scripts.source.reading import SourceError

PROJECT = Path(__file__).resolve().parent.parent
SHARED_SOURCE = PROJECT.parent / "shared" / "source"
HANDBOOK_TXT = SHARED_SOURCE / "student-behavior-handbook-2024-2026.txt"
GUIDE_TXT = SHARED_SOURCE / "concern-complaint-resolution-guide.txt"


@pytest.fixture(scope="session")
def handbook():
    return load_handbook(PROJECT / "handbook")


@pytest.fixture(scope="session")
def data(handbook):
    """The calculators' data compiled from the real handbook (what the site's wheel holds)."""
    return compile_calculator_data(handbook)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real handbook built once into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    result = build_site(PROJECT / "mkdocs.yml", site_dir=out / "site", work_dir=out / "work")
    return result


@pytest.fixture(scope="session")
def source_lines() -> list[str]:
    if not HANDBOOK_TXT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{HANDBOOK_TXT} is missing: CI runs with ../shared beside the project")
        pytest.skip("../shared/source is not beside the project")
    return HANDBOOK_TXT.read_text(encoding="utf-8").split("\n")


@pytest.fixture
def handbook_copy(tmp_path):
    """A throwaway copy of the project's handbook + mkdocs.yml, for breaking on purpose."""
    from .browser import project_copy

    project_copy(tmp_path)
    return tmp_path


def source_problems(root: Path) -> list[str]:
    """What `check` reports for the project copy at `root` (it must report something)."""
    with pytest.raises(SourceError) as info:
        load_and_check(root / "mkdocs.yml")
    return [str(p) for p in info.value.problems]


def page_text(html_path: Path) -> str:
    """The readable text of a built page's article, whitespace collapsed."""
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup
    for a in article.select("a.headerlink"):
        a.decompose()
    return normalise_space(article.get_text(" "))


def normalise_space(text: str) -> str:
    """Collapse whitespace; no space before punctuation (get_text puts one after an inline link)."""
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()


def soup_of(html_path: Path) -> BeautifulSoup:
    return BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")


# ---------------------------------------------------------------- browser tests (plumbing in tests/browser.py)


@pytest.fixture(scope="session")
def site_url(built_site):
    from .browser import serve_site

    with serve_site(built_site.site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from .browser import launch_chromium

    with launch_chromium() as instance:
        yield instance


def watched_tab(context):
    """A new tab of a browser context; the page's uncaught script errors collect in tab.js_errors."""
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.js_errors = errors  # type: ignore[attr-defined]
    return tab


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield watched_tab(context)
    context.close()
