"""Alembic, driven from code: every database's schema changes only through migrations.

A service's database has two migration histories, each with its own version table:

- the kernel's (``services/common/kernel_migrations``, version table
  ``alembic_version_kernel``): the tables every service's database holds (outbox, inbox,
  remembered answers, dead letters, services/common/kernel_tables.py), written once;
- the service's own (``services/<name>/migrations/versions``, version table
  ``alembic_version``): its own tables only.

``upgrade`` brings the kernel's history to its head first, then the service's: a new service
gets the kernel's tables by convention and writes migrations for its own tables only. Both
histories run in the one Alembic environment of ``services/common/migration_env``
(``render_as_batch``, so that the same migration runs on SQLite, which cannot ALTER columns,
and on PostgreSQL); a service's folder holds its ``versions`` and nothing else.

Databases made before the kernel had a history of its own got the kernel's tables from each
service's first migrations. The kernel's history adopts them: when its version table is empty
it is stamped with the last of its early steps (``already_there`` in each of them) that the
database holds, so nothing is built twice and nothing is dropped.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect
from sqlalchemy.pool import NullPool

from services.common.kernel_tables import KERNEL_TABLE_NAMES, UNMODELLED, KernelBase

KERNEL = "kernel"
KERNEL_VERSION_TABLE = "alembic_version_kernel"
SERVICE_VERSION_TABLE = "alembic_version"
VERSION_TABLES = frozenset({KERNEL_VERSION_TABLE, SERVICE_VERSION_TABLE})
ENVIRONMENT_DIR = Path(__file__).with_name("migration_env")
KERNEL_VERSIONS_DIR = Path(__file__).with_name("kernel_migrations")

# Config.attributes key: whose history a run of the environment migrates (KERNEL or a service)
HISTORY = "imi_history"


def service_folder(service: str) -> Path:
    """The package folder of ``services.<service>``."""
    spec = importlib.util.find_spec(f"services.{service}")
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"no service package services.{service}")
    return Path(next(iter(spec.submodule_search_locations)))


def versions_folder(history: str) -> Path:
    if history == KERNEL:
        return KERNEL_VERSIONS_DIR
    return service_folder(history) / "migrations" / "versions"


def alembic_config(history: str, uri: str) -> Config:
    """Alembic's configuration for ``history`` (KERNEL or a service's name) on ``uri``."""
    config = Config()
    config.set_main_option("script_location", str(ENVIRONMENT_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(versions_folder(history)))
    config.attributes["url"] = uri
    config.attributes[HISTORY] = history
    return config


def upgrade(service: str, uri: str, revision: str = "head") -> None:
    """The kernel's history to its head, then the service's to ``revision``."""
    upgrade_kernel(uri)
    command.upgrade(alembic_config(service, uri), revision)


def upgrade_kernel(uri: str) -> None:
    config = alembic_config(KERNEL, uri)
    adopted = adoptable_kernel_revision(config, uri)
    if adopted is not None:
        command.stamp(config, adopted)
    command.upgrade(config, "head")


def downgrade(service: str, uri: str, revision: str = "base") -> None:
    """The service's history down to ``revision``; down to ``base``, the kernel's too."""
    command.downgrade(alembic_config(service, uri), revision)
    if revision == "base":
        command.downgrade(alembic_config(KERNEL, uri), "base")


def adoptable_kernel_revision(config: Config, uri: str) -> str | None:
    """For a database whose kernel tables were made by its service's own migrations: the
    last of the kernel's steps it holds already. None when the kernel's history has run here
    before, or when the database holds none of its steps (a new one)."""
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if current_revision(connection, KERNEL_VERSION_TABLE) is not None:
                return None
            inspector = inspect(connection)
            adopted = None
            for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions())):
                already_there = getattr(script.module, "already_there", None)
                if already_there is None or not already_there(inspector):
                    break
                adopted = script.revision
            return adopted
    finally:
        engine.dispose()


def current_revision(connection, version_table: str) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": version_table})
    return context.get_current_revision()


def head(history: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(history, "")).get_current_head()


def new_revision(history: str, uri: str, message: str, rev_id: str | None = None) -> None:
    """Autogenerate a migration of ``history`` (KERNEL or a service) from the difference
    between its tables' models and the database at ``uri`` (upgraded to its heads first)."""
    command.revision(
        alembic_config(history, uri), message=message, autogenerate=True, rev_id=rev_id
    )


def service_metadata(service: str) -> MetaData:
    """The service's models, its kernel tables included (``services.<name>.models.Base``)."""
    return importlib.import_module(f"services.{service}.models").Base.metadata


def covered_by(metadata: MetaData, names: frozenset[str] | None, skipped: frozenset[str]):
    """Alembic's ``include_object`` for a comparison of ``metadata`` with a database: only the
    tables in ``names`` (all when None), never those in ``skipped``, and never a structure the
    database has and the models leave out on purpose (``metadata.info[UNMODELLED]``: name
    prefixes of engine-specific search structures a migration writes by hand)."""
    unmodelled = tuple(metadata.info.get(UNMODELLED, ()))

    def include(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and (name in skipped or (names is not None and name not in names)):
            return False
        return not (reflected and compare_to is None and str(name).startswith(unmodelled))

    return include


def run_environment() -> None:
    """The body of the environment's env.py: migrate the history Alembic was pointed at, with
    its own version table, comparing (for autogenerate) only the tables it owns."""
    from alembic import context

    history = context.config.attributes[HISTORY]
    if history == KERNEL:
        metadata = KernelBase.metadata
        include = covered_by(metadata, KERNEL_TABLE_NAMES, VERSION_TABLES)
        version_table = KERNEL_VERSION_TABLE
    else:
        metadata = service_metadata(history)
        include = covered_by(metadata, None, VERSION_TABLES | KERNEL_TABLE_NAMES)
        version_table = SERVICE_VERSION_TABLE
    url = context.config.attributes["url"]
    options = {
        "target_metadata": metadata,
        "render_as_batch": True,
        "compare_type": True,
        "include_object": include,
        "version_table": version_table,
    }
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


def schema_differences(service: str, uri: str) -> list:
    """How the database at ``uri`` differs from the service's models, its kernel tables
    included (empty when the migrations build exactly what the models describe)."""
    metadata = service_metadata(service)
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_object": covered_by(metadata, None, VERSION_TABLES),
                },
            )
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def revisions(service: str, uri: str) -> dict[str, str | None]:
    """The revision each of the database's histories is at: ``{KERNEL: ..., service: ...}``."""
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return {
                KERNEL: current_revision(connection, KERNEL_VERSION_TABLE),
                service: current_revision(connection, SERVICE_VERSION_TABLE),
            }
    finally:
        engine.dispose()
