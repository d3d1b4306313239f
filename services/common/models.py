"""Tables every service's database has: the outbox, the inbox and remembered RPC results;
and ``Versioned``, the columns and rule of every aggregate an editor changes.

Each service declares them on its own ``DeclarativeBase`` by subclassing these mixins, so they
live in that service's database and its Alembic migrations like any other table.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text, event, inspect
from sqlalchemy.orm import InstanceState, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from services.common.errors import StaleVersion


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
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite's text
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)  # PostgreSQL's, in the session's time zone


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


class Versioned:
    """An aggregate saved with a compare-and-set on its version (optimistic concurrency).

    ``version`` is SQLAlchemy's ``version_id_col``: every UPDATE or DELETE of the row says
    ``WHERE version = <the version this transaction read>``. Of two transactions that read the
    same version, the first to save changes the row; on PostgreSQL the other's statement waits
    for the first to commit, then matches no row, and SQLAlchemy raises StaleDataError, which
    the unit of work turns into a ``StaleVersion`` (services.common.db). Nothing is lost and
    nothing is decided in Python.

    The counter moves only by ``touch`` (``version_id_generator`` False): a save that is not an
    edit (a login's counters, a reminder's time) is checked like any other but does not make
    the copies editors hold stale. ``updated_at``/``updated_by`` say when and by whom the last
    edit was made, which a loser is told.
    """

    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(36))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805 (a class attribute, built per class)
        return {"version_id_col": cls.version, "version_id_generator": False}

    def touch(self, actor_id: str | None, now: datetime) -> None:
        """Record an edit: one more version, made now by ``actor_id`` (None: the system)."""
        self.version += 1
        self.updated_at = now
        self.updated_by = actor_id

    def require_version(self, expected: int) -> None:
        """Refuse at once an edit of a version already known to be old (the fast path; the
        compare-and-set still decides between two saves racing past it)."""
        if self.version != expected:
            raise stale_version(self)


# session.info key: (model, identity, version read) of each versioned row a flush saves
VERSIONED_SAVES = "versioned_saves"


@event.listens_for(Versioned, "before_delete", propagate=True)
@event.listens_for(Versioned, "before_update", propagate=True)
def _remember_the_version_read(_mapper, _connection, target: Versioned) -> None:
    """Note which version each save read, before its statement runs: if the compare-and-set
    then matches no row, the flush's rollback forgets it, and the unit of work needs it to
    tell which row someone else saved (services.common.db.UnitOfWork.stale_version)."""
    state = inspect(target)
    state.session.info.setdefault(VERSIONED_SAVES, []).append(
        (state.class_, state.identity, _version_read(state))
    )


def _version_read(state: InstanceState) -> int | None:
    """The version a transaction read: the one before ``touch`` raised it, if it did."""
    if "version" in state.committed_state:
        return state.committed_state["version"]
    return state.dict.get("version")


def stale_version(current: Versioned | None) -> StaleVersion:
    """The conflict a stale save gets, naming the current version, who saved it and when;
    ``current`` is None when the object was deleted in the meantime."""
    details = {
        "current_version": current.version if current is not None else None,
        "changed_by": current.updated_by if current is not None else None,
        "changed_at": current.updated_at.isoformat() if current is not None else None,
    }
    if hasattr(current, "updated_by_username"):  # an aggregate that keeps its editor's name
        details["changed_by_username"] = current.updated_by_username
    return StaleVersion(
        "Someone else saved this since you read it; read it again and redo your change.",
        None,
        details,
    )
