"""The translation service's Alembic migrations build exactly the schema its models describe,
on SQLite here and on PostgreSQL in tests/integration."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from services.common.migrations import alembic_config, upgrade
from services.translation.models import Base


def schema_differences(uri: str) -> tuple[list, str, str]:
    upgrade("translation", uri)
    engine = create_engine(uri, poolclass=NullPool)
    head = ScriptDirectory.from_config(alembic_config("translation", uri)).get_current_head()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        revision = context.get_current_revision()
    engine.dispose()
    return differences, revision, head


def test_the_migrations_build_the_schema_the_models_describe(sqlite_uri):
    differences, revision, head = schema_differences(sqlite_uri)

    assert differences == []
    assert revision == head
