"""The receiver's API on SQLite and on PostgreSQL: receipts, idempotent record_id, validation in the record's
language (every rule of the form's schema), body limits, CORS, rate limit, staff authentication of the CSV export,
and any JSON at all answered 2xx or 4xx (Hypothesis), never 500."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import stat
import threading
import unicodedata
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from receiver import i18n, store
from receiver.db import make_engine, normalise_url
from receiver.validation import SCHEMA_FILE

from .conftest import settings_for
from .support import good_record, query_rows, serve_receiver

LANGS = ["en", "es"]
JSON = {"Content-Type": "application/json"}


def post(client, record: Any, **headers: str):
    body = record if isinstance(record, (bytes, str)) else json.dumps(record)
    return client.post("/api/acknowledgements", content=body, headers={**JSON, **headers})


def rows(db_url: str, sql: str = "SELECT receipt, record_id FROM acknowledgements") -> list[tuple]:
    return query_rows(db_url, sql)


# ---------------------------------------------------------------- receipts and idempotency


def test_health_and_a_record_gets_a_receipt(served, db_url):
    with served.client() as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        answer = post(c, good_record())
        assert answer.status_code == 201
        receipt = answer.json()["id"]
        assert len(receipt) == 14 and receipt.count("-") == 2
        assert answer.headers["cache-control"] == "no-store"
    assert rows(db_url) == [(receipt, None)]


def test_same_record_id_again_is_stored_once_and_answers_the_first_receipt(served, db_url):
    record_id = str(uuid.uuid4())
    with served.client() as c:
        first = post(c, good_record(record_id=record_id))
        again = post(c, good_record(record_id=record_id))
        shouted = post(c, good_record(record_id=record_id.upper()))  # the same UUID, however it is spelled
        reloaded = good_record(record_id=record_id)  # a resend after a reload: a new moment, no drawing kept
        reloaded["signed_at"] = "2025-08-01T10:45:00-06:00"
        later = post(c, reloaded)
        other = post(c, good_record(record_id=str(uuid.uuid4())))
    assert first.status_code == 201 and other.status_code == 201
    assert [again.status_code, shouted.status_code, later.status_code] == [200, 200, 200]
    assert first.json() == again.json() == shouted.json() == later.json() != other.json()
    stored = rows(db_url)
    assert len(stored) == 2 and (first.json()["id"], record_id) in stored


@pytest.mark.parametrize("lang", ["en", "es"])
def test_same_record_id_with_other_answers_is_a_conflict_in_the_records_language(served, db_url, lang):
    record_id = str(uuid.uuid4())
    with served.client() as c:
        first = post(c, good_record(lang, record_id=record_id))
        edited = post(c, good_record(lang, record_id=record_id, name="Ana"))  # a correction is not a retry
    assert first.status_code == 201 and edited.status_code == 409
    body = edited.json()
    assert body["error"] == "conflict" and body["id"] == first.json()["id"]
    received = rows(db_url, "SELECT received_at FROM acknowledgements")[0][0]
    expected = i18n.text(lang, "err_conflict", received=str(received)[:10], receipt=first.json()["id"],
                         student="Student 0")
    assert body["message"] == expected
    names = rows(db_url, "SELECT student_name FROM acknowledgements ORDER BY id")
    assert names == [("Student 0",)]  # the first version is the one kept, the other was not stored


def test_records_without_record_id_are_each_stored(served, db_url):
    with served.client() as c:
        a, b = post(c, good_record()), post(c, good_record())
    assert a.status_code == b.status_code == 201 and a.json() != b.json()
    assert len(rows(db_url)) == 2


def test_racing_retries_of_one_record_make_one_row(served, db_url):
    record_id = str(uuid.uuid4())
    answers: list[Any] = []

    def send() -> None:
        with served.client() as c:
            answers.append(post(c, good_record(record_id=record_id)))

    threads = [threading.Thread(target=send) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200] * 11 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(rows(db_url)) == 1


def test_sqlite_file_is_owner_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'r.sqlite3'}"
    with serve_receiver(settings_for(url)) as s, s.client() as c:
        assert post(c, good_record()).status_code == 201
        for name in ("r.sqlite3", "r.sqlite3-wal"):
            mode = stat.S_IMODE(os.stat(tmp_path / "sub" / name).st_mode)
            assert mode == 0o600, (name, oct(mode))
        journal = rows(url, "PRAGMA journal_mode")
    assert journal == [("wal",)]


def test_database_urls():
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.sqlite3").drivername == "sqlite+pysqlite"
    for bad in ("mysql://h/db", "sqlite://", "sqlite:///:memory:", "not a url"):
        with pytest.raises(ValueError):
            normalise_url(bad)


# ---------------------------------------------------------------- validation: every rule, in the record's language


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def change(record: dict) -> None:
        *parents, last = path.split(".")
        target: Any = record
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return change


_DELETE = object()

# (what is broken, the field the answer must name, the message key it must use, the message's values)
CASES: list[tuple[Callable[[dict], None], str, str, dict[str, Any]]] = [
    (_set("parent.relationship", _DELETE), "parent.relationship", "err_required", {}),
    (_set("statements", _DELETE), "statements", "err_required", {}),
    (_set("surprise", 1), "surprise", "err_additional", {}),
    (_set("student.school.colour", "red"), "student.school.colour", "err_additional", {}),
    (_set("schema_version", 2), "schema_version", "err_const", {"value": "1"}),
    (_set("statements.0.accepted", False), "statements[0].accepted", "err_const", {"value": "true"}),
    (_set("student.grade", "13"), "student.grade", "err_enum", {"values": "PK, K, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12"}),
    (_set("parent.relationship", "uncle"), "parent.relationship", "err_enum", {"values": "mother, father, guardian, other"}),
    (_set("statements.0.id", "teacher"), "statements[0].id", "err_enum", {"values": "student, parent"}),
    (_set("handbook.fingerprint", "ABC"), "handbook.fingerprint", "err_pattern", {}),
    (_set("handbook.language", "english"), "handbook.language", "err_pattern", {}),
    (_set("student.school.id", "North School"), "student.school.id", "err_pattern", {}),
    (_set("statements.0.drawn_signature", "data:image/gif;base64,R0lG"), "statements[0].drawn_signature", "err_pattern", {}),
    (_set("date", "1 Aug 2025"), "date", "err_pattern", {}),
    (_set("signed_at", "2025-08-01 09:30"), "signed_at", "err_pattern", {}),
    (_set("record_id", "not-a-uuid"), "record_id", "err_pattern", {}),
    (_set("student.name", ""), "student.name", "err_min_length", {}),
    (_set("handbook.title", ""), "handbook.title", "err_min_length", {}),
    (_set("student.id", ""), "student.id", "err_min_length", {}),
    (_set("student.name", "x" * 101), "student.name", "err_max_length", {"n": 100}),
    (_set("student.school.name", "x" * 151), "student.school.name", "err_max_length", {"n": 150}),
    (_set("student.id", "1" * 41), "student.id", "err_max_length", {"n": 40}),
    (_set("statements", []), "statements", "err_min_items", {"n": 1}),
    (_set("student", "Ana"), "student", "err_type", {"types": ("type_object",)}),
    (_set("student.id", 42), "student.id", "err_type", {"types": ("type_string", "type_null")}),
    # What the schema's descriptions state beyond JSON Schema:
    (_set("date", "2025-02-30"), "date", "err_date", {}),
    (_set("date", "2025-08-02"), "date", "err_date_after", {}),
    (_set("statements.1.typed_signature", "Somebody Else"), "statements[1].typed_signature", "err_signature", {}),
    (_set("statements.1.id", "student"), "statements[1].id", "err_duplicate_statement", {}),
]


def expected_message(lang: str, key: str, field: str, values: dict[str, Any]) -> str:
    values = dict(values)
    if "types" in values:
        values["types"] = f" {i18n.text(lang, 'or')} ".join(i18n.text(lang, t) for t in values["types"])
    if key == "err_min_length":
        return i18n.text(lang, key, field=field)
    return i18n.text(lang, key, field=field, **values)


def test_every_schema_keyword_has_a_case():
    """When the schema grows a rule of a kind the cases do not break, this fails: add one."""
    used: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            used.update(k for k in node if k in {"required", "additionalProperties", "const", "enum", "pattern",
                                                  "minLength", "maxLength", "minItems", "type"})
            for value in node.values():
                walk(value)
    walk(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    covered = {"required", "additionalProperties", "const", "enum", "pattern", "minLength", "maxLength", "minItems",
               "type"}
    assert used <= covered


@pytest.mark.parametrize("lang", LANGS)
def test_a_bad_record_is_refused_naming_the_field_in_its_language(served, db_url, lang):
    with served.client() as c:
        for change, field, key, values in CASES:
            record = good_record(lang)
            record["record_id"] = str(uuid.uuid4())
            change(record)
            # the browser's language too: a record whose language is what is broken is answered in that one
            answer = post(c, record, **{"Accept-Language": lang})
            assert answer.status_code == 422, (field, answer.text)
            body = answer.json()
            assert body["error"] == "invalid_record"
            wanted = expected_message(lang, key, field, values)
            assert {"field": field, "message": wanted} in body["errors"], (field, body)
            assert body["message"] == i18n.text(lang, "err_invalid", first=body["errors"][0]["message"])
    assert rows(db_url) == []


def test_the_form_s_record_language_wins_over_the_browser_s(served):
    record = good_record("es")
    record["student"]["grade"] = "13"
    with served.client() as c:
        body = post(c, record, **{"Accept-Language": "en-US"}).json()
        assert body["errors"][0]["message"].endswith("debe ser uno de PK, K, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.")
        # Without a record language (not even an object), the browser's.
        assert post(c, "[1]", **{"Accept-Language": "es-MX,es;q=0.8"}).json()["errors"][0]["message"] == \
            i18n.text("es", "err_type", field="el registro", types=i18n.text("es", "type_object"))


# ---------------------------------------------------------------- bodies that are not records


@pytest.mark.parametrize("lang", LANGS)
def test_bodies_that_are_not_records_get_a_4xx_in_the_readers_language(served, db_url, lang):
    limit = served.settings.max_body_bytes
    with served.client(headers={"Accept-Language": lang}) as c:
        cases = [
            (b"{not json", 400, "not_json"),
            (b"\xff\xfe{}", 400, "not_json"),
            (b"", 400, "not_json"),
            (b'{"a": NaN}', 400, "not_json"),
            (b"[" * 5000 + b"]" * 5000, 400, "too_deep"),
            (json.dumps({"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}).encode(), 400, "too_deep"),
            (b'{"student": "a\\u0000b"}', 400, "bad_text"),
            (b'{"student": "\\ud800"}', 400, "bad_text"),
            (b"x" * (limit + 1), 413, "too_large"),
        ]
        for body, status, code in cases:
            answer = post(c, body)
            assert answer.status_code == status and answer.json()["error"] == code, (body[:30], answer.text)
            assert answer.json()["message"] in {i18n.text(lang, k, limit=limit if k == "err_too_large" else 8)
                                                 for k in ("err_not_json", "err_too_deep", "err_bad_text", "err_too_large")}
        # A large body sent in chunks without Content-Length is cut off too.
        chunks = (b"x" * 65536 for _ in range(limit // 65536 + 2))
        answer = c.post("/api/acknowledgements", content=chunks, headers=JSON)
        assert answer.status_code == 413
        answer = c.post("/api/acknowledgements", content=json.dumps(good_record()), headers={"Content-Type": "text/plain"})
        assert answer.status_code == 415 and answer.json()["message"] == i18n.text(lang, "err_content_type")
        assert c.get("/api/acknowledgements").status_code == 405
        assert c.get("/nowhere").json()["message"] == i18n.text(lang, "err_not_found")
    assert rows(db_url) == []


# ---------------------------------------------------------------- CORS and the rate limit


def test_cors_answers_the_configured_origin_only(served):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    with served.client() as c:
        ok = c.options("/api/acknowledgements", headers={"Origin": "http://site.test", **preflight})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "http://site.test"
        assert "POST" in ok.headers["access-control-allow-methods"]
        assert "content-type" in ok.headers["access-control-allow-headers"].lower()
        bad = c.options("/api/acknowledgements", headers={"Origin": "http://elsewhere.test", **preflight})
        assert bad.status_code == 400 and "access-control-allow-origin" not in bad.headers
        sent = post(c, good_record(), Origin="http://site.test")
        assert sent.headers["access-control-allow-origin"] == "http://site.test"
        foreign = post(c, good_record(), Origin="http://elsewhere.test")
        assert "access-control-allow-origin" not in foreign.headers  # the browser keeps the answer from that page


def test_rate_limit_per_client_and_no_address_is_stored(db_url):
    with serve_receiver(settings_for(db_url, rate_limit="3/minute")) as s, s.client() as c:
        one = {"X-Forwarded-For": "203.0.113.7"}  # as nginx on the same host passes the family's address
        answers = [post(c, good_record(n=i), **one) for i in range(4)]
        assert [a.status_code for a in answers] == [201, 201, 201, 429]
        assert answers[3].json()["error"] == "rate_limited" and int(answers[3].headers["retry-after"]) >= 1
        assert post(c, good_record(), **{"X-Forwarded-For": "198.51.100.9"}).status_code == 201  # another client
        es = post(c, good_record("es"), **one, **{"Accept-Language": "es"})
        assert es.status_code == 429 and es.json()["message"].startswith("Demasiados registros")
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            dump = " ".join(str(v) for table in ("acknowledgements", "audit_log", "staff", "roster")
                            for row in conn.execute(text(f"SELECT * FROM {table}")) for v in row)
    finally:
        engine.dispose()
    assert "203.0.113" not in dump and "198.51.100" not in dump and "127.0.0.1" not in dump


# ---------------------------------------------------------------- the CSV export: staff only, documented columns


def test_export_needs_a_staff_account(served, db_url):
    engine = make_engine(db_url)
    store.add_staff(engine, "alice", "correct horse battery")
    engine.dispose()
    with served.client() as c:
        receipts = [post(c, good_record(n=i, record_id=str(uuid.uuid4()))).json()["id"] for i in range(3)]
        tricky = good_record(n=9, name="=HYPERLINK(\"http://x\")")
        receipts.append(post(c, tricky).json()["id"])
        nobody = c.get("/api/acknowledgements.csv")
        assert nobody.status_code == 401 and nobody.headers["www-authenticate"].startswith("Basic")
        assert c.get("/api/acknowledgements.csv", auth=("alice", "wrong password")).status_code == 401
        assert c.get("/api/acknowledgements.csv", auth=("mallory", "correct horse battery")).status_code == 401
        assert c.get("/api/acknowledgements.csv", headers={"Authorization": "Basic !!!"}).status_code == 401
        ok = c.get("/api/acknowledgements.csv", auth=("alice", "correct horse battery"))
    assert ok.status_code == 200 and ok.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(ok.content.decode("utf-8"))))
    assert list(table[0]) == [name for name, _ in store.CSV_COLUMNS]
    assert [r["receipt"] for r in table] == receipts
    assert table[0]["student_signature"] == "STUDENT 0" and table[0]["school_id"] == "north-elementary"
    assert table[3]["student_name"].startswith("'=")  # a spreadsheet shows it, never runs it
    readme = (Path(__file__).resolve().parents[2] / "docs" / "receiver.md").read_text(encoding="utf-8")
    for name, _ in store.CSV_COLUMNS:
        assert f"`{name}`" in readme, f"docs/receiver.md does not document the CSV column {name}"
    audit = rows(db_url, "SELECT staff_name, action FROM audit_log ORDER BY id")
    assert ("alice", "export") in audit and ("alice", "sign_in_failed") in audit and ("mallory", "sign_in_failed") in audit


# ---------------------------------------------------------------- Hypothesis: whatever arrives, never a 500

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30)


@st.composite
def damaged_records(draw) -> Any:
    """A good record with one part replaced by any JSON value: reaches the checks past the top level."""
    record = good_record(draw(st.sampled_from(LANGS)))
    paths = ["student", "student.name", "student.id", "student.school", "student.school.id", "student.grade",
             "parent", "parent.name", "statements", "statements.0", "statements.0.typed_signature", "date",
             "signed_at", "handbook", "handbook.language", "record_id", "schema_version"]
    _set(draw(st.sampled_from(paths)), draw(json_values))(record)
    return record


ALLOWED = {200, 201, 400, 413, 415, 422}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(body=st.one_of(json_values, damaged_records(), st.binary(max_size=200)))
def test_any_body_gets_a_2xx_or_a_4xx_never_a_500(served, body):
    with served.client() as c:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        answer = post(c, raw)
    assert answer.status_code in ALLOWED, (raw[:200], answer.status_code, answer.text[:300])
    assert isinstance(answer.json(), dict)


def test_good_records_with_any_text_are_stored_nfc_with_spaces_collapsed(served, db_url):
    names = ["Zoë O'Brien-Núñez", "李小龍", "Ana  María", "x" * 100, "<script>alert(1)</script>", "😀 emoji",
             "Jose\u0301 Pen\u0303a"]  # decomposed accents (as some phones type them)
    with served.client() as c:
        for i, name in enumerate(names):
            record = good_record(n=i, name=name)
            record["statements"][0]["typed_signature"] = name.lower()
            assert post(c, record).status_code == 201, name
    stored = [r[0] for r in rows(db_url, "SELECT record_json FROM acknowledgements ORDER BY id")]
    kept = [" ".join(unicodedata.normalize("NFC", name).split()) for name in names]
    assert kept[2] == "Ana María" and kept[6] == "José Peña"
    assert [json.loads(s)["student"]["name"] for s in stored] == kept
    assert copy.deepcopy(json.loads(stored[0]))["handbook"]["fingerprint"] == "ab" * 32
