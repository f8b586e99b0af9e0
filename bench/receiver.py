"""The acknowledgement receiver's throughput: records per second accepted and p50/p99 latency, on SQLite and on
PostgreSQL (a cluster started here with fsync on, as in production), `python -m receiver serve` on 127.0.0.1 fed
by concurrent clients. `python -m bench.receiver` alone, or part of `make bench` (results["receiver"])."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from tests.browser import free_port
from tests.receiver.support import ReceiverProcess, good_record, postgres_bin, postgres_cluster


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _run(url: str, records: int, clients: int) -> dict[str, Any]:
    per_client = records // clients
    endpoint = url + "/api/acknowledgements"

    def client_run(i: int) -> list[tuple[int, float]]:
        out = []
        with httpx.Client(timeout=60, headers={"X-Forwarded-For": f"10.1.{i // 250}.{i % 250 + 1}"}) as c:
            for k in range(per_client):
                body = json.dumps(good_record(n=i * per_client + k, record_id=str(uuid.uuid4())))
                t0 = time.perf_counter()
                r = c.post(endpoint, content=body, headers={"Content-Type": "application/json"})
                out.append((r.status_code, time.perf_counter() - t0))
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [x for chunk in pool.map(client_run, range(clients)) for x in chunk]
    elapsed = time.perf_counter() - started
    latencies = [t for _, t in results]
    accepted = sum(1 for s, _ in results if s == 201)
    return {"records": len(results), "accepted": accepted, "clients": clients, "seconds": round(elapsed, 2),
            "records_per_s": round(accepted / elapsed, 1), "p50_ms": round(_percentile(latencies, 50) * 1000, 1),
            "p99_ms": round(_percentile(latencies, 99) * 1000, 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1)}


def _measure_one(database_url: str, records: int, clients: int) -> dict[str, Any]:
    secret = Path(tempfile.mkdtemp(prefix="receiver-bench-")) / "secret"  # the session secret, made by serve
    proc = ReceiverProcess(database_url, free_port(), ("--rate-limit", "100000/minute", "--edition", "2024-2026",
                                                       "--secret-file", str(secret)))
    proc.start()
    try:
        _run(proc.url, min(60, records), min(clients, 10))  # warm-up: connections, caches
        return _run(proc.url, records, clients)
    finally:
        proc.stop()


def measure(records: int = 600, clients: int = 20) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-receiver-") as tmp:
        print("Receiver on SQLite...", flush=True)
        results["sqlite"] = _measure_one(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", records, clients)
    if postgres_bin() is None:
        results["postgresql"] = "skipped: PostgreSQL server not installed (apt-get install postgresql)"
    else:
        print("Receiver on PostgreSQL...", flush=True)
        with postgres_cluster(fsync=True) as cluster:
            results["postgresql"] = _measure_one(cluster.create_database("bench"), records, clients)
    return results


def format_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for backend, r in results.items():
        if isinstance(r, dict):
            lines.append(f"receiver {backend:10s} {r['records_per_s']:7.1f} records/s  p50 {r['p50_ms']:6.1f} ms  "
                         f"p99 {r['p99_ms']:6.1f} ms  ({r['accepted']}/{r['records']} accepted, {r['clients']} clients)")
        else:
            lines.append(f"receiver {backend}: {r}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.receiver", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=600)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args(argv)
    results = measure(args.records, args.clients)
    print("\n".join(format_lines(results)))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
