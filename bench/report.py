"""The benchmark's targets (issue "In-page calculators" and "Quality gates") and its printed table."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Target:
    mode: str
    name: str
    goal: str
    value: str
    met: bool | None  # None: not measured

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x:.0f} ms"


def median_cold_bytes(series: dict[str, Any]) -> int | None:
    """Everything the server sent during the median cold visit (all files, not only the runtime's)."""
    sent = sorted(v["bytes_total"] for v in series["cold"])
    return sent[len(sent) // 2] if sent else None


def median_visit(visits: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The visit with the median ready time (its per-file bytes are the ones shown)."""
    done = sorted((v for v in visits if v["ready_ms"] is not None), key=lambda v: v["ready_ms"])
    return done[len(done) // 2] if done else None


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    targets: list[Target] = []
    for mode, data in results.get("modes", {}).items():
        ready = data["ready"]
        site, stock = ready["site"], ready["stock"]

        def compare(name: str, goal: str, mine: float | None, limit: float | None) -> None:
            met = None if mine is None or limit is None else mine <= limit
            targets.append(Target(mode, name, goal, f"{_ms(mine)} vs limit {_ms(limit)}", met))

        def times(x: float | None, factor: float) -> float | None:
            return None if x is None else factor * x

        if mode == "phone":  # issue 13: over a phone's link, bytes are the cost
            compare("cold ready", "<= 0.65 x stock cold", site["cold_median_ms"], times(stock["cold_median_ms"], 0.65))
            # issue 24: the second visit
            compare("second visit 5 s later", "<= 0.5 x stock's", site.get("warm_5s_median_ms"),
                    times(stock.get("warm_5s_median_ms"), 0.5))
            compare("visit once the snapshot is kept", "<= 0.5 x stock's", site.get("kept_median_ms"),
                    times(stock.get("kept_median_ms"), 0.5))
            compare("second visit 1 s later", "<= 0.5 x stock's", site["warm_median_ms"],
                    times(stock["warm_median_ms"], 0.5))
            sent = median_cold_bytes(site)
            targets.append(Target(mode, "bytes sent, first visit to a calculator page", "<= 4.5 MB",
                                  "-" if sent is None else f"{sent / 1e6:.2f} MB", None if sent is None else sent <= 4.5e6))
            continue
        compare("warm ready", "<= 0.5 x stock warm", site["warm_median_ms"], times(stock["warm_median_ms"], 0.5))
        compare("cold ready", "<= 0.5 x stock cold", site["cold_median_ms"], times(stock["cold_median_ms"], 0.5))
        compare("one calculation (median)", "<= 50 ms", site["calculation_median_ms"], 50.0)
        text = data.get("text_pages", {})
        worst = max((p["runtime_bytes"] + p["runtime_requests"] for p in text.values()), default=None)
        targets.append(Target(mode, "Pyodide bytes on text pages", "0 (no request)",
                              "-" if worst is None else f"{sum(p['runtime_bytes'] for p in text.values())} bytes, "
                              f"{sum(p['runtime_requests'] for p in text.values())} requests over {len(text)} pages",
                              None if worst is None else worst == 0))
        lh = data.get("lighthouse")
        if lh:
            perf = lh["text_page"]["scores"]["performance"]
            targets.append(Target(mode, "Lighthouse performance, text page", ">= 95", str(perf), perf >= 95))
            for category in ("accessibility", "best-practices"):
                for page in ("text_page", "calculator_page"):
                    score = lh[page]["scores"][category]
                    targets.append(Target(mode, f"Lighthouse {category}, {page.replace('_', ' ')}", "100",
                                          str(score), score == 100))
    return [t.to_dict() for t in targets]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


VISITS = {"cold": "first visit", "warm": "second, 1 s later", "warm_5s": "second, 5 s later",
          "kept": "once the snapshot is kept"}


def format_table(results: dict[str, Any]) -> str:
    out = []
    meta = results.get("meta", {})
    out.append(f"{meta.get('date', '')}  {meta.get('machine', '')}  Chromium {meta.get('chromium', '?')}  "
               f"Node {meta.get('node') or '-'}  runs: {meta.get('runs')}  load average at start/end: "
               f"{meta.get('load_average_at_start')} / {meta.get('load_average_at_end')}  "
               f"service worker: {'yes' if meta.get('service_worker') else 'no'}")
    rows = [["mode", "subject", "cold ready (median)", "warm ready (median)", "start", "cold bytes (runtime)",
             "one calculation (median / max)"]]
    for mode, data in results.get("modes", {}).items():
        for name, s in data["ready"].items():
            cold_bytes = sorted(v["bytes_runtime"] for v in s["cold"])
            calc = (f"{_ms(s['calculation_median_ms'])} / {_ms(s['calculation_max_ms'])}"
                    if s["calculation_median_ms"] is not None else "")
            rows.append([mode, name, _ms(s["cold_median_ms"]), _ms(s["warm_median_ms"]), ",".join(s["start"]) or "-",
                         f"{cold_bytes[len(cold_bytes) // 2] / 1e6:.1f} MB" if cold_bytes else "-", calc])
    out += ["", _table(rows)]
    for mode, data in results.get("modes", {}).items():
        if mode != "phone":
            continue
        rows = [["phone link", "subject", "visit", "ready", "sent", "by file (KB)"]]
        for name, s in data["ready"].items():
            for kind in ("cold", "warm", "warm_5s", "kept"):
                v = median_visit(s.get(kind, []))
                if v:
                    files = ", ".join(f"{k} {b / 1e3:.0f}" for k, b in v.get("files", {}).items() if b >= 1000)
                    rows.append([mode, name, VISITS[kind], _ms(v["ready_ms"]), f"{v['bytes_total'] / 1e6:.2f} MB",
                                 files])
        out += ["", _table(rows)]
    lh_rows = [["mode", "page", "performance", "accessibility", "best-practices", "FCP", "LCP", "TBT", "lost points"]]
    for mode, data in results.get("modes", {}).items():
        for page, r in (data.get("lighthouse") or {}).items():
            m = r["metrics"]
            lost = "; ".join(f"{c}: {', '.join(x.split(' (')[0] for x in a)}" for c, a in r["lost_points"].items())
            lh_rows.append([mode, r["url"].split("/", 3)[-1], f"{r['scores']['performance']} {r['runs'] and [x['performance'] for x in r['runs']]}",
                            str(r["scores"]["accessibility"]), str(r["scores"]["best-practices"]),
                            _ms(m["first-contentful-paint"]), _ms(m["largest-contentful-paint"]),
                            _ms(m["total-blocking-time"]), lost])
    if len(lh_rows) > 1:
        out += ["", _table(lh_rows)]
    if "build" in results or "pdf" in results:
        build, pdf = results.get("build", {}), results.get("pdf", {})
        out += ["", f"Site build (no PDFs): {build.get('site_s', '-')} s; start-up snapshot made by Node in "
                    f"{build.get('snapshot_s', '-')} s; both PDFs: {pdf.get('wall_s', pdf.get('error', '-'))} s "
                    f"(printed: {pdf.get('printed_s', '-')} s)"]
    files = results.get("runtime_files")
    if files:
        out.append("Runtime files: " + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in files.items()))
    targets = results.get("targets", [])
    if targets:
        rows = [["mode", "target", "goal", "measured", "met"]]
        rows += [[t["mode"], t["name"], t["goal"], t["value"], {True: "yes", False: "NO", None: "-"}[t["met"]]]
                 for t in targets]
        out += ["", _table(rows)]
    return "\n".join(out)
