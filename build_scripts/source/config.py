"""The site's mkdocs.yml as the generator reads it: the handbook folder and the generator's own settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .reading import Problem, SourceError


def read_config(config_file: Path) -> dict[str, Any]:
    """The project's mkdocs.yml as a plain mapping (it must not use Python-object YAML tags)."""
    try:
        data = yaml.safe_load(Path(config_file).read_text(encoding="utf-8")) or {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SourceError([Problem(Path(config_file).name, f"YAML syntax error: {exc.problem}", line)]) from None
    return data


def handbook_settings(config: dict[str, Any]) -> dict[str, Any]:
    """`extra.handbook` of mkdocs.yml (empty when absent)."""
    return ((config.get("extra") or {}).get("handbook") or {})


def handbook_dir(config_file: Path, config: dict[str, Any]) -> Path:
    source = handbook_settings(config).get("source", "handbook")
    return (Path(config_file).parent / source).resolve()
