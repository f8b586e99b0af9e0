"""The site: one MkDocs build per language (into site/<lang>/, or site/ itself for a one-language handbook), the
language chooser, the calculators' runtime and offline reading, each only where the handbook uses it."""

from __future__ import annotations

import ctypes
import fcntl
import html
import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

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
from ..parts.theme import BRAND_CSS, BRAND_DIR, NEUTRAL_FAVICON, NEUTRAL_ICON, colours_css, site_favicon, site_logo
from ..source.config import read_config
from ..source.findings import Finding
from ..source.handbook import Handbook
from ..source.i18n import language_name
from ..source.inserts import find_inserts, inserts_used
from ..source.paths import ASSETS, PROJECT, SITE_TEMPLATES
from .csp import with_policy
from .offline import add_offline_reading
from .pdf import build_pdfs
from .search import SCRIPT as SEARCH_SCRIPT, write_search

# Every language's site has these (the site's look and scripts, offline reading, search); a part's files are added
# only where a page holds one of its inserts.
CORE_ASSETS = ("handbook.css", "handbook.js", "offline.css", "offline.js", "search.js", "search.css")
COLOURS = "colours.css"  # the theme's colours for the pages without the theme (parts/theme.py)
OVERRIDES = SITE_TEMPLATES / "overrides"  # the theme's templates the generator replaces
HOOKS = PROJECT / "build_scripts" / "hooks.py"


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
        page = hb.pages[lang][page_id]
        meta = dict(page.meta)
        meta.pop("id", None)
        if page.heading and not meta.get("title"):
            meta["title"] = page.title  # the first heading, as the generator's own lists name it (MkDocs takes only an h1)
        scripts = page_scripts(hb, lang, page_id)
        if scripts:
            meta["hb_scripts"] = scripts
        (docs_dir / f"{page_id}.md").write_text(_front_matter(meta) + markdown + "\n", encoding="utf-8")
    strings = hb.strings(lang)
    report = renderer.render_template("consistency-report.md.j2", REPORT_PAGE, findings=findings,
                                      topics=[topic.id for topic in topics()])
    # for the editors: reachable from "About this edition", kept out of the readers' search
    meta = {"title": strings["report_title"], "search": {"exclude": True}}
    (docs_dir / f"{REPORT_PAGE}.md").write_text(_front_matter(meta) + report, encoding="utf-8")
    changes = changes_markdown(hb, lang)  # only with a previous edition: linked from the home and About pages
    if changes is not None:
        (docs_dir / f"{CHANGES_PAGE}.md").write_text(_front_matter({"title": strings["changes_title"]}) + changes,
                                                      encoding="utf-8")
    neutral = [NEUTRAL_FAVICON] if site_favicon(hb.theme) == f"assets/{NEUTRAL_FAVICON}" else []
    _copy_assets([*CORE_ASSETS, *neutral, *part_assets(hb, lang)], docs_dir / "assets")
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


def _theme_words(cfg: dict[str, Any], strings: dict[str, str]) -> None:
    """The words the theme would show in English whatever the page's language, from the generator's catalogue: the
    colour scheme toggles' names and the headings' permalink title (the 404 page's are in overrides/404.html)."""
    palette = cfg.get("theme", {}).get("palette")
    for scheme in palette if isinstance(palette, list) else [palette] if isinstance(palette, dict) else []:
        if isinstance(scheme, dict) and isinstance(scheme.get("toggle"), dict):
            # each scheme's toggle switches to the other one: the dark (slate) scheme's leads to the light
            scheme["toggle"]["name"] = strings["theme_light" if scheme.get("scheme") == "slate" else "theme_dark"]
    extensions = cfg.get("markdown_extensions") or []
    for i, extension in enumerate(extensions):
        if extension == "toc":
            extensions[i] = extension = {"toc": {}}
        if isinstance(extension, dict) and isinstance(extension.get("toc"), dict):
            extension["toc"]["permalink_title"] = strings["permalink_title"]


def language_config(base: dict[str, Any], hb: Handbook, lang: str, docs_dir: Path, site_dir: Path) -> dict[str, Any]:
    """mkdocs.yml adapted to one language's build (absolute paths, that language's nav, search and <html lang>)."""
    cfg = yaml.safe_load(yaml.safe_dump(base))  # deep copy
    strings = hb.strings(lang)
    # the district's words come from handbook/ (a value left in mkdocs.yml is ignored: `check` warns)
    cfg["site_name"] = hb.site_name(lang)
    cfg.pop("site_description", None)
    if hb.edition.description:
        cfg["site_description"] = hb.in_language(hb.edition.description, lang)
    cfg["docs_dir"] = str(docs_dir)
    cfg["site_dir"] = str(site_dir)
    cfg["nav"] = _nav(hb, lang)
    cfg["not_in_nav"] = f"/{REPORT_PAGE}.md\n/{CHANGES_PAGE}.md"  # reachable (linked from About), not in the menu
    theme = cfg.setdefault("theme", {})
    theme["language"] = lang
    # the generator's own templates and hooks, wherever mkdocs.yml sits (a copied mkdocs.yml's paths would not hold)
    theme["custom_dir"] = str(OVERRIDES)
    # the district's logo and favicon (handbook/theme/), or a plain document glyph: never the theme's own book icon
    theme.pop("logo", None)
    theme.setdefault("icon", {})["logo"] = NEUTRAL_ICON
    if site_logo(hb.theme):
        theme["logo"] = site_logo(hb.theme)
    theme["favicon"] = site_favicon(hb.theme)
    cfg["hooks"] = [str(HOOKS)]
    _theme_words(cfg, strings)
    # Search is the site's own (outputs/search.py), not the theme's: its plugin is left out wherever it is named.
    cfg["plugins"] = [p for p in cfg.get("plugins") or []
                      if p not in ("search", "material/search") and not (isinstance(p, dict) and ({"search", "material/search"} & p.keys()))]
    extra = cfg.setdefault("extra", {})
    extra.setdefault("handbook", {})
    extra["handbook"].update({
        "language": lang,
        "languages": hb.languages,
        "folder": hb.site_folder(lang),
        "language_names": {code: language_name(code) for code in hb.languages},
        "translation_notice": hb.translation_notice(lang),
        "not_found": {key: strings[f"not_found_{key}"] for key in ("title", "text", "home")},
    })
    extra["alternate"] = []  # filled per page by hooks.on_page_context (a language menu only with two or more)
    extra["generator"] = False
    brand = hb.theme is not None and hb.theme.brand_css is not None
    cfg["extra_css"] = ["assets/handbook.css", "assets/search.css"] + ([f"{BRAND_DIR}/{BRAND_CSS}"] if brand else []) + cfg.get("extra_css", [])
    # deferred, like the theme's bundle (hooks.py), and so run after it, in this order; a part's page scripts are
    # added by the hook to the pages that hold its inserts
    scripts = ["assets/handbook.js", SEARCH_SCRIPT] + cfg.get("extra_javascript", [])
    cfg["extra_javascript"] = [{"path": s, "defer": True} if isinstance(s, str) else s for s in scripts]
    # the theme writes the copyright into the page as HTML: the district's name is text (mkdocs.yml's own is checked)
    cfg["copyright"] = cfg.get("copyright") or f"© {html.escape(hb.in_language(hb.edition.district, lang))}"
    return cfg


def write_root_page(hb: Handbook, site_dir: Path) -> None:
    """site/index.html of a handbook in several languages: pick one (the reader's preferred one is suggested, never
    forced). A one-language handbook has none: its home page is the site's root."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(SITE_TEMPLATES / "root")), autoescape=True)
    languages = [{"code": lang, "name": language_name(lang),
                  "title": hb.in_language(hb.edition.title, lang),
                  "district": hb.in_language(hb.edition.district, lang)} for lang in hb.languages]
    html = env.get_template("index.html.j2").render(languages=languages, default=hb.languages[0], colours=COLOURS,
                                                    favicon=site_favicon(hb.theme), logo=site_logo(hb.theme))
    (site_dir / "index.html").write_text(with_policy(html), encoding="utf-8")
    for asset in ("choose-language.js", "choose-language.css"):
        shutil.copy2(SITE_TEMPLATES / "root" / asset, site_dir / asset)
    (site_dir / COLOURS).write_text(colours_css(hb.theme), encoding="utf-8")


def prune_theme_assets(lang_site: Path, lang: str) -> list[Path]:
    """Remove what the theme copies but no reader's browser asks for: source maps (a developer's aid), the
    theme's own search (its worker and lunr's 30-odd languages, about 2 MB; the site's search is outputs/search.py)
    and the theme's own favicon (the site has the district's or a neutral one, parts/theme.py). Returns what was
    removed."""
    scripts = lang_site / "assets" / "javascripts"
    assets = lang_site / "assets"
    removed = sorted(assets.rglob("*.map")) if assets.is_dir() else []
    removed += [p for p in [assets / "images" / "favicon.png"] if p.is_file()]
    for folder in (scripts / "lunr", scripts / "workers"):
        if folder.is_dir():
            removed += sorted(p for p in folder.rglob("*") if p.is_file() and p not in removed)
    for path in removed:
        path.unlink()
    for folder in (scripts / "lunr", scripts / "workers"):
        if folder.is_dir():
            shutil.rmtree(folder)
    if (assets / "images").is_dir() and not any((assets / "images").iterdir()):
        (assets / "images").rmdir()
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


# ---------------------------------------------------------------- one build at a time, swapped in whole

BUILD_WAIT_SECONDS = 600  # a build of the real handbook takes about a minute on a busy machine; then refuse


class BuildBusy(Exception):
    """Another build holds the site's lock for longer than this one would wait."""


@contextmanager
def build_lock(site_dir: Path, wait_seconds: float, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of `site_dir` (the file .<name>.lock beside it, locked with flock, so a build that dies lets go).
    Held: wait for it, saying so once, up to `wait_seconds`; then BuildBusy."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(site_dir.parent / f".{site_dir.name}.lock", "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                if time.monotonic() >= deadline:
                    raise BuildBusy(f"another build ({holder}) is still writing {site_dir}; run this one again when it "
                                    "has finished") from None
                if not told:
                    say(f"Another build ({holder}) is writing {site_dir}: waiting for it to finish")
                    told = True
                time.sleep(0.2)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"process {os.getpid()}")
            handle.flush()
            for stale in [*site_dir.parent.glob(f".{site_dir.name}.building-*"),  # left by a build that was killed
                          *site_dir.parent.glob(f".{site_dir.name}.old-*")]:
                shutil.rmtree(stale, ignore_errors=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders' names in one step (Linux's renameat2 with RENAME_EXCHANGE); False where it is not offered."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    return renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0


def swap_in(new: Path, site_dir: Path) -> None:
    """Put the complete site `new` at `site_dir`, the old one out and deleted. Where the system can swap two names at
    once, no request to a server of `site_dir` ever finds it missing; elsewhere, for the instant between two renames."""
    if site_dir.is_dir() and _exchange(new, site_dir):
        shutil.rmtree(new)  # now the old site
        return
    old = new.with_name(new.name.replace(".building-", ".old-"))
    if site_dir.exists():
        os.rename(site_dir, old)
    os.rename(new, site_dir)
    shutil.rmtree(old, ignore_errors=True)


def build_site(config_file: Path, site_dir: Path | None = None, work_dir: Path | None = None, strict: bool = True,
               with_pdf: bool = True, wait_seconds: float = BUILD_WAIT_SECONDS,
               progress: Callable[[str], None] | None = None) -> BuildResult:
    """Validate, then build the PDFs and every language with MkDocs (strict) into a folder beside `site_dir`, and swap
    it in whole: `site_dir` is always a complete site, the last one built. One build at a time per `site_dir` (a lock
    file beside it): a second one waits up to `wait_seconds`, then refuses (BuildBusy). `progress` hears each stage."""
    say = progress or (lambda _: None)
    config_file = Path(config_file).resolve()
    say("Checking the source")
    hb, findings = load_and_check(config_file)
    site_dir = Path(site_dir or config_file.parent / "site").resolve()
    work_dir = Path(work_dir or config_file.parent / "build").resolve()
    with build_lock(site_dir, wait_seconds, say):
        staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; the site is for a web server to read
        try:
            _build_into(config_file, hb, findings, staging, work_dir, strict, with_pdf, say)
            swap_in(staging, site_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # the last complete site stays where it was
            raise
    return BuildResult(hb, findings, site_dir)


def _build_into(config_file: Path, hb: Handbook, findings: list[Finding], site_dir: Path, work_dir: Path,
                strict: bool, with_pdf: bool, say: Callable[[str], None]) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    base = read_config(config_file)
    _show_mkdocs_warnings()
    endpoint = endpoint_setting(base, config_file.name)
    base.setdefault("extra", {}).setdefault("handbook", {})["acknowledgement_endpoint"] = endpoint  # the hooks' CSP too
    if with_pdf:
        say(f"Making the printable PDF ({', '.join(hb.languages)})")
    pdf_files = build_pdfs(hb, work_dir / "pdf", config_file) if with_pdf else {}
    for lang in hb.languages:
        say(f"Building the pages ({lang})")
        docs_dir = work_dir / "docs" / lang
        lang_site = site_dir / hb.site_folder(lang)
        assemble_docs(hb, lang, findings, docs_dir, pdf_files, endpoint)
        cfg = language_config(base, hb, lang, docs_dir, lang_site)
        lang_config = work_dir / f"mkdocs.{lang}.yml"
        lang_config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
        config = load_config(str(lang_config), strict=strict)
        mkdocs_build(config)
        prune_theme_assets(lang_site, lang)
        write_search(hb, lang, lang_site)
        if lang in pdf_files:  # linked from the pages as ./<name>.pdf or ../<name>.pdf
            shutil.copy2(pdf_files[lang], lang_site / pdf_files[lang].name)
    if len(hb.languages) > 1:
        write_root_page(hb, site_dir)
    if any(uses_calculators(inserts_used(hb, lang)) for lang in hb.languages):
        say("Adding the calculators' runtime")
        copy_runtime(hb, site_dir)
    say("Adding offline reading")
    add_offline_reading(hb, site_dir)  # last: the service worker's build id is a hash of every other file
