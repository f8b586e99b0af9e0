"""Content-Security-Policy and the other response headers of the built site.

Every page carries its policy as a `<meta http-equiv>` (static hosts that cannot set headers still get it), with the
sha256 of each inline script the theme keeps in that page. A server should also send the policy as a header: the
site-wide one (every page's hashes) is what the nginx and Apache snippets in docs/deploy/ send, with the caching
rules and MIME types; `python -m build_scripts deploy-snippets` writes them from a built site.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from html import escape as html_escape, unescape as html_unescape
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from ..parts.calculators.runtime import PINNED_FILES, RUNTIME_DIR
from ..source.paths import PROJECT

DEPLOY_DIR = PROJECT / "docs" / "deploy"

_SCRIPT_RE = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script\s*>", re.S | re.I)
_SRC_RE = re.compile(r"\ssrc\s*=", re.I)
_TYPE_RE = re.compile(r"""\stype\s*=\s*["']?\s*([^"'\s>]+)""", re.I)
# Scripts of these types run; anything else (application/json, the theme's config) is data the policy ignores.
_SCRIPT_TYPES = {"", "module", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript"}
_META_RE = re.compile(r"""<meta\s+http-equiv=["']Content-Security-Policy["'][^>]*>\s*""", re.I)
_REFERRER_RE = re.compile(r"""<meta\s+name=["']referrer["'][^>]*>\s*""", re.I)
_CHARSET_RE = re.compile(r"<meta\s+charset=[^>]*>\s*", re.I)
_HEAD_RE = re.compile(r"<head(\s[^>]*)?>\s*", re.I)

_CALCULATOR_RE = re.compile(r"""<div\s[^>]*\bdata-calculator=["']""", re.I)
# A source expression as CSP 3 writes a host source: scheme://host[:port]; nothing that could end the directive.
_SOURCE_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")

REFERRER_POLICY = "no-referrer"  # a family's visit is nobody else's business, not even the page they came from
_CONFIG_RE = re.compile(r"/\*@config\*/.*?/\*@end\*/", re.S)


def script_with_config(template: Path, config: dict[str, Any]) -> str:
    """A script of site_templates/ with its one `/*@config*/ … /*@end*/` placeholder replaced by this build's
    settings as JSON (the service worker, the search script): a file, not an inline script, so the policy needs
    no hash for it."""
    settings = json.dumps(config, ensure_ascii=False, sort_keys=True)
    text, count = _CONFIG_RE.subn(lambda _: settings, template.read_text(encoding="utf-8"))
    if count != 1:
        raise ValueError(f"{template}: expected one /*@config*/ … /*@end*/ placeholder")
    return text


@dataclass(frozen=True)
class Policy:
    """The site's Content-Security-Policy: fixed directives plus what the content needs (inline-script hashes, the
    acknowledgement endpoint's origin)."""

    script_hashes: tuple[str, ...] = ()
    connect_sources: tuple[str, ...] = ()
    # 'wasm-unsafe-eval': the calculators compile Pyodide's WebAssembly (workers fall back to script-src). Only a
    # page that holds a calculator needs it; the site-wide header has it when any page does (it covers the worker).
    webassembly: bool = True

    def directives(self, header: bool = False) -> dict[str, list[str]]:
        """Directive -> sources. `header`: the form sent as an HTTP header, which may also say who can frame the
        site (a <meta> cannot, and browsers log an error when it tries)."""
        directives = {
            "default-src": ["'self'"],
            "script-src": ["'self'", *(["'wasm-unsafe-eval'"] if self.webassembly else []),
                           *(f"'{h}'" for h in self.script_hashes)],
            "style-src": ["'self'"],
            # data: the theme draws its admonition and navigation icons as data: SVGs in its stylesheet.
            "img-src": ["'self'", "data:"],
            "connect-src": ["'self'", *self.connect_sources],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
        }
        if header:
            directives["frame-ancestors"] = ["'self'"]
        return directives

    def text(self, header: bool = False) -> str:
        return "; ".join(f"{name} {' '.join(sources)}" for name, sources in self.directives(header).items())

    def merged(self, other: "Policy") -> "Policy":
        return Policy(_unique(self.script_hashes + other.script_hashes), _unique(self.connect_sources + other.connect_sources),
                      self.webassembly or other.webassembly)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "meta": self.text(), "header": self.text(header=True)}


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def endpoint_sources(endpoint: str | None) -> tuple[str, ...]:
    """connect-src entries for the acknowledgement endpoint: its origin when it is an absolute http(s) address (a path
    on the site's own server is already 'self')."""
    if not endpoint:
        return ()
    parts = urlsplit(endpoint.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc}"
        # `check` refuses such an endpoint (site_config.py); never let one through into a policy all the same
        if not _SOURCE_RE.match(origin):
            raise ValueError(f"{endpoint!r} cannot be a Content-Security-Policy source")
        return (origin,)
    return ()


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """'sha256-…' of every inline script that runs, in page order (the hash covers the exact text between the tags)."""
    hashes = []
    for match in _SCRIPT_RE.finditer(html):
        attrs = match["attrs"] or ""
        if _SRC_RE.search(attrs):
            continue
        kind = _TYPE_RE.search(attrs)
        if (kind[1].lower() if kind else "") not in _SCRIPT_TYPES:
            continue
        digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
        hashes.append("sha256-" + base64.b64encode(digest).decode("ascii"))
    return _unique(hashes)


def holds_calculator(html: str) -> bool:
    """Whether a built page has a calculator widget (site_templates/pages/calculator.md.j2)."""
    return bool(_CALCULATOR_RE.search(html))


def page_policy(html: str, endpoint: str | None = None) -> Policy:
    return Policy(inline_script_hashes(html), endpoint_sources(endpoint), holds_calculator(html))


def _attribute(text: str) -> str:
    """Text as a double-quoted attribute value: whatever reaches the policy cannot end the attribute or the tag.
    (Single quotes stay as they are: the policy's keywords are written with them.)"""
    return html_escape(text, quote=False).replace('"', "&quot;")


def with_policy(html: str, endpoint: str | None = None) -> str:
    """The page with its own policy (and the referrer policy) as <meta> elements at the top of <head>, before any
    script or stylesheet they govern; an older policy meta is replaced, so running it twice changes nothing."""
    html = _REFERRER_RE.sub("", _META_RE.sub("", html))
    policy = page_policy(html, endpoint)
    metas = (f'<meta http-equiv="Content-Security-Policy" content="{_attribute(policy.text())}">\n'
             f'<meta name="referrer" content="{REFERRER_POLICY}">\n')
    anchor = _CHARSET_RE.search(html) or _HEAD_RE.search(html)
    if not anchor:
        raise ValueError("no <head> to put the Content-Security-Policy in")
    return html[:anchor.end()] + metas + html[anchor.end():]


def meta_policy(html: str) -> str | None:
    """The policy a page's <meta> declares (None without one)."""
    match = _META_RE.search(html)
    if not match:
        return None
    content = re.search(r"""content=(["'])(.*?)\1""", match[0], re.S)
    return html_unescape(content[2]) if content else None


def site_policy(site_dir: Path, endpoint: str | None = None) -> Policy:
    """One policy for every page of a built site (the union of their hashes): the one a server sends as a header."""
    policy = Policy(connect_sources=endpoint_sources(endpoint), webassembly=False)
    for page in sorted(Path(site_dir).rglob("*.html")):
        policy = policy.merged(page_policy(page.read_text(encoding="utf-8")))
    return policy


# ---------------------------------------------------------------- response headers and the server snippets

# Cache-Control by kind of file (one description, rendered for nginx and for Apache).
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"  # the theme's bundles: content hash in the name
CACHE_RUNTIME = "public, max-age=604800"  # Pyodide's own files: change only with its pinned version
CACHE_REVALIDATE = "no-cache"  # everything else: same name from build to build, so ask again (a 304 when unchanged)
HASHED_ASSET = r"\.[0-9a-f]{8}\.min\.(js|css)$"
# Pyodide's own files (and their xz copies, and the unpacker) only: the other files of the runtime's folder (the
# calculators' wheel and standard library, a start-up snapshot) hold this build's handbook data under fixed names.
PYODIDE_FILE = rf"/{RUNTIME_DIR}/({'|'.join(re.escape(name) for name in PINNED_FILES)})$"


def cache_control(url_path: str) -> str:
    """The Cache-Control the snippets send for a path of the site (the local server in static_server.py too)."""
    if re.search(PYODIDE_FILE, url_path):
        return CACHE_RUNTIME
    if re.search(HASHED_ASSET, url_path, re.I) and f"/{RUNTIME_DIR}/" not in url_path:
        return CACHE_IMMUTABLE
    return CACHE_REVALIDATE


MIME_TYPES = {
    "wasm": "application/wasm",  # WebAssembly.instantiateStreaming refuses any other type
    "mjs": "text/javascript",    # module scripts and module workers refuse a non-JavaScript type
    "whl": "application/zip",
    "xz": "application/x-xz",    # the packed runtime files: by their last extension, never as WebAssembly, never gzipped again
}

# Compressed on the way out: text, and WebAssembly (Pyodide's 9.6 MB shrink to about a third). Not the start-up
# snapshot (application/gzip: already compressed, and the calculators inflate it themselves) nor zip files.
COMPRESSED_TYPES = ("text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "application/manifest+json", "application/xml", "image/svg+xml", "text/plain", "application/wasm")


@dataclass(frozen=True)
class ServerSettings:
    """What a web server adds to the static files."""

    headers: dict[str, str]
    error_page: str  # the page for a missing address outside the language folders below
    # A missing address under another language's folder gets that language's page ("/es/" -> "/es/404.html"): a
    # Spanish reader who follows a dead link reads the answer in Spanish.
    language_error_pages: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def server_settings(policy: Policy, error_folder: str = "en/", other_folders: Iterable[str] = ()) -> ServerSettings:
    """`error_folder`: where the 404 page is, "<lang>/" (the first language's) or "" for a one-language site;
    `other_folders`: the other languages' folders ("es/"), each with a 404 page of its own."""
    return ServerSettings(
        headers={
            "Content-Security-Policy": policy.text(header=True),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": REFERRER_POLICY,
            # HTTPS only, for a year (browsers ignore it over plain HTTP, so the local preview is unaffected).
            "Strict-Transport-Security": "max-age=31536000",
        },
        error_page=f"/{error_folder}404.html",
        language_error_pages={f"/{folder}": f"/{folder}404.html" for folder in sorted(other_folders)
                              if folder != error_folder},
    )


def language_error_folders(site_dir: Path) -> list[str]:
    """The folders of a built site that hold a 404 page of their own ("en/", "es/"): one per language."""
    return sorted(f"{child.name}/" for child in Path(site_dir).iterdir()
                  if child.is_dir() and (child / "404.html").is_file())


_GENERATED = ("# Generated by `python -m build_scripts deploy-snippets` from the built site; do not edit by hand\n"
              "# (change build_scripts/outputs/csp.py). The policy's script hashes follow the theme's inline scripts.")


_ERROR_PAGES_NOTE = "# A missing page under a language's folder gets that language's 404 page; any other, the first language's."


def _nginx_error_pages(settings: ServerSettings) -> str:
    if not settings.language_error_pages:
        return f"error_page 404 {settings.error_page};"
    # The page follows the address's language folder: a variable set before any location is chosen (`if` holding
    # only `set` is safe at the server level), then used by error_page, which accepts variables.
    lines = [_ERROR_PAGES_NOTE, f'set $handbook_404 "{settings.error_page}";']
    for prefix, page in settings.language_error_pages.items():
        lines.append(f'if ($uri ~ "^{re.escape(prefix)}") {{ set $handbook_404 "{page}"; }}')
    lines.append("error_page 404 $handbook_404;")
    return "\n".join(lines)


def _apache_error_pages(settings: ServerSettings) -> str:
    lines = [f"ErrorDocument 404 {settings.error_page}"]
    if settings.language_error_pages:
        lines.insert(0, _ERROR_PAGES_NOTE)
        for number, (prefix, page) in enumerate(settings.language_error_pages.items()):
            lines += [f'<{"If" if number == 0 else "ElseIf"} "%{{REQUEST_URI}} =~ m#^{re.escape(prefix)}#">',
                      f"    ErrorDocument 404 {page}",
                      f'</{"If" if number == 0 else "ElseIf"}>']
    return "\n".join(lines)


def render_nginx(settings: ServerSettings) -> str:
    """An nginx snippet to `include` in the server block whose `root` is the built site/ folder."""

    # The long policy is set once for the server; the headers are added per location.
    values = {name: "$handbook_csp" if name == "Content-Security-Policy" else f'"{value}"'
              for name, value in settings.headers.items()}

    def block(cache_control: str, indent: str) -> str:
        # add_header is inherited only by a location that sets none of its own: each one repeats the whole set.
        lines = [f"add_header {name} {value} always;" for name, value in values.items()]
        lines.append(f'add_header Cache-Control "{cache_control}";')
        return "\n".join(indent + line for line in lines)

    types = " ".join(f"{mime} {ext};" for ext, mime in MIME_TYPES.items())
    return f"""{_GENERATED}
#
# Include it in the server {{}} block that serves the contents of site/ at the root of the host:
#     server {{
#         listen 443 ssl;
#         server_name handbook.example.org;
#         root /srv/handbook/site;
#         include /etc/nginx/snippets/handbook.conf;
#     }}
# Every response gets the Content-Security-Policy (the pages also carry it as a <meta>; the header covers the
# calculators' worker and the service worker too), no MIME sniffing, no Referer sent to anyone, and HTTPS only.

index index.html;
charset utf-8;
{_nginx_error_pages(settings)}

set $handbook_csp "{settings.headers['Content-Security-Policy']}";

# Compression: a page or the theme's stylesheet is a fifth of its size gzipped (text/html is always included).
gzip on;
gzip_vary on;
gzip_comp_level 5;
gzip_min_length 1024;
gzip_types {" ".join(t for t in COMPRESSED_TYPES if t != "text/html")};

location / {{
    # Pages, the service worker (sw.js), search index, PDFs, the site's own scripts and styles: no-cache, because
    # they keep their names from one build to the next.
{block(CACHE_REVALIDATE, "    ")}

    # The theme's bundles carry a content hash in their names: a new version is a new file.
    location ~* "{HASHED_ASSET}" {{
{block(CACHE_IMMUTABLE, "        ")}
    }}
}}

# The calculators' runtime (about 13 MB). The `types` block replaces the inherited map inside this location:
# WebAssembly must be application/wasm (streaming compilation) and .mjs JavaScript (module imports).
location ^~ /{RUNTIME_DIR}/ {{
    types {{ {types} application/json json; }}
    # The calculators' wheel and start-up snapshot hold this build's handbook data under fixed names.
{block(CACHE_REVALIDATE, "    ")}

    # Pyodide's own files change only with its pinned version.
    location ~ "{PYODIDE_FILE}" {{
{block(CACHE_RUNTIME, "        ")}
    }}
}}
"""


def render_apache(settings: ServerSettings) -> str:
    """An .htaccess for the built site/ folder (Apache 2.4, mod_headers and mod_mime, AllowOverride FileInfo)."""
    security = "\n".join(f'    Header always set {name} "{value}"' for name, value in settings.headers.items())
    types = "\n".join(f"    AddType {mime} .{ext}" for ext, mime in MIME_TYPES.items())
    return f"""{_GENERATED}
#
# Copy it as `.htaccess` into the folder that serves the contents of site/ (or paste it into that folder's
# <Directory> block). The <IfModule> guards keep a server without mod_headers serving the site instead of
# failing; enable mod_headers (a2enmod headers) for the policy and the caching to apply.
# Every response gets the Content-Security-Policy (the pages also carry it as a <meta>; the header covers the
# calculators' worker and the service worker too), no MIME sniffing, no Referer sent to anyone, and HTTPS only.

DirectoryIndex index.html
AddDefaultCharset utf-8
{_apache_error_pages(settings)}

# WebAssembly must be application/wasm (streaming compilation) and .mjs JavaScript (module imports). The packed
# runtime files (.xz) are unpacked by the calculators themselves: typed by their last extension, with no
# Content-Encoding (which a browser cannot undo for xz).
<IfModule mod_mime.c>
{types}
    RemoveEncoding .xz
</IfModule>

# Compression: a page or the theme's stylesheet is a fifth of its size gzipped (mod_deflate: a2enmod deflate).
<IfModule mod_deflate.c>
    AddOutputFilterByType DEFLATE {" ".join(COMPRESSED_TYPES)}
</IfModule>

<IfModule mod_headers.c>
{security}

    # Pages, the service worker (sw.js), search index, PDFs, the site's own scripts and styles, the calculators'
    # wheel and start-up snapshot: no-cache, because they keep their names from one build to the next.
    Header set Cache-Control "{CACHE_REVALIDATE}"
    # The theme's bundles carry a content hash in their names: a new version is a new file.
    <If "%{{REQUEST_URI}} =~ m#{HASHED_ASSET}#">
        Header set Cache-Control "{CACHE_IMMUTABLE}"
    </If>
    # Pyodide's own files (the calculators' runtime, about 13 MB) change only with its pinned version.
    <ElseIf "%{{REQUEST_URI}} =~ m#{PYODIDE_FILE}#">
        Header set Cache-Control "{CACHE_RUNTIME}"
    </ElseIf>
</IfModule>
"""


def deploy_snippets(site_dir: Path, endpoint: str | None = None, error_folder: str = "en/") -> dict[str, str]:
    """File name -> text of the server snippets for a built site."""
    settings = server_settings(site_policy(site_dir, endpoint), error_folder, language_error_folders(site_dir))
    return {"nginx.conf": render_nginx(settings), "apache.htaccess": render_apache(settings)}


def write_deploy_snippets(site_dir: Path, out_dir: Path = DEPLOY_DIR, endpoint: str | None = None,
                          error_folder: str = "en/") -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in deploy_snippets(site_dir, endpoint, error_folder).items():
        (out_dir / name).write_text(text, encoding="utf-8")
        written.append(out_dir / name)
    return written
