"""The bilingual site in a real browser: language switch, root page, Spanish search with its stemmer."""

from __future__ import annotations

import re

import pytest


def test_language_switch_lands_on_the_twin_and_keeps_the_section(page, site_url):
    page.goto(site_url + "en/section-08/#appeal-to-the-superintendent")
    assert page.get_attribute("html", "lang") == "en"
    page.click("button[aria-label='Select language']", timeout=5000)
    page.click("a.md-select__link[hreflang=es]")
    page.wait_for_url(re.compile(r"/es/section-08/#appeal-to-the-superintendent$"))
    assert page.get_attribute("html", "lang") == "es"
    assert "APELACIÓN" in page.inner_text("#appeal-to-the-superintendent").upper()
    assert page.js_errors == []


def test_root_page_follows_the_browser_language_once(browser, site_url):
    context = browser.new_context(locale="es-MX")
    tab = context.new_page()
    tab.goto(site_url)
    tab.wait_for_url(re.compile(r"/es/$"))
    tab.goto(site_url)  # coming back: the choice is shown, not forced again
    assert tab.url == site_url
    assert tab.locator("a[hreflang=en]").is_visible() and tab.locator("a[hreflang=es]").is_visible()
    context.close()


def test_root_page_without_javascript_lists_both_languages(browser, site_url):
    context = browser.new_context(java_script_enabled=False, locale="es-ES")
    tab = context.new_page()
    tab.goto(site_url)
    assert tab.url == site_url
    assert tab.locator("a[hreflang]").count() == 2
    context.close()


def _search(page, url, query):
    page.goto(url)
    page.click("input[data-md-component='search-query']")
    page.keyboard.type(query, delay=20)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    page.wait_for_timeout(300)  # the last keystroke's results
    return page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.parametrize("query, expected_page", [
    ("suspensión", "section-07"),
    ("acoso", "section-06"),
    ("ausencias", "section-05"),
    ("suspender", "section-07"),  # stemmed: "suspender" finds "suspensión"/"suspendido"
])
def test_spanish_search(page, site_url, query, expected_page):
    hrefs = _search(page, site_url + "es/", query)
    assert any(expected_page in h for h in hrefs), (query, hrefs[:10])


def test_english_search_has_no_spanish_results(page, site_url):
    page.goto(site_url + "en/")
    page.click("input[data-md-component='search-query']")
    page.keyboard.type("suspensión", delay=20)
    page.wait_for_timeout(1500)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.getAttribute('href'))")
    assert all("/es/" not in h for h in hrefs)
