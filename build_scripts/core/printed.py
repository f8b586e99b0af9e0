"""What the site says about the printable handbook before it is built, and the print edition's own words: the
PDF's file name, the download link's text and size, the print strings per language. (The PDF itself is
build_scripts.outputs.pdf.)"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from markdown.extensions.toc import slugify

from ..source.handbook import Handbook
from ..source.inserts import relative_url


class PdfError(Exception):
    """The PDF cannot be built; the message says why and what to do."""


# ---------------------------------------------------------------- file names and the site's download link


def pdf_slug(hb: Handbook) -> str:
    """File name stem from the approved language's title and the school years: 'student-behavior-handbook-2024-2026'."""
    title = hb.in_language(hb.edition.title, hb.languages[0])
    return "-".join(part for part in (slugify(title, "-"), slugify(hb.edition.school_years or "", "-")) if part)


def pdf_file_name(hb: Handbook, lang: str) -> str:
    return f"{pdf_slug(hb)}-{lang}.pdf"


def format_size(size_bytes: int, strings: dict[str, str]) -> str:
    """'1.2 MB' / '1,2 MB' / '850 KB' (decimal units, as file managers and browsers show them)."""
    if size_bytes < 1_000_000:
        return strings["size_kb"].format(value=max(1, round(size_bytes / 1000)))
    value = f"{size_bytes / 1_000_000:.1f}".replace(".", strings["decimal_separator"])
    return strings["size_mb"].format(value=value)


@dataclass(frozen=True)
class PdfDownload:
    """A page's link to its language's PDF: "<text> (<details>)", e.g. "Printable handbook (PDF, 1.2 MB)"."""

    href: str
    text: str
    details: str
    size_bytes: int
    lang: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pdf_download(hb: Handbook, lang: str, pdf_path: Path | None, page_id: str) -> PdfDownload | None:
    """The download link for a page of the `lang` site, or None when that PDF was not built (the link is left out).

    The PDF sits at the top of the language's site (site/<lang>/<file>.pdf); pages use directory URLs.
    """
    if pdf_path is None or not Path(pdf_path).is_file():
        return None
    strings = hb.strings(lang, "print")
    size = Path(pdf_path).stat().st_size
    href = relative_url(page_id, "index") + Path(pdf_path).name
    details = strings["download_details"].format(size=format_size(size, strings))
    return PdfDownload(href, strings["download_text"], details, size, lang)
