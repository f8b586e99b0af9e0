"""Quality gates, in Debian's Chromium, on the built site served from 127.0.0.1 with its Content-Security-Policy:

- a crawl of every page of every language (and the root, 404 and offline pages) that fails on any request to
  another host, any axe-core violation of WCAG 2.0/2.1 A and AA, any JavaScript or console error, any policy
  violation, any broken internal link or anchor;
- the calculators (result and error) and the sign-off form (errors and confirmation) checked the same way;
- colour contrast in both palettes; keyboard: a skip link first, every control reachable, focus always visible;
- offline reading through the service worker, and caches replaced by a new build;
- the policy itself: the <meta> of every page, and the server snippets in docs/deploy/ up to date.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

import pytest

from build_scripts.outputs import csp, offline
from build_scripts.source.i18n import load_strings

from .browser import PROJECT, SiteFiles, free_port, poll, project_copy, serve, serve_site
from .conftest import soup_of

AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CONTRAST_RULES = ["color-contrast", "link-in-text-block"]
# Rules axe files under "best-practice" that Lighthouse's accessibility score counts: held to the same bar, so the
# crawl fails before the benchmark's score drops (a nameless dialog, skipped heading levels...).
LIGHTHOUSE_RULES = ["aria-dialog-name", "aria-text", "aria-treeitem-name", "empty-heading", "heading-order",
                    "landmark-one-main", "skip-link", "tabindex", "table-duplicate-name"]
HOST = "127.0.0.1"

# Before any page script: record policy violations (a violation means something the site needs was blocked).
WATCH_POLICY = """
window.__policyViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__policyViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""
RUN_AXE = """async ([tags, extra, rules]) => {
  // let fades and slides finish (the header's title, the back-to-top button): axe measures colours as they are now
  const finite = document.getAnimations().filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.race([Promise.allSettled(finite.map((a) => a.finished)), new Promise((r) => setTimeout(r, 3000))]);
  const options = {resultTypes: ["violations"],
                   runOnly: rules ? {type: "rule", values: rules} : {type: "tag", values: tags},
                   rules: rules ? {} : Object.fromEntries(extra.map((id) => [id, {enabled: true}]))};
  const result = await axe.run(document, options);
  return result.violations.map((v) => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 5).map((n) =>
    `${n.target.join(" ")} -- ${(n.failureSummary || "").split("\\n").slice(1, 2).join("").trim()}`).join(" | ")
    + (v.nodes.length > 5 ? ` | ... ${v.nodes.length} elements` : ""));
}"""
PAGE_FACTS = """() => ({
  links: Array.from(document.querySelectorAll("a[href]"), (a) => a.href),
  ids: Array.from(document.querySelectorAll("[id], a[name]"), (el) => el.id || el.getAttribute("name")),
  violations: window.__policyViolations || [],
})"""


def _axe_source() -> str:
    if not AXE.exists():
        problem = f"{AXE} is missing: run `npm ci` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    return AXE.read_text(encoding="utf-8")


# ---------------------------------------------------------------- a browser context that records every problem


@dataclass
class Problems:
    """What went wrong in one browser context, by page address."""

    outside: list[str] = field(default_factory=list)  # requests to another host (aborted)
    errors: list[str] = field(default_factory=list)  # uncaught exceptions and console errors


@dataclass
class PageFacts:
    url: str
    axe: list[str]
    links: list[str]
    ids: set[str]
    policy: list[str]


def watched_context(browser: Any, axe_source: str, **options: Any) -> tuple[Any, Problems]:
    """A context whose pages cannot reach another host, have axe-core and the policy watcher from the start.

    axe-core goes in as an init script: Playwright adds those through the DevTools protocol, which the page's
    Content-Security-Policy does not govern, so the page keeps its real policy (no bypass_csp) while axe can run;
    `page.add_script_tag` would add an inline <script> that the policy rightly blocks.
    Service workers are blocked here: a request a service worker answers never reaches `route`, so it could not
    be checked (the offline tests below run with the service worker)."""
    options.setdefault("service_workers", "block")
    context = browser.new_context(**options)
    problems = Problems()

    def gate(route: Any) -> None:
        if urlsplit(route.request.url).hostname == HOST:
            route.continue_()
            return
        try:
            origin = route.request.frame.url
        except Exception:  # a worker's request has no frame
            origin = "a worker"
        problems.outside.append(f"{route.request.url} (from {origin})")
        route.abort()

    context.route("**/*", gate)
    context.add_init_script(script=WATCH_POLICY)
    context.add_init_script(script=axe_source)

    def on_page(page: Any) -> None:
        page.on("pageerror", lambda exc: problems.errors.append(f"{page.url}: {exc}"))
        page.on("console", lambda msg: msg.type == "error" and problems.errors.append(
            f"{page.url}: console: {msg.text} ({msg.location.get('url', '')})"))

    context.on("page", on_page)
    return context, problems


def check_page(page: Any, rules: list[str] | None = None) -> PageFacts:
    """axe-core (WCAG A/AA tags and the Lighthouse-scored rules, or only `rules`), then the page's links, ids and
    policy violations."""
    axe = page.evaluate(RUN_AXE, [WCAG_TAGS, LIGHTHOUSE_RULES, rules])
    facts = page.evaluate(PAGE_FACTS)
    return PageFacts(page.url, axe, facts["links"], set(facts["ids"]), facts["violations"])


def report(findings: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}:\n    " + "\n    ".join(items) for where, items in findings.items() if items)


# ---------------------------------------------------------------- the site under its policy


@dataclass
class Site:
    url: str
    folder: Path
    languages: list[str]
    policy: csp.Policy


@pytest.fixture(scope="module")
def axe_source() -> str:
    return _axe_source()


@pytest.fixture(scope="module")
def site(built_site) -> Iterator[Site]:
    """The built site, served with the site-wide policy as a header (what docs/deploy/ sends) on top of each page's
    <meta>: both must hold, and the header also governs the calculators' worker and the service worker."""
    policy = csp.site_policy(built_site.site_dir)
    with serve_site(built_site.site_dir, headers={"Content-Security-Policy": policy.text(header=True)}) as url:
        yield Site(url, built_site.site_dir, list(built_site.handbook.languages), policy)


def page_paths(site: Site) -> dict[str, list[str]]:
    """Every page of the built site by the context that visits it: each language's index.html files, its 404 and
    offline pages; the root page goes with the first language."""
    paths: dict[str, list[str]] = {}
    for lang in site.languages:
        folder = site.folder / lang
        pages = sorted(p.relative_to(site.folder).as_posix() for p in folder.rglob("index.html"))
        paths[lang] = [p.removesuffix("index.html") for p in pages] + [f"{lang}/404.html", f"{lang}/{offline.OFFLINE_PAGE}"]
    paths[site.languages[0]].insert(0, "?choose")  # the root page; ?choose: show it, do not redirect
    return paths


@dataclass
class Crawl:
    pages: dict[str, PageFacts]
    problems: dict[str, Problems]


@pytest.fixture(scope="module")
def crawl(browser, site, axe_source) -> Crawl:
    """Every page, once, in one context per language (pages as loaded; the state scenarios come below)."""
    pages: dict[str, PageFacts] = {}
    problems: dict[str, Problems] = {}
    for lang, paths in page_paths(site).items():
        context, problems[lang] = watched_context(browser, axe_source, locale=lang)
        page = context.new_page()
        for path in paths:
            page.goto(site.url + path, wait_until="load")
            pages[site.url + path] = check_page(page)
        context.close()
    return Crawl(pages, problems)


def test_the_crawl_visits_every_page(crawl, site):
    visited = {url.removeprefix(site.url) for url in crawl.pages}
    for lang in site.languages:
        for page in (site.folder / lang).rglob("index.html"):
            assert page.relative_to(site.folder).as_posix().removesuffix("index.html") in visited
        assert f"{lang}/404.html" in visited
    assert "?choose" in visited
    assert len(visited) >= 2 * 20  # both languages' handbooks, not an empty site


def test_no_request_leaves_the_site(crawl):
    outside = {lang: p.outside for lang, p in crawl.problems.items()}
    assert not any(outside.values()), "requests to another host:\n" + report(outside)


def test_every_page_meets_wcag_2_1_aa(crawl):
    findings = {url: facts.axe for url, facts in crawl.pages.items()}
    assert not any(findings.values()), "axe-core (WCAG 2.0/2.1 A and AA, and the rules Lighthouse scores):\n" + report(findings)


def test_no_javascript_or_console_error(crawl):
    errors = {lang: p.errors for lang, p in crawl.problems.items()}
    assert not any(errors.values()), report(errors)


def test_nothing_breaks_the_content_security_policy(crawl):
    findings = {url: facts.policy for url, facts in crawl.pages.items()}
    assert not any(findings.values()), "Content-Security-Policy violations:\n" + report(findings)


def _ids_in_file(path: Path) -> set[str]:
    soup = soup_of(path)
    return {el["id"] for el in soup.find_all(id=True)} | {a["name"] for a in soup.find_all("a", attrs={"name": True})}


def broken_links(pages: dict[str, PageFacts], site: Site) -> dict[str, list[str]]:
    """Same-site links whose file does not exist, or whose #fragment is no id of the target page (as the browser
    shows it, when the crawl saw that page; else as built)."""
    origin = urlsplit(site.url).netloc
    seen = {urlsplit(url)._replace(query="", fragment="").geturl(): facts.ids for url, facts in pages.items()}
    file_ids: dict[Path, set[str]] = {}
    broken: dict[str, list[str]] = {}
    for url, facts in pages.items():
        for href in sorted(set(facts.links)):
            parts = urlsplit(href)
            if parts.scheme not in ("http", "https") or parts.netloc != origin:
                continue
            path = unquote(parts.path)
            target = site.folder / path.lstrip("/")
            if path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.setdefault(url, []).append(f"{href}: no such file")
                continue
            if not parts.fragment or target.suffix != ".html":
                continue
            page_url = parts._replace(query="", fragment="").geturl()
            if page_url in seen:
                ids = seen[page_url]
            else:
                ids = file_ids.setdefault(target, _ids_in_file(target))
            if unquote(parts.fragment) not in ids:
                broken.setdefault(url, []).append(f"{href}: no element with id '{unquote(parts.fragment)}'")
    return broken


def test_internal_links_and_anchors_resolve(crawl, site):
    broken = broken_links(crawl.pages, site)
    assert not broken, "broken links:\n" + report(broken)


# ---------------------------------------------------------------- calculators and the form in their states


def _calculator(page: Any, url: str, kind: str) -> Any:
    page.goto(url)
    widget = page.locator(f"[data-calculator={kind}]")
    page.wait_for_selector(f"[data-calculator={kind}][data-state=ready]", timeout=60_000)
    return widget


ANSWER_SHOWN = """(widget, before) => new Promise((resolve) => {
  // the answer: a new result, or an error message (in the result box or beside a field)
  const state = () => widget.querySelector(".hb-calc__result").innerHTML + "|" +
    Array.from(widget.querySelectorAll(".hb-calc__error"), (e) => e.outerHTML).join("");
  const shown = () => state() !== before && (widget.querySelector(".hb-calc__result").firstChild
                                              || widget.querySelector(".hb-calc__error"));
  if (shown()) return resolve(true);
  const watch = new MutationObserver(() => { if (shown()) { watch.disconnect(); resolve(true); } });
  watch.observe(widget, {childList: true, subtree: true, characterData: true, attributes: true});
  setTimeout(() => resolve(false), 30000);
})"""


def _submit_calculator(widget: Any, field: str) -> str:
    """Submit with Enter in a field (as a keyboard user does; no pointer left hovering over anything when axe
    measures), and wait for the answer to replace whatever the widget showed before."""
    before = widget.evaluate("w => w.querySelector('.hb-calc__result').innerHTML + '|' + "
                             "Array.from(w.querySelectorAll('.hb-calc__error'), (e) => e.outerHTML).join('')")
    widget.locator(f"[name={field}]").press("Enter")
    assert widget.evaluate(ANSWER_SHOWN, before), "the calculator gave no answer"
    return widget.locator(".hb-calc__result").inner_text()


def _absentee(widget: Any, absent: str, enrolled: str) -> str:
    widget.locator("[name=days_absent]").fill(absent)
    widget.locator("[name=days_enrolled]").fill(enrolled)
    return _submit_calculator(widget, "days_enrolled")


def _consequence(widget: Any, behavior: str) -> str:
    widget.locator("[name=behavior]").fill(behavior)
    return _submit_calculator(widget, "offense")


def _first_behavior(widget: Any) -> str:
    """A behavior the form offers for the selected school level (the first of its list)."""
    return widget.evaluate("""w => {
      const level = w.querySelector("[name=school_level]:checked").getAttribute("data-matrix");
      return w.querySelector(`datalist[data-matrix="${level}"] option, datalist[id$="-${level}"] option`).value;
    }""")


@dataclass
class Scenario:
    """One page in one state, checked like a crawled page."""

    name: str
    facts: PageFacts


def calculator_scenarios(page: Any, site: Site, lang: str) -> list[Scenario]:
    out = []
    widget = _calculator(page, f"{site.url}{lang}/absentee-calculator/", "absentee")
    _absentee(widget, "", "")
    assert widget.locator(".hb-calc__error").count() >= 1
    out.append(Scenario("absentee: error", check_page(page)))
    _absentee(widget, "9", "100")
    assert widget.locator(".hb-calc__result .hb-calc__title").count() >= 1
    out.append(Scenario("absentee: result", check_page(page)))
    widget = _calculator(page, f"{site.url}{lang}/consequence-lookup/", "consequence")
    _consequence(widget, "")
    assert widget.locator(".hb-calc__error").count() >= 1
    out.append(Scenario("consequence: error", check_page(page)))
    _consequence(widget, _first_behavior(widget))
    assert widget.locator(".hb-calc__result .hb-calc__title").count() >= 1
    out.append(Scenario("consequence: result", check_page(page)))
    return out


def fill_form(page: Any) -> None:
    """Everything the sign-off form requires, typed as a family would."""
    page.fill("#ack-student-name", "Ana María López")
    page.fill("#ack-school-other", "Escuela Central")
    page.select_option("#ack-grade", "5")
    page.fill("#ack-parent-name", "Rosa López")
    page.select_option("#ack-relationship", "guardian")
    page.check("#ack-student-accept")
    page.fill("#ack-student-signature", "Ana María López")
    page.check("#ack-parent-accept")
    page.fill("#ack-parent-signature", "Rosa López")


def submit_form(page: Any) -> None:
    """Send the form with the keyboard (no pointer left hovering over a button when axe measures colours)."""
    page.locator("#ack-submit").press("Enter")


def form_scenarios(page: Any, site: Site, lang: str) -> list[Scenario]:
    page.goto(f"{site.url}{lang}/acknowledgement/")
    page.wait_for_selector("#ack-form:not([hidden])")
    submit_form(page)
    page.wait_for_selector("#ack-summary:not([hidden])")
    out = [Scenario("form: errors", check_page(page))]
    fill_form(page)
    submit_form(page)
    page.wait_for_selector("#ack-confirmation:not([hidden])")
    out.append(Scenario("form: confirmation", check_page(page)))
    return out


@pytest.fixture(scope="module")
def scenarios(browser, site, axe_source) -> dict[str, tuple[list[Scenario], Problems]]:
    out = {}
    for lang in site.languages:
        context, problems = watched_context(browser, axe_source, locale=lang)
        page = context.new_page()
        out[lang] = (calculator_scenarios(page, site, lang) + form_scenarios(page, site, lang), problems)
        context.close()
    return out


def test_calculators_and_form_in_every_state_meet_wcag_and_work(scenarios, site):
    findings: dict[str, list[str]] = {}
    for lang, (states, problems) in scenarios.items():
        for state in states:
            where = f"{lang} {state.name}"
            findings[where] = [f"axe: {v}" for v in state.facts.axe] + [f"policy: {v}" for v in state.facts.policy]
        findings[f"{lang}: outside requests"] = problems.outside
        findings[f"{lang}: errors"] = problems.errors
        broken = broken_links({f"{lang} {s.name}": s.facts for s in states}, site)
        findings.update({f"{where}: links": items for where, items in broken.items()})
    assert not any(findings.values()), report(findings)


# ---------------------------------------------------------------- colour contrast in each palette


CONTRAST_PAGES = ["", "matrix-secondary/", "code-table/", "acknowledgement/", "absentee-calculator/"]


@pytest.mark.parametrize("scheme, palette", [("light", "default"), ("dark", "slate")])
def test_contrast_in_each_palette(browser, site, axe_source, scheme, palette):
    """The theme offers a light and a dark palette (following the reader's system setting, or the toggle)."""
    findings: dict[str, list[str]] = {}
    for lang in site.languages:
        context, problems = watched_context(browser, axe_source, color_scheme=scheme)
        page = context.new_page()
        for path in CONTRAST_PAGES:
            page.goto(f"{site.url}{lang}/{path}")
            assert page.get_attribute("body", "data-md-color-scheme") == palette
            findings[f"{lang}/{path}"] = check_page(page, CONTRAST_RULES).axe
        # and the states that add coloured text: the form's errors, a calculator's answer
        page.goto(f"{site.url}{lang}/acknowledgement/")
        page.wait_for_selector("#ack-form:not([hidden])")
        submit_form(page)
        page.wait_for_selector("#ack-summary:not([hidden])")
        findings[f"{lang}/acknowledgement/ (errors)"] = check_page(page, CONTRAST_RULES).axe
        widget = _calculator(page, f"{site.url}{lang}/absentee-calculator/", "absentee")
        _absentee(widget, "9", "100")
        findings[f"{lang}/absentee-calculator/ (result)"] = check_page(page, CONTRAST_RULES).axe
        widget.locator("button[type=submit]").focus()  # a focused button changes colours too
        findings[f"{lang}/absentee-calculator/ (button focused)"] = check_page(page, CONTRAST_RULES).axe
        findings[f"{lang}: errors"] = problems.errors
        context.close()
    assert not any(findings.values()), f"{scheme} palette:\n" + report(findings)


# ---------------------------------------------------------------- keyboard

MARK_INTERACTIVE = """() => {
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";
  const shown = (el) => {
    if (el.closest("[hidden], [inert]") || el.disabled || el.tabIndex < 0) return false;
    const style = getComputedStyle(el);
    return style.visibility === "visible" && el.getClientRects().length > 0;
  };
  const found = [];
  document.querySelectorAll(selector).forEach((el) => {
    if (!shown(el)) return;
    // a group of radio buttons is one tab stop (the arrow keys move inside it)
    const key = el.type === "radio" ? `radio:${el.name}` : `el:${found.length}`;
    el.dataset.kbKey = key;
    if (!found.some((f) => f.key === key)) {
      found.push({key, what: el.outerHTML.slice(0, 120)});
    }
  });
  return found;
}"""
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const again = window.__kbFirst === el;  // back round to the first stop
  window.__kbFirst = window.__kbFirst || el;
  const what = el.outerHTML.slice(0, 120);
  // focus inside a control's own widget (a date field's calendar button): the browser draws that ring itself
  if (!el.matches(":focus")) return {key: el.dataset.kbKey || null, visible: true, what, again};
  const visible = (node) => {
    const s = getComputedStyle(node);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
    return outline || s.boxShadow !== "none";
  };
  // a visually hidden control (the theme's palette switch) shows its focus on its label, or on the label beside it
  const next = el.nextElementSibling && el.nextElementSibling.tagName === "LABEL" ? [el.nextElementSibling] : [];
  const shown = [el, ...Array.from(el.labels || []), ...next].some(visible);
  return {key: el.dataset.kbKey || null, visible: shown, what, again};
}"""


def tab_through(page: Any, limit: int = 600) -> list[dict[str, Any]]:
    """Press Tab from the top of the page until focus leaves the page or comes back round; each stop's facts."""
    page.evaluate("() => { window.scrollTo(0, 0); window.__kbFirst = null;"
                  " if (document.activeElement) document.activeElement.blur(); }")
    stops: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["again"]:
            break
        stops.append(focused)
    return stops


@pytest.fixture
def keyboard_page(browser, site, axe_source) -> Iterator[tuple[Any, Problems]]:
    context, problems = watched_context(browser, axe_source, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page, problems
    context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_skip_link_comes_first_and_moves_to_the_content(keyboard_page, site, lang):
    page, _ = keyboard_page
    page.goto(f"{site.url}{lang}/section-01/")
    page.keyboard.press("Tab")
    first = page.evaluate("() => ({tag: document.activeElement.tagName, href: document.activeElement.getAttribute('href'),"
                          " text: document.activeElement.textContent.trim(), box: document.activeElement.getBoundingClientRect().height})")
    assert first["tag"] == "A" and first["href"].startswith("#") and first["text"], first
    assert first["box"] > 0  # shown once focused, not only announced
    assert page.evaluate(FOCUSED)["visible"]
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == first["href"]
    page.keyboard.press("Tab")  # the next stop is inside the content, past the header and the menus
    assert page.evaluate(f"!!document.activeElement.closest('article') || "
                         f"document.activeElement.compareDocumentPosition(document.getElementById('{first['href'][1:]}')) "
                         f"& Node.DOCUMENT_POSITION_PRECEDING")


KEYBOARD_PAGES = {
    "consequence-lookup/": "[data-calculator][data-state=ready]",
    "absentee-calculator/": "[data-calculator][data-state=ready]",
    "acknowledgement/": "#ack-form:not([hidden])",
}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("path", list(KEYBOARD_PAGES))
def test_every_control_is_reachable_by_tab_with_a_visible_focus(keyboard_page, site, path, lang):
    page, problems = keyboard_page
    page.goto(f"{site.url}{lang}/{path}")
    page.wait_for_selector(KEYBOARD_PAGES[path], timeout=60_000)
    expected = page.evaluate(MARK_INTERACTIVE)
    stops = tab_through(page)
    reached = {stop["key"] for stop in stops}
    missed = [e["what"] for e in expected if e["key"] not in reached]
    invisible = [stop["what"] for stop in stops if not stop["visible"]]
    assert not missed, f"{len(missed)} of {len(expected)} controls never get the focus:\n" + "\n".join(missed)
    assert not invisible, "focus not visible on:\n" + "\n".join(invisible)
    assert problems.errors == []


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_calculators_work_with_the_keyboard_alone(keyboard_page, site, lang):
    page, problems = keyboard_page
    _calculator(page, f"{site.url}{lang}/absentee-calculator/", "absentee")
    page.focus("[data-calculator=absentee] [name=days_absent]")
    page.keyboard.type("9")
    page.keyboard.press("Tab")
    page.keyboard.type("100")
    page.keyboard.press("Enter")
    result = page.locator("[data-calculator=absentee] .hb-calc__result")
    result.locator(".hb-calc__title").wait_for(timeout=30_000)
    # the answer takes the focus, so a screen reader reads it and the next Tab continues from there
    assert page.evaluate("document.activeElement === document.querySelector('[data-calculator=absentee] .hb-calc__result')")
    assert problems.errors == []


# ---------------------------------------------------------------- offline reading (service worker)

IN_CACHE = """async (urls) => {
  const out = {};
  for (const url of urls) out[url] = !!(await caches.match(url));
  return out;
}"""


def wait_until_cached(page: Any, urls: list[str]) -> None:
    if not poll(page, f"async (urls) => Object.values(await ({IN_CACHE})(urls)).every(Boolean)", urls):
        cached = page.evaluate(IN_CACHE, urls)
        raise AssertionError(f"not saved by the service worker: {[u for u, ok in cached.items() if not ok]}")


def wait_for_worker(page: Any) -> None:
    assert poll(page, "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"), "no service worker"


def service_worker_config(site_dir: Path) -> dict[str, Any]:
    text = (site_dir / offline.SERVICE_WORKER).read_text(encoding="utf-8")
    return json.loads(re.search(r"const CONFIG = (\{.*?\});\n", text)[1])


def test_offline_visited_pages_and_calculators_work_and_other_pages_say_offline(browser, built_site):
    site_dir = built_site.site_dir
    config = service_worker_config(site_dir)
    policy = csp.site_policy(site_dir)
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    with serve_site(site_dir, headers={"Content-Security-Policy": policy.text(header=True)}) as url:
        page.goto(url + "en/")  # the first page: opened before the worker is in control
        wait_for_worker(page)
        page.goto(url + "en/section-01/")
        page.goto(url + "es/section-02/")
        _calculator(page, url + "en/absentee-calculator/", "absentee")
        wait_until_cached(page, [url + "en/", url + "en/section-01/", url + "es/section-02/",
                                 url + "en/absentee-calculator/"] + [url + p for p in config["runtime"]])
        # every cache is this build's, but for the calculators' unpacked runtime, which is keyed by content
        names = page.evaluate("caches.keys()")
        assert names and all(name.endswith(config["build"]) for name in names if name != "handbook-unpacked")
        assert "handbook-unpacked" in names
    context.set_offline(True)  # and the server is gone: nothing answers any more

    page.goto(url + "en/section-01/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("article h1").count() == 1  # the saved page, not the offline page
    page.goto(url + "en/")
    assert page.locator("article h1").count() == 1

    for lang, unvisited in (("en", "en/section-09/"), ("es", "es/section-09/")):
        strings = load_strings(lang)
        page.goto(url + unvisited)
        assert page.url == url + unvisited  # shown in place, the address kept for when the network returns
        assert page.get_attribute("html", "lang") == lang
        assert page.inner_text("h1") == strings["offline_title"]
        saved = page.locator("[data-offline-saved] a")
        saved.first.wait_for()
        hrefs = saved.evaluate_all("links => links.map(a => a.href)")
        assert all(h.startswith(f"{url}{lang}/") for h in hrefs) and hrefs  # this language's saved pages
        assert page.locator(".offline__retry").is_visible()
    page.goto(url + "es/")  # the Spanish home was never opened: offline page, in Spanish, listing section-02
    assert page.inner_text("h1") == load_strings("es")["offline_title"]
    assert url + "es/section-02/" in page.locator("[data-offline-saved] a").evaluate_all("ls => ls.map(a => a.href)")

    widget = _calculator(page, url + "en/absentee-calculator/", "absentee")  # Pyodide from the cache
    assert _absentee(widget, "9", "100")
    assert widget.locator(".hb-calc__result .hb-calc__title").count() >= 1
    assert errors == []
    context.close()


def wait_for_caches(page: Any, build: str) -> list[str]:
    """The cache names once they all belong to `build` (or when time is up)."""
    poll(page, f"() => caches.keys().then(names => names.length > 0 && names.every(n => n.endsWith('{build}')))")
    return page.evaluate("caches.keys()")


def _switchable_server(link: Path) -> Any:
    """Serve whatever folder `link` (a symlink) points at, on one origin (a service worker is per origin)."""
    return serve(lambda *args: SiteFiles(*args, directory=str(link)))


def test_a_new_build_replaces_the_old_caches(browser, tmp_path):
    from build_scripts.outputs.site import build_site

    sites = {}
    for name, marker in (("a", ""), ("b", "/* a new edition */\n")):
        brand = (PROJECT / "handbook" / "theme" / "brand.css").read_text(encoding="utf-8")
        config = project_copy(tmp_path / name, handbook_files={"theme/brand.css": brand + marker})
        sites[name] = build_site(config, site_dir=tmp_path / name / "site", work_dir=tmp_path / name / "work",
                                 with_pdf=False).site_dir
    ids = {name: service_worker_config(folder)["build"] for name, folder in sites.items()}
    assert ids["a"] != ids["b"]
    link = tmp_path / "current"
    link.symlink_to(sites["a"], target_is_directory=True)
    context = browser.new_context()
    page = context.new_page()
    with _switchable_server(link) as url:
        page.goto(url + "en/section-01/")
        wait_for_worker(page)
        page.reload()
        wait_until_cached(page, [url + "en/section-01/", url + "en/assets/brand/brand.css"])
        assert all(name.endswith(ids["a"]) for name in page.evaluate("caches.keys()"))

        switched = tmp_path / "current.new"
        switched.symlink_to(sites["b"], target_is_directory=True)
        os.replace(switched, link)  # the new build goes live
        page.reload()  # the browser checks sw.js on navigation; the new worker takes over and clears up
        names = wait_for_caches(page, ids["b"])
        assert names and all(n.endswith(ids["b"]) for n in names), names
        page.reload()
        wait_until_cached(page, [url + "en/section-01/"])
        brand = page.evaluate("url => fetch(url).then(r => r.text())", url + "en/assets/brand/brand.css")
        assert "a new edition" in brand  # files come from the new build's cache, not the old one
    context.close()


# ---------------------------------------------------------------- the policy and the deploy snippets


def test_inline_script_hashes_cover_running_scripts_only():
    html = ('<script>a()</script><script src="x.js"></script><script type="application/json">{"b": 1}</script>'
            '<script type="module">c()</script>')
    hashes = csp.inline_script_hashes(html)
    assert len(hashes) == 2 and all(h.startswith("sha256-") for h in hashes)
    assert hashes[0] == "sha256-" + base64.b64encode(hashlib.sha256(b"a()").digest()).decode()


def test_policy_meta_is_added_once_and_names_the_endpoint_origin():
    html = "<html><head><meta charset=\"utf-8\"><title>t</title></head><body><script>x()</script></body></html>"
    once = csp.with_policy(html, "https://forms.example.org/ack")
    assert csp.with_policy(once, "https://forms.example.org/ack") == once
    policy = csp.meta_policy(once)
    assert "connect-src 'self' https://forms.example.org;" in policy
    assert csp.inline_script_hashes(html)[0] in policy
    assert once.index("Content-Security-Policy") < once.index("<title>")
    assert "frame-ancestors" not in policy  # not allowed in a <meta>: browsers log an error
    assert "connect-src 'self';" in csp.meta_policy(csp.with_policy(html, "/api/ack"))  # same origin: 'self'


def test_every_page_carries_its_policy(built_site):
    site_dir = built_site.site_dir
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > 40
    for path in pages:
        html = path.read_text(encoding="utf-8")
        policy = csp.meta_policy(html)
        assert policy, f"{path}: no Content-Security-Policy <meta>"
        for digest in csp.inline_script_hashes(html):
            assert f"'{digest}'" in policy, f"{path}: an inline script the policy does not allow"
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"{path}: an inline event handler"


def test_deploy_snippets_are_up_to_date(built_site):
    """docs/deploy/ holds what `python -m build_scripts deploy-snippets` writes for this project's built site."""
    expected = csp.deploy_snippets(built_site.site_dir, None, built_site.handbook.languages[0] + "/")
    for name, text in expected.items():
        shipped = (PROJECT / "docs" / "deploy" / name)
        assert shipped.exists() and shipped.read_text(encoding="utf-8") == text, (
            f"docs/deploy/{name} is out of date: run `make site && .venv/bin/python -m build_scripts deploy-snippets`")
    assert "application/wasm" in expected["nginx.conf"] and "application/wasm" in expected["apache.htaccess"]


def test_each_language_folder_gets_its_own_404_page_in_the_snippets(tmp_path):
    """Found by language folder in the built site: another district's three languages, or a one-language site."""
    for folder in ("en", "es", "pt-br", "_pyodide"):
        (tmp_path / folder).mkdir()
        if folder != "_pyodide":  # a folder without a 404 page is no language
            (tmp_path / folder / "404.html").write_text("<html>", encoding="utf-8")
    snippets = csp.deploy_snippets(tmp_path, None, "es/")
    nginx, apache = snippets["nginx.conf"], snippets["apache.htaccess"]
    assert 'set $handbook_404 "/es/404.html";' in nginx and "error_page 404 $handbook_404;" in nginx
    assert 'if ($uri ~ "^/en/") { set $handbook_404 "/en/404.html"; }' in nginx
    assert 'if ($uri ~ "^/pt\\-br/") { set $handbook_404 "/pt-br/404.html"; }' in nginx
    assert "_pyodide/404" not in nginx and "^/es/" not in nginx
    assert apache.index("ErrorDocument 404 /es/404.html") < apache.index('<If "%{REQUEST_URI} =~ m#^/en/#">')
    assert '<ElseIf "%{REQUEST_URI} =~ m#^/pt\\-br/#">\n    ErrorDocument 404 /pt-br/404.html\n</ElseIf>' in apache

    one = tmp_path / "one"
    one.mkdir()
    (one / "404.html").write_text("<html>", encoding="utf-8")
    snippets = csp.deploy_snippets(one, None, "")
    assert "error_page 404 /404.html;" in snippets["nginx.conf"] and "$handbook_404" not in snippets["nginx.conf"]
    assert "ErrorDocument 404 /404.html\n" in snippets["apache.htaccess"] and "<If \"%{REQUEST_URI} =~ m#^/" not in \
        snippets["apache.htaccess"].split("<IfModule")[0]


def test_build_id_follows_every_file(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "index.html").write_text("one", encoding="utf-8")
    first = offline.build_id(tmp_path)
    (tmp_path / offline.SERVICE_WORKER).write_text("anything", encoding="utf-8")
    assert offline.build_id(tmp_path) == first  # the worker itself is not part of it
    (tmp_path / "en" / "index.html").write_text("two", encoding="utf-8")
    assert offline.build_id(tmp_path) != first


def _nginx_config(site_dir: Path, snippet_text: str, tmp_path: Path, port: int) -> Path:
    snippet = tmp_path / "handbook.conf"
    snippet.write_text(snippet_text, encoding="utf-8")
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    config = tmp_path / "nginx.conf"
    # one process as the user running the tests (no worker as `nobody`, who could not read pytest's folder), in front
    config.write_text(f"""
pid {tmp_path / "nginx.pid"};
error_log {tmp_path / "error.log"};
daemon off;
master_process off;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp["body"]}; proxy_temp_path {temp["proxy"]}; fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]}; scgi_temp_path {temp["scgi"]};
    server {{ listen 127.0.0.1:{port}; root {site_dir}; include {snippet}; }}
}}
""", encoding="utf-8")
    return config


def _nginx() -> str:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not nginx:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: `make test` installs it (Makefile APT_PACKAGES)")
        pytest.skip("nginx is not installed")
    return nginx


def test_nginx_serves_the_site_as_its_snippet_says(built_site, tmp_path):
    """nginx (installed by `make test`: APT_PACKAGES) accepts the snippet as written, and serving the built site with
    it gives each language's readers their own 404 page, the policy header and the runtime's types and caching."""
    nginx = _nginx()
    site_dir = built_site.site_dir
    first = built_site.handbook.languages[0]
    port = free_port()
    config = _nginx_config(site_dir, csp.deploy_snippets(site_dir, None, f"{first}/")["nginx.conf"], tmp_path, port)
    # -p/-e: a prefix and error log of its own, so nginx never touches /var/log/nginx or /run (as root or not)
    command = [nginx, "-p", f"{tmp_path}/", "-e", str(tmp_path / "error.log"), "-c", str(config)]
    checked = subprocess.run([*command[:1], "-t", "-q", *command[1:]], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr

    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy set for the machine

    def get(path: str) -> tuple[int, dict[str, str], str]:
        try:
            with direct.open(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode("utf-8", "replace")

    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # its log: error.log
    try:
        deadline = time.monotonic() + 20
        while True:  # until it listens (bounded)
            try:
                status, headers, _ = get("/")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "error.log").read_text()
                time.sleep(0.1)
        assert status == 200 and headers["Content-Security-Policy"].startswith("default-src 'self'")
        # a dead link in each language's folder answers 404 with that language's page; elsewhere, the first's
        for lang in built_site.handbook.languages:
            status, headers, body = get(f"/{lang}/no-such-page/")
            assert status == 404 and f'<html lang="{lang}"' in body, lang
            assert body == (site_dir / lang / "404.html").read_text(encoding="utf-8")
            assert "Content-Security-Policy" in headers
        status, _, body = get("/no-such-folder/page.html")
        assert status == 404 and f'<html lang="{first}"' in body
        status, headers, _ = get(f"/{csp.RUNTIME_DIR}/pyodide.asm.wasm")
        assert status == 200 and headers["Content-Type"] == "application/wasm"
        assert headers["Cache-Control"] == csp.CACHE_RUNTIME
        assert get(f"/{first}/")[1]["Cache-Control"] == csp.CACHE_REVALIDATE
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
