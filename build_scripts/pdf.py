"""The printable handbook: one tagged, accessible PDF (PDF/UA-1) per language, rendered by WeasyPrint.

`python -m build_scripts.pdf [--config mkdocs.yml] [--out build/pdf]` validates the handbook and writes both PDFs.
WeasyPrint is imported only when a PDF is built, so the site's renderer can use `pdf_download` without it.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from markdown.extensions.toc import slugify

from .handbook import Handbook

PROJECT = Path(__file__).resolve().parent.parent
PRINT_DIR = PROJECT / "site_templates" / "print"
STRINGS_DIR = PRINT_DIR / "strings"
PDF_VARIANT = "pdf/ua-1"
# Font families print.css asks for -> the Debian package that installs them (never a fonts service).
FONTS = {"Liberation Sans": "fonts-liberation", "Liberation Mono": "fonts-liberation"}


class PdfError(Exception):
    """The PDF cannot be built; the message says why and what to do."""


def load_print_strings(lang: str) -> dict[str, str]:
    """The print document's own words in `lang` (site_templates/print/strings/<lang>.yml)."""
    path = STRINGS_DIR / f"{lang}.yml"
    if not path.exists():
        raise PdfError(f"{path.relative_to(PROJECT)}: no print strings for language '{lang}'")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- file names and the site's download link


def pdf_slug(hb: Handbook) -> str:
    """File name stem from the approved language's title and the school years: 'student-behavior-handbook-2024-2026'."""
    title = hb.in_language(hb.edition.title, hb.languages[0])
    return "-".join(part for part in (slugify(title, "-"), slugify(hb.edition.school_years, "-")) if part)


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
    from .render import relative_url  # here, so render.py can import this module

    strings = load_print_strings(lang)
    size = Path(pdf_path).stat().st_size
    href = relative_url(page_id, "index") + Path(pdf_path).name
    details = strings["download_details"].format(size=format_size(size, strings))
    return PdfDownload(href, strings["download_text"], details, size, lang)


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


def build_pdf(handbook: Handbook, lang: str, out_path: Path, config_file: Path | None = None) -> Path:
    """Render the handbook in `lang` to `out_path` (tagged PDF/UA-1, fonts embedded); return the path."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .pdf_tables import add_table_scopes
    from .print_html import PrintError, print_document

    check_fonts()
    try:
        document = print_document(handbook, lang, config_file or PROJECT / "mkdocs.yml")
    except PrintError as exc:
        raise PdfError(str(exc)) from None
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("weasyprint")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        html = HTML(string=document.html, base_url=str(PRINT_DIR) + "/", url_fetcher=local_url_fetcher())
        html.write_pdf(
            out_path,
            pdf_variant=PDF_VARIANT,
            finisher=_describe_links(document.link_labels),
            # the same source gives the same file (stable size for the site's download link)
            pdf_identifier=hashlib.sha256(document.html.encode("utf-8")).hexdigest()[:32].encode("ascii"),
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


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    from .build import load_and_check
    from .source import SourceError

    parser = argparse.ArgumentParser(prog="python -m build_scripts.pdf", description="Build the handbook's PDFs.")
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="the site's mkdocs.yml")
    parser.add_argument("--out", type=Path, default=Path("build/pdf"), help="where to write the PDFs")
    args = parser.parse_args(argv)
    if not args.config.is_file():
        print(f"PDF build failed: {args.config} not found (give the site's mkdocs.yml with --config)", file=sys.stderr)
        return 1
    try:
        hb, _ = load_and_check(args.config.resolve())
        started = time.perf_counter()
        paths = build_pdfs(hb, args.out, args.config.resolve())
        elapsed = time.perf_counter() - started
        for path in paths.values():
            print(f"Wrote {path} ({path.stat().st_size / 1_000_000:.1f} MB)")
        print(f"Built {len(paths)} PDFs in {elapsed:.1f} s")
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except PdfError as exc:
        print(f"PDF build failed: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        print(f"PDF build failed: {exc.name or exc} is missing; install the pdf extras: pip install -e '.[pdf]'",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
