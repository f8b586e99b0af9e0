"""The generator is generic: another district's handbook builds with the same code, and the code names no district."""

from __future__ import annotations

import re
import subprocess
import sys

from build_scripts.outputs.site import build_site

from .conftest import PROJECT, page_text


def _district_words(handbook) -> set[str]:
    words = set()
    for text in handbook.edition.district.values():
        words.add(text)
    return words


def test_generator_code_names_no_district(handbook):
    names = _district_words(handbook)
    for folder in ("build_scripts", "calculators", "site_templates"):
        for path in (PROJECT / folder).rglob("*"):
            if "data" in path.relative_to(PROJECT).parts[:2] and folder == "calculators":
                continue  # calculators/data/ is compiled from handbook/ at build time (git-ignored)
            if path.is_file() and path.suffix in {".py", ".j2", ".html", ".css", ".js", ".yml", ".json"}:
                text = path.read_text(encoding="utf-8", errors="replace")
                for name in names:
                    assert name not in text, f"{path} names {name}"


def test_fixture_handbook_builds(tmp_path):
    config = PROJECT / "tests/fixtures/mini/mkdocs.yml"
    result = build_site(config, site_dir=tmp_path / "site", work_dir=tmp_path / "work", with_pdf=False)  # test_pdf builds its PDF
    # one language: the site's root is the handbook's home
    home = page_text(result.site_dir / "index.html")
    assert "RIVERBEND UNIFIED" in home and "Learning together." in home
    matrix = page_text(result.site_dir / "matrix-all/index.html")
    assert "CONSEQUENCES: ALL GRADES" in matrix and "1-day DET" in matrix
    rules = page_text(result.site_dir / "rules/index.html")
    assert "Arriving after the bell rings." in rules
    site_text = " ".join(page_text(p) for p in result.site_dir.rglob("index.html"))
    assert not re.search(r"Los Lunas|Lunas", site_text)
    assert result.findings == []


def test_fixture_check_via_cli():
    run = subprocess.run([sys.executable, "-m", "build_scripts", "--config", "tests/fixtures/mini/mkdocs.yml", "check"],
                         cwd=PROJECT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "nothing found" in run.stdout
