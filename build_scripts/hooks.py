"""MkDocs hooks: the only code that knows MkDocs' page objects. Keep them thin; logic lives in the package."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.utils import get_relative_url

try:
    from build_scripts.outputs import csp, offline
except ImportError:  # MkDocs loads this file by its path: make the package beside it importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from build_scripts.outputs import csp, offline

ERROR_PAGE = "404.html"
# Material loads its bundle with a plain <script> at the end of the body, which holds back the first paint until it
# has run; deferred, it runs once the page is parsed, as before, but after the page is shown. (Our own scripts are
# deferred too, by build.language_config, so they still run after it.)
BUNDLE_RE = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>')


def on_page_context(context: dict[str, Any], page: Any, config: Any, nav: Any) -> dict[str, Any]:
    """Point the language selector and the hreflang links at this page's twin in each language.

    Material renders both from `config.extra.alternate`; pages render one after another, so setting it per page
    gives each page links to its own twins (the same relative path in every language).
    """
    handbook = config.extra.get("handbook", {})
    names = handbook.get("language_names", {})
    languages = _languages(config)
    # No trailing slash on a twin page's address: Material looks for "sitemap.xml" beside every alternate link,
    # and this way it finds the language's own sitemap instead of asking for one inside the page's folder.
    twin = page.url.rstrip("/")
    config.extra["alternate"] = [
        {"name": names.get(lang, lang), "link": f"../{lang}/{twin}" if twin else f"../{lang}/", "lang": lang}
        for lang in languages
    ]
    return context


def _languages(config: Any) -> list[str]:
    """The languages a page links to: none for a one-language handbook (no language menu, no hreflang)."""
    languages = config.extra.get("handbook", {}).get("languages", [])
    return languages if len(languages) > 1 else []


def _error_page_paths(config: Any) -> tuple[str, str]:
    """(the site's root, the language's folder) as absolute paths ending in /. The error page is served at any
    address, so its links cannot be relative: MkDocs bases them on site_url's path, "/" without one, but each
    language lives one folder down."""
    folder = config.extra.get("handbook", {}).get("folder", "")  # "<lang>/", or "" for a one-language site
    path = urlsplit(config.site_url or "/").path.rstrip("/") + "/"
    root = path[: -len(folder)] if folder and path.endswith(f"/{folder}") else path
    return root, f"{root}{folder}"


def on_template_context(context: dict[str, Any], template_name: str, config: Any) -> dict[str, Any]:
    """The 404 page: links and assets from its language's folder, and a language switch to each language's home."""
    if template_name != ERROR_PAGE:
        return context
    root, base = _error_page_paths(config)
    context["base_url"] = base
    handbook = config.extra.get("handbook", {})
    names = handbook.get("language_names", {})
    config.extra["alternate"] = [{"name": names.get(lang, lang), "link": f"{root}{lang}/", "lang": lang}
                                 for lang in _languages(config)]
    return context


def _deferred_bundle(output: str) -> str:
    return BUNDLE_RE.sub(r'<script src="\1" defer></script>', output, count=1)


def _secure(output: str, config: Any, script_url: str) -> str:
    """Offline reading (the service worker's registration) and the page's Content-Security-Policy <meta>."""
    handbook = config.extra.get("handbook", {})
    site_root = "../../" if handbook.get("folder") else "../"  # from assets/offline.js to sw.js
    return csp.with_policy(offline.with_registration(output, script_url, site_root),
                           handbook.get("acknowledgement_endpoint"))


def _page_scripts(output: str, page: Any) -> str:
    """The scripts of the parts whose inserts this page holds (front matter `hb_scripts`, written by the build),
    deferred at the end of <body>: after the theme's bundle and the site's own scripts, in this order."""
    tags = "".join(f'<script src="{html.escape(get_relative_url(src, page.url))}" defer></script>\n'
                   for src in page.meta.get("hb_scripts", []))
    at = output.rfind("</body>")
    return output if not tags or at < 0 else output[:at] + tags + output[at:]


def on_post_page(output: str, page: Any, config: Any) -> str:
    """The page's part scripts, the service worker's registration, and the page's Content-Security-Policy (last:
    it hashes the page's inline scripts). Search is a script of every page (outputs/search.py), not the theme's."""
    output = _page_scripts(_deferred_bundle(output), page)
    return _secure(output, config, get_relative_url(offline.REGISTRATION_SCRIPT, page.url))


def on_post_template(output: str, template_name: str, config: Any) -> str:
    """The same for the 404 page (a theme template, not a page: on_post_page does not see it)."""
    if template_name != ERROR_PAGE:
        return output
    output = _deferred_bundle(output)
    return _secure(output, config, _error_page_paths(config)[1] + offline.REGISTRATION_SCRIPT)
