"""The unit of work's waits and follow-ups on a real SQLite file: letting go of the connection
before a long wait without losing what was added, and work that runs only once the change is
committed."""

from __future__ import annotations

import pytest
from sqlalchemy import String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import StandaloneDatabase
from services.common.kernel_tables import declare_kernel_tables


class UnitBase(DeclarativeBase):
    pass


class Memo(UnitBase):
    __tablename__ = "memos"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)


KERNEL_TABLES = declare_kernel_tables(UnitBase)


@pytest.fixture
def database(sqlite_uri):
    database = StandaloneDatabase(UnitBase, "unit_tests", sqlite_uri)
    UnitBase.metadata.create_all(database.engine)
    yield database
    database.dispose()


def stored(database) -> list[str]:
    with database.sessions() as session:
        return sorted(session.scalars(select(Memo.id)))


def connections_in_use(database) -> int:
    return database.engine.pool.checkedout()


def test_releasing_the_connection_keeps_what_was_added_and_writes_it_at_commit(database):
    unit = database.unit_of_work()
    unit.session.add(Memo(id="before-the-wait"))
    with unit.session.no_autoflush:
        unit.session.scalar(select(func.count()).select_from(Memo))  # a read opens it
    assert connections_in_use(database) == 1

    unit.release_connection()

    assert connections_in_use(database) == 0
    unit.session.add(Memo(id="after-the-wait"))
    unit.commit()
    assert stored(database) == ["after-the-wait", "before-the-wait"]


def test_a_unit_that_has_written_keeps_its_transaction_and_its_rows(database):
    unit = database.unit_of_work()
    unit.session.add(Memo(id="flushed"))
    unit.session.flush()

    unit.release_connection()

    assert connections_in_use(database) == 1
    unit.commit()
    assert stored(database) == ["flushed"]


def test_work_after_commit_runs_once_the_change_is_stored_and_its_changes_are_committed(
    database,
):
    unit = database.unit_of_work()
    seen = []

    def follow_up():
        seen.append(stored(database))
        unit.session.add(Memo(id="follow-up"))

    unit.session.add(Memo(id="change"))
    unit.after_commit(follow_up)
    assert seen == []
    unit.commit()

    assert seen == [["change"]]
    assert stored(database) == ["change", "follow-up"]


def test_a_rollback_forgets_the_work_that_waited_for_the_commit(database):
    unit = database.unit_of_work()
    seen = []
    unit.session.add(Memo(id="dropped"))
    unit.after_commit(lambda: seen.append("ran"))

    unit.rollback()
    unit.commit()

    assert seen == []
    assert stored(database) == []


def test_a_failing_follow_up_does_not_stop_the_next_and_its_error_comes_out_last(database):
    unit = database.unit_of_work()

    def refused():
        unit.session.add(Memo(id="refusal-noted"))
        raise RuntimeError("the engine refused")

    unit.after_commit(refused)
    unit.after_commit(lambda: unit.session.add(Memo(id="second")))

    with pytest.raises(RuntimeError, match="the engine refused"):
        unit.commit()
    assert stored(database) == ["refusal-noted", "second"]
