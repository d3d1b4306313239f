"""The requests sent each UTC month per question set and area, and how many of them asked each
question (models.SentRequestCount, SentQuestionCount), kept in the transaction that writes a
request's state (exchange._store), so they always agree with the requests.

Why: the questions asked most, with their share of the requests of their set, over ten years
of a network took more than a second to count from 4.5 million question rows; the whole months
of a period are now summed from a few thousand counters, and only the days at its edges are
counted from the rows (statistics.py; docs/requests-statistics.md). A counter is changed by
adding to it in the database (an upsert), so two requests sent at once both count, on SQLite
and PostgreSQL alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.requests.models import (
    Request,
    RequestQuestion,
    SentQuestionCount,
    SentRequestCount,
)
from services.requests.statistics_sql import month_start, month_text

_requests: Table = SentRequestCount.__table__
_questions: Table = SentQuestionCount.__table__


@dataclass(frozen=True)
class Sent:
    """What the counters hold of one sent request."""

    month: str  # YYYY-MM, UTC
    set_key: str
    area: str
    questions: frozenset[str]


def sent(sent_at: datetime | None, set_key: str, area: str, keys: Iterable[str]) -> Sent | None:
    """A request as counted, or None while it is not sent."""
    if sent_at is None:
        return None
    return Sent(month_of(sent_at), set_key, area, frozenset(keys))


def month_of(at: datetime | date) -> str:
    if isinstance(at, datetime):
        at = at.astimezone(UTC)
    return f"{at.year:04d}-{at.month:02d}"


def change(session: Session, before: Sent | None, after: Sent | None) -> None:
    """Count a request as ``after`` instead of ``before`` (None: not counted)."""
    if before != after:
        _add_all(session, ((before, -1), (after, 1)))


def add_written(session: Session, written: Iterable[Sent | None]) -> None:
    """Count requests written in bulk, without exchange._store (the demo's history, a
    benchmark's network)."""
    _add_all(session, ((counted, 1) for counted in written))


def _add_all(session: Session, signed: Iterable[tuple[Sent | None, int]]) -> None:
    """Add each request's sign to its counters; a counter is created at its first request.
    The keys are written in order, so that two transactions waiting on each other's counters
    cannot deadlock."""
    requests: Counter = Counter()
    questions: Counter = Counter()
    for counted, sign in signed:
        if counted is not None:
            place = (counted.month, counted.set_key, counted.area)
            requests[place] += sign
            for key in counted.questions:
                questions[(*place, key)] += sign
    _add(session, _requests, requests, ("month", "set_key", "area"))
    _add(session, _questions, questions, ("month", "set_key", "area", "question_key"))


def recount(session: Session) -> None:
    """Count every request again from the requests and their questions: for a network loaded
    in bulk (bench/requests_data.py), and for the tests, which hold the counters kept along to
    it."""
    session.execute(delete(_questions))
    session.execute(delete(_requests))
    for table, source, names in (
        (_requests, Request, ("set_key", "area")),
        (_questions, RequestQuestion, ("set_key", "area", "question_key")),
    ):
        month = month_text(month_start(source.sent_at))
        keys = [getattr(source, name) for name in names]
        counted = (
            select(month, *keys, func.count())
            .where(source.sent_at.is_not(None))
            .group_by(month, *keys)
        )
        session.execute(insert(table).from_select(["month", *names, "requests"], counted))


def _add(session: Session, table: Table, deltas: Mapping[tuple, int], keys: tuple) -> None:
    rows = [{**dict(zip(keys, key, strict=True)), "requests": delta}
            for key, delta in sorted(deltas.items()) if delta]  # fmt: skip
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={"requests": table.c.requests + statement.excluded.requests},
        ),
        rows,
    )


@dataclass(frozen=True)
class Period:
    """A period of whole days split for the counters: the whole months in it (``first`` to
    ``last``, ``YYYY-MM``, None for no bound), or None when it holds no whole month; and the
    days outside them, each part as [start, end) midnights in UTC, None for no bound."""

    months: tuple[str | None, str | None] | None
    days: tuple[tuple[datetime | None, datetime | None], ...]


def split(sent_from: date | None, sent_to: date | None) -> Period:
    """``sent_from`` to ``sent_to`` (both included, None for no bound) as whole months and
    the days at its edges."""
    if sent_to is not None and sent_to >= date.max:
        sent_to = None
    first = sent_from if sent_from is None or sent_from.day == 1 else _next_month(sent_from)
    end = None  # the first day after the whole months
    if sent_to is not None:
        end = _next_month(sent_to) if _last_day(sent_to) else sent_to.replace(day=1)
    if first is not None and end is not None and first >= end:
        return Period(None, ((midnight(sent_from), midnight(_day_after(sent_to))),))
    days = []
    if sent_from is not None and sent_from < first:
        days.append((midnight(sent_from), midnight(first)))
    if sent_to is not None and end <= sent_to:
        days.append((midnight(end), midnight(_day_after(sent_to))))
    last = None if end is None else month_of(end - timedelta(days=1))
    return Period((None if first is None else month_of(first), last), tuple(days))


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _last_day(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def _day_after(day: date | None) -> date | None:
    return None if day is None else day + timedelta(days=1)


def midnight(day: date | None) -> datetime | None:
    """The start of ``day`` in UTC (None for no bound)."""
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)
