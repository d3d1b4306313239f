"""The database dependency: one engine per service process, one unit of work per worker.

A worker's changes and the events they cause are written in one transaction (outbox); a relay
publishes the events once the transaction has committed. Nothing is committed unless the code
says so: a worker that raises leaves no trace in the database. A save whose compare-and-set on
a version matched no row (services.common.models.Versioned) is a ``StaleVersion``, never a
driver's error.
"""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import eventlet
import orjson
from nameko.extensions import DependencyProvider
from sqlalchemy import Engine, create_engine, event, func, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from services.common.clock import Clock, utcnow
from services.common.config import DEFAULT_RPC_TIMEOUT, MAX_WORKERS, database_uri
from services.common.contracts import produce
from services.common.dead_letters import (
    DEFAULT_GAUGE_SECONDS,
    GAUGE_SECONDS,
    DeadLetterMixin,
    watch_waiting,
)
from services.common.deadlines import remaining_seconds
from services.common.envelope import make_envelope
from services.common.errors import StaleVersion
from services.common.models import (
    VERSIONED_SAVES,
    IdempotencyMixin,
    InboxMixin,
    OutboxMixin,
    stale_version,
)
from services.common.outbox import OutboxRelay
from services.common.reads import PreparedRead
from services.common.retention import (
    DEFAULT_PURGE_SECONDS,
    PURGE_SECONDS,
    KernelPurge,
    RetentionPeriods,
)

SQLITE_BUSY_TIMEOUT_MS = 5000
DB_TIMEOUTS = "DB_TIMEOUTS"


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long a worker waits on its database before giving up with a 503 (services/common/
    outages.py), from the ``DB_TIMEOUTS`` block of the configuration. The pool's wait is shorter
    than the default RPC timeout (10 s), so that the worker answers while its caller waits.

    ``statement_seconds``: PostgreSQL's statement_timeout (a statement waiting on a lock, or
    running too long, is cancelled), the default RPC timeout, so that a call made with it needs
    no ``SET LOCAL`` of its own (``_bound_statements``); ``pool_seconds``: the wait for a free
    pooled connection; ``connect_seconds``: the wait for a new connection to be accepted.
    """

    statement_seconds: float = DEFAULT_RPC_TIMEOUT
    pool_seconds: float = 8.0
    connect_seconds: float = 5.0

    @classmethod
    def from_config(cls, config: dict) -> DatabaseTimeouts:
        block = config.get(DB_TIMEOUTS) or {}
        defaults = cls()
        return cls(
            float(block.get("STATEMENT_SECONDS", defaults.statement_seconds)),
            float(block.get("POOL_SECONDS", defaults.pool_seconds)),
            float(block.get("CONNECT_SECONDS", defaults.connect_seconds)),
        )


def create_db_engine(
    uri: str, max_workers: int = 10, timeouts: DatabaseTimeouts | None = None
) -> Engine:
    """An engine tuned for eventlet workers.

    SQLite: one pooled connection per process. A worker that yields inside a write transaction
    would otherwise make the others busy-wait in C, freezing the whole process (stack.md,
    pitfall 9); the pool's wait is green. PostgreSQL: a connection per worker. Both with
    timeouts (``timeouts``) so that a database that stops answering cannot hang a worker.
    """
    timeouts = timeouts or DatabaseTimeouts()
    if uri.startswith("sqlite"):
        engine = create_engine(
            uri,
            pool_size=1,
            max_overflow=0,
            pool_timeout=timeouts.pool_seconds,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_deserializer=orjson.loads,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    statement_ms = max(1, round(timeouts.statement_seconds * 1000))
    engine = create_engine(
        uri,
        pool_size=max_workers,
        max_overflow=max_workers,
        pool_timeout=timeouts.pool_seconds,
        json_deserializer=orjson.loads,
        connect_args={
            "connect_timeout": max(1, round(timeouts.connect_seconds)),
            "options": f"-c statement_timeout={statement_ms}",
        },
    )
    event.listen(engine, "checkin", _returned)
    event.listen(engine, "checkout", _ping_when_idle(engine.dialect))
    return engine


# A pooled connection back from work this recently is taken as alive without a ping, as
# HikariCP does for 500 ms ("aliveBypassWindowMs"): under load every call would otherwise pay
# a round trip before its first statement (docs/performance.md). A connection the database
# dropped meanwhile fails at its first statement; that call is a 503 (services/common/
# outages.py) and the pool drops every connection as old as it.
PING_AFTER_IDLE_SECONDS = 1.0
# How long a stopping service waits for the outbox relay to finish the chunk it is publishing.
RELAY_STOP_SECONDS = 10.0
RETURNED_AT = "imi_returned_at"


def _returned(_dbapi_connection, record) -> None:
    record.info[RETURNED_AT] = time.monotonic()


def _ping_when_idle(dialect: Dialect) -> Callable:
    """SQLAlchemy's pre-ping, for a connection idle in the pool for a while: a dead one is
    replaced (DisconnectionError makes the pool connect again) before the worker uses it."""

    def ping(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get(RETURNED_AT)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return  # new, or back from work moments ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as dead:  # any failure to answer: the pool connects again
            raise DisconnectionError(str(dead)) from dead

    return ping


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


WROTE = "imi_wrote"


WORKER = "imi_worker"
STATEMENT_SECONDS = "imi_statement_seconds"
STATEMENT_SLACK_SECONDS = 1.0


def unit_sessions(engine: Engine) -> sessionmaker:
    """Sessions that remember whether their open transaction has written anything (see
    ``UnitOfWork.release_connection``), and on PostgreSQL let no statement outlast the
    caller of their RPC worker (``_bound_statements``)."""
    sessions = sessionmaker(engine, expire_on_commit=False)
    event.listen(sessions, "after_flush", _mark_written)
    event.listen(sessions, "after_transaction_end", _forget_written)
    if engine.dialect.name == "postgresql":
        event.listen(sessions, "after_begin", _bound_statements)
    return sessions


def _bound_statements(session: Session, _transaction, connection) -> None:
    """A transaction of an RPC worker whose caller gives up before the engine's
    statement_timeout gets the time left as its own (SET LOCAL: for this transaction only;
    one round trip, only when the time left is shorter by more than ``STATEMENT_SLACK_SECONDS``:
    a call made with the default timeout, which the engine's matches, needs no round trip and
    may outlive its caller by at most that slack)."""
    left = remaining_seconds(session.info.get(WORKER))
    statement = session.info.get(STATEMENT_SECONDS, float("inf"))
    if left is None or left >= statement - STATEMENT_SLACK_SECONDS:
        return
    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(left * 1000))}")


def _mark_written(session: Session, _context) -> None:
    session.info[WROTE] = True


def _forget_written(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def kernel_model(base: type[DeclarativeBase], mixin: type) -> type:
    """The service's mapped class for one of the shared tables (outbox, inbox, idempotency)."""
    for mapper in base.registry.mappers:
        if issubclass(mapper.class_, mixin):
            return mapper.class_
    raise LookupError(f"{base.__name__} declares no {mixin.__name__} table")


class UnitOfWork:
    """What a worker sees as ``self.db``: a session, the outbox and the idempotency records."""

    def __init__(self, database: Database, worker_ctx):
        self._database = database
        self._worker_ctx = worker_ctx
        self._session: Session | None = None
        self._new_events: list = []
        self._after_commit: list[Callable[[], None]] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._database.sessions()
            if self._worker_ctx is not None:
                self._session.info[WORKER] = self._worker_ctx
                self._session.info[STATEMENT_SECONDS] = self._database.timeouts.statement_seconds
        return self._session

    @property
    def entrypoint(self):
        """The nameko entry point this unit's worker runs (None outside a container)."""
        return getattr(self._worker_ctx, "entrypoint", None)

    @property
    def dead_letter_model(self) -> type:
        return self._database.dead_letter_model

    @property
    def call_id(self) -> str | None:
        return getattr(self._worker_ctx, "call_id", None)

    @property
    def idempotency_key(self) -> str | None:
        data = getattr(self._worker_ctx, "data", None) or {}
        return data.get("idempotency_key")

    def now(self) -> datetime:
        return self._database.clock()

    def record_event(
        self, event_name: str, subject: str, data: dict, version: int = 1, sensitive: bool = False
    ) -> dict:
        """Add an event to the outbox; it leaves only if the transaction commits.

        ``sensitive`` events (a temporary password on its way to the mailer) are deleted from
        the outbox as soon as they are published instead of being kept for replay. ``data``
        is dumped through the event's contract in the service's schemas.py
        (services/common/contracts.py): an event without one, or a payload that breaks it,
        is a programming error.
        """
        service = self._database.service_name
        data = produce(service, event_name, data, version)
        envelope = make_envelope(service, event_name, subject, data, self.now(), version)
        if self.call_id:
            envelope["imicallid"] = self.call_id
        row = self._database.outbox_model(
            event_id=envelope["id"],
            event_type=event_name,
            envelope=envelope,
            created_at=self.now(),
            sensitive=sensitive,
        )
        self.session.add(row)
        self._new_events.append(row)
        return envelope

    def commit(self) -> None:
        """Commit the change with its events, then run what waited for that commit (each
        action's own changes are committed in turn); the first error of an action is raised
        once every action has run."""
        self._commit_transaction()
        failure = None
        while self._after_commit:
            action = self._after_commit.pop(0)
            try:
                action()
            except Exception as exc:
                failure = failure or exc
            self._commit_transaction()
        if failure is not None:
            raise failure

    def _commit_transaction(self) -> None:
        """A save that lost a race on a version is rolled back and raised as a StaleVersion."""
        try:
            self.session.commit()
        except StaleDataError:
            raise self.stale_version() from None
        self.session.info.pop(VERSIONED_SAVES, None)
        seqs = [row.seq for row in self._new_events]
        self._new_events.clear()
        if seqs and self._database.relay is not None:
            self._database.relay.notify(seqs)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once this unit's change is committed: for work that must not
        happen unless the change is stored, and must not be repeated when the call or event
        comes again (handing a stored job to an outside engine). What the action changes
        through this unit is committed after it; a rollback forgets the action."""
        self._after_commit.append(action)

    def rollback(self) -> None:
        self._new_events.clear()
        self._after_commit.clear()
        if self._session is not None:
            self._session.rollback()
            self._session.info.pop(VERSIONED_SAVES, None)

    def release_connection(self) -> None:
        """End the open transaction before a long wait (an engine), so that the worker does
        not hold a pooled connection meanwhile (SQLite has one per process). Only a unit that
        has written nothing to the database yet lets go; objects added but not yet written
        are kept and written at commit. Reads done before are not repeatable after it."""
        session = self._session
        if session is None or session.info.get(WROTE) or session.dirty or session.deleted:
            return
        pending = list(session.new)
        session.rollback()
        session.add_all(pending)

    def stale_version(self) -> StaleVersion:
        """After a save whose compare-and-set matched no row: roll back, read again each
        versioned row the transaction saved, and name the one someone else saved first (its
        version now, who saved it, when)."""
        saves = self.session.info.get(VERSIONED_SAVES, [])
        self.rollback()
        for model, identity, read in saves:
            current = self.session.get(model, identity, populate_existing=True)
            if current is None or current.version != read:
                return stale_version(current)
        return stale_version(None)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def read(self, prepared: PreparedRead, parameters: dict) -> list:
        """The rows of a prepared read-only query (services/common/reads.py): inside the
        session when one is open, so that it sees the unit's own changes, otherwise on the
        database driver directly."""
        if self._session is not None:
            return self._session.connection().execute(prepared.statement, parameters).all()
        return prepared.rows(self._database.engine, parameters)

    def outbox_backlog(self) -> int:
        """How many committed events wait for the relay; also proves the database answers."""
        model = self._database.outbox_model
        query = select(func.count()).select_from(model).where(model.published_at.is_(None))
        return self.session.scalar(query) or 0

    def claim_event(self, event_id: str, handler: str) -> bool:
        """Record that ``handler`` acts on ``event_id``; False when it already did."""
        if self.event_claimed(event_id, handler):
            return False
        model = self._database.inbox_model
        self.session.add(model(event_id=event_id, handler=handler, handled_at=self.now()))
        return True

    def claim_events(self, event_ids: list[str], handler: str) -> list[str]:
        """Record that ``handler`` acts on each of ``event_ids`` it has not acted on yet; those
        ids, in the order given, once each. One statement to read the inbox, one to write it."""
        model = self._database.inbox_model
        wanted = list(dict.fromkeys(event_ids))
        if not wanted:
            return []
        done = set(
            self.session.scalars(
                select(model.event_id).where(model.handler == handler, model.event_id.in_(wanted))
            )
        )
        fresh = [event_id for event_id in wanted if event_id not in done]
        if fresh:
            now = self.now()
            rows = [{"event_id": ident, "handler": handler, "handled_at": now} for ident in fresh]
            self.session.execute(insert(model), rows)
        return fresh

    def event_claimed(self, event_id: str, handler: str) -> bool:
        return self.session.get(self._database.inbox_model, (event_id, handler)) is not None

    def remembered_result(self, key: str, method: str) -> tuple[bool, object]:
        model = self._database.idempotency_model
        row = self.session.get(model, (key, method))
        if row is None:
            return False, None
        return True, json.loads(row.result)

    def remember_result(self, key: str, method: str, result: object) -> None:
        model = self._database.idempotency_model
        self.session.add(
            model(key=key, method=method, result=json.dumps(result), created_at=self.now())
        )


class StandaloneDatabase:
    """A unit of work's database outside a nameko container (the command line): same tables,
    same outbox, no relay: the service's sweep publishes what is written here once it runs."""

    relay = None

    def __init__(self, base: type[DeclarativeBase], service_name: str, uri: str, clock=utcnow):
        self.service_name = service_name
        self.clock = clock
        self.engine = create_db_engine(uri)
        self.sessions = unit_sessions(self.engine)
        self.outbox_model = kernel_model(base, OutboxMixin)
        self.inbox_model = kernel_model(base, InboxMixin)
        self.idempotency_model = kernel_model(base, IdempotencyMixin)
        self.dead_letter_model = kernel_model(base, DeadLetterMixin)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self, None)

    def dispose(self) -> None:
        self.engine.dispose()


class Database(DependencyProvider):
    """Gives each worker a UnitOfWork on the service's own database."""

    def __init__(self, base: type[DeclarativeBase]):
        self.base = base

    def setup(self) -> None:
        config = self.container.config
        self.service_name = self.container.service_name
        self.clock = self._container_clock()
        self.timeouts = DatabaseTimeouts.from_config(config)
        self.engine = create_db_engine(
            database_uri(config, self.service_name), int(config.get(MAX_WORKERS, 10)), self.timeouts
        )
        self.sessions = unit_sessions(self.engine)
        self.outbox_model = kernel_model(self.base, OutboxMixin)
        self.inbox_model = kernel_model(self.base, InboxMixin)
        self.idempotency_model = kernel_model(self.base, IdempotencyMixin)
        self.dead_letter_model = kernel_model(self.base, DeadLetterMixin)
        self.dead_letter_seconds = float(config.get(GAUGE_SECONDS, DEFAULT_GAUGE_SECONDS))
        self.relay = OutboxRelay(
            config, self.service_name, self.sessions, self.outbox_model, self.clock
        )
        self.purge = KernelPurge(
            self.service_name,
            self.sessions,
            (self.outbox_model, self.inbox_model, self.idempotency_model),
            RetentionPeriods.from_config(config),
            self.clock,
        )
        self.purge_seconds = float(config.get(PURGE_SECONDS, DEFAULT_PURGE_SECONDS))
        self._units: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._relay_thread = None

    def _container_clock(self):
        """The service's Clock dependency if it declares one, so tests move one clock only."""
        for provider in self.container.dependencies:
            if isinstance(provider, Clock):
                return provider.source
        return utcnow

    def start(self) -> None:
        self._relay_thread = self.container.spawn_managed_thread(
            self.relay.run, identifier="outbox-relay"
        )
        self.container.spawn_managed_thread(
            lambda: self.purge.run_every(self.purge_seconds), identifier="kernel-purge"
        )
        self.container.spawn_managed_thread(
            lambda: watch_waiting(
                self.service_name, self.sessions, self.dead_letter_model, self.dead_letter_seconds
            ),
            identifier="dead-letter-gauge",
        )

    def stop(self) -> None:
        """Let the relay end its round (its chunk published and marked, its connection to
        the broker closed) before the container ends the green threads that are left."""
        self.relay.stop()
        if self._relay_thread is not None:
            with eventlet.Timeout(RELAY_STOP_SECONDS, False):
                self._relay_thread.wait()
        self.engine.dispose()

    def kill(self) -> None:
        self.relay.stop()
        self.engine.dispose()

    def get_dependency(self, worker_ctx) -> UnitOfWork:
        unit = UnitOfWork(self, worker_ctx)
        self._units[worker_ctx] = unit
        return unit

    def worker_teardown(self, worker_ctx) -> None:
        unit = self._units.pop(worker_ctx, None)
        if unit is not None:
            unit.close()


def is_duplicate(exc: IntegrityError) -> bool:
    """Whether an IntegrityError is a unique-key clash (the other kinds are bugs)."""
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate" in text
