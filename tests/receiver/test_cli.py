"""The receiver's command line on SQLite and PostgreSQL: migrate, add-staff from stdin, import-roster with errors by
file and line, retention with a dry run; a bad URL or file is one line and exit status 2, never a traceback."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime, timezone

from sqlalchemy import text, update

from receiver import store
from receiver.cli import main
from receiver.db import make_engine
from receiver.models import Acknowledgement

from ..browser import PROJECT
from .support import good_record


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The command line in this process (a new Python per call costs seconds on a busy machine); the
    `python -m receiver` entry itself is run as a process in test_bad_database_urls_are_one_clear_line."""
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin or ""), out, err
    try:
        code = main(list(args))
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_migrate_add_staff_and_roster(db_url, tmp_path):
    assert run("migrate", "--database", db_url).returncode == 0
    assert run("migrate", "--database", db_url).returncode == 0  # a current schema is left as it is
    made = run("add-staff", "alice", "--database", db_url, "--password-stdin", stdin="correct horse battery\n")
    assert made.returncode == 0 and "created" in made.stdout
    short = run("add-staff", "bob", "--database", db_url, "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 12" in short.stderr
    engine = make_engine(db_url)
    try:
        assert store.check_staff(engine, "alice", "correct horse battery")
        with engine.connect() as c:
            stored_hash = c.execute(text("SELECT password_hash FROM staff")).scalar_one()
        assert stored_hash.startswith("$argon2id$") and "correct" not in stored_hash

        roster = tmp_path / "roster.csv"
        roster.write_text("\ufeffstudent_id,name,school,grade,homeroom\nS-1,Ana López,north,k,12\nS-2,Ben,north,5,\n",
                          encoding="utf-8")
        ok = run("import-roster", str(roster), "--database", db_url)
        assert ok.returncode == 0 and "2 students" in ok.stdout
        assert [g.grade for g in store.overview(engine, "any")] == ["K", "5"]

        bad = tmp_path / "bad.csv"
        bad.write_text("student_id,name,school,grade\nS-1,Ana,north,13\nS-2,,north,K\nS-1,Other,north,K\n",
                       encoding="utf-8")
        refused = run("import-roster", str(bad), "--database", db_url)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        for expected in (f"{bad}:2: grade '13'", f"{bad}:3: name is empty"):
            assert expected in refused.stderr
        assert len(store.overview(engine, "any")) == 2  # the old roster stays
        header = tmp_path / "header.csv"
        header.write_text("id,name\n1,x\n", encoding="utf-8")
        assert "lacks student_id, school, grade" in run("import-roster", str(header), "--database", db_url).stderr
    finally:
        engine.dispose()


def test_retention_dry_run_counts_and_the_real_run_deletes(db_url):
    assert run("migrate", "--database", db_url).returncode == 0
    engine = make_engine(db_url)
    try:
        receipts = [store.store_record(engine, good_record(n=n)).receipt for n in range(3)]
        old = datetime(2020, 9, 1, tzinfo=timezone.utc)
        with engine.begin() as c:
            c.execute(update(Acknowledgement).where(Acknowledgement.receipt.in_(receipts[:2])).values(received_at=old))
        dry = run("retention", "--keep-years", "2", "--dry-run", "--database", db_url)
        assert dry.returncode == 0 and "would delete (dry run) 2 records" in dry.stdout
        assert store.count_records(engine) == 3
        real = run("retention", "--keep-years", "2", "--database", db_url)
        assert real.returncode == 0 and "deleted 2 records" in real.stdout
        assert store.receipts(engine) == receipts[2:]
        assert run("retention", "--keep-years", "0", "--database", db_url).returncode == 2
    finally:
        engine.dispose()
    # School years run July to June: keeping 2 in March 2026 keeps 2024-25 and 2025-26.
    assert store.retention_cutoff(date(2026, 3, 1), 2) == datetime(2024, 7, 1, tzinfo=timezone.utc)
    assert store.retention_cutoff(date(2026, 8, 1), 1) == datetime(2026, 7, 1, tzinfo=timezone.utc)


def test_bad_database_urls_are_one_clear_line(tmp_path):
    for url, words in (("mysql://x/y", "unsupported database"), ("sqlite://", "SQLite needs a file"),
                       ("postgresql://nobody@127.0.0.1:1/none", "cannot reach the database")):
        out = subprocess.run([sys.executable, "-m", "receiver", "migrate", "--database", url], capture_output=True,
                             text=True, cwd=PROJECT, timeout=120)
        assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr, out.stderr
    missing = subprocess.run([sys.executable, "-m", "receiver", "migrate"], capture_output=True, text=True,
                             cwd=PROJECT, env={"PATH": "/usr/bin:/bin"})
    assert missing.returncode == 2 and "DATABASE_URL" in missing.stderr


def test_serve_refuses_a_missing_or_broken_schema_before_it_starts(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    missing = run("serve", "--database", url, "--edition", "2024-2026", "--schema", str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "No such file" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": 5}', encoding="utf-8")
    refused = run("serve", "--database", url, "--edition", "2024-2026", "--schema", str(broken))
    assert refused.returncode == 2 and "not a valid JSON Schema" in refused.stderr


def test_migrations_build_exactly_the_models(db_url):
    """models.py and migrations/versions/ agree: a model change without its revision fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from receiver import migrate
    from receiver.models import Base

    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
