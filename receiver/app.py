"""The receiver's ASGI app (Starlette): the form's API, the CSV export and the staff pages."""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from limits import parse as parse_limit
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import i18n, sessions, store
from .access import check_sign_in, signed_in_staff
from .clients import client_key
from .db import make_engine
from .publications import Publication
from .validation import SCHEMA_FILE, Rejection, check_record, parse_body, record_language, validator

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    # Signs the sign-in form's token and keys the stored session tokens: 32 bytes at least (serve makes one and keeps
    # it in a file beside the database when none is given).
    session_secret: str = ""
    allowed_origins: tuple[str, ...] = ()  # the site's own origin(s): CORS is answered for these only
    # Records per client address: sized for a school library's Wi-Fi or a carrier's shared address on sign-off night
    # (300 families in a minute behind one address); replays are bounded per record_id instead.
    rate_limit: str = "1200/minute"
    record_id_limit: str = "10/minute"  # copies of one record (the form resends a lost answer twice at most)
    login_rate_limit: str = "10/minute"  # staff sign-in attempts per client address
    account_login_limit: str = "10/15 minutes"  # sign-in attempts at one account, from any number of addresses
    max_body_bytes: int = 256 * 1024  # two drawn signatures as PNG fit easily
    max_depth: int = 8  # the record nests 4 deep
    # Cookies Secure (and __Host-) and Strict-Transport-Security: the receiver is served over TLS. Off only for a
    # preview on this machine (serve refuses --insecure-cookies with a --host other than loopback).
    secure_cookies: bool = True
    session_hours: int = 8
    schema_file: Path = SCHEMA_FILE
    # The editions (and per language the text, title, district, statements) a record may acknowledge.
    publications: tuple[Publication, ...] = ()
    edition: str | None = None  # the edition the staff overview opens with; default: the first published

    def cookie_name(self, name: str) -> str:
        # __Host-: only this host, path /, Secure; no subdomain or plain-HTTP page can set or shadow it.
        return f"__Host-receiver_{name}" if self.secure_cookies else f"receiver_{name}"


def request_language(request: Request) -> str:
    return i18n.from_accept_language(request.headers.get("accept-language"))


def json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


@dataclass
class Receiver:
    settings: Settings
    engine: Engine
    limiter: MovingWindowRateLimiter
    record_limit: Any
    record_id_limit: Any
    login_limit: Any
    account_login_limit: Any

    def over_limit(self, limit: Any, *keys: str) -> int:
        """0 when the request may go on, else the seconds until the client's window frees a slot."""
        if self.limiter.hit(limit, *keys):
            return 0
        stats = self.limiter.get_window_stats(limit, *keys)
        return max(1, int(stats.reset_time - time.time()) + 1)


async def read_body(request: Request, limit: int, lang: str) -> bytes:
    """The body, refusing more than `limit` bytes without reading them all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Rejection(413, "too_large", i18n.text(lang, "err_too_large", limit=limit))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Rejection(413, "too_large", i18n.text(lang, "err_too_large", limit=limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _is_json(content_type: str) -> bool:
    # Only JSON: a cross-origin page cannot send it without the CORS preflight the receiver answers for its own
    # site alone (text/plain or a form post would skip the preflight).
    return content_type.split(";")[0].strip().lower() == "application/json"


async def healthz(request: Request) -> Response:
    receiver: Receiver = request.app.state.receiver
    await run_in_threadpool(store.ping, receiver.engine)
    return JSONResponse({"status": "ok"})


def too_many(lang: str, key: str, wait: int) -> JSONResponse:
    return json_error(429, "rate_limited", i18n.text(lang, key, seconds=wait), {"Retry-After": str(wait)})


async def post_acknowledgement(request: Request) -> Response:
    receiver: Receiver = request.app.state.receiver
    settings = receiver.settings
    lang = request_language(request)
    wait = receiver.over_limit(receiver.record_limit, "record", client_key(request))
    if wait:
        return too_many(lang, "err_rate_limited", wait)
    if not _is_json(request.headers.get("content-type", "")):
        raise Rejection(415, "content_type", i18n.text(lang, "err_content_type"))
    body = await read_body(request, settings.max_body_bytes, lang)
    value = parse_body(body, lang, settings.max_depth)
    lang = record_language(value, lang)
    record_id = value.get("record_id") if isinstance(value, dict) else None
    if isinstance(record_id, str):
        wait = receiver.over_limit(receiver.record_id_limit, "record_id", record_id[:40].lower())
        if wait:
            return too_many(lang, "err_record_busy", wait)
    record = check_record(value, lang, settings.schema_file, settings.publications)
    stored = await run_in_threadpool(store.store_record, receiver.engine, record)
    if stored.conflict is not None:
        first = stored.conflict
        received = first.received_at.date().isoformat()
        message = i18n.text(lang, "err_conflict", received=received, receipt=first.receipt, student=first.student_name)
        return JSONResponse({"error": "conflict", "message": message, "id": first.receipt, "received": received},
                            status_code=409, headers={"Cache-Control": "no-store"})
    return JSONResponse({"id": stored.receipt}, status_code=201 if stored.created else 200,
                        headers={"Cache-Control": "no-store"})


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        name, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (name, password) if sep else None


async def staff_name(request: Request) -> str | None:
    """The signed-in staff member: the staff pages' session, or HTTP Basic (for scripts)."""
    signed_in = await signed_in_staff(request)
    if signed_in:
        return signed_in.name
    credentials = basic_credentials(request)
    if credentials is None:
        return None
    staff_id = await check_sign_in(request, *credentials, via="http_basic")
    return credentials[0] if isinstance(staff_id, int) else None


async def export_csv(request: Request) -> Response:
    receiver: Receiver = request.app.state.receiver
    name = await staff_name(request)
    if not name:
        return json_error(401, "unauthorized", i18n.text(request_language(request), "err_auth"),
                          {"WWW-Authenticate": 'Basic realm="receiver staff", charset="UTF-8"'})
    edition = request.query_params.get("edition") or None
    await run_in_threadpool(store.audit, receiver.engine, name, "export", **({"edition": edition} if edition else {}))
    filename = "acknowledgements.csv" if not edition else f"acknowledgements-{edition}.csv"
    safe = "".join(c for c in filename if c.isalnum() or c in ".-_") or "acknowledgements.csv"
    return StreamingResponse(store.export_csv(receiver.engine, edition), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{safe}"',
                                      "Cache-Control": "no-store"})


# ---------------------------------------------------------------- errors: always JSON for the API, never a traceback


async def on_rejection(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Rejection)
    return JSONResponse(exc.body(), status_code=exc.status)


async def on_database_down(request: Request, exc: Exception) -> Response:
    lang = request_language(request)
    return json_error(503, "database_unavailable", i18n.text(lang, "err_database_down"), {"Retry-After": "30"})


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    lang = request_language(request)
    key = {404: "err_not_found", 405: "err_method"}.get(exc.status_code)
    message = i18n.text(lang, key) if key else str(exc.detail)
    return json_error(exc.status_code, "http_error", message, dict(exc.headers or {}))


def create_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    from . import staff

    validator(settings.schema_file)  # a missing or broken schema stops the start, not the first family's request
    sessions.check_secret(settings.session_secret, "Settings.session_secret")
    if not settings.publications:
        raise ValueError("no published edition: give --site (the built site) or --edition")
    engine = engine or make_engine(settings.database_url)
    receiver = Receiver(settings, engine, MovingWindowRateLimiter(MemoryStorage()),
                        parse_limit(settings.rate_limit), parse_limit(settings.record_id_limit),
                        parse_limit(settings.login_rate_limit), parse_limit(settings.account_login_limit))
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/api/acknowledgements", post_acknowledgement, methods=["POST"]),
        Route("/api/acknowledgements.csv", export_csv, methods=["GET"]),
        *staff.routes(),
        Mount("/staff/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders, hsts=settings.secure_cookies),
        # Retry-After exposed: the form reads it from another origin to wait out a 429 and send the record again.
        Middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_methods=["POST"],
                   allow_headers=["Content-Type"], expose_headers=["Retry-After"], max_age=600),
    ]
    handlers = {Rejection: on_rejection, OperationalError: on_database_down, DBAPIError: on_database_down,
                PoolTimeoutError: on_database_down, HTTPException: on_http_error}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    app.state.receiver = receiver
    return app


class SecurityHeaders:
    """Headers every answer carries: nothing framed, no sniffing, no referrer, the staff pages' own files only."""

    POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'")
    EXTRA = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
             (b"x-frame-options", b"DENY"), (b"content-security-policy", POLICY.encode())]

    # Served over TLS (the default): browsers keep to HTTPS for a year, so nobody can strip it on a later visit.
    HSTS = [(b"strict-transport-security", b"max-age=31536000")]

    def __init__(self, app: Any, hsts: bool = True) -> None:
        self.app = app
        self.extra = self.EXTRA + (self.HSTS if hsts else [])

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
