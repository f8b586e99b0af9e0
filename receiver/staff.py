"""The staff pages (en/es): sign in, who has signed per school and grade, who has not, search, one record, export,
the audit log. Server-rendered HTML with the receiver's own stylesheet: no script, no request elsewhere."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from . import i18n, store
from .clients import client_key

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
LANG_COOKIE = "receiver_lang"


def page_language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in i18n.LANGUAGES else i18n.from_accept_language(request.headers.get("accept-language"))


def csrf_token(request: Request) -> str:
    """The session's anti-forgery token, put in every form the pages send and checked on every POST."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def csrf_ok(request: Request, form: Any) -> bool:
    expected = request.session.get("csrf")
    sent = form.get("csrf")
    return bool(expected) and isinstance(sent, str) and secrets.compare_digest(expected, sent)


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    lang = page_language(request)
    t = i18n.strings(lang)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    other = t["other_language_code"]
    context.update(t=t, lang=lang, staff=request.session.get("staff"), csrf=csrf_token(request),
                   other_language_url=f"/staff/language/{other}?{urlencode({'next': here})}")
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def signed_in(request: Request) -> str | None:
    return request.session.get("staff")


def to_login() -> Response:
    return RedirectResponse("/staff/login", status_code=303)


async def login_page(request: Request) -> Response:
    if signed_in(request):
        return RedirectResponse("/staff/", status_code=303)
    return render(request, "login.html")


async def login(request: Request) -> Response:
    receiver = request.app.state.receiver
    form = await request.form()
    t = i18n.strings(page_language(request))
    if not await csrf_ok(request, form):
        return render(request, "login.html", 403, error=t["login_csrf"])
    if receiver.over_limit(receiver.login_limit, "login", client_key(request)):
        return render(request, "login.html", 429, error=t["rate_limited"])
    name, password = str(form.get("name") or "")[:100], str(form.get("password") or "")[:1000]
    if not await run_in_threadpool(store.check_staff, receiver.engine, name, password):
        await run_in_threadpool(store.audit, receiver.engine, name or "?", "sign_in_failed", "staff pages")
        return render(request, "login.html", 401, error=t["login_failed"], name=name)
    # A fresh session (and token) on sign-in: a token planted before it is worth nothing after.
    request.session.clear()
    request.session["staff"] = name
    request.session["csrf"] = secrets.token_urlsafe(32)
    await run_in_threadpool(store.audit, receiver.engine, name, "sign_in", "staff pages")
    return RedirectResponse("/staff/", status_code=303)


async def logout(request: Request) -> Response:
    receiver = request.app.state.receiver
    form = await request.form()
    name = signed_in(request)
    if not await csrf_ok(request, form):
        return render(request, "login.html", 403, error=i18n.strings(page_language(request))["login_csrf"])
    if name:
        await run_in_threadpool(store.audit, receiver.engine, name, "sign_out", "staff pages")
    request.session.clear()
    return to_login()


async def choose_language(request: Request) -> Response:
    code = request.path_params["code"]
    target = request.query_params.get("next", "/staff/")
    if not target.startswith("/staff") or target.startswith("//"):
        target = "/staff/"
    response = RedirectResponse(target, status_code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="strict", httponly=True)
    return response


async def overview(request: Request) -> Response:
    if not signed_in(request):
        return to_login()
    receiver = request.app.state.receiver
    editions = await run_in_threadpool(store.editions, receiver.engine)
    edition = request.query_params.get("edition") or receiver.settings.edition or (editions[0] if editions else "")
    groups = await run_in_threadpool(store.overview, receiver.engine, edition) if edition else []
    total = store.GroupCount("", "", sum(g.on_roster for g in groups), sum(g.signed for g in groups),
                             sum(g.not_on_roster for g in groups))
    return render(request, "overview.html", editions=editions, edition=edition, groups=groups, total=total,
                  missing_url=lambda g: "/staff/missing?" + urlencode({"edition": edition, "school": g.school,
                                                                       "grade": g.grade}),
                  export_url="/api/acknowledgements.csv?" + urlencode({"edition": edition}) if edition else
                  "/api/acknowledgements.csv")


async def missing(request: Request) -> Response:
    if not signed_in(request):
        return to_login()
    receiver = request.app.state.receiver
    q = request.query_params
    edition, school, grade = q.get("edition", ""), q.get("school", ""), q.get("grade", "")
    students = await run_in_threadpool(store.not_signed, receiver.engine, edition, school, grade)
    return render(request, "missing.html", edition=edition, school=school, grade=grade, students=students)


async def search(request: Request) -> Response:
    if not signed_in(request):
        return to_login()
    receiver = request.app.state.receiver
    query = request.query_params.get("q", "")
    results = await run_in_threadpool(store.search, receiver.engine, query) if query.strip() else []
    return render(request, "search.html", q=query, results=results, school_of=store.school_of)


async def record(request: Request) -> Response:
    if not signed_in(request):
        return to_login()
    receiver = request.app.state.receiver
    row = await run_in_threadpool(store.record_by_receipt, receiver.engine, request.path_params["receipt"])
    if row is None:
        return render(request, "message.html", 404, message=i18n.strings(page_language(request))["err_not_found"])
    data = json.loads(row.record_json)
    return render(request, "record.html", row=row, statements=data.get("statements", []))


async def audit_log(request: Request) -> Response:
    if not signed_in(request):
        return to_login()
    receiver = request.app.state.receiver
    events = await run_in_threadpool(store.audit_events, receiver.engine)
    return render(request, "audit.html", events=events)


def routes() -> list[Route]:
    return [
        Route("/staff/", overview, methods=["GET"]),
        Route("/staff/login", login_page, methods=["GET"]),
        Route("/staff/login", login, methods=["POST"]),
        Route("/staff/logout", logout, methods=["POST"]),
        Route("/staff/language/{code}", choose_language, methods=["GET"]),
        Route("/staff/missing", missing, methods=["GET"]),
        Route("/staff/search", search, methods=["GET"]),
        Route("/staff/records/{receipt}", record, methods=["GET"]),
        Route("/staff/audit", audit_log, methods=["GET"]),
    ]
