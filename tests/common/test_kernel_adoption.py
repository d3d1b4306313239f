"""Databases made before the kernel had a migration history of its own upgrade cleanly.

Until then each service's own migrations made the kernel's tables (its first migration the
outbox, inbox and idempotency tables; later ones the outbox's attempts and the dead letters).
Those migrations are taken here as they were then, from the repository's history
(``LEGACY_COMMIT``), and a database is built with them, at each of their revisions, with rows in
the kernel's tables. ``upgrade`` then adopts the kernel's tables into the kernel's history and
brings both histories to their heads: nothing is lost, and the schema is exactly the one a new
database gets. A new database's schema is also exactly what those old migrations built.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from services.common.migrations import (
    KERNEL,
    VERSION_TABLES,
    alembic_config,
    head,
    revisions,
    upgrade,
)

ROOT = Path(__file__).resolve().parents[2]
# the last commit whose services' migrations made the kernel's tables themselves
LEGACY_COMMIT = "4caa03cdec76cc3ea6d2b5f4cbbb6f42aded13a7"
# The services that existed then (a later one never had the kernel tables in its own history)
LEGACY_HEADS = {"identity": "i0005", "directory": "d0007", "translation": "t0004"}
WHEN = "2026-12-01 10:00:00+00:00"


def git(*arguments: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *arguments], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"the migrations of {LEGACY_COMMIT[:7]} are not in this clone's history")
    return done.stdout


@pytest.fixture(scope="module")
def legacy_versions(tmp_path_factory) -> Callable[[str], Path]:
    """A folder with the service's migrations as they were at LEGACY_COMMIT."""
    root = tmp_path_factory.mktemp("legacy")

    def folder(service: str) -> Path:
        target = root / service
        if not target.exists():
            path = f"services/{service}/migrations/versions"
            names = git("ls-tree", "--name-only", f"{LEGACY_COMMIT}:{path}").split()
            target.mkdir()
            for name in (name for name in names if name.endswith(".py")):
                (target / name).write_text(git("show", f"{LEGACY_COMMIT}:{path}/{name}"))
        return target

    return folder


def legacy_upgrade(service: str, uri: str, folder: Path, revision: str) -> None:
    """What ``upgrade`` did at LEGACY_COMMIT: the service's own history, no kernel history."""
    from alembic import command

    config = alembic_config(service, uri)
    config.set_main_option("version_locations", str(folder))
    command.upgrade(config, revision)


def legacy_revisions(service: str) -> list[str]:
    """The service's revisions at LEGACY_COMMIT that still exist today, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(service, ""))
    ordered = [revision.revision for revision in script.walk_revisions()][::-1]
    return ordered[: ordered.index(LEGACY_HEADS[service]) + 1]


def schema_of(uri: str) -> dict:
    """Everything about the database's tables, version tables aside; on SQLite the exact DDL."""
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            tables = sorted(set(inspector.get_table_names()) - VERSION_TABLES)
            schema = {table: describe(inspector, table) for table in tables}
            if engine.dialect.name == "sqlite":
                rows = connection.execute(
                    text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
                )
                schema["sqlite_master"] = [
                    tuple(row) for row in rows if not str(row.tbl_name).startswith("alembic")
                ]
            return schema
    finally:
        engine.dispose()


def describe(inspector, table: str) -> dict:
    return {
        "columns": [
            (column["name"], str(column["type"]), column["nullable"], column.get("default"))
            for column in inspector.get_columns(table)
        ],
        "primary_key": plain(inspector.get_pk_constraint(table)),
        "foreign_keys": sorted(map(plain, inspector.get_foreign_keys(table))),
        "indexes": sorted(map(plain, inspector.get_indexes(table))),
        "unique": sorted(map(plain, inspector.get_unique_constraints(table))),
        "checks": sorted(map(plain, inspector.get_check_constraints(table))),
    }


def plain(reflected: dict) -> str:
    """A reflected structure as text (SQL clauses, such as a partial index's, as SQL)."""
    return json.dumps(reflected, sort_keys=True, default=str)


KERNEL_ROWS = {
    "outbox": (
        "INSERT INTO outbox (event_id, event_type, envelope, created_at, sensitive)"
        " VALUES ('e-1', 'thing_happened', '{\"id\": \"e-1\"}', :when, false)"
    ),
    "inbox": "INSERT INTO inbox (event_id, handler, handled_at) VALUES ('e-0', 'h', :when)",
    "idempotency": (
        "INSERT INTO idempotency (key, method, result, created_at)"
        " VALUES ('k-1', 'create', '{\"id\": 1}', :when)"
    ),
    "dead_letters": (
        "INSERT INTO dead_letters (handler, source_service, event_type, digest, payload,"
        " reason, dead_at) VALUES ('s.h', 'other', 'thing', 'd1', '{}', '{}', :when)"
    ),
}


def fill_kernel_tables(uri: str) -> None:
    engine = create_engine(uri, poolclass=NullPool)
    with engine.begin() as connection:
        present = set(inspect(connection).get_table_names())
        for table, insert in KERNEL_ROWS.items():
            if table in present:
                connection.execute(text(insert), {"when": WHEN})
    engine.dispose()


def kernel_rows(uri: str) -> dict[str, list]:
    engine = create_engine(uri, poolclass=NullPool)
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        rows = {
            name: [tuple(row) for row in connection.execute(select(reflected(connection, name)))]
            for name in KERNEL_ROWS
            if name in present
        }
    engine.dispose()
    return rows


def reflected(connection, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=connection)


def fresh_schema(service: str, uri: str, revision: str = "head") -> dict:
    upgrade(service, uri, revision)
    return schema_of(uri)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request) -> str:
    return request.param


@pytest.fixture
def new_database(engine_name, tmp_path, request) -> Callable[[str], str]:
    """Empty databases of the test's engine, as many as it asks for."""

    def make(name: str) -> str:
        if engine_name == "sqlite":
            return f"sqlite:///{tmp_path / name}.db"
        return request.getfixturevalue("new_pg_database")()

    return make


@pytest.mark.parametrize("service", list(LEGACY_HEADS))
def test_a_new_database_has_exactly_the_schema_the_old_migrations_built(
    service, new_database, legacy_versions
):
    legacy = new_database("first")
    legacy_upgrade(service, legacy, legacy_versions(service), "head")

    at_the_old_head = fresh_schema(service, new_database("second"), LEGACY_HEADS[service])
    assert at_the_old_head == schema_of(legacy)


@pytest.mark.parametrize("service", list(LEGACY_HEADS))
def test_a_database_at_the_old_heads_adopts_the_kernel_tables_and_loses_nothing(
    service, new_database, legacy_versions
):
    legacy = new_database("first")
    legacy_upgrade(service, legacy, legacy_versions(service), "head")
    fill_kernel_tables(legacy)
    kept = kernel_rows(legacy)

    upgrade(service, legacy)

    assert revisions(service, legacy) == {KERNEL: head(KERNEL), service: head(service)}
    assert kernel_rows(legacy) == kept
    assert len(kept) == len(KERNEL_ROWS)
    assert schema_of(legacy) == fresh_schema(service, new_database("second"))


@pytest.mark.parametrize(
    ("service", "revision"),
    [(service, revision) for service in LEGACY_HEADS for revision in legacy_revisions(service)],
)
def test_a_database_at_any_old_revision_upgrades_to_the_schema_of_a_new_one(
    service, revision, legacy_versions, tmp_path
):
    legacy = f"sqlite:///{tmp_path / 'legacy.db'}"
    legacy_upgrade(service, legacy, legacy_versions(service), revision)
    fill_kernel_tables(legacy)
    kept = kernel_rows(legacy)

    upgrade(service, legacy)

    assert revisions(service, legacy) == {KERNEL: head(KERNEL), service: head(service)}
    upgraded = kernel_rows(legacy)
    for table, rows in kept.items():  # columns added since hold their defaults
        assert [row[: len(rows[0])] for row in upgraded[table]] == rows
    assert schema_of(legacy) == fresh_schema(service, f"sqlite:///{tmp_path / 'new.db'}")
