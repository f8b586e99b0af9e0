"""The printable handbook: one tagged, accessible PDF (PDF/UA-1) per language, rendered by WeasyPrint.

`python -m build_scripts pdf [--out build/pdf]` validates the handbook and writes one PDF per language. The site's
download link (core/printed.py) needs none of this module, so WeasyPrint is imported only when a PDF is built.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..core.printed import PdfError, pdf_file_name
from ..source.handbook import Handbook
from ..source.paths import PRINT_DIR, PROJECT

PDF_VARIANT = "pdf/ua-1"
# A page filled less than this (of its height) before a new sheet the print edition starts of its own accord counts
# as nearly empty: what would follow on a new sheet follows on that page instead (a short policy of two pages
# prints on two pages, not six).
NEARLY_EMPTY = 1 / 3
# Font families print.css asks for -> the Debian package that installs them (never a fonts service).
FONTS = {"Liberation Sans": "fonts-liberation", "Liberation Mono": "fonts-liberation"}


# ---------------------------------------------------------------- rendering


def check_fonts() -> None:
    """Fail early, naming the package, when a font the print stylesheet needs is not installed.

    Without it fontconfig would silently substitute another font, which may lack accents or ñ.
    """
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise PdfError("fc-match not found: install fontconfig (apt-get install fontconfig)")
    missing = []
    for family, package in FONTS.items():
        found = subprocess.run([fc_match, "-f", "%{family}", family], capture_output=True, text=True, check=False)
        if family not in [name.strip() for name in found.stdout.split(",")]:
            missing.append(f"'{family}' (apt-get install {package})")
    if missing:
        raise PdfError("fonts the PDF needs are not installed: " + ", ".join(missing))


def local_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads local files and refuses everything else (no network, ever)."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class NotLocal(FatalURLFetchingError):
        pass

    class LocalFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise NotLocal(f"the PDF may only use local files; refused to fetch {url!r}")
            path = Path(unquote(parts.path))
            if not path.is_file():
                raise NotLocal(f"the PDF needs {path}, which does not exist")
            return super().fetch(url, headers)

    return LocalFilesOnly(allowed_protocols={"file"})


def _describe_links(labels: dict[str, str]) -> Any:
    """A WeasyPrint finisher giving each in-document link a description in words (PDF/UA asks links for one).

    WeasyPrint describes a link by its target's anchor name ("section-06--arson"); assistive technology reads this.
    """
    import pydyf

    def finish(document: Any, pdf: Any) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/Link" and "Dest" in obj:
                label = labels.get(getattr(obj["Dest"], "string", ""))
                if label:
                    obj["Contents"] = pydyf.String(label)

    return finish


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings and errors (an image without alt text, an unknown CSS property) to report them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _render(source: str) -> Any:
    from weasyprint import HTML

    return HTML(string=source, base_url=str(PRINT_DIR) + "/", url_fetcher=local_url_fetcher()).render(
        pdf_variant=PDF_VARIANT)


def page_fill(page: Any) -> float:
    """How much of a rendered page's height its text and images take, 0 to 1 (the running header and footer,
    which sit in the page's margins, left out)."""
    box = page._page_box  # WeasyPrint's layout of the page (pinned version: pyproject.toml's pdf extra)
    top, height = box.content_box_y(), box.height
    bottoms = [b.position_y + b.margin_height() for b in box.children[0].descendants()
               if getattr(b, "text", None) or b.element_tag in ("img", "svg")]
    return max(0.0, (max(bottoms, default=top) - top) / height) if height else 1.0


def _breaks_after_nearly_empty_pages(rendered: Any, break_ids: list[str]) -> set[str]:
    """The new sheets (by element id) that leave the page before them less than NEARLY_EMPTY filled."""
    first_page: dict[str, int] = {}
    for number, page in enumerate(rendered.pages):
        for anchor in page.anchors:
            first_page.setdefault(anchor, number)
    return {element_id for element_id in break_ids
            if first_page.get(element_id, 0) > 0 and page_fill(rendered.pages[first_page[element_id] - 1]) < NEARLY_EMPTY}


def build_pdf(handbook: Handbook, lang: str, out_path: Path, config_file: Path | None = None) -> Path:
    """Render the handbook in `lang` to `out_path` (tagged PDF/UA-1, fonts embedded); return the path."""
    from .print_html import PrintError, print_document

    check_fonts()
    try:
        document = print_document(handbook, lang, config_file or PROJECT / "mkdocs.yml")
    except PrintError as exc:
        raise PdfError(str(exc)) from None
    return write_tagged_pdf(document.html, out_path, document.link_labels, lang)


def write_tagged_pdf(document_html: str, out_path: Path, link_labels: dict[str, str], lang: str) -> Path:
    """An HTML document of site_templates/print/ as a tagged PDF/UA-1 at `out_path` (the handbook, the redline)."""
    from weasyprint.urls import FatalURLFetchingError

    from .pdf_tables import add_table_scopes
    from .print_html import sheet_break_ids, without_sheet_breaks

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("weasyprint")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        source = document_html
        rendered = _render(source)
        flowing = _breaks_after_nearly_empty_pages(rendered, sheet_break_ids(source))
        if flowing:
            source = without_sheet_breaks(source, flowing)
            rendered = _render(source)
        rendered.write_pdf(
            out_path,
            pdf_variant=PDF_VARIANT,
            finisher=_describe_links(link_labels),
            # the same source gives the same file (stable size for the site's download link)
            pdf_identifier=hashlib.sha256(source.encode("utf-8")).hexdigest()[:32].encode("ascii"),
        )
    except FatalURLFetchingError as exc:
        raise PdfError(f"{lang} PDF: {exc}") from None
    finally:
        logger.removeHandler(collect)
    for record in collect.records:
        if record.levelno < logging.ERROR:  # e.g. a CSS property WeasyPrint ignores: worth a look, not a failure
            print(f"WeasyPrint warning ({lang} PDF): {record.getMessage()}", file=sys.stderr)
    errors = [r.getMessage() for r in collect.records if r.levelno >= logging.ERROR]
    if errors:
        out_path.unlink(missing_ok=True)
        raise PdfError(f"{lang} PDF: WeasyPrint reported: " + "; ".join(errors))
    add_table_scopes(out_path)  # WeasyPrint writes /TH without /Scope (PDF/UA-1 7.5)
    return out_path


def build_pdfs(handbook: Handbook, out_dir: Path, config_file: Path | None = None) -> dict[str, Path]:
    """One PDF per language of the handbook into out_dir; language -> path."""
    out_dir = Path(out_dir)
    return {lang: build_pdf(handbook, lang, out_dir / pdf_file_name(handbook, lang), config_file)
            for lang in handbook.languages}
