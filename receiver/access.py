"""Who is asking: a staff member's sign-in (limited and audited) and the staff pages' session, looked up on every
request. Shared by the API (app.py: CSV export over HTTP Basic) and the staff pages (staff.py)."""

from __future__ import annotations

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from . import sessions, store
from .clients import client_key


async def check_sign_in(request: Request, name: str, password: str, via: str) -> int | None | str:
    """The account's id if the name and password are right (and the account enabled); "limited" when the address
    or the account has had too many attempts; None otherwise. Every refusal goes to the audit log."""
    receiver = request.app.state.receiver  # app.Receiver
    name = name[:100]
    account = ("login-account", name.casefold())
    # Every attempt counts against the address; only failures against the account, so a script exporting with
    # its password, or a colleague signing in, never locks the account out.
    if (receiver.over_limit(receiver.login_limit, "login", client_key(request))
            or not receiver.limiter.test(receiver.account_login_limit, *account)):
        await run_in_threadpool(store.audit, receiver.engine, name or "?", "sign_in_limited", via=via)
        return "limited"
    staff_id = await run_in_threadpool(store.check_staff, receiver.engine, name, password[:1000])
    if staff_id is None:
        receiver.limiter.hit(receiver.account_login_limit, *account)
        await run_in_threadpool(store.audit, receiver.engine, name or "?", "sign_in_failed", via=via)
    return staff_id


async def signed_in_staff(request: Request) -> sessions.SignedIn | None:
    """The staff pages' session, looked up (with its account) on every request; None when there is none, it has
    ended or expired, or the account is disabled or removed."""
    if not hasattr(request.state, "staff_session"):
        receiver = request.app.state.receiver  # app.Receiver
        settings = receiver.settings
        token = request.cookies.get(settings.cookie_name("session"), "")
        request.state.staff_session = await run_in_threadpool(
            sessions.look_up, receiver.engine, settings.session_secret, token,
            timedelta(hours=settings.session_hours)) if token else None
    return request.state.staff_session
