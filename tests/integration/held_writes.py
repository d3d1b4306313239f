"""A barrier for racing writers on PostgreSQL, made of the database's own lock.

``inserts_held(uri, table)`` takes ``table`` in SHARE mode on a connection of its own: readers
go on, but every insert into the table waits. Writers started meanwhile each run their checks
(what a rule checked in Python would see), then wait at their insert; ``wait_for(n)`` returns
once ``n`` of them wait there, and leaving the block lets them all go at the same moment. So
two calls truly overlap between their check and their write, every time, with no sleep and
nothing in the service replaced.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

WAITING = text(
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@contextmanager
def inserts_held(uri: str, table: str, timeout: float = 10.0) -> Iterator[Callable[[int], None]]:
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with engine.connect() as holder, engine.connect() as watcher:
            holder.exec_driver_sql(f'LOCK TABLE "{table}" IN SHARE MODE')

            def wait_for(writers: int) -> None:
                deadline = time.monotonic() + timeout
                while watcher.scalar(WAITING) < writers:
                    assert time.monotonic() < deadline, f"{writers} writers never reached {table}"
                    watcher.rollback()
                    time.sleep(0.02)
                watcher.rollback()

            yield wait_for
            holder.rollback()
    finally:
        engine.dispose()


def outcomes(calls) -> tuple[list, list]:
    """(answers, errors) of the RPC calls a test made with ``call_async``."""
    answers, errors = [], []
    for call in calls:
        try:
            answers.append(call.result())
        except Exception as exc:  # what each caller got is what the test looks at
            errors.append(exc)
    return answers, errors
