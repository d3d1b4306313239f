"""The few SQL expressions of the statistics that SQLite and PostgreSQL spell differently:
whether one time is at most some seconds after another, the average seconds between two
times, and the month and day of a time, in UTC. Each is one SQLAlchemy construct compiled per
dialect, so that every query of the statistics is written once and computed in the database
on both engines.

SQLite keeps a time as UTC text (services.common.models.UtcDateTime), which its date
functions read as it is; PostgreSQL keeps a ``timestamptz``, read here at time zone UTC
whatever the session's time zone. On PostgreSQL the per-row work is kept to what an index
scan of a million rows affords: time differences compared as intervals, a month formatted
once per group, not once per row.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, Float, String, literal_column
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class within(FunctionElement):  # noqa: N801 (an SQL function, named as one)
    """Whether ``later`` is at most ``seconds`` after ``earlier``; NULL when either is."""

    type = Boolean()
    name = "within"
    inherit_cache = True

    def __init__(self, later, earlier, seconds: int):
        super().__init__(later, earlier, literal_column(str(int(seconds))))


class average_seconds(FunctionElement):  # noqa: N801
    """The average of ``later - earlier`` in seconds over a group (rows with a NULL left out)."""

    type = Float()
    name = "average_seconds"
    inherit_cache = True


class month_start(FunctionElement):  # noqa: N801
    """The UTC month of a time, to group by (``month_text`` names it)."""

    name = "month_start"
    inherit_cache = True


class month_text(FunctionElement):  # noqa: N801
    """A ``month_start`` as ``YYYY-MM``."""

    type = String()
    name = "month_text"
    inherit_cache = True


class utc_day(FunctionElement):  # noqa: N801
    """The UTC calendar day of a time, comparable with a ``Date`` column."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


def _arguments(element, compiler, **kw) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(within, "sqlite")
def _within_sqlite(element, compiler, **kw) -> str:
    later, earlier, seconds = _arguments(element, compiler, **kw)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0 <= {seconds})"


@compiles(within, "postgresql")
def _within_postgresql(element, compiler, **kw) -> str:
    later, earlier, seconds = _arguments(element, compiler, **kw)
    return f"(({later}) - ({earlier}) <= {seconds} * INTERVAL '1 second')"


@compiles(average_seconds, "sqlite")
def _average_sqlite(element, compiler, **kw) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"avg((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(average_seconds, "postgresql")
def _average_postgresql(element, compiler, **kw) -> str:
    later, earlier = _arguments(element, compiler, **kw)
    return f"EXTRACT(EPOCH FROM avg(({later}) - ({earlier})))"


@compiles(month_start, "sqlite")
def _month_sqlite(element, compiler, **kw) -> str:
    (at,) = _arguments(element, compiler, **kw)
    return f"strftime('%Y-%m', {at})"


@compiles(month_start, "postgresql")
def _month_postgresql(element, compiler, **kw) -> str:
    (at,) = _arguments(element, compiler, **kw)
    return f"date_trunc('month', ({at}) AT TIME ZONE 'UTC')"


@compiles(month_text, "sqlite")
def _month_text_sqlite(element, compiler, **kw) -> str:
    (start,) = _arguments(element, compiler, **kw)
    return start


@compiles(month_text, "postgresql")
def _month_text_postgresql(element, compiler, **kw) -> str:
    (start,) = _arguments(element, compiler, **kw)
    return f"to_char({start}, 'YYYY-MM')"


@compiles(utc_day, "sqlite")
def _day_sqlite(element, compiler, **kw) -> str:
    (at,) = _arguments(element, compiler, **kw)
    return f"date({at})"


@compiles(utc_day, "postgresql")
def _day_postgresql(element, compiler, **kw) -> str:
    (at,) = _arguments(element, compiler, **kw)
    return f"CAST(({at}) AT TIME ZONE 'UTC' AS DATE)"


@compiles(within)
@compiles(average_seconds)
@compiles(month_start)
@compiles(month_text)
@compiles(utc_day)
def _unsupported(element, compiler, **kw) -> str:
    raise CompileError(f"{element.name} is written for SQLite and PostgreSQL only")
