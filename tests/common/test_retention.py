"""The kernel tables' retention: expired inbox, idempotency and sent outbox rows are purged,
nothing younger and no unsent event; on SQLite and on PostgreSQL, where two replicas purge at
once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import eventlet
import pytest
from sqlalchemy import String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common import retention
from services.common.clock import FrozenClock
from services.common.db import StandaloneDatabase
from services.common.kernel_tables import declare_kernel_tables
from services.common.metrics import KERNEL_ROWS_PURGED
from services.common.retention import KernelPurge, RetentionConfigError, RetentionPeriods

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class KeptBase(DeclarativeBase):
    pass


KeptOutbox, KeptInbox, KeptIdempotency, KeptDeadLetter = declare_kernel_tables(KeptBase)


class Unrelated(KeptBase):
    __tablename__ = "unrelated"

    id: Mapped[str] = mapped_column(String(10), primary_key=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_uri(request):
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_uri")
    return request.getfixturevalue("pg_uri")


@pytest.fixture
def databases(database_uri):
    """Two processes' views of one database (two engines, as two replicas have)."""
    made = [StandaloneDatabase(KeptBase, "kept", database_uri) for _ in range(2)]
    KeptBase.metadata.create_all(made[0].engine)
    yield made
    for database in made:
        database.dispose()


def purger(database, clock=lambda: NOW) -> KernelPurge:
    models = (KeptOutbox, KeptInbox, KeptIdempotency)
    return KernelPurge("kept", database.sessions, models, RetentionPeriods(), clock)


def store(database, rows) -> None:
    with database.sessions() as session:
        session.add_all(rows)
        session.commit()


def inbox_row(n: int, age: timedelta) -> KeptInbox:
    return KeptInbox(event_id=f"event-{n}", handler="kept.on_it", handled_at=NOW - age)


def outbox_row(n: int, age: timedelta, sent: bool) -> KeptOutbox:
    created = NOW - age
    return KeptOutbox(event_id=f"event-{n}", event_type="noted", envelope={"n": n},
                      created_at=created, published_at=created if sent else None)  # fmt: skip


def remembered(key: str, age: timedelta) -> KeptIdempotency:
    return KeptIdempotency(key=key, method="create_user", created_at=NOW - age,
                           result='{"name": "Erika Mustermann"}')  # fmt: skip


def left(database, column) -> list:
    with database.sessions() as session:
        return sorted(session.scalars(select(column)))


def test_expired_kernel_rows_go_and_younger_ones_and_unsent_events_stay(databases):
    database = databases[0]
    day = timedelta(days=1)
    store(database, [
        inbox_row(1, 46 * day), inbox_row(2, 44 * day),
        outbox_row(3, 31 * day, sent=True), outbox_row(4, 29 * day, sent=True),
        outbox_row(5, 400 * day, sent=False),
        remembered("old", timedelta(hours=25)), remembered("young", timedelta(hours=23)),
        Unrelated(id="kept"),
    ])  # fmt: skip
    before = KERNEL_ROWS_PURGED.labels("kept", "idempotency")._value.get()

    purged = purger(database).purge()

    assert purged == {"outbox": 1, "inbox": 1, "idempotency": 1}
    assert left(database, KeptInbox.event_id) == ["event-2"]
    assert left(database, KeptOutbox.event_id) == ["event-4", "event-5"]
    # the answer remembered with a person's name in it goes after a day
    assert left(database, KeptIdempotency.key) == ["young"]
    assert left(database, Unrelated.id) == ["kept"]
    assert KERNEL_ROWS_PURGED.labels("kept", "idempotency")._value.get() == before + 1


def test_the_purge_follows_the_clock(databases):
    database = databases[0]
    store(database, [remembered("call", timedelta(0))])
    clock = FrozenClock(NOW)
    purge = purger(database, clock)

    assert purge.purge()["idempotency"] == 0
    clock.advance(hours=24, seconds=1)
    assert purge.purge()["idempotency"] == 1


def test_two_replicas_purging_at_once_delete_each_row_once_and_all_of_them(databases, monkeypatch):
    monkeypatch.setattr(retention, "PURGE_BATCH", 40)
    expired = [inbox_row(n, timedelta(days=50)) for n in range(600)]
    store(databases[0], [*expired, inbox_row(9999, timedelta(days=1))])

    replicas = [eventlet.spawn(purger(database).purge) for database in databases]
    results = [replica.wait() for replica in replicas]

    assert sum(result["inbox"] for result in results) == 600
    assert left(databases[0], KeptInbox.event_id) == ["event-9999"]
    with databases[1].sessions() as session:
        assert session.scalar(select(func.count()).select_from(KeptInbox)) == 1


def test_the_periods_come_from_the_configuration_with_expected_defaults():
    assert RetentionPeriods.from_config({}) == RetentionPeriods(
        idempotency=timedelta(hours=24), inbox=timedelta(days=45), outbox=timedelta(days=30)
    )
    configured = RetentionPeriods.from_config(
        {"KERNEL_RETENTION": {"IDEMPOTENCY_HOURS": "2", "INBOX_DAYS": 90, "OUTBOX_DAYS": 60}}
    )
    assert configured.idempotency == timedelta(hours=2)
    assert configured.inbox == timedelta(days=90)


def test_an_inbox_kept_shorter_than_the_outbox_replay_window_is_refused():
    with pytest.raises(RetentionConfigError, match="INBOX_DAYS"):
        RetentionPeriods.from_config({"KERNEL_RETENTION": {"INBOX_DAYS": 7}})
