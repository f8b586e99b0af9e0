"""Issue 21's audit findings, each tried again against a served receiver (SQLite and PostgreSQL): sessions that end,
the secret, passwords, cookies and transport, records nobody can forge, the audit of every view."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator

import httpx
import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.orm import Session

from receiver import i18n, sessions, store
from receiver.db import make_engine
from receiver.models import StaffSession
from receiver.validation import normalise_names

from ..browser import PROJECT, free_port
from .conftest import settings_for
from .support import ReceiverProcess, good_record, query_rows, serve_receiver
from .test_staff import Page, search, sign_in

PASSWORD = "correct horse battery"


def run_cli(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "receiver", *args], input=stdin, text=True, capture_output=True,
                          cwd=PROJECT, timeout=60, env=env)


def audit_rows(db_url: str) -> list[tuple[str, str, str]]:
    return query_rows(db_url, "SELECT staff_name, action, detail FROM audit_log ORDER BY id")


@pytest.fixture
def alice(served, db_url):
    engine = make_engine(db_url)
    store.add_staff(engine, "alice", PASSWORD)
    engine.dispose()
    return served


@contextmanager
def signed_in_client(served) -> Iterator[httpx.Client]:
    with served.client() as c:
        assert sign_in(c).status_code == 303
        yield c


def opens_staff_pages(served, cookies: httpx.Cookies) -> bool:
    with served.client(cookies=cookies) as c:
        page, export = c.get("/staff/"), c.get("/api/acknowledgements.csv")
    assert (page.status_code == 303) == (export.status_code == 401)
    return page.status_code == 200


# ---------------------------------------------------------------- 1. sessions kept on the server


def test_a_cookie_saved_before_sign_out_opens_nothing_after_it(alice):
    with signed_in_client(alice) as c:
        saved = httpx.Cookies(c.cookies)
        assert opens_staff_pages(alice, saved)
        csrf = Page(c.get("/staff/").text).csrf
        assert c.post("/staff/logout", data={"csrf": csrf}).status_code == 303
    assert not opens_staff_pages(alice, saved)


@pytest.mark.parametrize("how", ["new password", "disable-staff", "remove-staff"])
def test_a_new_password_or_a_disabled_or_removed_account_ends_its_sessions(alice, db_url, how):
    with signed_in_client(alice) as c:
        saved = httpx.Cookies(c.cookies)
    assert opens_staff_pages(alice, saved)
    if how == "new password":
        answer = run_cli("add-staff", "alice", "--database", db_url, "--password-stdin", stdin="a different passphrase here\n")
    else:
        answer = run_cli(how, "alice", "--database", db_url)
    assert answer.returncode == 0, answer.stderr
    assert not opens_staff_pages(alice, saved)
    with alice.client() as c:
        assert sign_in(c).status_code == 401  # the old password, or no account / a disabled one
    assert run_cli("disable-staff", "nobody", "--database", db_url).returncode == 2


def test_a_forged_or_expired_session_is_not_trusted(alice, db_url):
    name = alice.settings.cookie_name("session")
    assert not opens_staff_pages(alice, httpx.Cookies({name: "ghost-not-an-account"}))
    with signed_in_client(alice) as c:
        saved = httpx.Cookies(c.cookies)
    engine = make_engine(db_url)
    try:
        with Session(engine) as s, s.begin():  # idle for 31 minutes
            s.execute(update(StaffSession).values(last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=31)))
        assert not opens_staff_pages(alice, saved)
        with signed_in_client(alice) as c:
            saved = httpx.Cookies(c.cookies)
        with Session(engine) as s, s.begin():  # used a minute ago, but started 8 hours and a minute ago
            s.execute(update(StaffSession).values(created_at=datetime.now(timezone.utc) - timedelta(hours=8, minutes=1),
                                                  last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
        assert not opens_staff_pages(alice, saved)
        with Session(engine) as s:
            assert s.query(StaffSession).count() == 0  # the expired rows are gone
    finally:
        engine.dispose()


def test_sessions_survive_a_restart_and_the_secret_is_made_once_owner_only(db_url, tmp_path):
    secret_file = tmp_path / "secret"
    env = {k: v for k, v in os.environ.items() if k != "RECEIVER_SESSION_SECRET"}
    assert run_cli("add-staff", "alice", "--database", db_url, "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    proc = ReceiverProcess(db_url, free_port(), ("--edition", "2024-2026", "--secret-file", str(secret_file),
                                                 "--insecure-cookies"))
    proc.start()
    try:
        with httpx.Client(base_url=proc.url, timeout=30) as c:
            assert sign_in(c).status_code == 303
            saved = httpx.Cookies(c.cookies)
        proc.stop()
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600 and len(secret_file.read_text().strip()) >= 32
        first = secret_file.read_text()
        proc.start()
        assert secret_file.read_text() == first  # kept, not made again
        with httpx.Client(base_url=proc.url, timeout=30, cookies=saved) as c:
            assert c.get("/staff/").status_code == 200
    finally:
        proc.stop()
    secret_file.chmod(0o644)
    loose = run_cli("serve", "--database", db_url, "--edition", "2024-2026", "--secret-file", str(secret_file), env=env)
    assert loose.returncode == 2 and "chmod 600" in loose.stderr
    short = run_cli("serve", "--database", db_url, "--edition", "2024-2026", env={**env, "RECEIVER_SESSION_SECRET": "x"})
    assert short.returncode == 2 and "32 bytes" in short.stderr


# ---------------------------------------------------------------- 2. passwords and the sign-in limits


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "password12", " " * 10, "aaaaaaaaaaaa", "password1234",
                                  "  short   pw  ", "alice-alice-alice"])
def test_short_or_common_passwords_are_refused(weak):
    assert store.password_problem(weak, "alice")


def test_sign_in_is_limited_per_account_across_addresses_and_every_refusal_is_audited(db_url):
    with serve_receiver(settings_for(db_url, account_login_limit="4/15 minutes")) as served:
        engine = make_engine(db_url)
        store.add_staff(engine, "alice", PASSWORD)
        engine.dispose()
        for i in range(5):  # successes do not count against the account
            with served.client(headers={"X-Forwarded-For": f"192.0.2.{i + 1}"}) as c:
                assert sign_in(c).status_code == 303
        answers = []
        for i in range(6):  # six addresses, each well under its own limit
            with served.client(headers={"X-Forwarded-For": f"198.51.100.{i + 1}"}) as c:
                answers.append(sign_in(c, password="wrong guess number " + str(i)).status_code)
        assert answers == [401] * 4 + [429] * 2
        with served.client(headers={"X-Forwarded-For": "198.51.100.99"}) as c:
            assert sign_in(c).status_code == 429  # the right password too, until the window passes
            assert c.get("/api/acknowledgements.csv", auth=("alice", PASSWORD)).status_code == 401
    actions = [a for _, a, _ in audit_rows(db_url)]
    assert actions.count("sign_in_failed") == 4 and actions.count("sign_in_limited") == 4


# ---------------------------------------------------------------- 3. cookies and transport


def test_cookies_are_secure_host_only_and_hsts_is_sent_by_default(db_url):
    with serve_receiver(settings_for(db_url, secure_cookies=True)) as served, served.client() as c:
        login = c.get("/staff/login")
        assert login.headers["strict-transport-security"].startswith("max-age=")
        cookie = login.headers["set-cookie"]
        assert cookie.startswith("__Host-receiver_login=") and "Secure" in cookie and "Path=/" in cookie
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Domain" not in cookie
        language = c.get("/staff/language/es").headers["set-cookie"]
        assert language.startswith("__Host-receiver_lang=es") and "Secure" in language
    assert store.password_problem(PASSWORD) is None


def test_insecure_cookies_only_on_loopback(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    refused = run_cli("serve", "--database", url, "--edition", "2024-2026", "--host", "0.0.0.0", "--insecure-cookies")
    assert refused.returncode == 2 and "--insecure-cookies" in refused.stderr
    assert not (tmp_path / "r.sqlite3").exists()  # refused before anything was made


# ---------------------------------------------------------------- 4. records nobody can forge


def post(c: httpx.Client, record: dict) -> httpx.Response:
    return c.post("/api/acknowledgements", json=record)


def refused_field(answer: httpx.Response) -> str:
    assert answer.status_code == 422, answer.text
    return answer.json()["field"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_forged_records_are_refused_naming_the_field(served, db_url, lang):
    with served.client() as c:
        only_student = good_record(lang)
        only_student["statements"] = only_student["statements"][:1]
        answer = post(c, only_student)
        assert refused_field(answer) == "statements"
        assert answer.json()["message"] == i18n.text(lang, "err_invalid", first=i18n.text(
            lang, "err_statement_missing", field="statements", id="parent"))
        fake = good_record(lang)
        fake["handbook"]["school_years"] = "2099-2100 FAKE"
        assert refused_field(post(c, fake)) == "handbook.school_years"
        for key, value in (("fingerprint", "cd" * 32), ("title", "Another handbook"), ("district", "Other")):
            other = good_record(lang)
            other["handbook"][key] = value
            assert refused_field(post(c, other)) == f"handbook.{key}"
        for field_name in ("title", "district"):
            huge = good_record(lang)
            huge["handbook"][field_name] = "x" * 200_000
            assert refused_field(post(c, huge)) == f"handbook.{field_name}"
        for name in ("Ana\u202eairaM", "Ana\u200bMaría", "   ", "Ana\u2028María"):
            forged = good_record(lang, name=name)
            forged["statements"][0]["typed_signature"] = "Ana María"
            assert refused_field(post(c, forged)) == "student.name", repr(name)
        assert c.get("/healthz").status_code == 200
    engine = make_engine(db_url)
    assert store.count_records(engine) == 0
    engine.dispose()


def test_a_record_replayed_too_often_is_told_to_wait(db_url):
    with serve_receiver(settings_for(db_url, record_id_limit="3/minute")) as served, served.client() as c:
        record = good_record(record_id=str(uuid.uuid4()))
        answers = [post(c, record) for _ in range(4)]
        assert [a.status_code for a in answers] == [201, 200, 200, 429]
        assert int(answers[3].headers["retry-after"]) >= 1
        assert post(c, good_record(record_id=str(uuid.uuid4()))).status_code == 201  # other records go on


@hsettings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_names_kept_are_nfc_without_formatting_characters_or_refused(name):
    record = good_record(name=name)
    problems = normalise_names(record, "en")
    if any(p.field == "student.name" for p in problems):
        return
    kept = record["student"]["name"]
    assert kept and kept == kept.strip() and "  " not in kept
    assert all(ord(c) >= 32 and c not in "\u200b\u200c\u200d\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
               for c in kept)


# ---------------------------------------------------------------- 5. the audit of every view


def test_every_view_search_and_export_is_audited_without_the_query(alice, db_url):
    with alice.client() as c:
        receipt = post(c, good_record(n=3, name="Paloma Secreta")).json()["id"]
    with signed_in_client(alice) as c:
        assert c.get("/staff/search", params={"q": "Paloma"}).status_code == 200  # a GET never searches
        assert receipt in search(c, "Paloma").text
        assert c.get(f"/staff/records/{receipt}").status_code == 200
        assert c.get("/staff/missing", params={"edition": "2024-2026", "school": "north-elementary",
                                               "grade": "K"}).status_code == 200
        assert c.get("/api/acknowledgements.csv").status_code == 200
    rows = audit_rows(db_url)
    actions = [a for _, a, _ in rows]
    for action in ("sign_in", "search", "record_view", "roster_view", "export"):
        assert action in actions, action
    assert actions.count("search") == 1
    assert not any("Paloma" in detail for _, _, detail in rows)
    assert ("alice", "search", '{"characters": "6", "records": "1"}') in rows
    assert any(a == "record_view" and receipt in d for _, a, d in rows)
    with signed_in_client(alice) as c:  # shown in the reader's language
        page = c.get("/staff/audit", headers={"Accept-Language": "es"}).text
    assert f"{i18n.text('es', 'audit_receipt')}: {receipt}" in page
    assert i18n.text("es", "audit_via_staff_pages") in page and "staff pages" not in page


def test_audit_text_is_one_line_and_the_page_goes_through_all_of_it(alice, db_url):
    engine = make_engine(db_url)
    store.audit(engine, "mallory\r\n2026-01-01 admin sign_in", "sign_in_failed", via="x\ny")
    for i in range(store.AUDIT_PAGE + 5):
        store.audit(engine, "alice", "export", edition=f"entry {i}")
    stored = audit_rows(db_url)
    assert not any("\n" in n or "\r" in n or "\n" in d for n, _, d in stored)
    engine.dispose()
    with signed_in_client(alice) as c:
        first = c.get("/staff/audit").text
        assert "entry 0<" not in first and 'rel="next"' in first
        second = c.get("/staff/audit", params={"page": "2"}).text
        assert "entry 0<" in second and "mallory" in second and 'rel="prev"' in second
        assert c.get("/staff/audit", params={"page": "999999999999"}).status_code == 200


def test_sqlite_overwrites_what_it_deletes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_the_secret_is_checked_before_the_app_starts():
    with pytest.raises(sessions.SecretError):
        sessions.check_secret("a" * 31)
    assert sessions.check_secret("a" * 32)


def test_publications_are_read_from_the_built_sites_sign_off_forms(tmp_path):
    from receiver.publications import Publication, PublicationError, from_site

    with pytest.raises(PublicationError, match="no built site"):
        from_site(tmp_path / "nothing")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "index.html").write_text("<p>no form here</p>", encoding="utf-8")
    with pytest.raises(PublicationError, match="no Sign-Off form"):
        from_site(tmp_path)
    (tmp_path / "en" / "sign").mkdir()
    (tmp_path / "en" / "sign" / "index.html").write_text(
        '<form class="ack-form" id="ack-form" data-lang="en" data-fingerprint="' + "ef" * 32 + '" '
        'data-edition-title="A &amp; B Policy" data-edition-district="Mesa Unified" data-school-years="2030-2031">'
        '<fieldset data-statement="parent"></fieldset></form><fieldset data-statement="student"></fieldset>',
        encoding="utf-8")
    assert from_site(tmp_path) == (Publication("2030-2031", "en", "ef" * 32, "A & B Policy", "Mesa Unified",
                                               ("parent",)),)
