"""Offline reading: an offline page per language, the build id, and the service worker at the site's root.

The service worker (site_templates/offline/sw.js, written to site/sw.js with this build's settings) keeps the pages
a reader opens and, once a calculator has started, the calculators' runtime. Its caches are named after the build
id, a hash of every file of the site: a new build is a new service worker, and it deletes the previous caches.
Pages register it with assets/offline.js, which the MkDocs hook adds to every page (`with_registration`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ..parts.calculators.runtime import RUNTIME_DIR, SNAPSHOT_NAME
from ..parts.calculators.runtime_manifest import kept_offline
from ..parts.theme import site_favicon, site_logo
from ..source.handbook import Handbook
from ..source.paths import SITE_TEMPLATES
from .csp import script_with_config, with_policy
from .search import SEARCH_FILES

TEMPLATES = SITE_TEMPLATES / "offline"
SERVICE_WORKER = "sw.js"
OFFLINE_PAGE = "offline.html"
REGISTRATION_SCRIPT = "assets/offline.js"  # in each language's site, from site_templates/assets/
# what the offline page needs, per language (colours.css: the district's colours, written by outputs/site.py)
OFFLINE_ASSETS = ("assets/offline.css", "assets/colours.css", REGISTRATION_SCRIPT)
_BODY_END_RE = re.compile(r"</body>", re.I)


@dataclass(frozen=True)
class ServiceWorker:
    """What the build wrote: the worker's path, this build's id, and what it caches."""

    path: Path
    build_id: str
    languages: list[str]
    precache: list[str]  # installed with the worker: the offline pages and what they use
    runtime: list[str]  # the calculators' runtime, cached as a whole once a calculator has started
    # a language's search files by its folder ("es/"; "" in a one-language site), kept once a page of that language
    # has been read: a reader of one language never downloads the other's index (73 KB on a phone's link)
    search: dict[str, list[str]] = field(default_factory=dict)

    def config(self) -> dict[str, Any]:
        return {"build": self.build_id, "languages": self.languages, "folders": len(self.languages) > 1,
                "offlinePage": OFFLINE_PAGE, "precache": self.precache, "runtime": self.runtime,
                "search": self.search, "runtimeDir": f"{RUNTIME_DIR}/"}

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


def with_registration(html: str, script_url: str, site_root: str = "../../") -> str:
    """The page with assets/offline.js (`script_url`: its address from the page) loaded at the end of <body>;
    `site_root`: the site's root from the script (where sw.js is), "../../" from <lang>/assets/, "../" from assets/."""
    tag = f'<script src="{script_url}" data-site-root="{site_root}" defer></script>'
    if tag in html:
        return html
    ends = list(_BODY_END_RE.finditer(html))
    if not ends:
        return html + tag
    return html[:ends[-1].start()] + tag + "\n" + html[ends[-1].start():]


def _optional_assets(hb: Handbook, site_dir: Path, folder: str) -> dict[str, str]:
    """The district's icon and logo (or the neutral icon), when the language's site has them (paths from the
    language's folder)."""
    candidates = {"icon": site_favicon(hb.theme), "logo": site_logo(hb.theme)}
    return {name: path for name, path in candidates.items() if path and (site_dir / folder / path).is_file()}


def write_offline_pages(hb: Handbook, site_dir: Path) -> list[Path]:
    """site/<lang>/offline.html: what a reader sees, in their language, for a page not saved on the device."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             keep_trailing_newline=True)
    template = env.get_template("offline.html.j2")
    written = []
    for lang in hb.languages:
        strings = hb.strings(lang)
        extras = _optional_assets(hb, site_dir, hb.site_folder(lang))
        html = template.render(lang=lang, strings=strings, site_title=hb.site_name(lang), icon=extras.get("icon"),
                               logo=extras.get("logo"),
                               site_root="../../" if hb.site_folder(lang) else "../")
        path = site_dir / hb.site_folder(lang) / OFFLINE_PAGE
        path.write_text(with_policy(html), encoding="utf-8")
        written.append(path)
    return written


def build_id(site_dir: Path) -> str:
    """A hash of every file of the built site (names and bytes), the service worker itself left out."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(site_dir).rglob("*") if p.is_file()):
        rel = path.relative_to(site_dir).as_posix()
        if rel == SERVICE_WORKER:
            continue
        digest.update(rel.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def write_service_worker(hb: Handbook, site_dir: Path) -> ServiceWorker:
    """site/sw.js with this build's id and file lists (call it last: the id covers every other file)."""
    precache = []
    search: dict[str, list[str]] = {}
    for lang in hb.languages:
        folder = hb.site_folder(lang)
        precache.append(f"{folder}{OFFLINE_PAGE}")
        precache += [f"{folder}{asset}" for asset in OFFLINE_ASSETS + tuple(_optional_assets(hb, site_dir, folder).values())]
        paths = [f"{folder}{path}" for path in SEARCH_FILES if (site_dir / folder / path).is_file()]
        if paths:  # a language without search (none built) has nothing to keep
            search[folder] = paths
    missing = [p for p in precache if not (site_dir / p).is_file()]
    if missing:
        raise FileNotFoundError(f"the service worker would precache missing files: {', '.join(missing)}")
    runtime_dir = site_dir / RUNTIME_DIR
    # not the start-up snapshot: the calculators' worker makes its own on the device, so no background download of
    # 5.7 MB holds back the reader's next visit on a slow link (issue 24)
    runtime = ([f"{RUNTIME_DIR}/{name}" for name in kept_offline(runtime_dir, leave_out=(SNAPSHOT_NAME,))]
               if runtime_dir.is_dir() else [])
    worker = ServiceWorker(site_dir / SERVICE_WORKER, build_id(site_dir), list(hb.languages), precache, runtime, search)
    text = script_with_config(TEMPLATES / SERVICE_WORKER, worker.config())
    worker.path.write_text(text, encoding="utf-8")
    return worker


def add_offline_reading(hb: Handbook, site_dir: Path) -> ServiceWorker:
    """The offline pages, then the service worker (whose build id covers them): the build's last step."""
    write_offline_pages(hb, site_dir)
    return write_service_worker(hb, site_dir)
