"""The consistency report: where the handbook disagrees with itself, found from the data by each present part
(warnings only; `check` prints them and the site publishes them as an editors' page)."""

from __future__ import annotations

from ..parts.registry import PARTS
from ..source.findings import Finding, Topic
from ..source.handbook import Handbook
from .editions import STALE, stale_translations
from .renderings import two_way_renderings

# The core's own topic: any handbook in two languages can name one thing two ways.
RENDERINGS = Topic("renderings", "English names translated two ways", 95)


def topics() -> list[Topic]:
    """The report's headings in report order, whichever parts contribute them."""
    return sorted([RENDERINGS, STALE, *(topic for part in PARTS for topic in part.topics)], key=lambda topic: topic.rank)


def consistency_report(hb: Handbook) -> list[Finding]:
    """Every place where the handbook disagrees with itself, as found from the data of the parts it has."""
    found = [finding for part in PARTS if hb.has(part.name) for finding in part.findings(hb)]
    if len(hb.languages) > 1:
        found += two_way_renderings(hb)
        found += stale_translations(hb)  # none without a previous edition
    order = {topic.id: n for n, topic in enumerate(topics())}
    return sorted(found, key=lambda finding: order.get(finding.topic, len(order)))  # stable: a part's own order


def format_report(findings: list[Finding]) -> str:
    """Plain-text report for the terminal."""
    if not findings:
        return "Consistency report: nothing found."
    lines = [f"Consistency report: {len(findings)} findings (warnings; the build goes on)"]
    for topic in topics():
        items = [f for f in findings if f.topic == topic.id]
        if items:
            lines.append(f"\n{topic.heading} ({len(items)}):")
            lines.extend(f"  - {f.message}" for f in items)
    return "\n".join(lines)
