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
    page.click("button.hb-search-open")
    page.keyboard.type(query, delay=20)
    page.wait_for_selector(".hb-search__result", timeout=15000)
    page.wait_for_timeout(300)  # the last keystroke's results
    return page.eval_on_selector_all(".hb-search__result a", "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.parametrize("query, expected_page", [
    ("suspensión", "section-07"),
    ("acoso", "section-06"),
    ("ausencias", "section-05"),
    ("suspendido", "section-07"),  # a prefix and a typo away from "suspensión"
])
def test_spanish_search(page, site_url, query, expected_page):
    hrefs = _search(page, site_url + "es/", query)
    assert any(expected_page in h for h in hrefs), (query, hrefs[:10])


def test_english_search_has_no_spanish_results(page, site_url):
    page.goto(site_url + "en/")
    page.click("button.hb-search-open")
    page.keyboard.type("suspensión", delay=20)
    page.wait_for_selector(".hb-search__result", timeout=15000)
    hrefs = page.eval_on_selector_all(".hb-search__result a", "els => els.map(e => e.getAttribute('href'))")
    assert all("/es/" not in h for h in hrefs)


@pytest.mark.parametrize("javascript", [True, False])
def test_a_phone_never_scrolls_sideways_and_the_language_menu_fits(browser, site_url, javascript):
    """At 375 px the language menu, open or closed, stays inside the screen (centred under its button, it used to
    stick out, and without JavaScript the whole page scrolled sideways: 394 px wide)."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=javascript)
    tab = context.new_page()
    try:
        for path in ("es/section-07/", "en/", "es/matrix-secondary/"):
            tab.goto(site_url + path)
            assert tab.evaluate("document.documentElement.scrollWidth") <= 375, path
        tab.hover(".md-select")
        tab.wait_for_timeout(600)  # the menu's opening transition
        box = tab.locator(".md-select__inner").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        assert tab.locator("a.md-select__link[hreflang=en]").is_visible()
    finally:
        context.close()
