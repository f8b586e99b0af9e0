"""mkdocs.yml read through the source reader, with the types of what the generator reads from it checked.

MkDocs checks its own settings when it builds; this checks, before anything reads them, the parts the generator
uses itself (`extra`, above all `extra.handbook`) so that `extra: [1]` or `acknowledgement_endpoint: 3` is a
message naming mkdocs.yml and the line, never a traceback, and so that nothing from it reaches a page or a
policy unchecked.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .reading import Problem, SourceError, YamlDoc, key_path, read_yaml_file

ENDPOINT_KEY = "extra.handbook.acknowledgement_endpoint"
# Hosts a plain http:// endpoint may name: this machine, for testing a receiver before it has a certificate.
# Anywhere else http:// would send students' names and signatures unencrypted.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# What an address may not hold, even encoded nowhere: it goes into an HTML attribute and into the policy's
# connect-src, where a quote, a space, an angle bracket or a semicolon would end the value or the directive.
_FORBIDDEN = re.compile(r"""[\s"'<>;`\\{}|^\x00-\x1f\x7f]""")
_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
_PATH = re.compile(r"^(/[A-Za-z0-9._~!$&()*+,=:@%-]*)+(\?[A-Za-z0-9._~!$&()*+,=:@%/?-]*)?$")
ENDPOINT_RULE = ("an https:// address (http:// only for 127.0.0.1 or localhost, for testing), or a path on this "
                 "site's server starting with a single /, or null to keep every record in the browser")


def _excerpt(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def endpoint_problem(value: Any) -> str | None:
    """What is wrong with an acknowledgement endpoint setting (None: nothing; None and "" mean no endpoint)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return f"must be {ENDPOINT_RULE} (got {_excerpt(value)}, not text)"
    got = f"(got {_excerpt(value)})"
    if not value.isascii():
        return f"must be written in plain ASCII (an international host name as its xn-- form) {got}"
    if _FORBIDDEN.search(value):
        return f"must not contain spaces, quotes, angle brackets, semicolons or backslashes {got}"
    if value.startswith("/"):
        if value.startswith("//"):
            return f"'//' starts an address on another server; a path on this site starts with a single / {got}"
        return None if _PATH.match(value) else f"is not a valid path (letters, digits, - . _ ~ % and / only) {got}"
    try:
        parts = urlsplit(value)
        port = parts.port  # ValueError when the port is not a number in range
    except ValueError:
        return f"is not a valid address {got}"
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return f"must be {ENDPOINT_RULE} {got}"
    if parts.username is not None or parts.password is not None:
        return f"must not hold a user name or password (anyone can read the site's pages) {got}"
    if parts.fragment or "#" in value:
        return f"must not have a #fragment {got}"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOST_NAME.match(host):
            return f"'{host}' is not a valid host name {got}"
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        return (f"must be https:// (http:// would send students' names and signatures unencrypted; it is allowed only "
                f"for 127.0.0.1 or localhost, for testing) {got}")
    if parts.path and not _PATH.match(parts.path + (f"?{parts.query}" if parts.query else "")):
        return f"its path is not valid (letters, digits, - . _ ~ % and / only) {got}"
    if port == 0:
        return f"port 0 is not a port {got}"
    return None


class HandbookSettings(BaseModel):
    """`extra.handbook` as an editor writes it (the build adds the language keys to each language's copy)."""

    model_config = ConfigDict(extra="forbid", strict=True)  # a misspelt key is a mistake to report, not to ignore

    source: str = "handbook"
    acknowledgement_endpoint: str | None = None

    @field_validator("acknowledgement_endpoint", mode="before")
    @classmethod
    def _endpoint(cls, value: Any) -> Any:
        problem = endpoint_problem(value)
        if problem:
            raise ValueError(problem)
        return value or None

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if not value.strip() or "\x00" in value:
            raise ValueError("must name the handbook folder, relative to mkdocs.yml")
        return value


class Extra(BaseModel):
    """`extra`: our `handbook` settings, the theme's own keys the generator sets, anything else the theme reads."""

    model_config = ConfigDict(extra="allow", strict=True)

    handbook: HandbookSettings = HandbookSettings()

    @field_validator("handbook", mode="before")
    @classmethod
    def _empty_handbook(cls, value: Any) -> Any:
        return {} if value is None else value


def _asset_problem(path: str) -> str | None:
    """A stylesheet or script of the site's own: a path in the docs folder (MkDocs writes it into every page)."""
    if re.match(r"^([a-z][a-z0-9+.-]*:|//)", path, re.I):
        return f"must be a file of the site itself: the site makes no request to another server (got {_excerpt(path)})"
    if _FORBIDDEN.search(path) or not path.strip():
        return f"must be a plain path, without spaces, quotes, angle brackets or semicolons (got {_excerpt(path)})"
    return None


class SiteConfig(BaseModel):
    """The top of mkdocs.yml as far as the generator reads it before MkDocs does (MkDocs checks the rest), and the
    settings the theme writes into every page as they are (MkDocs' templates do not escape them)."""

    model_config = ConfigDict(extra="allow", strict=True)

    extra: Extra = Extra()
    theme: dict[str, Any] | None = None
    hooks: list[str] = []
    extra_css: list[str] = []
    extra_javascript: list[str | dict[str, Any]] = []
    markdown_extensions: list[str | dict[str, Any]] = []
    plugins: list[str | dict[str, Any]] | None = None
    site_url: str | None = None
    site_description: str | None = None
    site_author: str | None = None
    copyright: str | None = None

    @field_validator("extra", mode="before")
    @classmethod
    def _empty_extra(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("site_description", "site_author", "copyright")
    @classmethod
    def _plain_text(cls, value: str | None) -> str | None:
        if value is not None and re.search(r'[<>"\x00-\x08\x0b-\x1f]', value):
            raise ValueError("plain text only, without < > or \" (the theme writes it into every page as it is)")
        return value

    @field_validator("site_url")
    @classmethod
    def _site_url(cls, value: str | None) -> str | None:
        if not value:
            return value
        parts = urlsplit(value) if not _FORBIDDEN.search(value) else None
        if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be the site's full address, https://host/path/ (got {_excerpt(value)})")
        return value

    @field_validator("extra_css")
    @classmethod
    def _css(cls, value: list[str]) -> list[str]:
        for path in value:
            problem = _asset_problem(path)
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("extra_javascript")
    @classmethod
    def _javascript(cls, value: list[str | dict[str, Any]]) -> list[str | dict[str, Any]]:
        for entry in value:
            path = entry if isinstance(entry, str) else entry.get("path")
            problem = _asset_problem(path) if isinstance(path, str) else "each entry needs a `path`"
            if problem:
                raise ValueError(problem)
        return value


@dataclass(frozen=True)
class LoadedConfig:
    data: dict[str, Any]  # the file's own mapping, handed on to MkDocs unchanged
    settings: SiteConfig
    doc: YamlDoc


def validate_config(doc: YamlDoc) -> LoadedConfig:
    """Check a parsed mkdocs.yml; every problem names the file, the line and the key path."""
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise SourceError([Problem(doc.rel, f"must be a mapping of settings (name: value), not {type(data).__name__}", 1)])
    try:
        settings = SiteConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown setting (the generator reads only `source` and `acknowledgement_endpoint` here)"
            problems.append(Problem(doc.rel, message, doc.line_of(loc), key_path(loc) or None))
        raise SourceError(problems) from None
    return LoadedConfig(data, settings, doc)


# Settings of mkdocs.yml the generator sets itself, and why: a value left there is ignored, with a warning.
IGNORED_SETTINGS = {
    "site_name": "the site's name is edition.yml's title and district, per language",
    "site_description": "the site's description is edition.yml's `description`, per language",
    "theme.custom_dir": "the generator's own theme templates are always used",
    "hooks": "the generator's own hooks are always used",
    "theme.logo": "the logo is handbook/theme/logo.svg or logo.png",
    "theme.favicon": "the favicon is handbook/theme/favicon.svg, favicon.png or favicon.ico",
}


def ignored_settings(loaded: LoadedConfig) -> list[Problem]:
    """Warnings for the settings of mkdocs.yml that the build replaces (IGNORED_SETTINGS), with their lines."""
    warnings = []
    for dotted, why in IGNORED_SETTINGS.items():
        *parents, key = dotted.split(".")
        mapping: Any = loaded.data
        for parent in parents:
            mapping = mapping.get(parent) if isinstance(mapping, dict) else None
        if isinstance(mapping, dict) and key in mapping:
            loc = (*parents, key)
            warnings.append(Problem(loaded.doc.rel, f"ignored: {why} (delete it)", loaded.doc.line_of(loc), dotted))
    return warnings


def read_site_config(config_file: Path) -> LoadedConfig:
    """mkdocs.yml through the source reader, validated."""
    config_file = Path(config_file)
    return validate_config(read_yaml_file(config_file, config_file.name))
