"""Outages of a service's database become Unavailable; its bugs stay unexpected errors.

``kernel_pool_outage`` runs on SQLite, whose pool has one connection per process: a worker
that holds it makes the next one wait for the pool, here for at most ``POOL_SECONDS``.
"""

from __future__ import annotations

import eventlet
import pytest
from nameko.exceptions import RemoteError
from sqlalchemy import String, create_engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import Database
from services.common.entrypoints import rpc
from services.common.errors import Unavailable
from services.common.kernel_tables import declare_kernel_tables
from services.common.outages import unavailable_for
from tests.signed_rpc import SignedRpcProxy

SERVICE = "kernel_pool_outage"


class PoolBase(DeclarativeBase):
    pass


class Thing(PoolBase):
    __tablename__ = "things"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)


KERNEL_TABLES = declare_kernel_tables(PoolBase)


class PoolService:
    name = SERVICE
    db = Database(PoolBase)

    @rpc
    def count_things(self) -> int:
        return self.db.session.scalar(select(func.count()).select_from(Thing))

    @rpc
    def hold_connection(self, seconds: float) -> bool:
        self.db.session.execute(select(1))  # checks the pool's one connection out
        eventlet.sleep(seconds)
        return True

    @rpc
    def read_missing_table(self) -> int:
        return self.db.session.scalar(text("SELECT count(*) FROM no_such_table"))


@pytest.fixture
def pool_service(container_factory, service_config, sqlite_uri):
    engine = create_engine(sqlite_uri)
    PoolBase.metadata.create_all(engine)
    engine.dispose()
    config = {
        **service_config,
        "DB_URIS": {SERVICE: sqlite_uri},
        "DB_TIMEOUTS": {"POOL_SECONDS": 0.2},
        "OUTBOX_SWEEP_SECONDS": 60,
    }
    container_factory(PoolService, config).start()
    return config


def test_a_worker_waiting_past_the_pool_timeout_answers_unavailable(pool_service):
    with SignedRpcProxy(pool_service, timeout=10) as cluster:
        holder = cluster.kernel_pool_outage.hold_connection.call_async(2)
        eventlet.sleep(0.3)  # the holder has the pool's one connection

        with pytest.raises(Unavailable) as caught:
            cluster.kernel_pool_outage.count_things()

        assert caught.value.code == "error.service_unavailable"
        assert caught.value.extra == {"service": SERVICE, "retry_after": 2}
        assert holder.result() is True
        assert cluster.kernel_pool_outage.count_things() == 0


def test_a_database_error_that_is_a_bug_stays_an_unexpected_error(pool_service):
    with SignedRpcProxy(pool_service, timeout=10) as cluster, pytest.raises(RemoteError) as caught:
        cluster.kernel_pool_outage.read_missing_table()

    assert caught.value.exc_type == "OperationalError"


def test_a_locked_sqlite_database_is_an_outage_but_a_missing_table_is_not(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 0})
    other = create_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 0})
    with engine.connect() as writer, other.connect() as second:
        writer.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        writer.commit()
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError) as locked:
            second.exec_driver_sql("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError) as missing:
            second.exec_driver_sql("SELECT * FROM missing")

    assert isinstance(unavailable_for(locked.value, "notes"), Unavailable)
    assert unavailable_for(missing.value, "notes") is None
    assert unavailable_for(RuntimeError("bug"), "notes") is None
    engine.dispose()
    other.dispose()
