"""Hot read-only queries run on the database driver, compiled once per dialect.

SQLAlchemy's Core execution spends about a tenth of a millisecond of Python on each statement
(its connection wrapper, execution context, result object and type processing) where SQLite
answers a lookup by key in microseconds; on the caller's own profile, the read every screen
starts with, that was a quarter of identity's time (docs/performance.md). A PreparedRead is a
Core ``select`` compiled once for each dialect it meets. Running it takes a driver connection
from the engine's own pool (so the pool's limits, pragmas and timeouts apply), executes the
SQL text and converts the column types it allows the way their SQLAlchemy types would: text,
numbers, booleans and the models' UTC times. A statement selecting anything else is refused
when it is prepared, not when it runs. Parameters go to the driver as given, so they must be
plain text or numbers.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Boolean, Engine, Integer, Select, String

from services.common.models import UtcDateTime


def _utc_time(value):
    """A stored UTC time as an aware datetime, from SQLite's text or a driver's datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _boolean(value):
    return None if value is None else bool(value)


def _converter(column) -> Callable | None:
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return _utc_time
    if isinstance(kind, Boolean):
        return _boolean
    if isinstance(kind, String | Integer):
        return None
    raise TypeError(f"a prepared read cannot convert column {column.key!r} of type {kind!r}")


class PreparedRead:
    def __init__(self, statement: Select):
        columns = list(statement.selected_columns)
        self.statement = statement
        self.row = namedtuple("PreparedRow", [column.key for column in columns])
        self._conversions = [
            (index, convert)
            for index, convert in enumerate(_converter(column) for column in columns)
            if convert is not None
        ]
        self._compiled: dict[str, tuple] = {}

    def rows(self, engine: Engine, parameters: dict) -> list:
        """The statement's rows as named tuples, on a connection returned to the pool at once."""
        compiled, positions = self._compiled_for(engine)
        values = compiled.construct_params(parameters)
        if positions is not None:
            values = tuple(values[name] for name in positions)
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(compiled.string, values)
                fetched = cursor.fetchall()
            finally:
                cursor.close()
        finally:
            connection.close()
        return [self._row(values) for values in fetched]

    def _row(self, values) -> tuple:
        if self._conversions:
            values = list(values)
            for index, convert in self._conversions:
                values[index] = convert(values[index])
        return self.row._make(values)

    def _compiled_for(self, engine: Engine) -> tuple:
        dialect = engine.dialect
        known = self._compiled.get(dialect.name)
        if known is None:
            compiled = self.statement.compile(dialect=dialect)
            positions = list(compiled.positiontup) if dialect.positional else None
            known = self._compiled[dialect.name] = (compiled, positions)
        return known
