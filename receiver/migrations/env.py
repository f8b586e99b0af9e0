"""Alembic environment: receiver.migrate hands over an open connection (one code path for SQLite and PostgreSQL)."""

from alembic import context

from receiver.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=True)  # SQLite alters tables by copying them; batch mode does that
with context.begin_transaction():
    context.run_migrations()
