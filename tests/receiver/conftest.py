"""Fixtures of the receiver's tests: every test runs on SQLite and on a real PostgreSQL (one cluster per session,
a fresh database per test)."""

from __future__ import annotations

import itertools
from typing import Iterator

import pytest

from receiver.app import Settings
from receiver.publications import Publication

from .support import PostgresCluster, Served, postgres_cluster, serve_receiver

BACKENDS = ["sqlite", "postgresql"]
_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg() -> Iterator[PostgresCluster]:
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, tmp_path, request) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'receiver.sqlite3'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("pg")
    name = f"test_{next(_names)}"
    yield cluster.create_database(name)
    cluster.drop_database(name)  # the cluster stays small: each database is a copy of the template


# What support.good_record acknowledges, as a district would publish it (both languages, both statements).
PUBLISHED = tuple(Publication("2024-2026", lang, "ab" * 32, "Student Behavior Handbook", "Test District",
                              ("student", "parent")) for lang in ("en", "es"))
TEST_SECRET = "test-secret-" + "x" * 32


def settings_for(db_url: str, **overrides) -> Settings:
    """Generous rate limits unless a test is about them: the tests' clients all come from 127.0.0.1. Cookies
    without Secure: the tests' clients speak plain HTTP to 127.0.0.1 (test_security.py checks the default)."""
    values = {"database_url": db_url, "rate_limit": "10000/minute", "login_rate_limit": "1000/minute",
              "record_id_limit": "1000/minute", "account_login_limit": "1000/minute",
              "allowed_origins": ("http://site.test",), "session_secret": TEST_SECRET, "secure_cookies": False,
              "publications": PUBLISHED}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def served(db_url) -> Iterator[Served]:
    with serve_receiver(settings_for(db_url)) as s:
        yield s
