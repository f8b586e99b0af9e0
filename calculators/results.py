"""Small parts shared by the calculators' results, and turning any result into JSON-ready data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


def plain(value: Any) -> Any:
    """Dataclasses, tuples and lists -> dicts and lists (json.dumps-ready, equal to what json.loads gives back)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Quote:
    """A handbook sentence as printed (Markdown) and the page it is on (page id, for a link; and its title)."""

    text: str
    page: str | None = None
    page_title: str | None = None
    anchor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return plain(self)
