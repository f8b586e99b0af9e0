"""MkDocs hooks: the only place that knows MkDocs' page objects. Keep them thin; logic lives in the package."""

from __future__ import annotations

from typing import Any


def on_page_context(context: dict[str, Any], page: Any, config: Any, nav: Any) -> dict[str, Any]:
    """Expose the page's language and its twin in each language to the theme templates."""
    handbook = config.extra.get("handbook", {})
    lang = handbook.get("language", config.theme["language"])
    path = page.url  # same relative path in every language
    context["hb_language"] = lang
    context["hb_alternates"] = [{"lang": other, "href": f"../{other}/{path}"} for other in handbook.get("languages", [lang])]
    return context
