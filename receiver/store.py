"""What the receiver does with the database: store a record once, count and list for the staff pages, export,
import the roster, audit, retention. Plain functions over a SQLAlchemy Engine, the same for SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import secrets
import threading
import unicodedata
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import sessions
from .models import Acknowledgement, AuditEvent, RosterStudent, Staff

# Receipts are read aloud and typed by families: no 0/O, 1/I/L; 12 characters = 60 random bits.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GRADES = ["PK", "K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
HASHER = PasswordHasher()


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def student_key(student_id: str | None) -> str | None:
    """A student id as schools compare them: case and spaces aside."""
    if student_id is None:
        return None
    key = "".join(student_id.split()).casefold()
    return key[:40] or None


# SQLite has one writer at a time; waiting writers poll with growing sleeps (busy_timeout), which shows as tail
# latency under a burst. Queuing this process's writers on a lock instead keeps them in order, without the sleeps.
_SQLITE_WRITES = threading.Lock()


def _write_lock(engine: Engine):  # noqa: ANN202 - a context manager
    return _SQLITE_WRITES if engine.dialect.name == "sqlite" else nullcontext()


@dataclass(frozen=True)
class Stored:
    receipt: str
    created: bool  # False: this record_id was already stored; the answer is the first receipt
    # Set when the record_id was stored before with different content: that first record (kept; this one is not).
    conflict: Acknowledgement | None = None


def canonical_json(record: dict[str, Any]) -> str:
    """The record as stored and compared: keys sorted, no spaces, text as is."""
    if isinstance(record.get("record_id"), str):
        record = {**record, "record_id": record["record_id"].lower()}
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_meaning(record: dict[str, Any]) -> dict[str, Any]:
    """What a family answered, as a retry must repeat it: all but the moment the form was completed and the drawn
    signatures' pixels (a reload re-sends the kept record_id with a new moment; a drawing is not kept)."""
    meaning = {k: v for k, v in record.items() if k not in ("signed_at", "record_id")}
    meaning["statements"] = [{k: v for k, v in s.items() if k != "drawn_signature"} for s in record["statements"]]
    return meaning


def store_record(engine: Engine, record: dict[str, Any]) -> Stored:
    """Insert a checked record; a record_id seen before answers with the receipt it got then (stored once).
    The unique index on record_id decides, so two retries racing each other still make one row. The same record_id
    with different content is not a retry: it is answered with the first record as a conflict, never silently."""
    record_id = record.get("record_id")
    record_id = record_id.lower() if isinstance(record_id, str) else None
    student, handbook = record["student"], record["handbook"]
    for _ in range(5):
        receipt = new_receipt()
        row = Acknowledgement(
            receipt=receipt, record_id=record_id, received_at=now(),
            schema_version=record["schema_version"], edition=handbook["school_years"],
            handbook_title=handbook["title"], district=handbook["district"], language=handbook["language"],
            fingerprint=handbook["fingerprint"], student_id=student["id"], student_key=student_key(student["id"]),
            student_name=student["name"], school_id=student["school"]["id"], school_name=student["school"]["name"],
            grade=student["grade"], parent_name=record["parent"]["name"], relationship=record["parent"]["relationship"],
            signed_date=record["date"], signed_at=record["signed_at"],
            record_json=canonical_json(record),
        )
        try:
            with _write_lock(engine), Session(engine) as session, session.begin():
                session.add(row)
            return Stored(receipt, True)
        except IntegrityError:
            if record_id is not None:
                with Session(engine, expire_on_commit=False) as session:
                    existing = session.scalar(select(Acknowledgement).where(Acknowledgement.record_id == record_id))
                if existing:
                    same = record_meaning(json.loads(existing.record_json)) == record_meaning(record)
                    return Stored(existing.receipt, False, None if same else existing)
            # otherwise the receipt collided (60 random bits: practically never): draw another
    raise RuntimeError("could not store the record after 5 attempts")


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


# ---------------------------------------------------------------- staff accounts and the audit log


MIN_PASSWORD_CHARACTERS = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable" (about 10^8 guesses and more)


def password_problem(password: str, name: str = "") -> str | None:
    """Why this password is refused (ASVS 2.1: at least 12 characters, not a common or guessable one), or None.
    Spaces count once: ten spaces are not a passphrase."""
    collapsed = " ".join(password.split())
    if len(collapsed) < MIN_PASSWORD_CHARACTERS:
        return (f"the password must have at least {MIN_PASSWORD_CHARACTERS} characters "
                "(runs of spaces count as one, leading and trailing ones not at all)")
    from zxcvbn import zxcvbn  # offline: its word lists ship with the package

    result = zxcvbn(password[:100], user_inputs=[name] if name else [])
    if result["score"] < MIN_PASSWORD_SCORE:
        hint = result["feedback"].get("warning") or "it is too easy to guess"
        return f"the password is too common or too easy to guess ({hint.rstrip('.')}); a few unrelated words are good"
    return None


def add_staff(engine: Engine, name: str, password: str) -> bool:
    """Create the account, or give it a new password (ending its sessions, enabling it again); True when created."""
    problem = password_problem(password, name)
    if problem:
        raise ValueError(problem)
    hashed = HASHER.hash(password)
    with Session(engine) as session, session.begin():
        staff = session.scalar(select(Staff).where(Staff.name == name))
        if staff:
            staff.password_hash = hashed
            staff.disabled = False
            sessions.end_all(session, staff.id)
            return False
        session.add(Staff(name=name, password_hash=hashed, created_at=now(), disabled=False))
        return True


def disable_staff(engine: Engine, name: str, remove: bool = False) -> int:
    """Disable (or remove) the account; its sessions end at once. The sessions ended; ValueError if no such account."""
    with Session(engine) as session, session.begin():
        staff = session.scalar(select(Staff).where(Staff.name == name))
        if staff is None:
            raise ValueError(f"no staff account named {name!r}")
        ended = sessions.end_all(session, staff.id)
        if remove:
            session.delete(staff)
        else:
            staff.disabled = True
    return ended


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs the same time as a wrong password."""
    return HASHER.hash(secrets.token_hex(16))


def check_staff(engine: Engine, name: str, password: str) -> int | None:
    """The account's id when the name and password are right and the account is enabled."""
    with Session(engine) as session:
        row = session.execute(select(Staff.id, Staff.password_hash, Staff.disabled).where(Staff.name == name)).first()
    try:
        HASHER.verify(row.password_hash if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return row.id if row is not None and not row.disabled else None


def _one_line(text: str) -> str:
    """Audit text on one line: CR, LF and other control characters shown as U+FFFD, so nobody can forge a line."""
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)


def audit(engine: Engine, staff_name: str, action: str, **detail: str | int) -> None:
    """One entry. The detail is kept as JSON of short values under fixed keys, so the staff pages show it in the
    reader's language (strings: audit_<key>, audit_via_<value>)."""
    values = {key: _one_line(str(value))[:100] for key, value in detail.items()}
    with Session(engine) as session, session.begin():
        session.add(AuditEvent(at=now(), staff_name=_one_line(staff_name)[:100], action=action,
                               detail=json.dumps(values, ensure_ascii=False) if values else ""))


def audit_detail(detail: str) -> list[tuple[str, str]]:
    """An entry's detail as (key, value) pairs; text written before details were JSON comes back as ("", text)."""
    try:
        values = json.loads(detail) if detail else {}
    except ValueError:
        values = None
    if not isinstance(values, dict):
        return [("", detail)]
    return [(str(k), str(v)) for k, v in values.items()]


AUDIT_PAGE = 100


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int  # 1: the newest
    pages: int


def audit_events(engine: Engine, page: int = 1, per_page: int = AUDIT_PAGE) -> AuditPage:
    """One page of the whole audit log, newest first."""
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                      .offset((page - 1) * per_page).limit(per_page)))
    return AuditPage(events, page, pages)


# ---------------------------------------------------------------- roster


class RosterError(ValueError):
    """A roster file the receiver cannot import; the message names the file and line."""


ROSTER_COLUMNS = ("student_id", "name", "school", "grade")


def read_roster(path: Path) -> list[dict[str, str]]:
    """A CSV with a header row naming student_id, name, school, grade (any order, more columns ignored)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise RosterError(f"{path}:1: the header row lacks {', '.join(missing)} (needs {', '.join(ROSTER_COLUMNS)})")
    reader.fieldnames = header
    rows, problems, seen = [], [], {}
    for line, row in enumerate(reader, start=2):
        values = {c: " ".join((row.get(c) or "").split()) for c in ROSTER_COLUMNS}
        if not any(values.values()):
            continue
        empty = [c for c in ROSTER_COLUMNS if not values[c]]
        if empty:
            problems.append(f"{path}:{line}: {', '.join(empty)} is empty")
            continue
        if values["grade"].upper() in GRADES:
            values["grade"] = values["grade"].upper()
        else:
            problems.append(f"{path}:{line}: grade {values['grade']!r} is not one of {', '.join(GRADES)}")
            continue
        for column, limit in (("student_id", 40), ("name", 100), ("school", 150)):
            if len(values[column]) > limit:
                problems.append(f"{path}:{line}: {column} is longer than {limit} characters")
        key = student_key(values["student_id"])
        if key in seen:
            problems.append(f"{path}:{line}: student_id {values['student_id']!r} is also on line {seen[key]}")
        seen[key] = line
        rows.append(values)
    if problems:
        raise RosterError("\n".join(problems[:50]))
    return rows


def import_roster(engine: Engine, rows: list[dict[str, str]]) -> int:
    """Replace the roster with these students (one transaction: a failed import leaves the old roster)."""
    with Session(engine) as session, session.begin():
        session.execute(delete(RosterStudent))
        session.add_all(RosterStudent(student_id=r["student_id"], student_key=student_key(r["student_id"]),
                                      name=r["name"], school=r["school"], grade=r["grade"]) for r in rows)
    return len(rows)


# ---------------------------------------------------------------- what the staff pages show


def editions(engine: Engine) -> list[str]:
    """Editions with records, the most recently received first."""
    with Session(engine) as session:
        rows = session.execute(select(Acknowledgement.edition, func.max(Acknowledgement.received_at).label("last"))
                               .group_by(Acknowledgement.edition).order_by(func.max(Acknowledgement.received_at).desc()))
        return [r.edition for r in rows]


@dataclass(frozen=True)
class GroupCount:
    school: str
    grade: str
    on_roster: int
    signed: int  # roster students with a record of this edition
    not_on_roster: int  # records of this edition whose student id is not on the roster

    @property
    def not_signed(self) -> int:
        return self.on_roster - self.signed


def _grade_order(grade: str) -> int:
    return GRADES.index(grade) if grade in GRADES else len(GRADES)


def school_of(row: Acknowledgement) -> str:
    """A record's school as the roster names it: the district's school id, else the name typed."""
    return row.school_id or row.school_name


def overview(engine: Engine, edition: str) -> list[GroupCount]:
    with Session(engine) as session:
        signed_keys = select(Acknowledgement.student_key).where(Acknowledgement.edition == edition,
                                                                Acknowledgement.student_key.is_not(None))
        roster = session.execute(
            select(RosterStudent.school, RosterStudent.grade, func.count().label("n"),
                   func.count().filter(RosterStudent.student_key.in_(signed_keys)).label("signed"))
            .group_by(RosterStudent.school, RosterStudent.grade)).all()
        roster_keys = select(RosterStudent.student_key)
        strangers = session.execute(
            select(func.coalesce(Acknowledgement.school_id, Acknowledgement.school_name).label("school"),
                   Acknowledgement.grade, func.count(func.distinct(func.coalesce(
                       Acknowledgement.student_key, Acknowledgement.receipt))).label("n"))
            .where(Acknowledgement.edition == edition,
                   or_(Acknowledgement.student_key.is_(None), Acknowledgement.student_key.not_in(roster_keys)))
            .group_by("school", Acknowledgement.grade)).all()
    groups: dict[tuple[str, str], list[int]] = {}
    for r in roster:
        groups[(r.school, r.grade)] = [r.n, r.signed, 0]
    for r in strangers:
        groups.setdefault((r.school, r.grade), [0, 0, 0])[2] = r.n
    return [GroupCount(school, grade, *counts)
            for (school, grade), counts in sorted(groups.items(), key=lambda kv: (kv[0][0].casefold(), _grade_order(kv[0][1])))]


def not_signed(engine: Engine, edition: str, school: str, grade: str) -> list[RosterStudent]:
    with Session(engine) as session:
        signed_keys = select(Acknowledgement.student_key).where(Acknowledgement.edition == edition,
                                                                Acknowledgement.student_key.is_not(None))
        return list(session.scalars(select(RosterStudent)
                                    .where(RosterStudent.school == school, RosterStudent.grade == grade,
                                           RosterStudent.student_key.not_in(signed_keys))
                                    .order_by(RosterStudent.name)))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(engine: Engine, query: str, limit: int = 200) -> list[Acknowledgement]:
    """Records whose student name contains the query (case aside) or whose student id is it (case, spaces aside)."""
    query = " ".join(query.split())[:100]
    if not query:
        return []
    pattern = f"%{_like_escape(query.casefold())}%"
    with Session(engine) as session:
        return list(session.scalars(
            select(Acknowledgement)
            .where(or_(func.lower(Acknowledgement.student_name).like(pattern, escape="\\"),
                       Acknowledgement.student_key == student_key(query)))
            .order_by(Acknowledgement.received_at.desc()).limit(limit)))


def record_by_receipt(engine: Engine, receipt: str) -> Acknowledgement | None:
    with Session(engine) as session:
        return session.scalar(select(Acknowledgement).where(Acknowledgement.receipt == receipt[:16]))


def count_records(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Acknowledgement)) or 0


# ---------------------------------------------------------------- export


# The CSV's columns, in order, with what each holds (docs/receiver.md "CSV columns" lists the same).
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("receipt", "the receipt shown to the family"),
    ("received_at", "when the receiver stored it, UTC, ISO 8601"),
    ("edition", "handbook.school_years, e.g. 2024-2026"),
    ("language", "language of the text acknowledged (en, es)"),
    ("fingerprint", "SHA-256 of that language's handbook source"),
    ("student_id", "as typed on the form (may be empty)"),
    ("student_name", "as typed"),
    ("school_id", "the district's school id, empty when the school was typed"),
    ("school_name", "as shown on the form or typed"),
    ("grade", "PK, K, 1 ... 12"),
    ("parent_name", "as typed"),
    ("relationship", "mother, father, guardian or other"),
    ("date", "date of signing, YYYY-MM-DD"),
    ("signed_at", "when the form was completed, local time with UTC offset"),
    ("student_signature", "typed signature of the student statement"),
    ("parent_signature", "typed signature of the parent statement"),
    ("drawn_signatures", "which statements also carry a drawn signature (student, parent), space-separated"),
    ("record_id", "the form's UUID for the filled form"),
)


def _cell(value: Any) -> str:
    """Text as a spreadsheet will not run it: a leading = + - @ (or tab, CR) gets a quote in front."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _export_row(row: Acknowledgement) -> list[str]:
    record = json.loads(row.record_json)
    statements = {s["id"]: s for s in record.get("statements", [])}
    drawn = " ".join(s["id"] for s in record.get("statements", []) if s.get("drawn_signature"))
    values = {
        "receipt": row.receipt, "received_at": row.received_at.astimezone(timezone.utc).isoformat(timespec="seconds")
        if row.received_at.tzinfo else row.received_at.replace(tzinfo=timezone.utc).isoformat(timespec="seconds"),
        "edition": row.edition, "language": row.language, "fingerprint": row.fingerprint,
        "student_id": row.student_id, "student_name": row.student_name, "school_id": row.school_id,
        "school_name": row.school_name, "grade": row.grade, "parent_name": row.parent_name,
        "relationship": row.relationship, "date": row.signed_date, "signed_at": row.signed_at,
        "student_signature": statements.get("student", {}).get("typed_signature"),
        "parent_signature": statements.get("parent", {}).get("typed_signature"),
        "drawn_signatures": drawn, "record_id": row.record_id,
    }
    return [_cell(values[name]) for name, _ in CSV_COLUMNS]


def export_csv(engine: Engine, edition: str | None = None, batch: int = 500) -> Iterator[str]:
    """The CSV, one line at a time (header first), oldest record first; streamed, so a large district's export
    never sits whole in memory."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow([name for name, _ in CSV_COLUMNS])
    yield flush()
    last_id = 0
    while True:
        with Session(engine) as session:
            query = select(Acknowledgement).where(Acknowledgement.id > last_id)
            if edition:
                query = query.where(Acknowledgement.edition == edition)
            rows = list(session.scalars(query.order_by(Acknowledgement.id).limit(batch)))
        if not rows:
            return
        for row in rows:
            writer.writerow(_export_row(row))
        last_id = rows[-1].id
        yield flush()


# ---------------------------------------------------------------- retention


def school_year_start(day: date, first_month: int = 7) -> date:
    """The first day of the school year `day` falls in (school years start on July 1 by default)."""
    year = day.year if day.month >= first_month else day.year - 1
    return date(year, first_month, 1)


def retention_cutoff(today: date, keep_years: int, first_month: int = 7) -> datetime:
    """Keep the current school year and the keep_years - 1 before it; what arrived earlier goes."""
    start = school_year_start(today, first_month)
    return datetime(start.year - (keep_years - 1), first_month, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class RetentionResult:
    cutoff: datetime
    records: int
    audit_events: int
    deleted: bool


def apply_retention(engine: Engine, keep_years: int, dry_run: bool, today: date | None = None,
                    first_month: int = 7) -> RetentionResult:
    if keep_years < 1:
        raise ValueError("keep at least 1 school year (the current one)")
    cutoff = retention_cutoff(today or now().date(), keep_years, first_month)
    with Session(engine) as session, session.begin():
        records = session.scalar(select(func.count()).select_from(Acknowledgement)
                                 .where(Acknowledgement.received_at < cutoff)) or 0
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.at < cutoff)) or 0
        if not dry_run:
            session.execute(delete(Acknowledgement).where(Acknowledgement.received_at < cutoff))
            session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    return RetentionResult(cutoff, records, events, not dry_run)


def receipts(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Acknowledgement.receipt)))

