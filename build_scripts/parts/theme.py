"""The district's look (handbook/theme/): brand.css sets the theme's colour properties; a logo and a favicon by
their documented names (LOGOS, FAVICONS) mark every page, the language chooser, the offline page and the PDF's
cover; every other file of the folder ships beside them. Pages without the theme (the language chooser, the
offline page) take the same colours from `colours_css`, so no colour of any district is written in the generator.
Without a logo or a favicon the site shows a plain document glyph (NEUTRAL_ICON), never the theme's or another
district's mark."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tinycss2

from .base import Part

FOLDER = "theme"
BRAND_CSS = "brand.css"
BRAND_DIR = "assets/brand"  # where each language's site carries handbook/theme/
LOGOS = ("logo.svg", "logo.png")  # the first present is the logo
FAVICONS = ("favicon.svg", "favicon.png", "favicon.ico")  # the first present is the browser tab's icon
NEUTRAL_ICON = "material/file-document-outline"  # the header's glyph without a logo: a document, nobody's mark
NEUTRAL_FAVICON = "favicon.svg"  # site_templates/assets/: the same glyph, for a handbook without a favicon
LIGHT_SELECTOR = ":root"
DARK_SELECTOR = '[data-md-color-scheme="slate"]'

# The colours the theme-less pages use, from the theme's properties: name -> (scheme, theme property, fallback).
# The fallbacks are Material for MkDocs' own defaults (indigo), what the site shows without a brand.css too.
COLOURS: dict[str, tuple[str, str, str]] = {
    "--hb-primary": ("light", "--md-primary-fg-color", "#4051b5"),
    "--hb-accent": ("light", "--md-accent-fg-color", "#526cfe"),
    "--hb-primary-on-dark": ("dark", "--md-typeset-a-color", "#5488e8"),
    "--hb-accent-on-dark": ("dark", "--md-accent-fg-color", "#526cfe"),
}


@dataclass(frozen=True)
class Theme:
    folder: Path
    brand_css: Path | None  # None: the folder has no brand.css (the theme's default colours apply)
    light: dict[str, str] = field(default_factory=dict)  # custom properties brand.css sets for the light scheme
    dark: dict[str, str] = field(default_factory=dict)  # ... and for the dark (slate) scheme
    logo: Path | None = None  # the first of LOGOS in the folder
    favicon: Path | None = None  # the first of FAVICONS in the folder


def custom_properties(css: str) -> tuple[dict[str, str], dict[str, str]]:
    """(light, dark) custom properties a brand.css sets, read with a CSS parser (rules of other selectors ignored)."""
    light: dict[str, str] = {}
    dark: dict[str, str] = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        target = light if selector == LIGHT_SELECTOR else dark if selector == DARK_SELECTOR else None
        if target is None:
            continue
        for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
            if decl.type == "declaration" and decl.name.startswith("--"):
                target[decl.name] = tinycss2.serialize(decl.value).strip()
    return light, dark


def load(root: Path, loaded: dict[str, Any]) -> Theme | None:
    folder = root / FOLDER
    if not folder.is_dir():
        return None
    brand = folder / BRAND_CSS
    logo, favicon = (next((folder / n for n in names if (folder / n).is_file()), None) for names in (LOGOS, FAVICONS))
    if not brand.is_file():
        return Theme(folder, None, logo=logo, favicon=favicon)
    light, dark = custom_properties(brand.read_text(encoding="utf-8", errors="replace"))
    return Theme(folder, brand, light, dark, logo, favicon)


def site_logo(theme: Theme | None) -> str | None:
    """The logo's path in a language's site, or None (the header shows NEUTRAL_ICON)."""
    return f"{BRAND_DIR}/{theme.logo.name}" if theme is not None and theme.logo is not None else None


def site_favicon(theme: Theme | None) -> str:
    """The favicon's path in a language's site: the district's, or the neutral glyph."""
    return f"{BRAND_DIR}/{theme.favicon.name}" if theme is not None and theme.favicon is not None \
        else f"assets/{NEUTRAL_FAVICON}"


def colours_css(theme: Theme | None) -> str:
    """The colour properties of the theme-less pages: the district's, or the theme's defaults."""
    values = {}
    for name, (scheme, prop, fallback) in COLOURS.items():
        source = {} if theme is None else (theme.light if scheme == "light" else theme.dark)
        values[name] = source.get(prop, fallback)
    return ("/* Generated from handbook/theme/brand.css (build_scripts/parts/theme.py): do not edit. */\n:root {\n"
            + "".join(f"  {name}: {value};\n" for name, value in values.items()) + "}\n")


PART = Part(name="theme", load=load)
