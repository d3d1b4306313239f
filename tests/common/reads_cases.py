"""A table of every column type a prepared read converts, and the rows both engines hold, for
tests/common/test_reads.py (SQLite) and tests/integration/test_reads_postgres.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
)

from services.common.models import UtcDateTime
from services.common.reads import PreparedRead

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50), nullable=False),
    Column("note", String(50)),
    Column("active", Boolean, nullable=False),
    Column("seen_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("extra", JSON),
)
ROWS = [
    {"id": 1, "name": "Ærø", "note": None, "active": True, "seen_at": None,
     "created_at": datetime(2026, 11, 25, 8, 30, 1, 250, tzinfo=UTC)},
    {"id": 2, "name": "Łódź", "note": "x", "active": False,
     "seen_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
     "created_at": datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)},
]  # fmt: skip
BY_NAME = PreparedRead(
    select(
        things.c.id, things.c.name, things.c.note, things.c.active, things.c.seen_at,
        things.c.created_at,
    ).where(things.c.name == bindparam("name"))
)  # fmt: skip
ALL = PreparedRead(
    select(
        things.c.id, things.c.name, things.c.note, things.c.active, things.c.seen_at,
        things.c.created_at,
    ).where(things.c.id >= bindparam("first")).order_by(things.c.id)
)  # fmt: skip


def filled_engine(uri: str):
    engine = create_engine(uri)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(things), ROWS)
    return engine


def assert_same_rows_as_sqlalchemy(engine) -> None:
    """What a prepared read returns is what SQLAlchemy's own execution returns."""
    for prepared, parameters in ((BY_NAME, {"name": "Łódź"}), (ALL, {"first": 0})):
        with engine.connect() as connection:
            expected = [tuple(row) for row in connection.execute(prepared.statement, parameters)]
        got = prepared.rows(engine, parameters)
        assert [tuple(row) for row in got] == expected
        assert expected
    row = ALL.rows(engine, {"first": 0})[1]
    assert (row.name, row.active, row.seen_at) == (
        "Łódź", False, datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC),
    )  # fmt: skip
    assert row.seen_at.tzinfo is not None
