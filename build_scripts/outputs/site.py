"""The site: one MkDocs build per language (into site/<lang>/, or site/ itself for a one-language handbook), the
language chooser, the calculators' runtime and offline reading, each only where the handbook uses it."""

from __future__ import annotations

import html
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from ..core.changes_page import changes_markdown
from ..core.checks import REPORT_PAGE
from ..core.editions import CHANGES_PAGE
from ..core.pages import render_language
from ..core.render import Renderer, all_inserts
from ..core.report import topics
from ..core.validate import load_and_check
from ..parts.calculators import uses_calculators
from ..parts.calculators.runtime import copy_runtime
from ..parts.form import endpoint_setting
from ..parts.theme import BRAND_CSS, colours_css
from ..source.config import read_config
from ..source.findings import Finding
from ..source.handbook import Handbook
from ..source.i18n import load_strings
from ..source.inserts import find_inserts, inserts_used
from ..source.paths import ASSETS, SITE_TEMPLATES
from .csp import with_policy
from .offline import add_offline_reading
from .pdf import build_pdfs

# Every language's site has these (the site's look and scripts, offline reading, the stemmed search); a part's
# files are added only where a page holds one of its inserts.
CORE_ASSETS = ("handbook.css", "handbook.js", "offline.css", "offline.js", "javascripts")
COLOURS = "colours.css"  # the theme's colours for the pages without the theme (parts/theme.py)
BRAND_DIR = "assets/brand"  # handbook/theme/ is copied here


@dataclass
class BuildResult:
    handbook: Handbook
    findings: list[Finding]
    site_dir: Path


def _front_matter(meta: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"


def part_assets(hb: Handbook, lang: str) -> list[str]:
    """The parts' files of site_templates/assets/ this language's site needs (its pages hold their inserts)."""
    kinds = all_inserts()
    needed: list[str] = []
    for name, _ in sorted(inserts_used(hb, lang), key=lambda used: (used[0], used[1] or "")):
        for asset in kinds[name][1].assets if name in kinds else ():
            if asset not in needed:
                needed.append(asset)
    return needed


def page_scripts(hb: Handbook, lang: str, page_id: str) -> list[str]:
    """The deferred scripts a page loads for the inserts it holds (hooks.py adds them after the theme's)."""
    kinds = all_inserts()
    scripts: list[str] = []
    for ins in find_inserts(hb.pages[lang][page_id]):
        for script in kinds[ins.name][1].page_scripts if ins.name in kinds else ():
            if f"assets/{script}" not in scripts:
                scripts.append(f"assets/{script}")
    return scripts


def _copy_assets(names: list[str], dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ASSETS / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        else:
            shutil.copy2(source, dest / name)


def assemble_docs(hb: Handbook, lang: str, findings: list[Finding], docs_dir: Path,
                  pdf_files: dict[str, Path] | None = None, acknowledgement_endpoint: str | None = None) -> None:
    """Write the Markdown MkDocs will build for one language: pages with inserts expanded, assets, report."""
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    docs_dir.mkdir(parents=True)
    renderer = Renderer(hb, lang)
    for page_id, markdown in render_language(hb, lang, pdf_files, acknowledgement_endpoint).items():
        meta = dict(hb.pages[lang][page_id].meta)
        meta.pop("id", None)
        scripts = page_scripts(hb, lang, page_id)
        if scripts:
            meta["hb_scripts"] = scripts
        (docs_dir / f"{page_id}.md").write_text(_front_matter(meta) + markdown + "\n", encoding="utf-8")
    strings = load_strings(lang)
    report = renderer.render_template("consistency-report.md.j2", REPORT_PAGE, findings=findings,
                                      topics=[topic.id for topic in topics()])
    # for the editors: reachable from "About this edition", kept out of the readers' search
    meta = {"title": strings["report_title"], "search": {"exclude": True}}
    (docs_dir / f"{REPORT_PAGE}.md").write_text(_front_matter(meta) + report, encoding="utf-8")
    changes = changes_markdown(hb, lang)  # only with a previous edition: linked from the home and About pages
    if changes is not None:
        (docs_dir / f"{CHANGES_PAGE}.md").write_text(_front_matter({"title": strings["changes_title"]}) + changes,
                                                      encoding="utf-8")
    _copy_assets([*CORE_ASSETS, *part_assets(hb, lang)], docs_dir / "assets")
    (docs_dir / "assets" / COLOURS).write_text(colours_css(hb.theme), encoding="utf-8")
    if hb.theme is not None:
        shutil.copytree(hb.theme.folder, docs_dir / BRAND_DIR)


def _nav(hb: Handbook, lang: str) -> list[Any]:
    nav: list[Any] = []
    for item in hb.navigation.nav:
        if item.page:
            nav.append(f"{item.page}.md")
        else:
            label = hb.in_language(item.label, lang)
            nav.append({label: [f"{p}.md" for p in item.pages]})
    return nav


def language_config(base: dict[str, Any], config_file: Path, hb: Handbook, lang: str, docs_dir: Path, site_dir: Path) -> dict[str, Any]:
    """mkdocs.yml adapted to one language's build (absolute paths, that language's nav, search and <html lang>)."""
    cfg = yaml.safe_load(yaml.safe_dump(base))  # deep copy
    root = config_file.parent.resolve()
    cfg["site_name"] = hb.site_name(lang)
    cfg["docs_dir"] = str(docs_dir)
    cfg["site_dir"] = str(site_dir)
    cfg["nav"] = _nav(hb, lang)
    cfg["not_in_nav"] = f"/{REPORT_PAGE}.md\n/{CHANGES_PAGE}.md"  # reachable (linked from About), not in the menu
    theme = cfg.setdefault("theme", {})
    theme["language"] = lang
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((root / theme["custom_dir"]).resolve())
    cfg["hooks"] = [str((root / h).resolve()) for h in cfg.get("hooks", [])]
    plugins = cfg.get("plugins") or ["search"]
    # Material drops lunr's stemmer unless the pipeline names it; each language gets its own stemmer (lunr.<lang>).
    search = {"lang": [lang], "pipeline": ["stemmer", "stopWordFilter", "trimmer"]}
    cfg["plugins"] = [{"search": search} if p == "search" or (isinstance(p, dict) and "search" in p) else p
                      for p in plugins]
    extra = cfg.setdefault("extra", {})
    extra.setdefault("handbook", {})
    extra["handbook"].update({
        "language": lang,
        "languages": hb.languages,
        "folder": hb.site_folder(lang),
        "language_names": {code: load_strings(code)["language_name"] for code in hb.languages},
        "translation_notice": hb.translation_notice(lang),
        "search_label": load_strings(lang)["search_dialog"],
    })
    extra["alternate"] = []  # filled per page by hooks.on_page_context (a language menu only with two or more)
    extra["generator"] = False
    brand = hb.theme is not None and hb.theme.brand_css is not None
    cfg["extra_css"] = ["assets/handbook.css"] + ([f"{BRAND_DIR}/{BRAND_CSS}"] if brand else []) + cfg.get("extra_css", [])
    # deferred, like the theme's bundle (hooks.py), and so run after it, in this order; a part's page scripts are
    # added by the hook to the pages that hold its inserts
    scripts = ["assets/handbook.js"] + cfg.get("extra_javascript", [])
    cfg["extra_javascript"] = [{"path": s, "defer": True} if isinstance(s, str) else s for s in scripts]
    # the theme writes the copyright into the page as HTML: the district's name is text (mkdocs.yml's own is checked)
    cfg["copyright"] = cfg.get("copyright") or f"© {html.escape(hb.in_language(hb.edition.district, lang))}"
    return cfg


def write_root_page(hb: Handbook, site_dir: Path) -> None:
    """site/index.html of a handbook in several languages: pick one (the reader's preferred one is suggested, never
    forced). A one-language handbook has none: its home page is the site's root."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(SITE_TEMPLATES / "root")), autoescape=True)
    languages = [{"code": lang, "name": load_strings(lang)["language_name"],
                  "title": hb.in_language(hb.edition.title, lang),
                  "district": hb.in_language(hb.edition.district, lang)} for lang in hb.languages]
    html = env.get_template("index.html.j2").render(languages=languages, default=hb.languages[0], colours=COLOURS)
    (site_dir / "index.html").write_text(with_policy(html), encoding="utf-8")
    for asset in ("choose-language.js", "choose-language.css"):
        shutil.copy2(SITE_TEMPLATES / "root" / asset, site_dir / asset)
    (site_dir / COLOURS).write_text(colours_css(hb.theme), encoding="utf-8")


def search_language_files(lang: str) -> set[str]:
    """The files of the theme's lunr/ folder its search worker loads for a one-language index (Material's
    search worker: tinyseg for Japanese, wordcut for Hindi and Thai, a stemmer but for English)."""
    needed = {"ja": {"tinyseg.js"}, "hi": {"wordcut.js"}, "th": {"wordcut.js"}}.get(lang, set())
    if lang != "en":
        needed.add(f"min/lunr.{lang}.min.js")
    return needed | {"min/lunr.stemmer.support.min.js"} if needed else set()


def prune_theme_assets(lang_site: Path, lang: str) -> list[Path]:
    """Remove what the theme copies but no reader's browser asks for: source maps (a developer's aid) and the
    search support of the 30-odd other languages (about 2 MB per language). Returns what was removed."""
    assets = lang_site / "assets"
    removed = sorted(assets.rglob("*.map")) if assets.is_dir() else []
    lunr = assets / "javascripts" / "lunr"
    keep = search_language_files(lang)
    if lunr.is_dir():
        removed += sorted(p for p in lunr.rglob("*") if p.is_file() and p.relative_to(lunr).as_posix() not in keep)
    for path in removed:
        path.unlink()
    for folder in sorted((p for p in lunr.rglob("*") if p.is_dir()), reverse=True) if lunr.is_dir() else []:
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed


def _show_mkdocs_warnings() -> None:
    """MkDocs' API logs but prints nothing by itself: show its warnings, which strict mode turns into failures."""
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    if not any(getattr(h, "_handbook", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("MkDocs %(levelname)s: %(message)s"))
        handler._handbook = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def build_site(config_file: Path, site_dir: Path | None = None, work_dir: Path | None = None, strict: bool = True,
               with_pdf: bool = True) -> BuildResult:
    """Validate, then build the PDFs and every language with MkDocs (strict)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    config_file = Path(config_file).resolve()
    hb, findings = load_and_check(config_file)
    base = read_config(config_file)
    site_dir = Path(site_dir or config_file.parent / "site").resolve()
    work_dir = Path(work_dir or config_file.parent / "build").resolve()
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.mkdir(parents=True)
    _show_mkdocs_warnings()
    endpoint = endpoint_setting(base, config_file.name)
    base.setdefault("extra", {}).setdefault("handbook", {})["acknowledgement_endpoint"] = endpoint  # the hooks' CSP too
    pdf_files = build_pdfs(hb, work_dir / "pdf", config_file) if with_pdf else {}
    for lang in hb.languages:
        docs_dir = work_dir / "docs" / lang
        lang_site = site_dir / hb.site_folder(lang)
        assemble_docs(hb, lang, findings, docs_dir, pdf_files, endpoint)
        cfg = language_config(base, config_file, hb, lang, docs_dir, lang_site)
        lang_config = work_dir / f"mkdocs.{lang}.yml"
        lang_config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
        config = load_config(str(lang_config), strict=strict)
        mkdocs_build(config)
        prune_theme_assets(lang_site, lang)
        if lang in pdf_files:  # linked from the pages as ./<name>.pdf or ../<name>.pdf
            shutil.copy2(pdf_files[lang], lang_site / pdf_files[lang].name)
    if len(hb.languages) > 1:
        write_root_page(hb, site_dir)
    if any(uses_calculators(inserts_used(hb, lang)) for lang in hb.languages):
        copy_runtime(hb, site_dir)
    add_offline_reading(hb, site_dir)  # last: the service worker's build id is a hash of every other file
    return BuildResult(hb, findings, site_dir)
