"""The staff pages (en/es): sign in, who has signed per school and grade, who has not, search, one record, export,
the audit log. Server-rendered HTML with the receiver's own stylesheet: no script, no request elsewhere."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from . import i18n, sessions, store
from .access import check_sign_in, signed_in_staff

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def _settings(request: Request) -> Any:
    return request.app.state.receiver.settings


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    """Every cookie: HttpOnly, SameSite=Strict, path /, Secure (and __Host-) unless --insecure-cookies."""
    settings = _settings(request)
    response.set_cookie(settings.cookie_name(name), value, max_age=max_age, path="/", secure=settings.secure_cookies,
                        httponly=True, samesite="strict")


def page_language(request: Request) -> str:
    chosen = request.cookies.get(_settings(request).cookie_name("lang"))
    return chosen if chosen in i18n.LANGUAGES else i18n.from_accept_language(request.headers.get("accept-language"))


def login_token(request: Request) -> tuple[str, bool]:
    """The sign-in form's anti-forgery token (from its signed cookie), and whether it is new (to be set)."""
    token = sessions.login_token_from_cookie(_settings(request).session_secret,
                                             request.cookies.get(_settings(request).cookie_name("login")))
    return (token, False) if token else (secrets.token_urlsafe(32), True)


async def csrf_ok(request: Request, form: Any, signed_in: sessions.SignedIn | None) -> bool:
    """The form's token must be the session's (signed in) or the signed sign-in cookie's (before)."""
    expected = signed_in.csrf if signed_in else sessions.login_token_from_cookie(
        _settings(request).session_secret, request.cookies.get(_settings(request).cookie_name("login")))
    sent = form.get("csrf")
    return bool(expected) and isinstance(sent, str) and secrets.compare_digest(expected, sent)


def render(request: Request, template: str, signed_in: sessions.SignedIn | None, status: int = 200,
           **context: Any) -> Response:
    lang = page_language(request)
    t = i18n.strings(lang)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    other = t["other_language_code"]
    token, new_token = (signed_in.csrf, False) if signed_in else login_token(request)
    context.update(t=t, lang=lang, staff=signed_in.name if signed_in else None, csrf=token,
                   other_language_url=f"/staff/language/{other}?{urlencode({'next': here})}")
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    if new_token:
        set_cookie(response, request, "login", sessions.login_serializer(_settings(request).session_secret).dumps(token),
                   sessions.LOGIN_TOKEN_AGE)
    return response


def to_login() -> Response:
    return RedirectResponse("/staff/login", status_code=303)


async def login_page(request: Request) -> Response:
    signed_in = await signed_in_staff(request)
    if signed_in:
        return RedirectResponse("/staff/", status_code=303)
    return render(request, "login.html", None)


async def login(request: Request) -> Response:
    receiver = request.app.state.receiver
    settings = receiver.settings
    form = await request.form()
    t = i18n.strings(page_language(request))
    if not await csrf_ok(request, form, None):
        return render(request, "login.html", None, 403, error=t["login_csrf"])
    name, password = str(form.get("name") or "")[:100], str(form.get("password") or "")
    staff_id = await check_sign_in(request, name, password, via="staff_pages")
    if staff_id == "limited":
        return render(request, "login.html", None, 429, error=t["rate_limited"])
    if staff_id is None:
        return render(request, "login.html", None, 401, error=t["login_failed"], name=name)
    # A new session, its own token: nothing planted before the sign-in is worth anything after it.
    hours = timedelta(hours=settings.session_hours)
    await run_in_threadpool(sessions.end_expired, receiver.engine, hours)
    started = await run_in_threadpool(sessions.start, receiver.engine, settings.session_secret, staff_id, name)
    await run_in_threadpool(store.audit, receiver.engine, name, "sign_in", via="staff_pages")
    response = RedirectResponse("/staff/", status_code=303)
    set_cookie(response, request, "session", started.token, settings.session_hours * 3600)
    response.delete_cookie(settings.cookie_name("login"), path="/", secure=settings.secure_cookies, httponly=True,
                           samesite="strict")
    return response


async def logout(request: Request) -> Response:
    receiver = request.app.state.receiver
    settings = receiver.settings
    form = await request.form()
    signed_in = await signed_in_staff(request)
    if not await csrf_ok(request, form, signed_in):
        return render(request, "login.html", signed_in, 403, error=i18n.strings(page_language(request))["login_csrf"])
    if signed_in:
        # The row goes: a copy of the cookie saved before this is worth nothing from now on.
        await run_in_threadpool(sessions.end, receiver.engine, settings.session_secret, signed_in.token)
        await run_in_threadpool(store.audit, receiver.engine, signed_in.name, "sign_out", via="staff_pages")
    response = to_login()
    response.delete_cookie(settings.cookie_name("session"), path="/", secure=settings.secure_cookies, httponly=True,
                           samesite="strict")
    return response


async def choose_language(request: Request) -> Response:
    code = request.path_params["code"]
    target = request.query_params.get("next", "/staff/")
    if not target.startswith("/staff") or target.startswith("//"):
        target = "/staff/"
    response = RedirectResponse(target, status_code=303)
    if code in i18n.LANGUAGES:
        set_cookie(response, request, "lang", code, 365 * 86400)
    return response


async def overview(request: Request) -> Response:
    signed_in = await signed_in_staff(request)
    if not signed_in:
        return to_login()
    receiver = request.app.state.receiver
    settings = receiver.settings
    editions = await run_in_threadpool(store.editions, receiver.engine)
    published = list(dict.fromkeys(p.school_years for p in settings.publications))
    editions = published + [e for e in editions if e not in published]
    edition = request.query_params.get("edition") or settings.edition or (editions[0] if editions else "")
    groups = await run_in_threadpool(store.overview, receiver.engine, edition) if edition else []
    total = store.GroupCount("", "", sum(g.on_roster for g in groups), sum(g.signed for g in groups),
                             sum(g.not_on_roster for g in groups))
    return render(request, "overview.html", signed_in, editions=editions, edition=edition, groups=groups,
                  total=total,
                  missing_url=lambda g: "/staff/missing?" + urlencode({"edition": edition, "school": g.school,
                                                                       "grade": g.grade}),
                  export_url="/api/acknowledgements.csv?" + urlencode({"edition": edition}) if edition else
                  "/api/acknowledgements.csv")


async def missing(request: Request) -> Response:
    signed_in = await signed_in_staff(request)
    if not signed_in:
        return to_login()
    receiver = request.app.state.receiver
    q = request.query_params
    edition, school, grade = q.get("edition", ""), q.get("school", ""), q.get("grade", "")
    students = await run_in_threadpool(store.not_signed, receiver.engine, edition, school, grade)
    await run_in_threadpool(store.audit, receiver.engine, signed_in.name, "roster_view", edition=edition,
                            school=school, grade=grade, students=len(students))
    return render(request, "missing.html", signed_in, edition=edition, school=school, grade=grade, students=students)


async def search_page(request: Request) -> Response:
    signed_in = await signed_in_staff(request)
    if not signed_in:
        return to_login()
    return render(request, "search.html", signed_in, q="", results=[], school_of=store.school_of)


async def search(request: Request) -> Response:
    """A POST (with the session's token): a student's name never travels in a URL, where proxies log it."""
    signed_in = await signed_in_staff(request)
    if not signed_in:
        return to_login()
    receiver = request.app.state.receiver
    form = await request.form()
    if not await csrf_ok(request, form, signed_in):
        return render(request, "message.html", signed_in, 403,
                      message=i18n.strings(page_language(request))["login_csrf"])
    query = str(form.get("q") or "")[:100]
    results = await run_in_threadpool(store.search, receiver.engine, query) if query.strip() else []
    # The query's length only: the audit log must not become a list of students' names.
    await run_in_threadpool(store.audit, receiver.engine, signed_in.name, "search",
                            characters=len(query.strip()), records=len(results))
    return render(request, "search.html", signed_in, q=query, results=results, school_of=store.school_of)


async def record(request: Request) -> Response:
    signed_in = await signed_in_staff(request)
    if not signed_in:
        return to_login()
    receiver = request.app.state.receiver
    receipt = request.path_params["receipt"][:16]
    row = await run_in_threadpool(store.record_by_receipt, receiver.engine, receipt)
    if row is None:
        return render(request, "message.html", signed_in, 404,
                      message=i18n.strings(page_language(request))["err_not_found"])
    await run_in_threadpool(store.audit, receiver.engine, signed_in.name, "record_view", receipt=row.receipt,
                            student_id=row.student_id or "")
    data = json.loads(row.record_json)
    return render(request, "record.html", signed_in, row=row, statements=data.get("statements", []))


async def audit_log(request: Request) -> Response:
    signed_in = await signed_in_staff(request)
    if not signed_in:
        return to_login()
    receiver = request.app.state.receiver
    raw = request.query_params.get("page", "1")
    page = await run_in_threadpool(store.audit_events, receiver.engine, int(raw) if raw.isdigit() and len(raw) < 9 else 1)
    return render(request, "audit.html", signed_in, page=page, detail_of=store.audit_detail)


def routes() -> list[Route]:
    return [
        Route("/staff/", overview, methods=["GET"]),
        Route("/staff/login", login_page, methods=["GET"]),
        Route("/staff/login", login, methods=["POST"]),
        Route("/staff/logout", logout, methods=["POST"]),
        Route("/staff/language/{code}", choose_language, methods=["GET"]),
        Route("/staff/missing", missing, methods=["GET"]),
        Route("/staff/search", search_page, methods=["GET"]),
        Route("/staff/search", search, methods=["POST"]),
        Route("/staff/records/{receipt}", record, methods=["GET"]),
        Route("/staff/audit", audit_log, methods=["GET"]),
    ]
