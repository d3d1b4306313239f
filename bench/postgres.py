"""The machine's PostgreSQL server for the benchmarks: a database made for a run and dropped
after it, and the CPU its backends used.

The server is shared (other tenants' test databases run on it too), so a benchmark charges
PostgreSQL only with the backends connected to its own databases.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg2

from bench.procstat import CpuMeter, CpuSnapshot, own_cpu_seconds

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def sqlalchemy_uri(name: str, server: str = PG_SERVER) -> str:
    return f"{server.replace('postgresql', 'postgresql+psycopg2', 1)}/{name}"


def admin_connection(server: str = PG_SERVER):
    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    return connection


def database_exists(name: str) -> bool:
    with admin_connection() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return cursor.fetchone() is not None


def recreate_database(name: str) -> None:
    connection = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def drop_database(name: str) -> None:
    connection = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


class DatabaseCpuMeter(CpuMeter):
    """CpuMeter with a role ``postgres``: the CPU of the server's backends connected to the
    benchmark's databases only. A backend's CPU counts from the first snapshot that sees it,
    so the services' pooled connections, open from the start, are counted whole."""

    def __init__(self, pids: dict[str, int], databases: Iterable[str]):
        super().__init__(pids)
        self.databases = list(databases)
        self.connection = admin_connection()

    def snapshot(self) -> CpuSnapshot:
        taken = super().snapshot()
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
                (self.databases,),
            )
            backends = [pid for (pid,) in cursor.fetchall()]
        taken.per_process["postgres"] = sum(own_cpu_seconds(pid) for pid in backends)
        return taken

    def close(self) -> None:
        self.connection.close()
