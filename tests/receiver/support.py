"""Real databases and real servers for the receiver's tests: a PostgreSQL cluster from Debian's package started in a
temporary folder on a free port as an unprivileged user, the receiver served by uvicorn on 127.0.0.1 (in a thread,
or as `python -m receiver serve` in a process for the fault tests)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from ..browser import PROJECT, free_port

PG_USER = "postgres"  # Debian's package creates it; the cluster never runs as root


def postgres_bin() -> Path | None:
    """Debian's server binaries (/usr/lib/postgresql/<version>/bin), the newest version."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def require_postgres() -> Path:
    bin_dir = postgres_bin()
    if bin_dir is None:
        message = "PostgreSQL server is not installed (apt-get install postgresql; `make test` does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return bin_dir


@dataclass
class PostgresCluster:
    bin_dir: Path
    data_dir: Path
    socket_dir: Path
    port: int
    run_as: str | None  # the user the server runs as when the tests run as root

    def _cmd(self, *args: str) -> list[str]:
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"  # util-linux; /usr/sbin may be off the PATH
        return [runuser, "-u", self.run_as, "--", *args] if self.run_as else list(args)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        subprocess.run(self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-o", options,
                                 "-l", str(self.data_dir / "server.log"), "-w", "-t", "60", "start"),
                       check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop"),
                       check=False, capture_output=True)

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            # FILE_COPY: for a small template, a file copy beats writing the whole database through the WAL.
            connection.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_cluster(fsync: bool = False) -> Iterator[PostgresCluster]:
    """initdb + pg_ctl start in a fresh folder; stopped and removed on exit. fsync off for the tests' speed
    (the receiver, not the database, is what they kill); the benchmark keeps it on."""
    bin_dir = require_postgres()
    run_as = PG_USER if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="receiver-pg-"))
    data_dir, socket_dir = root / "data", root / "run"
    socket_dir.mkdir()
    if run_as:
        user = pwd.getpwnam(run_as)
        for path in (root, socket_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
    cluster = PostgresCluster(bin_dir, data_dir, socket_dir, free_port(), run_as)
    subprocess.run(cluster._cmd(str(bin_dir / "initdb"), "-D", str(data_dir), "-U", PG_USER, "-A", "trust",
                                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"), check=True, capture_output=True)
    if not fsync:
        with open(data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- the receiver, served


@dataclass
class Served:
    url: str
    settings: Any
    app: Any

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)


@contextmanager
def serve_receiver(settings: Any, port: int = 0) -> Iterator[Served]:
    """The receiver app (migrated) under uvicorn on 127.0.0.1 in a thread of this process (port 0: a free one)."""
    import uvicorn

    from receiver import migrate
    from receiver.app import create_app
    from receiver.db import make_engine

    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    app = create_app(settings, engine)
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False,
                            proxy_headers=True, forwarded_allow_ips="127.0.0.1", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the receiver did not start")
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{port}", settings, app)
    finally:
        server.should_exit = True
        thread.join(10)
        engine.dispose()


@dataclass
class ReceiverProcess:
    """`python -m receiver serve` in its own process (its own session, so SIGKILL takes nothing else down)."""

    database_url: str
    port: int
    extra: tuple[str, ...] = ()
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "receiver", "serve", "--database", self.database_url, "--host", "127.0.0.1",
             "--port", str(self.port), *self.extra],
            cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"receiver exited: {self.process.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("receiver did not answer /healthz")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def query_rows(db_url: str, sql: str) -> list[tuple]:
    """The rows of one SELECT, on a connection of its own (the tests look at what the receiver stored)."""
    from sqlalchemy import text

    from receiver.db import make_engine

    engine = make_engine(db_url)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(text(sql))]
    finally:
        engine.dispose()


def good_record(lang: str = "en", n: int = 0, record_id: str | None = None, **student: Any) -> dict[str, Any]:
    """A record the form could send (student n of a school, grade K)."""
    name = student.pop("name", f"Student {n}")
    record: dict[str, Any] = {
        "schema_version": 1,
        "handbook": {"title": "Student Behavior Handbook", "district": "Test District", "school_years": "2024-2026",
                     "language": lang, "fingerprint": "ab" * 32},
        "student": {"name": name, "id": student.pop("id", f"S-{n:05d}"),
                    "school": student.pop("school", {"id": "north-elementary", "name": "North Elementary"}),
                    "grade": student.pop("grade", "K")},
        "parent": {"name": f"Parent {n}", "relationship": "guardian"},
        "statements": [
            {"id": "student", "accepted": True, "typed_signature": name.upper(), "drawn_signature": None},
            {"id": "parent", "accepted": True, "typed_signature": f"parent  {n}", "drawn_signature": None},
        ],
        "date": "2025-08-01",
        "signed_at": "2025-08-01T09:30:00-06:00",
    }
    if record_id:
        record["record_id"] = record_id
    return record
