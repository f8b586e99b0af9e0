"""Schema migrations with Alembic; the scripts ship inside the package (receiver/migrations)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine, connection=None) -> Config:  # noqa: ANN001 - an open SQLAlchemy Connection
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (idempotent: a current database is left as it is)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(engine, connection), "head")


def revision(engine: Engine, message: str) -> None:
    """For developers: write a new revision from the difference between models.py and the database."""
    with engine.begin() as connection:
        command.revision(alembic_config(engine, connection), message=message, autogenerate=True)
