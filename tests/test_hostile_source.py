"""`check` on broken and hostile copies of the source: exit 1, the file and line named, never a traceback (issue 12).

Each class of damage an editor can do to handbook/ or mkdocs.yml by accident (a file saved as Windows-1252, a
pasted NUL, a key written twice, a 30 MB paste, a mis-typed `extra`, a reference link to a missing page, an unsafe
acknowledgement endpoint) has a broken copy here, checked through `load_and_check` and, for the CLI, through
`python -m build_scripts check` itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts.outputs import csp
from build_scripts.parts.codes import CodeTable
from build_scripts.core.load import _validate
from build_scripts.source.site_config import endpoint_problem, validate_config
from build_scripts.source.reading import (MAX_PAGE_BYTES, MAX_YAML_DEPTH, SourceError, YamlDoc, parse_yaml, read_yaml,
                                  read_yaml_file)

from .conftest import PROJECT, source_problems


def _line_of(text: str, needle: str) -> int:
    assert needle in text, needle
    return text[: text.index(needle)].count("\n") + 1


def _check_cli(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "build_scripts", "--config", str(root / "mkdocs.yml"), "check"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=120)


def _set_config(root: Path, replace: str, by: str) -> int:
    """Edit the copy's mkdocs.yml as text (so the broken YAML is exactly what an editor typed); the edit's line."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    line = _line_of(text, replace)
    config.write_text(text.replace(replace, by, 1), encoding="utf-8")
    return line


# ---------------------------------------------------------------- bytes and characters


def test_a_page_saved_as_windows_1252_names_file_line_column_and_the_fix(handbook_copy):
    page = handbook_copy / "handbook/pages/es/section-05.md"
    text = page.read_text(encoding="utf-8")
    line = _line_of(text, "Definición")
    page.write_bytes(text.encode("cp1252"))  # what "Save as… Western (Windows-1252)" does
    result = _check_cli(handbook_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    # the first non-ASCII character of the file is on the "SECCIÓN V" line of the front matter
    first = next(n for n, row in enumerate(text.split("\n"), 1) if not row.isascii())
    assert f"handbook/pages/es/section-05.md:{first}: column " in result.stderr, result.stderr
    assert "save the file as UTF-8" in result.stderr and "0xd3" in result.stderr
    assert first < line


@pytest.mark.parametrize("char", ["\x00", "\x0c", "\x1b", "\x85"])
def test_control_characters_in_a_data_file_are_named_with_line_and_column(handbook_copy, char):
    path = handbook_copy / "handbook/data/attendance.yml"
    text = path.read_text(encoding="utf-8")
    line = _line_of(text, "chronic_absence_from_percent")
    path.write_text(text.replace("chronic_absence_from_percent", f"chronic{char}_absence_from_percent", 1),
                    encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert problems == [f"handbook/data/attendance.yml:{line}: column 8: control character U+{ord(char):04X} "
                        "(invisible in most editors): delete it"]


def test_a_nul_in_a_page_fails_check_without_a_traceback(handbook_copy):
    page = handbook_copy / "handbook/pages/en/section-06.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("\n\n", "\n\x00\n", 1), encoding="utf-8")
    result = _check_cli(handbook_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"handbook/pages/en/section-06\.md:\d+: column 1: control character U\+0000", result.stderr)


def test_a_30_mb_page_is_refused_before_it_is_read(handbook_copy):
    page = handbook_copy / "handbook/pages/en/section-06.md"
    with page.open("ab") as handle:
        handle.write(b"lorem ipsum dolor " * (30_000_000 // 18))
    problems = source_problems(handbook_copy)
    assert len(problems) == 1 and problems[0].startswith("handbook/pages/en/section-06.md: the file is 30.")
    assert f"at most {MAX_PAGE_BYTES / 1e6:g} MB" in problems[0]


# ---------------------------------------------------------------- YAML


def test_a_key_written_twice_names_both_lines(handbook_copy):
    path = handbook_copy / "handbook/data/attendance.yml"
    text = path.read_text(encoding="utf-8")
    first = _line_of(text, "chronic_absence_from_percent: 10")
    path.write_text(text.replace("tiers:\n", "chronic_absence_from_percent: 15\ntiers:\n", 1), encoding="utf-8")
    second = _line_of(path.read_text(encoding="utf-8"), "chronic_absence_from_percent: 15")
    problems = source_problems(handbook_copy)
    assert problems == [f"handbook/data/attendance.yml:{second}: YAML error: the key 'chronic_absence_from_percent' "
                        f"is written twice in this mapping, on line {first} and on line {second}: keep one"]


def test_a_key_written_twice_in_front_matter_or_mkdocs_yml(handbook_copy):
    page = handbook_copy / "handbook/pages/en/section-05.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("---\n", "---\ntitle: one\ntitle: two\n", 1), encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert any(p.startswith("handbook/pages/en/section-05.md:3: ") and "on line 2 and on line 3" in p for p in problems), problems


def test_mkdocs_yml_key_twice(handbook_copy):
    line = _set_config(handbook_copy, "extra:\n", "plugins: [search]\nextra:\n")
    problems = source_problems(handbook_copy)
    assert problems[0].startswith(f"mkdocs.yml:{line}: ") and "'plugins' is written twice" in problems[0]


def test_nesting_beyond_the_bound_is_refused(handbook_copy):
    path = handbook_copy / "handbook/data/fixes.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\ndeep: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    problems = source_problems(handbook_copy)
    assert len(problems) == 1 and problems[0].startswith("handbook/data/fixes.yml:")
    assert f"nest more than {MAX_YAML_DEPTH} levels" in problems[0]


def test_an_alias_that_repeats_a_mapping_is_refused(tmp_path):
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    path = tmp_path / "laughs.yml"
    path.write_text(laughs, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_yaml_file(path, "laughs.yml")
    assert str(info.value).startswith("laughs.yml:2: YAML error: the alias '*a' repeats a list or mapping")
    # an alias of a plain value stays allowed
    assert parse_yaml("a: &v 3\nb: *v\n", "x.yml")[0] == {"a": 3, "b": 3}


@pytest.mark.parametrize("value, what", [("1" * 5000, "cannot read this value"), ("2024-13-45", "cannot read this value")])
def test_values_python_cannot_make_are_named(value, what):
    with pytest.raises(SourceError) as info:
        parse_yaml(f"a: 1\nb: {value}\n", "data.yml")
    assert str(info.value).startswith("data.yml:2: YAML error: ") and what in str(info.value)


def test_a_stray_data_file_is_read_too(handbook_copy):
    """The fingerprint hashes every YAML file of the folder: one no model reads must still be sound."""
    (handbook_copy / "handbook/data/notes.yml").write_bytes(b"note: caf\xe9\n")
    problems = source_problems(handbook_copy)
    assert problems == ["handbook/data/notes.yml:1: column 10: byte 0xe9 is not UTF-8 (the file was saved in another "
                        "encoding, e.g. Windows-1252): save the file as UTF-8"]


# ---------------------------------------------------------------- mkdocs.yml's extra


@pytest.mark.parametrize("replace, by, key, says", [
    ("extra:\n  handbook:\n", "extra: [1]\nunused:\n  handbook:\n", "extra", "valid dictionary"),
    ("  handbook:\n    source: handbook", "  handbook: 3\n  unused:\n    source: handbook", "extra.handbook", "valid dictionary"),
    ("source: handbook\n", "source: 7\n", "extra.handbook.source", "valid string"),
    ("acknowledgement_endpoint: null", "acknowledgement_endpoint: 42", "extra.handbook.acknowledgement_endpoint", "not text"),
    ("acknowledgement_endpoint: null", "acknowledgement_endpoint: [https://a.example]", "extra.handbook.acknowledgement_endpoint", "not text"),
    ("acknowledgement_endpoint: null", "acknowledgment_endpoint: /ack", "extra.handbook.acknowledgment_endpoint", "unknown setting"),
    ("extra:\n", "hooks: 3\nextra:\n", "hooks", "valid list"),
    # what the theme writes into every page as it is
    ("extra:\n", "site_description: '\"><script>x()</script>'\nextra:\n", "site_description", "plain text only"),
    ("extra:\n", "extra_css: [https://cdn.example/x.css]\nextra:\n", "extra_css", "no request to another server"),
    ("extra:\n", "site_url: 'javascript:alert(1)'\nextra:\n", "site_url", "full address"),
])
def test_wrong_types_in_mkdocs_yml_name_file_line_and_key(handbook_copy, replace, by, key, says):
    line = _set_config(handbook_copy, replace, by)
    offset = by[: by.index(key.rsplit(".", 1)[-1] + ":")].count("\n") if key.rsplit(".", 1)[-1] + ":" in by else 0
    result = _check_cli(handbook_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"mkdocs.yml:{line + offset} ({key}): " in result.stderr and says in result.stderr, result.stderr


def test_mkdocs_yml_that_is_not_a_mapping(handbook_copy):
    (handbook_copy / "mkdocs.yml").write_text("- 1\n- 2\n", encoding="utf-8")
    assert source_problems(handbook_copy) == ["mkdocs.yml:1: must be a mapping of settings (name: value), not list"]


# ---------------------------------------------------------------- reference-style links and images


def test_reference_links_are_checked_like_inline_ones(handbook_copy):
    page = handbook_copy / "handbook/pages/es/section-05.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\nVea [la sección][r] y [la matriz][m].\n\n[r]: section-99.md\n[m]: matrix-elementary.md#no-hay\n",
                    encoding="utf-8")
    lines = page.read_text(encoding="utf-8").split("\n")
    r_line, m_line = lines.index("[r]: section-99.md") + 1, lines.index("[m]: matrix-elementary.md#no-hay") + 1
    problems = source_problems(handbook_copy)
    assert f"handbook/pages/es/section-05.md:{r_line}: reference [r]: broken link 'section-99.md': no page 'section-99'" in problems
    assert (f"handbook/pages/es/section-05.md:{m_line}: reference [m]: broken link 'matrix-elementary.md#no-hay': "
            "no anchor '#no-hay' on that page") in problems


def test_a_reference_without_its_definition_is_named(handbook_copy):
    page = handbook_copy / "handbook/pages/en/section-05.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\nSee the [tiers][Tier Table] and `[code][kept]`.\n", encoding="utf-8")
    line = text.count("\n") + 2
    problems = source_problems(handbook_copy)
    assert problems == [f"handbook/pages/en/section-05.md:{line}: the reference [Tier Table] is not defined: add a line "
                        "`[Tier Table]: page.md` (or write the link as [text](page.md))"]


def test_good_reference_links_pass(handbook_copy):
    from build_scripts.core.validate import load_and_check

    page = handbook_copy / "handbook/pages/en/section-05.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [arson][a].\n\n[a]: matrix-elementary.md#arson \"Arson\"\n",
                    encoding="utf-8")
    load_and_check(handbook_copy / "mkdocs.yml")


def test_images_must_be_the_sites_own_files(handbook_copy):
    page = handbook_copy / "handbook/pages/en/section-05.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n![logo](https://cdn.example/logo.png) ![seal][s]\n\n[s]: assets/brand/seal.png\n",
                    encoding="utf-8")
    base = text.count("\n") + 2
    problems = source_problems(handbook_copy)
    assert any(p.startswith(f"handbook/pages/en/section-05.md:{base}: image 'https://cdn.example/logo.png' is on another server")
               for p in problems), problems
    assert any(p.startswith(f"handbook/pages/en/section-05.md:{base + 2}: reference [s]: no image file 'assets/brand/seal.png'")
               for p in problems), problems
    (handbook_copy / "handbook/theme/seal.png").write_bytes(b"\x89PNG")
    assert not any("seal.png" in p for p in source_problems(handbook_copy))


# ---------------------------------------------------------------- the acknowledgement endpoint


@pytest.mark.parametrize("endpoint", [
    "https://records.example.org/acknowledgements", "https://records.example.org:8443/api/ack?district=ll",
    "http://127.0.0.1:8123/ack", "http://localhost:9000/ack", "http://[::1]:9000/ack", "/api/ack",
    "https://xn--escuela-n1a.example/ack",
])
def test_endpoints_that_are_accepted(endpoint):
    assert endpoint_problem(endpoint) is None


@pytest.mark.parametrize("endpoint, says", [
    ('https://x"><b>injected</b>', "quotes, angle brackets"),
    ("https://x.example/a'b", "quotes"),
    ("https://x.example/a b", "spaces"),
    ("https://x.example/ack;script-src *", "semicolons"),
    ("https://x.example/<script>", "angle brackets"),
    ("http://records.example.org/ack", "unencrypted"),
    ("http://10.0.0.5/ack", "unencrypted"),
    ("ftp://x.example/y", "https:// address"),
    ("javascript:alert(1)", "https:// address"),
    ("//elsewhere.example/ack", "another server"),
    ("/\\elsewhere.example/ack", "backslashes"),
    ("records", "https:// address"),
    ("https://user:pw@x.example/ack", "password"),
    ("https://x.example:99999/ack", "not a valid address"),
    ("https://x_y.example/ack", "not a valid host name"),
    ("https://escuela.example/acción", "ASCII"),
    ("https://x.example/ack#top", "fragment"),
])
def test_endpoints_that_are_refused(endpoint, says):
    problem = endpoint_problem(endpoint)
    assert problem and says in problem, problem


def test_an_injected_endpoint_fails_check_naming_mkdocs_yml_and_line(handbook_copy):
    line = _set_config(handbook_copy, "acknowledgement_endpoint: null",
                       "acknowledgement_endpoint: 'https://x\"><b>injected</b>'")
    result = _check_cli(handbook_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"mkdocs.yml:{line} (extra.handbook.acknowledgement_endpoint): must not contain spaces, quotes" in result.stderr


def test_plain_http_to_another_host_fails_check(handbook_copy):
    line = _set_config(handbook_copy, "acknowledgement_endpoint: null", "acknowledgement_endpoint: http://forms.example.org/ack")
    problems = source_problems(handbook_copy)
    assert problems[0].startswith(f"mkdocs.yml:{line} (extra.handbook.acknowledgement_endpoint): must be https://")


def test_the_policy_meta_cannot_be_broken_out_of():
    page = "<html><head><meta charset='utf-8'></head><body></body></html>"
    with pytest.raises(ValueError):
        csp.with_policy(page, 'https://x"><b>injected</b>')  # what `check` refuses never reaches a page either
    text = csp.with_policy(page, "https://forms.example.org/ack")
    meta = re.search(r"<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">", text)
    assert meta and "object-src 'none'; base-uri 'self'; form-action 'self'" in meta[1]


def test_webassembly_only_where_a_calculator_is():
    head = "<html><head><meta charset='utf-8'></head><body>{}</body></html>"
    text_page = csp.meta_policy(csp.with_policy(head.format("<p>words</p>")))
    calculator = csp.meta_policy(csp.with_policy(head.format('<div class="hb-calc" data-calculator="absentee"></div>')))
    assert "'wasm-unsafe-eval'" not in text_page and "script-src 'self' 'wasm-unsafe-eval'" in calculator


def test_built_pages_allow_webassembly_only_with_a_calculator(built_site):
    site = built_site.site_dir
    for lang in built_site.handbook.languages:
        assert "'wasm-unsafe-eval'" in csp.meta_policy((site / lang / "consequence-lookup/index.html").read_text("utf-8"))
        assert "'wasm-unsafe-eval'" not in csp.meta_policy((site / lang / "section-06/index.html").read_text("utf-8"))
        assert "'wasm-unsafe-eval'" not in csp.meta_policy((site / lang / "404.html").read_text("utf-8"))
    # the header covers the calculators' worker, so the site-wide policy keeps it
    assert "'wasm-unsafe-eval'" in csp.site_policy(site).text(header=True)


# ---------------------------------------------------------------- property: any bytes → SourceError naming the file

YAML_PIECES = st.sampled_from(["a", "b", ":", " ", "\n", "- ", "[", "]", "{", "}", ",", "&x ", "*x", "!!str ", "!!python/name:os.system",
                               "'", '"', "? ", "|", ">", "#", "%YAML 1.1\n", "---\n", "...\n", "<<: ", "1e9999", "0x1f",
                               "2024-02-30", "9" * 5000, "\t", "\x00", "\xe9", "\ud7ff", "\ufeff", "\u2028", "~", "null",
                               "\\", "\r", "@", "`"])


def _read(raw: bytes, tmp_path: Path) -> None:
    handbook = tmp_path / "handbook"
    (handbook / "data").mkdir(parents=True, exist_ok=True)
    path = handbook / "data" / "codes.yml"
    path.write_bytes(raw)
    try:
        doc = read_yaml(path, handbook)
    except SourceError as exc:
        assert exc.problems and all(p.file == "handbook/data/codes.yml" for p in exc.problems)
        return
    problems: list = []
    _validate(doc, CodeTable, problems)  # the schema's errors are Problems too, never an exception
    assert all(p.file == "handbook/data/codes.yml" for p in problems)
    validate_or_problem(doc)


def validate_or_problem(doc: YamlDoc) -> None:
    """The same bytes as mkdocs.yml: a LoadedConfig or a SourceError naming it."""
    try:
        validate_config(YamlDoc(doc.path, "mkdocs.yml", doc.data, doc.node))
    except SourceError as exc:
        assert all(p.file == "mkdocs.yml" for p in exc.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400))
def test_any_bytes_as_a_data_file_give_a_source_error_naming_it(raw, tmp_path):
    _read(raw, tmp_path)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(YAML_PIECES, max_size=60))
def test_any_yaml_like_text_gives_data_or_a_source_error_naming_the_file(pieces, tmp_path):
    _read("".join(pieces).encode("utf-8", "surrogatepass"), tmp_path)


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(max_size=80), st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3),
                       st.builds(lambda host, path: f"https://{host}/{path}", st.text(max_size=20), st.text(max_size=20))))
def test_an_endpoint_is_accepted_only_if_it_can_go_into_an_attribute_and_a_policy(value):
    if endpoint_problem(value) is None and value:
        assert isinstance(value, str) and not re.search(r"[\s\"'<>;\\]", value)
        assert value.startswith(("https://", "http://127.0.0.1", "http://localhost", "http://[::1]", "/"))
        assert not value.startswith("//")
        csp.endpoint_sources(value)  # and its origin is a plain source expression


def test_the_project_config_reads_cleanly():
    doc = read_yaml_file(PROJECT / "mkdocs.yml", "mkdocs.yml")
    assert validate_config(doc).settings.extra.handbook.source == "handbook"
    assert yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8")) == doc.data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.binary(max_size=300),
                     st.lists(st.sampled_from(["---\n", "id: x\n", "title: [\n", "a: 1\n", "# h\n", "[r]: ", "section-99.md",
                                               "\n", "\x00", "\xe9", "[x][r]", "![i](", "<!-- insert: x -->", "\ufeff"]),
                              max_size=30).map(lambda parts: "".join(parts).encode("utf-8"))))
def test_any_bytes_as_a_page_give_a_page_or_problems_naming_it(raw, tmp_path):
    from build_scripts.core.load import _load_pages

    folder = tmp_path / "handbook" / "pages" / "en"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "x.md").write_bytes(raw)
    problems: list = []
    pages = _load_pages(tmp_path / "handbook", ["en"], problems)
    assert all(p.file == "handbook/pages/en/x.md" and p.line for p in problems), problems
    assert "x" in pages["en"] or problems  # read, or said why not
