"""Where the generator's own files are (the handbook's folder comes from mkdocs.yml, see config.py)."""

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SITE_TEMPLATES = PROJECT / "site_templates"
PAGE_TEMPLATES = SITE_TEMPLATES / "pages"   # the inserts' jinja2 templates
ASSETS = SITE_TEMPLATES / "assets"          # copied into each language's site as assets/
PRINT_DIR = SITE_TEMPLATES / "print"        # the print document's templates, stylesheet and strings
