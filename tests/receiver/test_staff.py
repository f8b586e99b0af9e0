"""Staff pages on SQLite and PostgreSQL: sign-in (no account, wrong password, CSRF), counts per school and grade
against the roster, who has not signed, search, one record, export by session, the audit log, both languages,
nothing requested from another server."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest

from receiver import i18n, store
from receiver.db import make_engine

from .support import good_record, query_rows

PASSWORD = "correct horse battery"
ROSTER = [
    {"student_id": "S-00001", "name": "Student 1", "school": "north-elementary", "grade": "K"},
    {"student_id": "S-00002", "name": "Student 2", "school": "north-elementary", "grade": "K"},
    {"student_id": "S-00003", "name": "Zed Notyet", "school": "north-elementary", "grade": "K"},
    {"student_id": "S-00004", "name": "Student 4", "school": "north-elementary", "grade": "1"},
    {"student_id": "R-1", "name": "Rio Grande", "school": "river-high", "grade": "9"},
]


class Page(HTMLParser):
    """The parts of a page the tests look at: hidden CSRF value, every URL it would load, <html lang>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.csrf: str | None = None
        self.lang: str | None = None
        self.loads: list[str] = []
        self.labels: set[str] = set()
        self.inputs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "input" and a.get("name") == "csrf":
            self.csrf = a.get("value")
        if tag in ("link", "script", "img", "iframe") and (a.get("href") or a.get("src")):
            self.loads.append(a.get("href") or a.get("src"))
        if tag == "label":
            self.labels.add(a.get("for"))
        if tag in ("input", "select") and a.get("type") != "hidden":
            self.inputs.append(a.get("id"))


@pytest.fixture
def staffed(served, db_url):
    engine = make_engine(db_url)
    store.add_staff(engine, "alice", PASSWORD)
    store.import_roster(engine, ROSTER)
    engine.dispose()
    with served.client() as c:
        receipts = [c.post("/api/acknowledgements", json=good_record(n=n)).json()["id"] for n in (1, 2)]
        receipts.append(c.post("/api/acknowledgements", json=good_record(
            n=77, id=None, name="Walk In", school={"id": None, "name": "Escuela Central"}, grade="3")).json()["id"])
        receipts.append(c.post("/api/acknowledgements", json=good_record(
            "es", n=5, id="r-1 ", name="Rio Grande", school={"id": "river-high", "name": "River High"}, grade="9")).json()["id"])
    return served, receipts


def sign_in(c, name: str = "alice", password: str = PASSWORD):
    page = Page(c.get("/staff/login").text)
    return c.post("/staff/login", data={"csrf": page.csrf, "name": name, "password": password})


def search(c, query: str):
    """The search is a POST with the session's token: a student's name is never in a URL."""
    page = Page(c.get("/staff/search").text)
    return c.post("/staff/search", data={"csrf": page.csrf, "q": query})


def audit(db_url: str) -> list[tuple[str, str]]:
    return query_rows(db_url, "SELECT staff_name, action FROM audit_log ORDER BY id")


def test_sign_in_refuses_no_account_wrong_password_and_a_missing_or_foreign_token(staffed, db_url):
    served, _ = staffed
    with served.client() as c:
        assert c.get("/staff/").status_code == 303  # to the sign-in page
        page = Page(c.get("/staff/login").text)
        assert page.csrf and len(page.csrf) >= 32
        no_token = c.post("/staff/login", data={"name": "alice", "password": PASSWORD})
        assert no_token.status_code == 403 and i18n.text("en", "login_csrf") in no_token.text
        foreign = c.post("/staff/login", data={"csrf": "x" * 43, "name": "alice", "password": PASSWORD})
        assert foreign.status_code == 403
        with served.client() as other:  # a token from another browser's session is worth nothing here
            stolen = Page(other.get("/staff/login").text).csrf
        assert c.post("/staff/login", data={"csrf": stolen, "name": "alice", "password": PASSWORD}).status_code == 403
        wrong = sign_in(c, password="not the password")
        assert wrong.status_code == 401 and i18n.text("en", "login_failed") in wrong.text
        nobody = sign_in(c, name="mallory")
        assert nobody.status_code == 401 and i18n.text("en", "login_failed") in nobody.text
        assert c.get("/staff/").status_code == 303
        ok = sign_in(c)
        assert ok.status_code == 303 and ok.headers["location"] == "/staff/"
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/staff/").status_code == 200
        # Signing out needs the session's token too.
        assert c.post("/staff/logout", data={}).status_code == 403
        assert c.get("/staff/").status_code == 200
        token = Page(c.get("/staff/").text).csrf
        assert c.post("/staff/logout", data={"csrf": token}).status_code == 303
        assert c.get("/staff/").status_code == 303
    assert audit(db_url) == [("alice", "sign_in_failed"), ("mallory", "sign_in_failed"), ("alice", "sign_in"),
                             ("alice", "sign_out")]


def test_overview_counts_per_school_and_grade_and_lists_who_has_not_signed(staffed):
    served, _ = staffed
    groups = {(g.school, g.grade): g for g in store.overview(served.app.state.receiver.engine, "2024-2026")}
    k = groups[("north-elementary", "K")]
    assert (k.on_roster, k.signed, k.not_signed, k.not_on_roster) == (3, 2, 1, 0)
    assert (groups[("north-elementary", "1")].signed, groups[("north-elementary", "1")].not_signed) == (0, 1)
    assert groups[("river-high", "9")].signed == 1  # "r-1 " is R-1: case and spaces aside
    assert groups[("Escuela Central", "3")].not_on_roster == 1 and groups[("Escuela Central", "3")].on_roster == 0
    with served.client() as c:
        sign_in(c)
        html = c.get("/staff/").text
        assert "north-elementary" in html and "Escuela Central" in html
        link = re.search(r'href="(/staff/missing\?[^"]*grade=K)"', html).group(1).replace("&amp;", "&")
        missing = c.get(link).text
        assert "Zed Notyet" in missing and "Student 1" not in missing and "S-00003" in missing
        assert c.get("/staff/?edition=1999-2000").status_code == 200  # an edition without records: empty, no error


def test_search_record_detail_and_export_by_session(staffed, db_url):
    served, receipts = staffed
    with served.client() as c:
        sign_in(c)
        by_name = search(c, "walk").text
        assert receipts[2] in by_name and receipts[0] not in by_name
        by_id = search(c, "s-00002").text
        assert receipts[1] in by_id and receipts[0] not in by_id
        assert i18n.text("en", "search_none") in search(c, "100%_").text
        detail = c.get(f"/staff/records/{receipts[0]}").text
        assert "ab" * 32 in detail and "2024-2026" in detail and "Student Behavior Handbook" in detail
        assert c.get("/staff/records/NOPE-NOPE-NOPE").status_code == 404
        export = c.get("/api/acknowledgements.csv", params={"edition": "2024-2026"})
        assert export.status_code == 200
        assert [r["receipt"] for r in csv.DictReader(io.StringIO(export.text))] == receipts
        log = c.get("/staff/audit").text
        assert i18n.text("en", "action_export") in log and i18n.text("en", "action_sign_in") in log
    assert ("alice", "export") in audit(db_url)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_pages_in_both_languages_accessible_and_self_contained(staffed, lang):
    served, receipts = staffed
    t = i18n.strings(lang)
    with served.client(headers={"Accept-Language": lang}) as c:
        login = c.get("/staff/login")
        page = Page(login.text)
        assert page.lang == lang and t["sign_in"] in login.text
        assert set(page.inputs) <= page.labels  # every field has its label
        sign_in(c)
        for path in ("/staff/", "/staff/search?q=student", f"/staff/records/{receipts[0]}", "/staff/audit",
                     "/staff/missing?edition=2024-2026&school=north-elementary&grade=K"):
            answer = c.get(path)
            assert answer.status_code == 200, path
            page = Page(answer.text)
            assert page.lang == lang, path
            assert all(u.startswith("/") and not u.startswith("//") for u in page.loads), (path, page.loads)
            assert set(page.inputs) <= page.labels, path
            assert "default-src 'none'" in answer.headers["content-security-policy"]
            assert answer.headers["cache-control"] == "no-store"
            assert t["skip"] in answer.text and '<main id="main"' in answer.text
        # <th scope> on every table's header cells
        overview = c.get("/staff/").text
        assert overview.count("<caption>") >= 1 and "<th scope=\"col\">" in overview
        assert t["overview_heading"].format(edition="2024-2026") in overview
        # The language switch keeps the page.
        other = t["other_language_code"]
        switched = c.get(f"/staff/language/{other}", params={"next": "/staff/audit"})
        assert switched.status_code == 303 and switched.headers["location"] == "/staff/audit"
        assert Page(c.get("/staff/audit").text).lang == other
        assert c.get("/staff/language/es", params={"next": "https://evil.test/"}).headers["location"] == "/staff/"


def test_staff_strings_are_complete_in_both_languages():
    en, es = i18n.strings("en"), i18n.strings("es")
    assert set(en) == set(es)
    assert all(isinstance(v, str) and v.strip() for table in (en, es) for v in table.values())


def test_sign_in_attempts_are_rate_limited_per_client(db_url):
    from .conftest import settings_for
    from .support import serve_receiver

    with serve_receiver(settings_for(db_url, login_rate_limit="2/minute")) as served:
        store.add_staff(served.app.state.receiver.engine, "alice", PASSWORD)
        with served.client(headers={"X-Forwarded-For": "203.0.113.5"}) as c:
            assert [sign_in(c, password="guess one").status_code, sign_in(c, password="guess two").status_code] == [401, 401]
            refused = sign_in(c)  # even the right password, until the window passes
            assert refused.status_code == 429 and i18n.text("en", "rate_limited") in refused.text
            assert c.get("/api/acknowledgements.csv", auth=("alice", PASSWORD)).status_code == 401
        with served.client(headers={"X-Forwarded-For": "198.51.100.5"}) as other:
            assert sign_in(other).status_code == 303
