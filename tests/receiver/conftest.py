"""Fixtures of the receiver's tests: every test runs on SQLite and on a real PostgreSQL (one cluster per session,
a fresh database per test)."""

from __future__ import annotations

import itertools
from typing import Iterator

import pytest

from receiver.app import Settings

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


def settings_for(db_url: str, **overrides) -> Settings:
    """Generous rate limit unless a test is about it: the tests' clients all come from 127.0.0.1."""
    values = {"database_url": db_url, "rate_limit": "10000/minute", "login_rate_limit": "1000/minute",
              "allowed_origins": ("http://site.test",)}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def served(db_url) -> Iterator[Served]:
    with serve_receiver(settings_for(db_url)) as s:
        yield s
