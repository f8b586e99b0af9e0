"""MkDocs hooks: the only code that knows MkDocs' page objects. Keep them thin; logic lives in the package."""

from __future__ import annotations

import re
from typing import Any

# Material names its search worker in the page's JSON config; we load it through our stemming wrapper.
SEARCH_WORKER_RE = re.compile(r'("search":\s*")([^"]*?/)(search\.[0-9a-f]+\.min\.js)(")')


def on_page_context(context: dict[str, Any], page: Any, config: Any, nav: Any) -> dict[str, Any]:
    """Point the language selector and the hreflang links at this page's twin in each language.

    Material renders both from `config.extra.alternate`; pages render one after another, so setting it per page
    gives each page links to its own twins (the same relative path in every language).
    """
    handbook = config.extra.get("handbook", {})
    names = handbook.get("language_names", {})
    # No trailing slash on a twin page's address: Material looks for "sitemap.xml" beside every alternate link,
    # and this way it finds the language's own sitemap instead of asking for one inside the page's folder.
    twin = page.url.rstrip("/")
    config.extra["alternate"] = [
        {"name": names.get(lang, lang), "link": f"../{lang}/{twin}" if twin else f"../{lang}/", "lang": lang}
        for lang in handbook.get("languages", [])
    ]
    return context


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Route search through assets/javascripts/workers/stemmed-search.js (see that file for why)."""
    return SEARCH_WORKER_RE.sub(lambda m: f"{m[1]}{m[2]}stemmed-search.js?worker={m[3]}{m[4]}", output, count=1)
