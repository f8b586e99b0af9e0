"""The pipeline: validate the handbook, assemble one MkDocs docs folder per language, build each into site/."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from .checks import run_checks
from .csp import with_policy
from .handbook import Handbook, load_handbook
from .acknowledgement import endpoint_setting
from .pages import render_language
from .offline import add_offline_reading
from .pdf import build_pdfs
from .parity import glossary_findings
from .i18n import load_strings
from .render import Renderer
from .runtime import copy_runtime
from .report import TOPICS, Finding, consistency_report
from .source import Problem, SourceError
from . import deadlines  # part: deadlines (issue 14)

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT / "site_templates"
REPORT_PAGE = "consistency-report"


@dataclass
class BuildResult:
    handbook: Handbook
    findings: list[Finding]
    site_dir: Path


def read_config(config_file: Path) -> dict[str, Any]:
    """The project's mkdocs.yml as a plain mapping (it must not use Python-object YAML tags)."""
    try:
        data = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SourceError([Problem(config_file.name, f"YAML syntax error: {exc.problem}", line)]) from None
    return data


def handbook_dir(config_file: Path, config: dict[str, Any]) -> Path:
    source = (config.get("extra") or {}).get("handbook", {}).get("source", "handbook")
    return (config_file.parent / source).resolve()


def load_and_check(config_file: Path) -> tuple[Handbook, list[Finding]]:
    """Load and validate; raise SourceError on anything that blocks a build; return the report's findings."""
    config = read_config(config_file)
    endpoint_setting(config, config_file.name)  # a malformed acknowledgement endpoint fails `check` too
    hb = load_handbook(handbook_dir(config_file, config))
    problems = run_checks(hb)
    if problems:
        raise SourceError(problems)
    return hb, consistency_report(hb) + glossary_findings(hb) + deadlines.findings(hb)  # + part: deadlines


def _front_matter(meta: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"


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
        (docs_dir / f"{page_id}.md").write_text(_front_matter(meta) + markdown + "\n", encoding="utf-8")
    strings = load_strings(lang)
    report = renderer.render_template("consistency-report.md.j2", REPORT_PAGE, findings=findings, topics=TOPICS)
    # for the editors: reachable from "About this edition", kept out of the readers' search
    meta = {"title": strings["report_title"], "search": {"exclude": True}}
    (docs_dir / f"{REPORT_PAGE}.md").write_text(_front_matter(meta) + report, encoding="utf-8")
    shutil.copytree(TEMPLATES / "assets", docs_dir / "assets")
    brand = hb.root / "theme"
    if brand.is_dir():
        shutil.copytree(brand, docs_dir / "assets" / "brand")


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
    cfg["not_in_nav"] = f"/{REPORT_PAGE}.md"  # reachable (linked from About), deliberately not in the menu
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
        "language_names": {code: load_strings(code)["language_name"] for code in hb.languages},
        "translation_notice": hb.translation_notice(lang),
        "search_label": load_strings(lang)["search_dialog"],
    })
    extra["alternate"] = []  # filled per page by hooks.on_page_context
    extra["generator"] = False
    cfg["extra_css"] = ["assets/handbook.css"] + (["assets/brand/brand.css"] if (hb.root / "theme" / "brand.css").exists() else []) + cfg.get("extra_css", [])
    # deferred, like the theme's bundle (hooks.py), and so run after it, in this order
    scripts = ["assets/handbook.js", "assets/calculators.js"] + cfg.get("extra_javascript", [])
    cfg["extra_javascript"] = [{"path": s, "defer": True} if isinstance(s, str) else s for s in scripts]
    cfg["copyright"] = cfg.get("copyright") or f"© {hb.in_language(hb.edition.district, lang)}"
    return cfg


def write_root_page(hb: Handbook, site_dir: Path) -> None:
    """site/index.html: pick a language (the reader's preferred one is suggested, never forced)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES / "root")), autoescape=True)
    languages = [{"code": lang, "name": load_strings(lang)["language_name"],
                  "title": hb.in_language(hb.edition.title, lang),
                  "district": hb.in_language(hb.edition.district, lang)} for lang in hb.languages]
    html = env.get_template("index.html.j2").render(languages=languages, default=hb.languages[0])
    (site_dir / "index.html").write_text(with_policy(html), encoding="utf-8")
    for asset in ("choose-language.js", "choose-language.css"):
        shutil.copy2(TEMPLATES / "root" / asset, site_dir / asset)


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
    """Validate, then build the PDFs and every language into site_dir/<lang>/ with MkDocs (strict)."""
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
    pdf_files = build_pdfs(hb, work_dir / "pdf", config_file) if with_pdf else {}
    for lang in hb.languages:
        docs_dir = work_dir / "docs" / lang
        assemble_docs(hb, lang, findings, docs_dir, pdf_files, endpoint)
        cfg = language_config(base, config_file, hb, lang, docs_dir, site_dir / lang)
        lang_config = work_dir / f"mkdocs.{lang}.yml"
        lang_config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
        config = load_config(str(lang_config), strict=strict)
        mkdocs_build(config)
        if lang in pdf_files:  # linked from the pages as ./<name>.pdf or ../<name>.pdf
            shutil.copy2(pdf_files[lang], site_dir / lang / pdf_files[lang].name)
    write_root_page(hb, site_dir)
    copy_runtime(hb, site_dir)
    add_offline_reading(hb, site_dir)  # last: the service worker's build id is a hash of every other file
    return BuildResult(hb, findings, site_dir)
