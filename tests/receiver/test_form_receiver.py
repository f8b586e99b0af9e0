"""The Sign-Off form end to end against a running receiver (SQLite and PostgreSQL), in Chromium, in both languages:
the receipt shown is the stored record's and the staff pages find it; a lost answer is retried with the same
record_id and stored once; with the receiver down the answers stay, and the retry later sends the same record_id."""

from __future__ import annotations

import dataclasses
import html
import json
from typing import Iterator

import pytest

from build_scripts.parts.form import ENDPOINT_ENV
from build_scripts.outputs.site import build_site
from receiver import i18n, store
from receiver.db import make_engine
from receiver.publications import from_site

from ..browser import free_port, project_copy, serve_site
from ..test_form import SCHOOLS_YML, _fill, _open
from .conftest import settings_for
from .support import good_record, query_rows, serve_receiver

LANGS = ["en", "es"]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def form_site(tmp_path_factory) -> Iterator[tuple[str, int, tuple]]:
    """The handbook's site (no PDFs) with the form posting to a receiver port on 127.0.0.1; yields (site URL, port)."""
    port = free_port()
    dest = tmp_path_factory.mktemp("form-receiver")
    config = project_copy(dest, {}, {"data/schools.yml": SCHOOLS_YML})
    # As `ACKNOWLEDGEMENT_ENDPOINT=... make serve` does: the endpoint from the environment, mkdocs.yml untouched;
    # the pages' Content-Security-Policy must then allow it too, or Chromium blocks the form's POST.
    with pytest.MonkeyPatch.context() as env:
        env.setenv(ENDPOINT_ENV, f"http://127.0.0.1:{port}/api/acknowledgements")
        site = build_site(config, site_dir=dest / "site", work_dir=dest / "work", with_pdf=False).site_dir
    page = html.unescape((site / "en" / "acknowledgement" / "index.html").read_text(encoding="utf-8"))
    assert f'data-endpoint="http://127.0.0.1:{port}/api/acknowledgements"' in page
    assert f"connect-src 'self' http://127.0.0.1:{port}" in page
    with serve_site(site) as url:
        yield url, port, from_site(site)


@pytest.fixture
def receiver_for_form(form_site, db_url):
    url, port, published = form_site
    # What the built site publishes: the receiver refuses any other edition, text or set of statements.
    settings = settings_for(db_url, allowed_origins=(url.rstrip("/"),), publications=published)
    engine = make_engine(db_url)
    yield settings, port
    engine.dispose()


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.posted = []  # the record_id of every POST the form makes
    page.on("request", lambda r: page.posted.append(json.loads(r.post_data)["record_id"])
            if r.method == "POST" and r.url.endswith("/api/acknowledgements") else None)
    yield page
    context.close()


def stored_rows(db_url: str) -> list[tuple]:
    return query_rows(db_url, "SELECT receipt, record_id, language, student_name FROM acknowledgements")


def receipt_shown(tab, timeout: float = 20_000) -> str:
    """Waits for the confirmation (the receiver's answer) and gives the receipt it shows."""
    tab.wait_for_selector("#ack-confirmation:not([hidden])", timeout=timeout)
    return tab.locator("#ack-confirmation [data-slot=receipt]").inner_text()


@pytest.mark.parametrize("lang", LANGS)
def test_signed_form_is_stored_shown_with_its_receipt_and_found_by_staff(tab, form_site, receiver_for_form, db_url, lang):
    url, _, _ = form_site
    settings, port = receiver_for_form
    with serve_receiver(settings, port) as served:
        store.add_staff(served.app.state.receiver.engine, "office", PASSWORD)
        strings = _open(tab, url, lang)
        fingerprint = tab.get_attribute("#ack-form", "data-fingerprint")
        _fill(tab, school="river-high")
        tab.click("#ack-submit")
        receipt = receipt_shown(tab)
        assert strings["confirmation_sent"] in tab.inner_text("#ack-confirmation")
        rows = stored_rows(db_url)
        assert rows == [(receipt, tab.posted[0], lang, "Ana María López")]
        # The school's side: the staff pages, in the same browser.
        tab.goto(served.url + "/staff/login")
        tab.fill("#name", "office")
        tab.fill("#password", PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_selector("h1")
        assert "river-high" in tab.inner_text("main")
        tab.goto(served.url + "/staff/search")
        tab.fill("#q", "López")
        tab.click("form[role=search] button[type=submit]")  # a POST: the name is not in any URL
        assert "López" not in tab.url
        tab.click(f"a:has-text('{receipt}')")
        assert receipt in tab.inner_text("h1")
        assert tab.locator(".fingerprint").inner_text() == fingerprint and len(fingerprint) == 64
    assert tab.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_lost_answer_is_retried_with_the_same_record_id_and_stored_once(tab, form_site, receiver_for_form, db_url, lang):
    url, _, _ = form_site
    settings, port = receiver_for_form
    lost = []

    def lose_the_first_answer(route) -> None:
        if route.request.method == "POST" and not lost:
            route.fetch()  # the receiver gets the record and stores it...
            lost.append(True)
            route.abort("connectionreset")  # ...and its answer never reaches the browser
        else:
            route.continue_()

    with serve_receiver(settings, port):
        tab.route(f"http://127.0.0.1:{port}/api/acknowledgements", lose_the_first_answer)
        _open(tab, url, lang)
        _fill(tab, school="river-high")
        tab.click("#ack-submit")
        receipt = receipt_shown(tab)
    assert lost and len(tab.posted) == 2 and len(set(tab.posted)) == 1  # sent again by itself, same record_id
    assert stored_rows(db_url) == [(receipt, tab.posted[0], lang, "Ana María López")]
    assert tab.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_busy_receiver_is_waited_out_and_the_same_record_sent_again(tab, form_site, receiver_for_form, db_url, lang):
    """Sign-off night: a 429 never loses a signature; the form waits as Retry-After says and resends the record."""
    url, _, _ = form_site
    settings, port = receiver_for_form
    with serve_receiver(dataclasses.replace(settings, rate_limit="1/2 seconds"), port) as served:
        _open(tab, url, lang)
        _fill(tab, school="river-high")
        with served.client() as other:  # another family behind the same address takes the one slot
            record = good_record(lang, n=9)
            record["handbook"] = json.loads(tab.evaluate(
                "JSON.stringify({title: ack('data-edition-title'), district: ack('data-edition-district'), "
                "school_years: ack('data-school-years'), language: ack('data-lang'), "
                "fingerprint: ack('data-fingerprint')})".replace(
                    "ack(", "document.getElementById('ack-form').getAttribute(")))
            assert other.post("/api/acknowledgements", json=record).status_code == 201
        answers: list[int] = []
        tab.on("response", lambda r: answers.append(r.status) if r.url.endswith("/api/acknowledgements") else None)
        tab.click("#ack-submit")
        receipt = receipt_shown(tab)
    assert answers[0] == 429 and answers[-1] == 201 and len(set(tab.posted)) == 1
    assert (receipt, tab.posted[0], lang, "Ana María López") in stored_rows(db_url)
    assert tab.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_conflict_tells_the_family_what_to_do_and_the_resend_is_a_new_record(tab, form_site, receiver_for_form,
                                                                              db_url, lang):
    url, _, _ = form_site
    settings, port = receiver_for_form
    first_version = []

    def store_another_version_first(route) -> None:
        if route.request.method == "POST" and not first_version:
            record = json.loads(route.request.post_data)
            record["parent"]["name"] = record["statements"][1]["typed_signature"] = "Otra Persona"
            first_version.append(route.fetch(post_data=json.dumps(record)).json()["id"])
        route.continue_()

    with serve_receiver(settings, port):
        tab.route(f"http://127.0.0.1:{port}/api/acknowledgements", store_another_version_first)
        _open(tab, url, lang)
        _fill(tab, school="river-high")
        tab.click("#ack-submit")
        tab.wait_for_selector("#ack-send-error:not([hidden])", timeout=20_000)
        shown = tab.inner_text("#ack-send-error")
        assert first_version[0] in shown and "Ana María López" in shown  # the first record's receipt and student
        received = query_rows(db_url, "SELECT received_at FROM acknowledgements")[0][0]
        # the server's message alone: what was kept, what was not, what to do (no "check the connection")
        assert shown == i18n.text(lang, "err_conflict", received=str(received)[:10], receipt=first_version[0],
                                  student="Ana María López")
        tab.click("#ack-submit")  # what the message says to do: send again, as a new record
        receipt = receipt_shown(tab)
    assert len(tab.posted) == 2 and tab.posted[0] != tab.posted[1]
    assert sorted(r[0] for r in stored_rows(db_url)) == sorted([first_version[0], receipt])
    assert tab.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_receiver_down_keeps_the_answers_and_the_later_retry_is_the_same_record(tab, form_site, receiver_for_form,
                                                                                 db_url, lang):
    url, _, _ = form_site
    settings, port = receiver_for_form
    strings = _open(tab, url, lang)
    _fill(tab, school="north-elementary")
    tab.click("#ack-submit")  # nothing listens on the port
    tab.wait_for_selector("#ack-send-error:not([hidden])", timeout=20_000)
    assert tab.inner_text("#ack-send-error") == strings["send_failed"].format(reason=strings["send_failed_network"])
    assert tab.input_value("#ack-student-name") == "Ana María López" and tab.is_checked("#ack-parent-accept")
    with serve_receiver(settings, port):
        tab.click("#ack-submit")
        receipt = receipt_shown(tab)
        # A changed form after the receipt is another record: a new record_id.
        tab.click("#ack-edit")
        tab.fill("#ack-student-id", "S-5678")
        tab.click("#ack-submit")
        second = receipt_shown(tab)
    first_id = tab.posted[0]
    assert tab.posted[:4] == [first_id] * 4  # the first attempt, its two automatic retries, the family's retry
    assert tab.posted[4] != first_id and len(tab.posted) == 5
    assert sorted(stored_rows(db_url)) == sorted([(receipt, first_id, lang, "Ana María López"),
                                                  (second, tab.posted[4], lang, "Ana María López")])
    assert tab.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_staff_pages_pass_axe_and_their_own_policy(browser, db_url, lang):
    from ..test_quality import LIGHTHOUSE_RULES, RUN_AXE, WATCH_POLICY, WCAG_TAGS, _axe_source

    from .support import good_record

    with serve_receiver(settings_for(db_url)) as served:
        engine = served.app.state.receiver.engine
        store.add_staff(engine, "office", PASSWORD)
        store.import_roster(engine, [{"student_id": "S-00001", "name": "Ana", "school": "north-elementary",
                                      "grade": "K"}, {"student_id": "S-9", "name": "Ben", "school": "north-elementary",
                                                      "grade": "K"}])
        receipt = store.store_record(engine, good_record(lang, n=1)).receipt
        context = browser.new_context(locale=lang, extra_http_headers={"Accept-Language": lang})
        context.add_init_script(script=WATCH_POLICY)
        context.add_init_script(script=_axe_source())  # through DevTools: the pages keep their strict policy
        outside: list[str] = []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served.url)
                      else (outside.append(route.request.url), route.abort()))
        page = context.new_page()
        findings = {}
        page.goto(served.url + "/staff/login")
        findings["login"] = page.evaluate(RUN_AXE, [WCAG_TAGS, LIGHTHOUSE_RULES, None])
        page.fill("#name", "office")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("table")
        for path in ("/staff/", "/staff/search?q=Student", f"/staff/records/{receipt}", "/staff/audit",
                     "/staff/missing?edition=2024-2026&school=north-elementary&grade=K"):
            page.goto(served.url + path)
            assert page.evaluate("document.documentElement.lang") == lang
            findings[path] = page.evaluate(RUN_AXE, [WCAG_TAGS, LIGHTHOUSE_RULES, None])
            assert page.evaluate("window.__policyViolations") == [], path
        context.close()
    assert {k: v for k, v in findings.items() if v} == {}
    assert outside == []
