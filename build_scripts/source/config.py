"""The site's mkdocs.yml as the generator reads it: the handbook folder and the generator's own settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .site_config import read_site_config


def read_config(config_file: Path) -> dict[str, Any]:
    """The project's mkdocs.yml as a plain mapping (it must not use Python-object YAML tags), read by the source
    reader and checked (site_config.py): a problem names mkdocs.yml and the line."""
    return read_site_config(Path(config_file)).data


def handbook_settings(config: dict[str, Any]) -> dict[str, Any]:
    """`extra.handbook` of mkdocs.yml (empty when absent)."""
    return ((config.get("extra") or {}).get("handbook") or {})


def handbook_dir(config_file: Path, config: dict[str, Any]) -> Path:
    source = handbook_settings(config).get("source", "handbook")
    return (Path(config_file).parent / source).resolve()
