"""Tables every service's database has: the outbox, the inbox and remembered RPC results.

Each service declares them on its own ``DeclarativeBase`` by subclassing these mixins, so they
live in that service's database and its Alembic migrations like any other table.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC, on SQLite (which stores naive text) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class OutboxMixin:
    """Events written in the same transaction as the change that caused them."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    envelope: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    sensitive: Mapped[bool] = mapped_column(default=False)
    # how often the broker had no queue for the event yet, and when it is offered again
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class InboxMixin:
    """Events a handler has already acted on, recorded in the same transaction as its effect."""

    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    handler: Mapped[str] = mapped_column(String(100), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IdempotencyMixin:
    """The first result of a state-changing call, returned again when the key comes back."""

    __tablename__ = "idempotency"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    method: Mapped[str] = mapped_column(String(100), primary_key=True)
    result: Mapped[str] = mapped_column(Text)
    # index=True names it ix_idempotency_created_at, as the shared Index object of
    # __table_args__ did; that object could join one table only, so a second service's Base
    # in the same process (as in tests) failed with "cannot be associated with table"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
