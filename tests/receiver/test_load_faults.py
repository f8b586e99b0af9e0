"""Load and faults against `python -m receiver serve` in its own process, on 127.0.0.1, bounded in count and time:
300 records from 30 concurrent clients all acknowledged and exported; the server SIGKILLed mid-burst and restarted
(every acknowledged record there exactly once); PostgreSQL restarted under the service (503 while down)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest


from ..browser import PROJECT, free_port
from .support import ReceiverProcess, good_record, query_rows

CLIENTS = 30
STAFF = ("loadtest", "correct horse battery staple")


def add_staff(db_url: str) -> None:
    subprocess.run([sys.executable, "-m", "receiver", "add-staff", STAFF[0], "--database", db_url, "--password-stdin"],
                   input=STAFF[1] + "\n", text=True, check=True, cwd=PROJECT, capture_output=True)


def stored(db_url: str) -> list[tuple[str, str | None]]:
    return query_rows(db_url, "SELECT receipt, record_id FROM acknowledgements")


@pytest.fixture
def receiver(db_url, tmp_path):
    add_staff(db_url)  # also creates the schema, as `serve` would
    # The default limits: sign-off night's burst from one address must pass with them.
    proc = ReceiverProcess(db_url, free_port(), ("--edition", "2024-2026", "--secret-file", str(tmp_path / "secret")))
    proc.start()
    yield proc
    proc.stop()


SHARED_ADDRESS = "203.0.113.20"  # a school library's Wi-Fi: every family behind one address


def _client(i: int) -> httpx.Client:
    # All clients behind one address, as nginx passes it (X-Forwarded-For from the trusted 127.0.0.1).
    return httpx.Client(timeout=30, headers={"X-Forwarded-For": SHARED_ADDRESS, "Content-Type": "application/json"})


def test_300_records_from_one_address_and_30_concurrent_clients_are_all_acknowledged_once(receiver, db_url):
    per_client = 300 // CLIENTS
    url = receiver.url + "/api/acknowledgements"

    def client_run(i: int) -> list[tuple[int, str, float]]:
        out = []
        with _client(i) as c:
            for k in range(per_client):
                n = i * per_client + k
                t0 = time.perf_counter()
                r = c.post(url, json=good_record(n=n, record_id=str(uuid.uuid4())))
                out.append((r.status_code, r.json().get("id", ""), time.perf_counter() - t0))
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = [x for chunk in pool.map(client_run, range(CLIENTS)) for x in chunk]
    elapsed = time.perf_counter() - started
    assert [s for s, _, _ in results] == [201] * 300
    receipts = {rid for _, rid, _ in results}
    assert len(receipts) == 300
    latencies = sorted(t for _, _, t in results)
    print(f"\nload: 300 records, {CLIENTS} clients, {elapsed:.2f} s, {300 / elapsed:.0f} records/s, "
          f"p50 {latencies[149] * 1000:.0f} ms, p99 {latencies[296] * 1000:.0f} ms")
    export = httpx.get(receiver.url + "/api/acknowledgements.csv", auth=STAFF, timeout=30)
    assert export.status_code == 200
    exported = [row["receipt"] for row in csv.DictReader(io.StringIO(export.text))]
    assert sorted(exported) == sorted(receipts)
    assert len(stored(db_url)) == 300  # each stored once
    assert elapsed < 60  # within the minute the per-address limit counts


@dataclass
class Burst:
    acknowledged: dict[str, str] = field(default_factory=dict)  # record_id -> receipt, for every 2xx answer
    unanswered: dict[str, dict] = field(default_factory=dict)  # record_id -> record, sent but no answer
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def test_sigkill_mid_burst_then_restart_keeps_every_acknowledged_record_once(receiver, db_url):
    burst = Burst()
    url = receiver.url + "/api/acknowledgements"

    def client_run(i: int) -> None:
        with _client(i) as c:
            for k in range(40):
                if burst.stop.is_set():
                    return
                record = good_record(n=i * 100 + k, record_id=str(uuid.uuid4()))
                try:
                    r = c.post(url, json=record)
                except httpx.HTTPError:
                    with burst.lock:
                        burst.unanswered[record["record_id"]] = record
                    return
                with burst.lock:
                    if r.status_code in (200, 201):
                        burst.acknowledged[record["record_id"]] = r.json()["id"]
                    else:
                        burst.unanswered[record["record_id"]] = record

    threads = [threading.Thread(target=client_run, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(burst.acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.005)
    receiver.kill()  # SIGKILL: no shutdown, no flush, in the middle of requests
    burst.stop.set()
    for t in threads:
        t.join(30)
    acknowledged_before_kill = len(burst.acknowledged)
    assert acknowledged_before_kill >= 150
    rows = stored(db_url)
    by_record = {}
    for receipt, record_id in rows:
        assert record_id not in by_record, "a record stored twice"
        by_record[record_id] = receipt
    for record_id, receipt in burst.acknowledged.items():
        assert by_record.get(record_id) == receipt, "an acknowledged record is missing after the kill"
    in_doubt = len(burst.unanswered)
    stored_in_doubt = sum(1 for rid in burst.unanswered if rid in by_record)

    receiver.start()
    # The form's retry: every record without an answer is sent again with its record_id.
    with _client(0) as c:
        for record_id, record in burst.unanswered.items():
            r = c.post(url, json=record)
            assert r.status_code in (200, 201)
            assert r.status_code == (200 if record_id in by_record else 201)
            burst.acknowledged[record_id] = r.json()["id"]
    final = stored(db_url)
    assert sorted(rid for _, rid in final) == sorted(burst.acknowledged)  # each once, none lost
    assert {rid: receipt for receipt, rid in final} == burst.acknowledged
    print(f"\nSIGKILL: {acknowledged_before_kill} acknowledged before the kill, all present once; {in_doubt} sent "
          f"without an answer ({stored_in_doubt} of them had been stored), resent with their record_id: "
          f"{len(final)} rows, no duplicate")


@pytest.fixture
def postgres_only(backend) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite is embedded in the receiver: there is no database server to restart")


def test_database_restarted_under_the_service_answers_503_then_recovers(postgres_only, pg, receiver, db_url):
    url = receiver.url + "/api/acknowledgements"
    with _client(1) as c:
        assert c.post(url, json=good_record(n=1)).status_code == 201
        pg.stop("fast")
        try:
            started = time.monotonic()
            down = c.post(url, json=good_record(n=2, record_id=str(uuid.uuid4())))
            took = time.monotonic() - started
            assert down.status_code == 503, down.text
            assert down.json()["error"] == "database_unavailable" and down.headers["retry-after"]
            assert "try again" in down.json()["message"]
            assert c.get(receiver.url + "/healthz").status_code == 503
            assert took < 10, "a family waits seconds, not minutes, for the answer"
        finally:
            pg.start()
        again = good_record(n=3, record_id=str(uuid.uuid4()))
        answers = [c.post(url, json=again).status_code for _ in range(2)]
        assert answers == [201, 200]
        assert c.get(receiver.url + "/healthz").status_code == 200
    print(f"\ndatabase restart: 503 in {took * 1000:.0f} ms while down, 201 after")
    assert len(stored(db_url)) == 2
