"""Tables. A record row holds only what the family's record carries (plus when it arrived and its receipt):
no IP address, no browser details. Changes to these classes need a new Alembic revision in migrations/versions/."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, false, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Acknowledgement(Base):
    __tablename__ = "acknowledgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    # The form's own id for one filled form: a repeat (a retry after a lost answer) is the same record.
    record_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    edition: Mapped[str] = mapped_column(Text, index=True)  # handbook.school_years
    handbook_title: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(3))
    fingerprint: Mapped[str] = mapped_column(String(64))
    student_id: Mapped[str | None] = mapped_column(String(40))
    student_key: Mapped[str | None] = mapped_column(String(40), index=True)  # student_id, case and spaces aside
    student_name: Mapped[str] = mapped_column(String(100))
    school_id: Mapped[str | None] = mapped_column(Text)
    school_name: Mapped[str] = mapped_column(String(150))
    grade: Mapped[str] = mapped_column(String(2))
    parent_name: Mapped[str] = mapped_column(String(100))
    relationship: Mapped[str] = mapped_column(String(20))
    signed_date: Mapped[str] = mapped_column(String(10))
    signed_at: Mapped[str] = mapped_column(String(25))
    record_json: Mapped[str] = mapped_column(Text)  # the record exactly as accepted (canonical JSON)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # disable-staff: the account stays (its audit entries name it) but cannot sign in; add-staff enables it again.
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its keyed hash is kept here, so a copy of the
    database opens no session. Deleting the row (sign-out, new password, disable/remove) ends the session."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))  # the anti-forgery token of this session's forms
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RosterStudent(Base):
    __tablename__ = "roster"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[str] = mapped_column(String(40))
    student_key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    school: Mapped[str] = mapped_column(String(150), index=True)
    grade: Mapped[str] = mapped_column(String(2))


class AuditEvent(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    staff_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))  # store.AUDIT_ACTIONS
    detail: Mapped[str] = mapped_column(Text, default="")
