"""Search as a parent uses it: the query set typed into the real search box (one page per language) finds the
right page among the first three; the box is named, counts are announced, no result points somewhere; the index is
read from the built pages (cells apart, widgets out, codes from headings) and holds one language."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bench.search import TOP, read_queries, run_queries, search_bytes
from build_scripts.outputs.search import INDEX_FILE, SEARCH_FILES, page_sections
from build_scripts.outputs.site import build_site

from .browser import serve_site
from .conftest import PROJECT

LANGUAGE_TARGET = 0.95
CATEGORY_TARGET = 0.85
BUDGET_GZIP = 100_000  # bytes sent before the first results, per language


@pytest.fixture(scope="module")
def figures(browser, site_url, built_site):
    folders = {lang: built_site.handbook.site_folder(lang) for lang in built_site.handbook.languages}
    return run_queries(browser, site_url, built_site.site_dir, read_queries(), folders)


def test_the_query_set_covers_both_languages_and_every_category():
    queries = read_queries()
    assert len(queries) >= 80
    categories = {q.category for q in queries}
    assert {"plain", "code", "typo", "everyday", "question", "deadline"} <= categories and "noaccent" in categories
    for lang in ("en", "es"):
        assert len([q for q in queries if q.lang == lang]) >= 30


def test_right_page_in_the_first_three(figures):
    misses = [f"{o.query.lang}/{o.query.category} {o.query.text!r} -> {o.found[:TOP]}" for o in figures.outcomes if not o.hit]
    for lang in ("en", "es"):
        assert figures.rate(lang) >= LANGUAGE_TARGET, (lang, figures.rate(lang), misses)
    for lang, rates in figures.table().items():
        for category, rate in rates.items():
            assert rate >= CATEGORY_TARGET, (lang, category, rate, misses)


def test_bytes_before_first_results_fit_the_budget(built_site):
    for lang in built_site.handbook.languages:
        assert search_bytes(built_site.site_dir, built_site.handbook.site_folder(lang)) <= BUDGET_GZIP


def test_box_is_named_counts_are_announced_and_no_result_points_on(page, site_url):
    page.goto(site_url + "es/")
    button = page.locator("button.hb-search-open")
    assert button.get_attribute("aria-haspopup") == "dialog" and button.inner_text().strip() == "Buscar"
    page.keyboard.press("/")  # the keyboard opens it too
    dialog = page.locator("dialog.hb-search")
    assert dialog.get_attribute("aria-label") == "Buscar" and dialog.evaluate("d => d.open")
    page.keyboard.type("apelacion")
    status = page.locator("#hb-search-status")
    assert status.get_attribute("aria-live") == "polite"
    page.wait_for_function("document.getElementById('hb-search-status').textContent.includes('resultado')")
    # three lines at most at a phone's width: the snippet is clamped, the first result shows a matching sentence
    snippet = page.locator(".hb-search__snippet").first
    assert "apelaci" in snippet.inner_text().lower()
    page.locator("#hb-search-input").fill("zzqxj")
    page.wait_for_function("document.getElementById('hb-search-status').textContent.includes('zzqxj')")
    links = status.locator("a")
    assert links.count() == 2 and links.first.get_attribute("href").endswith("/es/code-table/")
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert page.evaluate("document.activeElement === document.querySelector('button.hb-search-open')"), page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    assert page.js_errors == []


def test_for_the_word_is_not_the_code_for_and_codes_lead(page, site_url):
    page.goto(site_url + "en/")
    page.wait_for_function("window.hbSearch !== undefined")
    first = page.evaluate("""async () => {
        const pick = async q => { const r = await window.hbSearch.run(q); return r.ids[0]; };
        return {code: await pick('FOR'), word: await pick('days suspended for fighting'), bni: await pick('bni')};
    }""")
    index = json.loads(page.evaluate("fetch('search/index.json').then(r => r.text())"))
    title = {k: index["docs"][v]["t"] for k, v in first.items()}
    assert "(FOR)" in title["code"] and "(BNI)" in title["bni"]
    assert "(FOR)" not in title["word"], title


def test_sections_come_from_the_built_pages(built_site):
    site = built_site.site_dir / "en"
    matrix = page_sections((site / "matrix-elementary" / "index.html").read_text(encoding="utf-8"), 0, "M", None, set())
    text = " ".join(s.text for s in matrix)
    assert "CheatingBehavior" not in text and "WebAssembly" not in text
    lookup = page_sections((site / "consequence-lookup" / "index.html").read_text(encoding="utf-8"), 0,
                           "Consequence lookup", None, set())
    assert len(lookup) == 1 and lookup[0].anchor == "" and "could not start" not in lookup[0].text
    assert lookup[0].text.startswith("Find the minimum response")
    definitions = page_sections((site / "section-06" / "index.html").read_text(encoding="utf-8"), 0, "VI",
                                None, set())
    codes = {c for s in definitions for c in s.codes}
    assert {"ASK", "BNI", "FOR"} <= codes and "Verbal" not in codes


def test_each_language_has_its_own_index(built_site):
    texts = {}
    for lang in ("en", "es"):
        index = json.loads((built_site.site_dir / lang / "search" / "index.json").read_text(encoding="utf-8"))
        texts[lang] = " ".join(d["t"] + " " + d["x"] for d in index["docs"])
        assert index["words"] and all(len(e) == 2 for e in index["words"])
    assert "suspensión" in texts["es"] and "suspensión" not in texts["en"]
    assert "suspension" in texts["en"] and " suspension " not in texts["es"]


@pytest.fixture(scope="module")
def one_language_site(tmp_path_factory):
    """Another district's guide: one language, prose only, no code table, no search.yml (about 10 s)."""
    out = tmp_path_factory.mktemp("english-only")
    return build_site(PROJECT / "tests/fixtures/english-only/mkdocs.yml", site_dir=out / "site", work_dir=out / "work",
                      with_pdf=False)


def test_a_one_language_guide_without_search_yml_gets_search(browser, one_language_site):
    site = one_language_site.site_dir
    index = json.loads((site / "search" / "index.json").read_text(encoding="utf-8"))
    assert index["words"] == [] and index["codes"] == {}
    assert f'"{INDEX_FILE}"' in (site / "sw.js").read_text(encoding="utf-8")  # kept once read: search offline
    with serve_site(site) as url:
        context = browser.new_context(viewport={"width": 320, "height": 640})
        page = context.new_page()
        page.goto(url)
        page.click("button.hb-search-open")
        page.keyboard.type("Excused absense")  # a capital, a typo
        page.wait_for_selector(".hb-search__result")
        first = page.locator(".hb-search__result > a").first.get_attribute("href")
        assert first.endswith("/attendance/#make-up-the-work"), first  # the section holding both words
        page.locator("#hb-search-input").fill("zzqxj")
        page.wait_for_function("document.getElementById('hb-search-status').textContent.includes('zzqxj')")
        hrefs = page.locator("#hb-search-status a").evaluate_all("links => links.map(a => a.href)")
        assert hrefs == [url]  # no code table: only the contents (the home page holds them)
        context.close()


def test_results_fit_a_320_px_phone(browser, site_url):
    """A heading written as one long slashed word (ACOSO ESCOLAR/INTIMIDACIÓN/INSTIGACIÓN/...) wraps inside the
    dialog instead of running off the screen (WCAG 1.4.10)."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site_url + "es/")
    page.click("button.hb-search-open")
    page.keyboard.type("acoso escolar", delay=10)
    page.wait_for_selector(".hb-search__result")
    widths = page.evaluate("""() => { const d = document.querySelector('dialog.hb-search');
        return [d.scrollWidth, d.clientWidth, document.documentElement.scrollWidth]; }""")
    assert widths[0] <= widths[1] and widths[2] <= 320, widths
    context.close()


@pytest.fixture(scope="module")
def spanish_search(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site_url + "es/")
    page.click("button.hb-search-open")
    page.wait_for_function("window.hbSearch !== undefined")
    yield page, errors
    context.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60) | st.sampled_from(["de", "a la", "FOR for", "ASK", "¿qué?", "((", "*", "  ", "\u0301",
                                                 "x" * 300, "dias habiles 10", "LAR 1", "<b>hi</b>"]))
def test_any_typed_text_gets_an_answer_never_an_error(spanish_search, text):
    page, errors = spanish_search
    page.locator("#hb-search-input").fill(text)
    page.wait_for_function("""q => { const s = document.getElementById('hb-search-status').textContent;
        return q.trim() === '' ? s === '' : s !== '' && window.hbSearch.lastMs !== null; }""", arg=text)
    assert page.locator("dialog.hb-search b").count() == 0  # typed text is never markup
    assert errors == []


def test_search_works_offline_after_a_visit_under_the_sites_policy(browser, built_site):
    """The service worker keeps the index, the engine and the script of the language read: after one visit, with the
    network gone, search still answers (served with the site's Content-Security-Policy header, as deployed); the other
    language's index is never downloaded."""
    from build_scripts.outputs import csp

    from .browser import poll

    policy = csp.site_policy(built_site.site_dir)
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    served: list[str] = []
    with serve_site(built_site.site_dir, headers={"Content-Security-Policy": policy.text(header=True)},
                    record=lambda path, status, size: served.append(path)) as url:
        page.goto(url + "es/section-01/")
        assert poll(page, "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"), "no worker"
        for path in SEARCH_FILES:
            assert poll(page, "async (u) => !!(await caches.match(u))", f"{url}es/{path}"), f"es/{path} not kept"
        # every download over before the server stops (each is recorded once sent): no new one for a second
        for _ in range(30):
            before = len(served)
            page.wait_for_timeout(1000)
            if len(served) == before:
                break
    english_search = [path for path in served if path.startswith("/en/") and path.endswith(SEARCH_FILES)]
    assert not english_search  # the English index, engine and script: never downloaded for a Spanish reader
    context.set_offline(True)
    page.reload()
    page.click("button.hb-search-open")
    page.keyboard.type("expulcion")
    assert poll(page, "() => document.querySelectorAll('.hb-search__result').length > 0"), \
        page.inner_text("#hb-search-status")
    assert errors == []
    context.close()
