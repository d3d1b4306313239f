"""Every deployed service's migrations build exactly the schema its models describe, kernel
tables included, on SQLite and on PostgreSQL, and go down to an empty database and up again.

One test for every service in deploy/services: a new service is checked by listing it there.
Engine-specific structures a service's models leave out on purpose are named in its
``Base.metadata.info[UNMODELLED]`` (services/common/kernel_tables.py). A throwaway service
folder shows what the convention gives a new service: the kernel's tables, and a drift check
that finds a migration missing a column.
"""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from services.common.db import StandaloneDatabase
from services.common.kernel_tables import KERNEL_TABLE_NAMES
from services.common.migrations import (
    KERNEL,
    VERSION_TABLES,
    downgrade,
    head,
    revisions,
    schema_differences,
    upgrade,
)
from services.manage import deployed_services


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    """An empty database of each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    return request.getfixturevalue("pg_uri")


def table_names(uri: str) -> set[str]:
    engine = create_engine(uri, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def check_migrations(service: str, uri: str) -> None:
    """Up to the heads: the models' schema; down to the base: nothing left; up again."""
    upgrade(service, uri)
    assert schema_differences(service, uri) == []
    assert revisions(service, uri) == {KERNEL: head(KERNEL), service: head(service)}

    downgrade(service, uri)
    assert table_names(uri) <= VERSION_TABLES
    assert revisions(service, uri) == {KERNEL: None, service: None}

    upgrade(service, uri)
    assert schema_differences(service, uri) == []


@pytest.mark.parametrize("service", deployed_services())
def test_the_migrations_build_the_schema_the_models_describe(service, database):
    check_migrations(service, database)


# --- a new service, by convention -----------------------------------------------------------


def test_a_new_service_gets_the_kernel_tables_from_the_kernel(new_service, database):
    service = new_service()

    check_migrations(service, database)

    assert table_names(database) == {"notes"} | KERNEL_TABLE_NAMES | VERSION_TABLES
    base = importlib.import_module(f"services.{service}.models").Base
    standalone = StandaloneDatabase(base, service, database)
    unit = standalone.unit_of_work()
    try:
        assert unit.outbox_backlog() == 0
    finally:
        unit.close()
        standalone.dispose()


def test_the_drift_check_finds_a_column_a_new_service_forgot_to_migrate(new_service, tmp_path):
    service = new_service(text_column="")
    uri = f"sqlite:///{tmp_path / 'service.db'}"

    upgrade(service, uri)

    [(kind, _schema, table, column)] = schema_differences(service, uri)
    assert (kind, table, column.name) == ("add_column", "notes", "text")
