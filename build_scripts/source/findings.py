"""Consistency-report findings: places where the handbook disagrees with itself (warnings, never errors)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Finding:
    topic: str  # a Topic's id
    message: str
    places: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Topic:
    """A heading of the report. `rank` orders the report whichever part contributes the topic."""

    id: str
    heading: str  # in English for the terminal (the site translates it: report_topic_<id> in site_templates/i18n)
    rank: int
