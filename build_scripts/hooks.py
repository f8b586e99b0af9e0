"""MkDocs hooks: the only code that knows MkDocs' page objects. Keep them thin; logic lives in the package."""

from __future__ import annotations

from typing import Any


def on_page_context(context: dict[str, Any], page: Any, config: Any, nav: Any) -> dict[str, Any]:
    """Point the language selector and the hreflang links at this page's twin in each language.

    Material renders both from `config.extra.alternate`; pages render one after another, so setting it per page
    gives each page links to its own twins (the same relative path in every language).
    """
    handbook = config.extra.get("handbook", {})
    names = handbook.get("language_names", {})
    config.extra["alternate"] = [
        {"name": names.get(lang, lang), "link": f"../{lang}/{page.url}", "lang": lang}
        for lang in handbook.get("languages", [])
    ]
    return context
