"""Alembic, driven from code: every service's schema changes only through its migrations.

Each service keeps an Alembic environment in ``services/<name>/migrations`` whose env.py calls
``run_environment`` with the service's metadata. ``render_as_batch`` lets the same migrations
run on SQLite (which cannot ALTER columns) and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, create_engine
from sqlalchemy.pool import NullPool

SERVICES_DIR = Path(__file__).resolve().parents[1]


def alembic_config(service: str, uri: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.attributes["url"] = uri
    return config


def upgrade(service: str, uri: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, uri), revision)


def new_revision(service: str, uri: str, message: str, rev_id: str | None = None) -> None:
    """Autogenerate a migration from the difference between the models and the database."""
    command.revision(
        alembic_config(service, uri), message=message, autogenerate=True, rev_id=rev_id
    )


def run_environment(metadata: MetaData) -> None:
    """The body of every service's env.py."""
    from alembic import context

    url = context.config.attributes["url"]
    options = {"target_metadata": metadata, "render_as_batch": True, "compare_type": True}
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
