"""Two saves of the same version that truly overlap on PostgreSQL, made deterministic.

``held_saves`` holds open the first transaction of a running service that updates a table,
right after its UPDATE, until another transaction of the same database waits for a lock: by
then the second save has read the same version and is on its way to write. The first then
commits and the second goes on. Without the hold, the two calls would usually run one after
the other, and the race the tests are about would be left to luck.

``race`` sends two RPC calls at once and sorts their outcomes into the one that was saved
and the one that was refused.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import eventlet
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from services.common.db import Database
from services.common.errors import Conflict

HOLD_SECONDS = 10.0
WAITING_FOR_A_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@dataclass
class Hold:
    table: str
    held: bool = False
    overlapped: bool = False


@contextlib.contextmanager
def held_saves(container, table: str, uri: str) -> Iterator[Hold]:
    """Within the block, the service's first UPDATE of ``table`` waits (at most
    HOLD_SECONDS) until another transaction waits for a lock; ``overlapped`` says it did."""
    engine = next(d for d in container.dependencies if isinstance(d, Database)).engine
    observer = create_engine(uri, poolclass=NullPool)
    hold = Hold(table)

    def after_execute(_connection, _cursor, statement, *_args) -> None:
        if hold.held or not statement.startswith(f"UPDATE {table} "):
            return
        hold.held = True
        deadline = time.monotonic() + HOLD_SECONDS
        while time.monotonic() < deadline:
            with observer.connect() as connection:
                if connection.scalar(WAITING_FOR_A_LOCK):
                    hold.overlapped = True
                    return
            eventlet.sleep(0.01)

    event.listen(engine, "after_cursor_execute", after_execute)
    try:
        yield hold
    finally:
        event.remove(engine, "after_cursor_execute", after_execute)
        observer.dispose()


@dataclass
class Outcome:
    saved: dict  # the answer of the call that won
    refused: Conflict  # the error of the call that lost
    winner: int  # 0 or 1: which of the two calls won


def race(first, second) -> Outcome:
    """The outcomes of two calls already sent (``call_async`` replies); exactly one must have
    been saved and the other refused with a Conflict."""
    results: list = []
    for reply in (first, second):
        try:
            results.append(reply.result())
        except Conflict as exc:
            results.append(exc)
    refused = [index for index, result in enumerate(results) if isinstance(result, Conflict)]
    assert len(refused) == 1, f"expected one save refused, got {results!r}"
    winner = 1 - refused[0]
    return Outcome(results[winner], results[refused[0]], winner)


def stale_version_of(outcome: Outcome) -> dict:
    """The refusal's code and params, to compare with what the winner saved."""
    return {"code": outcome.refused.code, **outcome.refused.extra}
