"""Every page of both languages reflows at 320 px (WCAG 1.4.10): the document never scrolls sideways and no box
inside it (a table, the sign-off lines) does either; tables read as cards or wrap. One browser, one tab per
language and way (with and without JavaScript), the calculators' runtime not fetched (the layout is the page's own, not the widget's answer)."""

from __future__ import annotations

import pytest

from tests.browser import serve_site

WIDTH = 320

# Every element wider than the viewport, or scrolling sideways inside itself, named so a failure says where.
OVERFLOWING = """(width) => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const found = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > width) found.push("document " + doc.scrollWidth + " px wide");
  for (const el of document.querySelectorAll("article *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || el.closest("[hidden]")) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (/(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      found.push(name(el) + " scrolls inside (" + el.scrollWidth + " > " + el.clientWidth + " px)");
    } else if (box.right > width + 1 && !el.closest(".md-sidebar, .md-header, .md-search")) {
      found.push(name(el) + " ends at " + Math.round(box.right) + " px");
    }
  }
  return found.slice(0, 8);
}"""


def page_paths(site_dir, lang: str) -> list[str]:
    root = site_dir / lang
    return sorted(str(p.parent.relative_to(root)).replace(".", "") + "/" if p.parent != root else ""
                  for p in root.rglob("index.html") if "assets" not in p.parts)


@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_page_reflows_at_320_px(browser, built_site, lang, script):
    paths = page_paths(built_site.site_dir, lang)
    assert len(paths) > 10
    context = browser.new_context(viewport={"width": WIDTH, "height": 640}, java_script_enabled=script)
    context.route("**/_pyodide/**", lambda route: route.abort())  # the widget's answer is not what reflows here
    page = context.new_page()
    problems = {}
    with serve_site(built_site.site_dir) as url:
        for path in paths:
            page.goto(f"{url}{lang}/{path}", wait_until="load")
            found = page.evaluate(OVERFLOWING, WIDTH)
            if found:
                problems[path or "/"] = found
    context.close()
    assert problems == {}, problems
