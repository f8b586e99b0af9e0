"""`check`: load the handbook a mkdocs.yml names, refuse it on any problem, and return its consistency report."""

from __future__ import annotations

from pathlib import Path

from ..parts.form import endpoint_setting
from ..source.config import handbook_dir, read_config
from ..source.findings import Finding
from ..source.handbook import Handbook
from ..source.reading import Problem, SourceError
from ..source.site_config import ignored_settings, read_site_config
from .checks import run_checks
from .load import load_handbook
from .report import consistency_report


def load_and_check(config_file: Path) -> tuple[Handbook, list[Finding]]:
    """Load and validate; raise SourceError on anything that blocks a build; return the report's findings."""
    config = read_config(config_file)
    endpoint_setting(config, Path(config_file).name)  # a malformed acknowledgement endpoint fails `check` too
    hb = load_handbook(handbook_dir(config_file, config))
    problems = run_checks(hb)
    if problems:
        raise SourceError(problems)
    return hb, consistency_report(hb)


def settings_warnings(config_file: Path) -> list[Problem]:
    """What `check` warns about in mkdocs.yml without failing: the settings the build replaces."""
    return ignored_settings(read_site_config(Path(config_file)))
