"""Issue 22, item 5: a page's front matter is optional; without `title:` the page is named by its first heading, and
`check` warns about a page that has neither (it could only be called by its file name)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from build_scripts.core.checks import page_warnings
from build_scripts.core.validate import load_and_check
from build_scripts.outputs.site import assemble_docs
from build_scripts.source.reading import SourceError

from .conftest import PROJECT

PROSE = PROJECT / "tests" / "fixtures" / "prose"


def _prose(tmp_path: Path, pages: dict[str, str]) -> Path:
    root = tmp_path / "prose"
    shutil.copytree(PROSE, root)
    for name, text in pages.items():
        (root / "handbook/pages" / name).write_text(text, encoding="utf-8")
    return root


def test_a_page_without_title_is_named_by_its_first_heading(tmp_path):
    root = _prose(tmp_path, {"en/policy.md": "Some words first.\n\n## The **policy**, as [adopted](complaints.md)\n\nText.\n",
                             "es/policy.md": "Unas palabras.\n\n## La *política*\n\nTexto.\n",
                             "en/complaints.md": "---\nid: complaints\n---\n\n# Concerns &amp; complaints\n\nText.\n",
                             "es/complaints.md": "# Inquietudes\n\nTexto.\n"})
    hb, _ = load_and_check(root / "mkdocs.yml")
    assert hb.pages["en"]["policy"].title == "The policy, as adopted"  # an h2 will do; its markup and link dropped
    assert hb.pages["en"]["complaints"].title == "Concerns & complaints"
    assert hb.pages["es"]["policy"].title == "La política"
    assert hb.pages["en"]["index"].title == "Home"  # `title:` wins over the heading ("Family Engagement Policy")
    assert page_warnings(hb) == []
    # the site's pages carry that title, so MkDocs' menu and <title> say what the generator's lists say
    assemble_docs(hb, "en", [], tmp_path / "docs")
    meta = yaml.safe_load((tmp_path / "docs/policy.md").read_text(encoding="utf-8").split("---\n")[1])
    assert meta["title"] == "The policy, as adopted"


def test_check_warns_where_a_page_has_neither_title_nor_heading(tmp_path):
    root = _prose(tmp_path, {"en/policy.md": "Only a paragraph, no heading.\n", "es/policy.md": "Un párrafo.\n"})
    result = subprocess.run([sys.executable, "-m", "build_scripts", "--config", str(root / "mkdocs.yml"), "check"],
                            cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr  # a warning, not a failure
    assert ("Warning: handbook/pages/en/policy.md:1: no `title:` in its front matter and no heading: it shows as "
            "'policy'") in result.stdout, result.stdout
    assert "Warning: handbook/pages/es/policy.md:1: " in result.stdout and result.stdout.count("Warning:") == 2


def test_a_language_without_a_home_page_fails_check(tmp_path):
    """The site's address opens pages/<lang>/index.md: without it, `check` says so (the build would end in a 404)."""
    root = _prose(tmp_path, {})
    for lang in ("en", "es"):
        (root / "handbook/pages" / lang / "index.md").rename(root / "handbook/pages" / lang / "home.md")
    navigation = root / "handbook/navigation.yml"
    navigation.write_text(navigation.read_text(encoding="utf-8").replace("page: index", "page: home"), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        load_and_check(root / "mkdocs.yml")
    assert [str(p) for p in info.value.problems] == [
        f"handbook/pages/{lang}: no index.md: the home page, the first page readers see, is the file index.md"
        for lang in ("en", "es")]
