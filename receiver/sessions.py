"""Staff sessions kept in the receiver's database (SQLite or PostgreSQL), so that signing out, a new password, or a
disabled or removed account ends them at once, and they survive a restart. The browser holds only a random token
(cookie `__Host-receiver_session`); the table holds its HMAC under the receiver's secret. Every request looks the
session and its account up: an idle session ends after 30 minutes, any session after 8 hours.

Before sign-in there is no session: the sign-in form's anti-forgery token travels in a cookie signed with the same
secret (itsdangerous), compared with the form's copy (the signed double-submit pattern)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from .models import Staff, StaffSession

MIN_SECRET_BYTES = 32
IDLE = timedelta(minutes=30)
# last_seen_at is written at most this often: a page view is a read, not a write, on a busy night.
TOUCH_EVERY = timedelta(minutes=1)


class SecretError(ValueError):
    """A session secret the receiver will not use; the message says why and what to do."""


def check_secret(secret: str, source: str = "RECEIVER_SESSION_SECRET") -> str:
    if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        raise SecretError(f"{source}: the session secret must have at least {MIN_SECRET_BYTES} bytes (it signs staff "
                          "cookies; a short one is guessed offline). Remove it to have a random one made and kept")
    return secret


def secret_from_file(path: Path) -> str:
    """The secret kept in `path` (owner-only); made once, randomly, when the file does not exist."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretError(f"{path}: the session secret file must be readable by its owner only "
                              f"(chmod 600 {path})") from None
        return check_secret(path.read_text(encoding="utf-8").strip(), str(path))
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    return check_secret(path.read_text(encoding="utf-8").strip(), str(path))


def default_secret_file(database_url: str) -> Path:
    """Beside the SQLite file (receiver.sqlite3 -> receiver.sqlite3.secret); for PostgreSQL, var/ in the current
    folder (give --secret-file on a server)."""
    from .db import normalise_url

    parsed = normalise_url(database_url)
    if parsed.get_backend_name() == "sqlite":
        db = Path(parsed.database).expanduser().resolve()
        return db.with_name(db.name + ".secret")
    return Path("var") / "receiver-session.secret"


def _token_hash(secret: str, token: str) -> str:
    return hmac.new(secret.encode("utf-8"), token.encode("utf-8"), hashlib.sha256).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite returns naive UTC


@dataclass(frozen=True)
class SignedIn:
    staff_id: int
    name: str
    csrf: str
    token: str


def start(engine: Engine, secret: str, staff_id: int, name: str) -> SignedIn:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    at = _now()
    with Session(engine) as session, session.begin():
        session.add(StaffSession(token_hash=_token_hash(secret, token), staff_id=staff_id, csrf=csrf,
                                 created_at=at, last_seen_at=at))
    return SignedIn(staff_id, name, csrf, token)


def look_up(engine: Engine, secret: str, token: str, max_age: timedelta) -> SignedIn | None:
    """The live session of an enabled account for this token, its last use updated; None (and the row gone when it
    has expired) otherwise."""
    if not token or len(token) > 100:
        return None
    key = _token_hash(secret, token)
    at = _now()
    with Session(engine) as session, session.begin():
        row = session.execute(select(StaffSession, Staff.name, Staff.disabled).join(Staff)
                              .where(StaffSession.token_hash == key)).first()
        if row is None:
            return None
        found, name, disabled = row
        if disabled or at - _aware(found.last_seen_at) > IDLE or at - _aware(found.created_at) > max_age:
            session.execute(delete(StaffSession).where(StaffSession.token_hash == key))
            return None
        if at - _aware(found.last_seen_at) > TOUCH_EVERY:
            session.execute(update(StaffSession).where(StaffSession.token_hash == key).values(last_seen_at=at))
        return SignedIn(found.staff_id, name, found.csrf, token)


def end(engine: Engine, secret: str, token: str) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(secret, token)))


def end_all(session: Session, staff_id: int) -> int:
    """Within the caller's transaction: every session of the account ends (new password, disabled, removed)."""
    return session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id)).rowcount or 0


def end_expired(engine: Engine, max_age: timedelta) -> None:
    """Rows of sessions nobody can use any more (run at sign-in, so the table stays small)."""
    at = _now()
    with Session(engine) as session, session.begin():
        session.execute(delete(StaffSession).where((StaffSession.last_seen_at < at - IDLE)
                                                   | (StaffSession.created_at < at - max_age)))


# ---------------------------------------------------------------- the sign-in form's token, before any session

LOGIN_TOKEN_AGE = 3600


def login_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="receiver-login-csrf")


def login_token_from_cookie(secret: str, cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        value = login_serializer(secret).loads(cookie, max_age=LOGIN_TOKEN_AGE)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None
