"""A service whose PostgreSQL is unreachable, refuses connections or makes a statement wait
answers Unavailable (a 503 with Retry-After at the gateway), never an unexpected error.

``kernel_outage`` is a throwaway service with one table, on a real PostgreSQL: nothing is
replaced, the database itself is stopped from answering (a port where nothing listens, a
database closed to connections, a table locked by another connection).
"""

from __future__ import annotations

import time

import psycopg2
import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import String, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool

from services.common import db
from services.common.db import Database
from services.common.entrypoints import rpc
from services.common.errors import Unavailable
from services.common.kernel_tables import declare_kernel_tables
from services.common.rpc import RpcClient
from tests.conftest import free_port
from tests.signed_rpc import SignedRpcProxy

SERVICE = "kernel_outage"


class OutageBase(DeclarativeBase):
    pass


class Item(OutageBase):
    __tablename__ = "outage_items"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)


KERNEL_TABLES = declare_kernel_tables(OutageBase)


class OutageService:
    name = SERVICE
    db = Database(OutageBase)

    @rpc
    def count_items(self) -> int:
        return self.db.session.scalar(select(func.count()).select_from(Item))


@pytest.fixture
def start_service(container_factory, service_config):
    def start(uri: str, **timeouts) -> None:
        config = {**service_config, "DB_URIS": {SERVICE: uri}, "DB_TIMEOUTS": timeouts}
        container_factory(OutageService, config).start()

    return start


@pytest.fixture
def outage_db(pg_uri):
    engine = create_engine(pg_uri, poolclass=NullPool)
    OutageBase.metadata.create_all(engine)
    engine.dispose()
    return pg_uri


def call_count(service_config) -> int:
    with SignedRpcProxy(service_config, timeout=10) as cluster:
        return cluster.kernel_outage.count_items()


def assert_unavailable(service_config) -> Unavailable:
    with pytest.raises(Unavailable) as caught:
        call_count(service_config)
    error = caught.value
    assert error.code == "error.service_unavailable"
    assert error.extra["service"] == SERVICE
    assert error.extra["retry_after"] > 0
    return error


def admin_connection(uri: str):
    url = make_url(uri)
    connection = psycopg2.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password,
        dbname="postgres",
    )  # fmt: skip
    connection.autocommit = True
    return connection


def test_a_database_port_where_nothing_listens_is_unavailable(start_service, service_config):
    start_service(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/nowhere")

    assert_unavailable(service_config)


def test_a_database_that_refuses_connections_is_unavailable_then_served_again(
    start_service, service_config, outage_db
):
    start_service(outage_db)
    assert call_count(service_config) == 0  # the pool now holds a live connection
    name = make_url(outage_db).database
    admin = admin_connection(outage_db)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )

        assert_unavailable(service_config)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()

    assert call_count(service_config) == 0


def terminate_backends(uri: str) -> None:
    admin = admin_connection(uri)
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (make_url(uri).database,),
            )
    finally:
        admin.close()


def test_a_pooled_connection_idle_for_a_while_is_pinged_and_replaced_if_dropped(
    start_service, service_config, outage_db, monkeypatch
):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.2)
    start_service(outage_db)
    assert call_count(service_config) == 0  # the pool now holds a live connection
    terminate_backends(outage_db)
    time.sleep(0.3)

    assert call_count(service_config) == 0  # the ping found it dead: a new connection


def test_a_connection_dropped_while_in_use_fails_one_call_then_the_pool_connects_again(
    start_service, service_config, outage_db
):
    start_service(outage_db)
    assert call_count(service_config) == 0
    terminate_backends(outage_db)

    assert_unavailable(service_config)  # back moments ago: taken as alive, not pinged
    assert call_count(service_config) == 0


def test_a_statement_waiting_on_a_lock_past_statement_timeout_is_unavailable(
    start_service, service_config, outage_db
):
    start_service(outage_db, STATEMENT_SECONDS=0.3)
    engine = create_engine(outage_db, poolclass=NullPool)
    try:
        with engine.connect() as holder:
            holder.exec_driver_sql('LOCK TABLE "outage_items" IN ACCESS EXCLUSIVE MODE')

            error = assert_unavailable(service_config)

            assert "57014" in error.detail  # query_canceled: the statement_timeout fired
            holder.rollback()
    finally:
        engine.dispose()

    assert call_count(service_config) == 0


class OutageCallerService:
    name = "kernel_outage_caller"
    outage = RpcClient(SERVICE, timeout=1)

    @rpc
    def count_items(self) -> int:
        return self.outage.count_items()


WAITING_ON_LOCK = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


def test_a_statement_waits_no_longer_than_the_caller_of_its_worker(
    container_factory, start_service, service_config, outage_db, eventually
):
    start_service(outage_db, STATEMENT_SECONDS=30)
    caller = container_factory(OutageCallerService, service_config)
    caller.start()
    engine = create_engine(outage_db, poolclass=NullPool)
    try:
        with engine.connect() as holder, engine.connect() as watcher:
            holder.exec_driver_sql('LOCK TABLE "outage_items" IN ACCESS EXCLUSIVE MODE')
            started = time.monotonic()
            with entrypoint_hook(caller, "count_items") as count, pytest.raises(Unavailable):
                count()

            def nobody_waits() -> None:
                assert watcher.scalar(text(WAITING_ON_LOCK)) == 0
                watcher.rollback()

            eventually(nobody_waits, timeout=5)
            assert time.monotonic() - started < 5  # not the engine's 30 s
            holder.rollback()
    finally:
        engine.dispose()
