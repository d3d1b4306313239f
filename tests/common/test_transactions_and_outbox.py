"""The unit of work, the outbox and the inbox, on SQLite and on PostgreSQL.

Throwaway services: ``kernel_notes`` writes notes with @transactional and records a
``note_added`` event; ``kernel_listener`` handles that event with @handles_event_once;
``kernel_notes_caller`` calls kernel_notes through our RpcClient with an idempotency key;
``kernel_clocked_notes`` is kernel_notes with a frozen Clock. Each test runs twice (the
``engine`` fixture): every service on its own SQLite file, then every service on its own fresh
PostgreSQL database, like eventsourcing's shared contract tests.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import eventlet
import pytest
from marshmallow import Schema, fields
from nameko.events import EventHandler, event_handler
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from nameko.testing.utils import get_extension
from sqlalchemy import Index, String, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import NullPool

from services.common.clashes import clash
from services.common.clock import Clock, FrozenClock, utcnow
from services.common.config import DB_URIS
from services.common.contracts import BrokenEventContract, UnknownEvent, publishes
from services.common.db import (
    Database,
    StandaloneDatabase,
    create_db_engine,
    is_duplicate,
    kernel_model,
)
from services.common.dead_letters import DeadLetterMixin
from services.common.entrypoints import ImiRpc
from services.common.entrypoints import event_handler as retrying_event_handler
from services.common.envelope import CloudEventSchema, make_envelope
from services.common.errors import EXPECTED_ERRORS, Conflict
from services.common.metrics import EVENTS_HANDLED, OUTBOX_BACKLOG
from services.common.models import IdempotencyMixin, InboxMixin, OutboxMixin
from services.common.outbox import PUBLISH_CHUNK, OutboxRelay
from services.common.rpc import RpcClient
from services.common.schemas import load
from services.common.transactions import handles_event_once, transactional
from tests.signed_rpc import SignedRpcProxy

rpc = ImiRpc.decorator  # answers our RpcClient's direct replies, unlike nameko's stock @rpc

NOTES = "kernel_notes"
LISTENER = "kernel_listener"
HANDLER = f"{LISTENER}.on_note_added"


class NoteAddedSchema(Schema):
    """The throwaway services' event contract (services/common/contracts.py)."""

    note_id = fields.String(required=True)
    text = fields.String()


class NoteCountedSchema(Schema):
    note_id = fields.String(required=True)
    linger = fields.Float(required=True)


class AnnouncementSchema(Schema):
    n = fields.Integer(required=True)


publishes(NOTES, {"note_added": NoteAddedSchema, "note_counted": NoteCountedSchema})
publishes("kernel_clocked_notes", {"note_added": NoteAddedSchema})


# --- The test services --------------------------------------------------------------------


class NotesBase(DeclarativeBase):
    pass


class Note(NotesBase):
    """A note; its optional ``slug`` is one per live note, a rule that declares its 409."""

    __tablename__ = "notes"
    __table_args__ = (
        Index(
            "uq_notes_live_slug", "slug", unique=True,
            sqlite_where=text("archived = false"), postgresql_where=text("archived = false"),
            info=clash("A live note has this slug already.", "note.slug_taken"),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str | None] = mapped_column(String(64))
    archived: Mapped[bool] = mapped_column(default=False)


class NotesOutbox(OutboxMixin, NotesBase):
    pass


class NotesInbox(InboxMixin, NotesBase):
    pass


class NotesIdempotency(IdempotencyMixin, NotesBase):
    pass


class NotesDeadLetter(DeadLetterMixin, NotesBase):
    pass


class NotesService:
    name = NOTES

    db = Database(NotesBase)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    @transactional
    def add_note(self, text, note_id=None, sensitive=False, slug=None, flush=False):
        note = Note(id=note_id or uuid.uuid4().hex, text=text, slug=slug)
        self.db.session.add(note)
        if flush:
            self.db.session.flush()  # a clash raised inside the method, not at the commit
        envelope = self.db.record_event(
            "note_added", note.id, {"note_id": note.id, "text": text}, sensitive=sensitive
        )
        return {"id": note.id, "text": text, "event_id": envelope["id"]}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    @transactional
    def announce(self, event_type, sensitive=False):
        """An event of a type chosen by the test, which no queue may take yet."""
        publishes(NOTES, {event_type: AnnouncementSchema})
        return self.db.record_event(event_type, "announcement", {"n": 1}, sensitive=sensitive)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    @transactional
    def add_note_then_fail(self, text):
        note = Note(id=uuid.uuid4().hex, text=text)
        self.db.session.add(note)
        self.db.record_event("note_added", note.id, {"note_id": note.id, "text": text})
        self.db.session.flush()  # the rows have reached the database, uncommitted
        raise Conflict("The note breaks a rule.", "error.note_refused", {"note_id": note.id})


class ListenerBase(DeclarativeBase):
    pass


class Sighting(ListenerBase):
    """One row per event acted on: a handler acting twice leaves two rows."""

    __tablename__ = "sightings"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))
    note_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(200))


class ListenerOutbox(OutboxMixin, ListenerBase):
    pass


class ListenerInbox(InboxMixin, ListenerBase):
    pass


class ListenerIdempotency(IdempotencyMixin, ListenerBase):
    pass


class ListenerDeadLetter(DeadLetterMixin, ListenerBase):
    pass


class Tally(ListenerBase):
    """One row per note, made by the first event about it: two events at once race for it."""

    __tablename__ = "tallies"

    note_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int]


class ListenerService:
    name = LISTENER

    db = Database(ListenerBase)

    @event_handler(NOTES, "note_added")
    @handles_event_once
    def on_note_added(self, envelope):
        self.db.session.add(
            Sighting(
                event_id=envelope["id"],
                note_id=envelope["data"]["note_id"],
                event_type=envelope["type"],
            )
        )
        if envelope["data"].get("linger"):
            eventlet.sleep(envelope["data"]["linger"])  # a second copy arrives meanwhile
        return envelope["id"]

    @retrying_event_handler(NOTES, "note_counted")
    @handles_event_once
    def on_note_counted(self, envelope):
        note_id = envelope["data"]["note_id"]
        tally = self.db.session.get(Tally, note_id)
        if tally is None:
            eventlet.sleep(envelope["data"]["linger"])  # the other event looks meanwhile
            self.db.session.add(Tally(note_id=note_id, count=1))
        else:
            tally.count += 1


class NotesCallerService:
    name = "kernel_notes_caller"

    notes = RpcClient(NOTES)

    @rpc
    def add_note(self, text, idempotency_key):
        return self.notes.using(idempotency_key=idempotency_key).add_note(text)


FROZEN_CLOCK = FrozenClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


class ClockedNotesService(NotesService):
    """kernel_notes with a Clock dependency: the database reads the same clock."""

    name = "kernel_clocked_notes"

    clock = Clock(FROZEN_CLOCK)


class ClockedNotesListener:
    name = "kernel_clocked_notes_listener"

    @event_handler(ClockedNotesService.name, "note_added")
    def on_note_added(self, envelope):
        pass


# --- Fixtures -----------------------------------------------------------------------------


class Store:
    """The test's own view of one service's database."""

    def __init__(self, uri: str, base: type[DeclarativeBase]):
        self.uri = uri
        self.engine = create_engine(uri, poolclass=NullPool)
        base.metadata.create_all(self.engine)

    def all(self, statement) -> list:
        with Session(self.engine) as session:
            return list(session.scalars(statement))

    def count(self, model, *where) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))

    def add(self, *rows) -> None:
        with Session(self.engine) as session:
            session.add_all(rows)
            session.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    return request.param


@pytest.fixture
def sibling_pg_uri(pg_uri):
    """A second fresh database on pg_uri's server, for the second service of a test."""
    url = make_url(pg_uri)
    name = f"{url.database}_b"
    admin = create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def new_database(engine, tmp_path, request):
    """Makes each service of a test its own database: a SQLite file, or a fresh PostgreSQL
    database (pg_uri for the first service, a sibling for the second)."""
    made = []

    def make(service: str) -> str:
        if engine == "sqlite":
            uri = f"sqlite:///{tmp_path / f'{service}.db'}"
        else:
            uri = request.getfixturevalue("sibling_pg_uri" if made else "pg_uri")
        made.append(uri)
        return uri

    return make


@pytest.fixture
def config(service_config):
    """The services' configuration; each service's database fixture adds its DB_URIS entry."""
    return {
        **service_config,
        DB_URIS: {},
        "EVENT_RETRY_SECONDS": 0.05,
        "OUTBOX_RETRY_MAX_SECONDS": 0.5,
    }


def service_database(new_database, config, service: str, base) -> Store:
    config[DB_URIS][service] = new_database(service)
    return Store(config[DB_URIS][service], base)


@pytest.fixture
def notes_db(new_database, config):
    store = service_database(new_database, config, NOTES, NotesBase)
    yield store
    store.engine.dispose()


@pytest.fixture
def listener_db(new_database, config):
    store = service_database(new_database, config, LISTENER, ListenerBase)
    yield store
    store.engine.dispose()


def started(container_factory, service_cls, config):
    container = container_factory(service_cls, config)
    container.start()
    return container


@pytest.fixture
def notes(container_factory, config, notes_db):
    container = started(container_factory, NotesService, config)
    yield container
    container.stop()  # before the database goes: the relay must not outlive it


@pytest.fixture
def listener(container_factory, config, listener_db):
    container = started(container_factory, ListenerService, config)
    yield container
    container.stop()


@pytest.fixture
def notes_caller(container_factory, config, notes):
    container = started(container_factory, NotesCallerService, config)
    yield container
    container.stop()


def call_notes(config, method, *args, context_data=None, **kwargs):
    with SignedRpcProxy(config, context_data=context_data, timeout=5) as cluster:
        return getattr(cluster.kernel_notes, method)(*args, **kwargs)


def handled(*note_ids: str, copies: int = 1):
    """An entrypoint_waiter callback: done once ``copies`` events about each note were handled.

    Events about other notes (left in the run's durable queue by earlier tests) do not count.
    """
    seen = []

    def callback(worker_ctx, result, exc_info):
        if worker_ctx.args[0].get("subject") in note_ids:
            seen.append(worker_ctx.args[0])
        return len(seen) == copies * len(note_ids)

    callback.payloads = seen
    return callback


def a_note_id() -> str:
    return f"note-{uuid.uuid4().hex}"


# --- @transactional -----------------------------------------------------------------------


def test_a_transactional_call_commits_the_row_and_its_event_together(notes, notes_db, config):
    note = call_notes(config, "add_note", "minutes of the meeting")

    [stored] = notes_db.all(select(Note).where(Note.id == note["id"]))
    assert stored.text == "minutes of the meeting"
    [row] = notes_db.all(select(NotesOutbox))
    assert row.event_id == note["event_id"]
    assert row.event_type == "note_added"
    assert row.envelope["subject"] == note["id"]
    assert row.envelope["data"] == {"note_id": note["id"], "text": "minutes of the meeting"}
    assert row.envelope["imicallid"].startswith("kernel_notes.add_note.")
    assert row.created_at.tzinfo is not None


def test_a_transactional_call_that_raises_after_writing_leaves_no_row_and_no_event(
    notes, notes_db, config
):
    with pytest.raises(Conflict) as caught:
        call_notes(config, "add_note_then_fail", "refused")

    assert caught.value.code == "error.note_refused"
    assert notes_db.count(Note, Note.id == caught.value.extra["note_id"]) == 0
    assert notes_db.count(NotesOutbox) == 0


def test_a_unique_clash_at_commit_is_a_conflict_not_a_driver_error(notes, notes_db, config):
    note_id = a_note_id()
    call_notes(config, "add_note", "first", note_id=note_id)

    with pytest.raises(Conflict) as caught:
        call_notes(config, "add_note", "second", note_id=note_id)

    assert caught.value.code == "error.concurrent_change"
    assert [note.text for note in notes_db.all(select(Note))] == ["first"]
    assert notes_db.count(NotesOutbox) == 1


def test_a_unique_clash_at_a_flush_inside_the_method_is_a_conflict_not_a_driver_error(
    notes, notes_db, config
):
    note_id = a_note_id()
    call_notes(config, "add_note", "first", note_id=note_id)

    with pytest.raises(Conflict) as caught:
        call_notes(config, "add_note", "second", note_id=note_id, flush=True)

    assert caught.value.code == "error.concurrent_change"
    assert [note.text for note in notes_db.all(select(Note).where(Note.id == note_id))] == ["first"]


@pytest.mark.parametrize("flush", [False, True])
def test_a_clash_with_a_declared_unique_rule_answers_the_rules_own_conflict(
    notes, notes_db, config, flush
):
    slug = a_note_id()
    call_notes(config, "add_note", "first", slug=slug)

    with pytest.raises(Conflict) as caught:
        call_notes(config, "add_note", "second", slug=slug, flush=flush)

    assert (caught.value.code, caught.value.detail) == (
        "note.slug_taken", "A live note has this slug already."
    )  # fmt: skip
    assert notes_db.count(Note, Note.slug == slug) == 1
    notes_db.add(Note(id=a_note_id(), text="archived twin", slug=slug, archived=True))
    assert notes_db.count(Note, Note.slug == slug) == 2


# --- Idempotency keys ---------------------------------------------------------------------


@pytest.fixture(params=["rpc_client", "cluster_rpc_proxy"])
def add_note_with_key(request, config, notes):
    """add_note as a caller retrying with the same idempotency key does it."""
    if request.param == "cluster_rpc_proxy":

        def add(text, key):
            return call_notes(config, "add_note", text, context_data={"idempotency_key": key})

        return add

    caller = request.getfixturevalue("notes_caller")

    def add(text, key):
        with entrypoint_hook(caller, "add_note", timeout=10) as hook:
            return hook(text, key)

    return add


def test_the_same_idempotency_key_acts_once_and_returns_the_first_result(
    add_note_with_key, notes_db
):
    key = f"key-{uuid.uuid4().hex}"

    first = add_note_with_key("pay the invoice", key)
    again = add_note_with_key("pay the invoice", key)

    assert again == first
    assert [note.id for note in notes_db.all(select(Note))] == [first["id"]]
    assert notes_db.count(NotesOutbox) == 1
    [remembered] = notes_db.all(select(NotesIdempotency))
    assert (remembered.key, remembered.method) == (key, "add_note")
    assert json.loads(remembered.result) == first


def test_another_idempotency_key_acts_again(add_note_with_key, notes_db):
    first = add_note_with_key("pay the invoice", f"key-{uuid.uuid4().hex}")
    second = add_note_with_key("pay the invoice", f"key-{uuid.uuid4().hex}")

    assert second["id"] != first["id"]
    assert notes_db.count(Note) == 2
    assert notes_db.count(NotesIdempotency) == 2


def test_a_call_without_an_idempotency_key_remembers_nothing(notes, notes_db, config):
    call_notes(config, "add_note", "no key")
    call_notes(config, "add_note", "no key")

    assert notes_db.count(Note) == 2
    assert notes_db.count(NotesIdempotency) == 0


# --- Outbox relay and inbox ---------------------------------------------------------------


def test_a_committed_event_reaches_a_listening_service_once_as_a_cloudevent(
    listener, notes, listener_db, notes_db, config, eventually
):
    note_id = a_note_id()
    callback = handled(note_id)

    with entrypoint_waiter(listener, "on_note_added", timeout=5, callback=callback):
        note = call_notes(config, "add_note", "for the listener", note_id=note_id)

    [payload] = callback.payloads
    envelope = load(CloudEventSchema(), payload)
    assert envelope["specversion"] == "1.0"
    assert envelope["id"] == note["event_id"]
    assert envelope["source"] == "/imi/kernel_notes"
    assert envelope["type"] == "eu.imi.kernel_notes.note_added.v1"
    assert envelope["data"] == {"note_id": note_id, "text": "for the listener"}
    assert envelope["imicallid"].startswith("kernel_notes.add_note.")
    [sighting] = listener_db.all(select(Sighting).where(Sighting.note_id == note_id))
    assert sighting.event_id == note["event_id"]
    assert sighting.event_type == "eu.imi.kernel_notes.note_added.v1"
    assert listener_db.count(ListenerInbox, ListenerInbox.event_id == note["event_id"]) == 1

    def marked_sent():
        [row] = notes_db.all(select(NotesOutbox).where(NotesOutbox.event_id == note["event_id"]))
        assert row.published_at is not None

    eventually(marked_sent)
    assert get_extension(notes, Database).relay.sweep() == 0  # nothing left to send again


@pytest.mark.parametrize("sensitive", [False, True], ids=["event", "sensitive event"])
def test_an_event_published_before_its_consumer_first_starts_waits_and_is_delivered_once(
    container_factory, notes, notes_db, config, eventually, sensitive
):
    event_type = f"announced_{uuid.uuid4().hex[:12]}"
    received = []

    class Newcomer:
        """A consumer deployed after the event was published: its queue does not exist yet."""

        name = f"kernel_newcomer_{event_type}"

        @event_handler(NOTES, event_type)
        def on_announcement(self, envelope):
            received.append(envelope["id"])

    envelope = call_notes(config, "announce", event_type, sensitive=sensitive)
    eventually(lambda: notes_db.all(select(NotesOutbox.attempts)) == [1])
    [waiting] = notes_db.all(select(NotesOutbox))
    assert waiting.published_at is None

    started(container_factory, Newcomer, config)
    eventually(lambda: received == [envelope["id"]], timeout=10)
    eventlet.sleep(1.5)  # further sweeps deliver nothing more

    assert received == [envelope["id"]]
    sent = notes_db.all(select(NotesOutbox.published_at))
    assert sent == [] if sensitive else len(sent) == 1 and sent[0] is not None


def test_the_same_event_delivered_twice_changes_state_once(listener, listener_db, config):
    note_id = a_note_id()
    envelope = make_envelope(NOTES, "note_added", note_id, {"note_id": note_id}, utcnow())
    dispatch = event_dispatcher(config)
    duplicates = EVENTS_HANDLED.labels(LISTENER, HANDLER, "duplicate")
    duplicates_before = duplicates._value.get()

    with entrypoint_waiter(listener, "on_note_added", timeout=5, callback=handled(note_id, 2)):
        dispatch(NOTES, "note_added", envelope)
        dispatch(NOTES, "note_added", envelope)

    assert listener_db.count(Sighting, Sighting.note_id == note_id) == 1
    [inbox] = listener_db.all(select(ListenerInbox).where(ListenerInbox.event_id == envelope["id"]))
    assert inbox.handler == HANDLER
    assert duplicates._value.get() == duplicates_before + 1


def test_two_events_racing_to_create_one_row_are_both_counted(listener, listener_db, config):
    note_id = a_note_id()
    dispatch = event_dispatcher(config)
    counted = []

    def both_counted(worker_ctx, result, exc_info):
        envelope = worker_ctx.args[0]
        if envelope.get("subject") == note_id and exc_info is None:
            counted.append(envelope["id"])
        return len(counted) == 2

    with entrypoint_waiter(listener, "on_note_counted", timeout=10, callback=both_counted):
        for _ in range(2):
            data = {"note_id": note_id, "linger": 0.3}
            dispatch(
                NOTES, "note_counted", make_envelope(NOTES, "note_counted", note_id, data, utcnow())
            )

    [tally] = listener_db.all(select(Tally).where(Tally.note_id == note_id))
    assert tally.count == 2  # on PostgreSQL the loser's commit clashed, and it was tried again


def test_the_same_event_handled_by_two_workers_at_once_changes_state_once(listener, listener_db):
    note_id = a_note_id()
    envelope = make_envelope(
        NOTES, "note_added", note_id, {"note_id": note_id, "linger": 0.3}, utcnow()
    )
    entrypoint = get_extension(listener, EventHandler, method_name="on_note_added")
    outcomes = []

    def both_done(worker_ctx, result, exc_info):
        if worker_ctx.args[0].get("subject") == note_id:  # not an event a past test left
            outcomes.append(result if exc_info is None else exc_info[1])
        return len(outcomes) == 2

    with entrypoint_waiter(listener, "on_note_added", timeout=5, callback=both_done):
        listener.spawn_worker(entrypoint, (envelope,), {})
        listener.spawn_worker(entrypoint, (envelope,), {})

    assert sorted(outcomes, key=str) == sorted([envelope["id"], None], key=str)
    assert listener_db.count(Sighting, Sighting.note_id == note_id) == 1
    assert listener_db.count(ListenerInbox, ListenerInbox.event_id == envelope["id"]) == 1


def test_a_malformed_event_is_kept_as_a_dead_letter_and_leaves_no_other_trace(
    listener, listener_db
):
    note_id = a_note_id()
    malformed = {"id": "e-1", "subject": note_id, "data": {"note_id": note_id}}

    with entrypoint_hook(listener, "on_note_added") as hook:
        result = hook(malformed)

    assert result is None
    assert listener_db.count(Sighting, Sighting.note_id == note_id) == 0
    assert listener_db.count(ListenerInbox, ListenerInbox.event_id == "e-1") == 0
    [letter] = listener_db.all(select(ListenerDeadLetter))
    assert letter.handler == HANDLER
    assert (letter.source_service, letter.event_type) == (NOTES, "note_added")
    assert json.loads(letter.payload) == malformed
    assert set(letter.reason["errors"]) == {"specversion", "source", "type", "time"}


def test_data_failing_the_producers_contract_is_kept_as_a_dead_letter(listener, listener_db):
    note_id = a_note_id()
    envelope = make_envelope(NOTES, "note_added", note_id, {"note_id": 7}, utcnow())

    with entrypoint_hook(listener, "on_note_added") as hook:
        hook(envelope)

    assert listener_db.count(Sighting, Sighting.note_id == note_id) == 0
    [letter] = listener_db.all(select(ListenerDeadLetter))
    assert letter.reason["errors"]["data"] == {"note_id": ["Not a valid string."]}


def test_the_services_clock_stamps_its_outbox_rows_and_envelopes(
    container_factory, new_database, config, eventually
):
    store = service_database(new_database, config, "kernel_clocked_notes", NotesBase)
    container = started(container_factory, ClockedNotesService, config)
    started(container_factory, ClockedNotesListener, config)  # a queue takes the event

    with SignedRpcProxy(config, timeout=5) as cluster:
        note = cluster.kernel_clocked_notes.add_note("stamped")

    def published_at_the_frozen_time():
        [row] = store.all(select(NotesOutbox).where(NotesOutbox.event_id == note["event_id"]))
        assert row.created_at == FROZEN_CLOCK()
        assert row.envelope["time"] == FROZEN_CLOCK().isoformat()
        assert row.published_at == FROZEN_CLOCK()

    eventually(published_at_the_frozen_time)
    container.stop()
    store.engine.dispose()


def test_a_unit_of_work_outside_a_container_leaves_its_events_to_the_services_sweep(
    notes_db,
):
    database = StandaloneDatabase(NotesBase, NOTES, notes_db.uri)
    unit = database.unit_of_work()
    unit.session.add(Note(id="n-cli", text="from the command line"))
    envelope = unit.record_event("note_added", "n-cli", {"note_id": "n-cli"})
    unit.commit()
    unit.close()
    database.dispose()

    [row] = notes_db.all(select(NotesOutbox))
    assert row.event_id == envelope["id"]
    assert row.published_at is None
    assert "imicallid" not in row.envelope
    assert notes_db.count(Note, Note.id == "n-cli") == 1


# --- Crash recovery: the sweep ------------------------------------------------------------


def an_outbox_row(note_id: str, created_at: datetime, **changes) -> NotesOutbox:
    envelope = make_envelope(NOTES, "note_added", note_id, {"note_id": note_id}, created_at)
    fields = {
        "event_id": envelope["id"],
        "event_type": "note_added",
        "envelope": envelope,
        "created_at": created_at,
        "published_at": None,
        "sensitive": False,
    }
    return NotesOutbox(**{**fields, **changes})


@pytest.fixture
def relay(config, notes_db):
    """The relay of a kernel_notes process that is not running: the test drives it by hand."""
    engine = create_db_engine(notes_db.uri)
    yield OutboxRelay(
        config, NOTES, sessionmaker(engine, expire_on_commit=False), NotesOutbox, utcnow
    )
    engine.dispose()


def test_an_event_a_crash_left_unpublished_is_published_by_the_sweep(
    listener, listener_db, notes_db, relay
):
    a_minute_ago = utcnow() - timedelta(minutes=1)
    kept, secret = a_note_id(), a_note_id()
    notes_db.add(
        an_outbox_row(kept, a_minute_ago),
        an_outbox_row(secret, a_minute_ago, sensitive=True),
    )
    [kept_row] = notes_db.all(select(NotesOutbox).where(NotesOutbox.sensitive.is_(False)))
    [secret_row] = notes_db.all(select(NotesOutbox).where(NotesOutbox.sensitive.is_(True)))

    with entrypoint_waiter(listener, "on_note_added", timeout=5, callback=handled(kept, secret)):
        assert relay.sweep() == 2

    [published] = notes_db.all(select(NotesOutbox).where(NotesOutbox.seq == kept_row.seq))
    assert published.published_at is not None
    assert notes_db.count(NotesOutbox, NotesOutbox.seq == secret_row.seq) == 0
    seen = listener_db.all(select(Sighting.event_id).where(Sighting.note_id.in_([kept, secret])))
    assert sorted(seen) == sorted([kept_row.event_id, secret_row.event_id])


def test_a_worker_gets_the_connection_while_the_sweep_publishes_a_long_backlog(
    listener, notes_db, relay
):
    """SQLite has one pooled connection per process: the relay lets go of it between chunks,
    so that a backlog of thousands does not time a worker out waiting for it."""
    an_hour_ago = utcnow() - timedelta(hours=1)
    backlog = PUBLISH_CHUNK * 4
    notes_db.add(*(an_outbox_row(a_note_id(), an_hour_ago) for _ in range(backlog)))

    sweeping = eventlet.spawn(relay.sweep)
    eventlet.sleep(0)  # the sweep takes the connection and starts publishing
    with relay.sessions() as session:
        unsent_when_served = session.scalar(
            select(func.count()).where(NotesOutbox.published_at.is_(None))
        )

    assert unsent_when_served > 0  # served before the whole backlog was published
    assert sweeping.wait() == backlog
    assert notes_db.count(NotesOutbox, NotesOutbox.published_at.is_(None)) == 0


def test_a_service_stopped_while_its_relay_sweeps_finishes_the_round_first(
    container_factory, config, listener, notes_db, eventually
):
    """Stopping waits for the relay's round: each row it publishes is marked published, so
    that a restart does not publish it again; the container ends its green threads after."""
    an_hour_ago = utcnow() - timedelta(hours=1)
    backlog = PUBLISH_CHUNK * 4
    notes_db.add(*(an_outbox_row(a_note_id(), an_hour_ago) for _ in range(backlog)))
    container = started(container_factory, NotesService, config)
    unsent = NotesOutbox.published_at.is_(None)
    eventually(lambda: notes_db.count(NotesOutbox, unsent) < backlog)  # the sweep is under way

    container.stop()

    assert notes_db.count(NotesOutbox, unsent) == 0


def test_a_stopping_relay_publishes_what_was_announced_before_the_stop(
    listener, listener_db, notes_db, relay
):
    """Commits announced just before the service stops go out now, not at a sweep after the
    next start; the relay sweeps no more once stopped."""
    recent = [a_note_id() for _ in range(3)]
    notes_db.add(*(an_outbox_row(note_id, utcnow()) for note_id in recent))
    seqs = notes_db.all(select(NotesOutbox.seq).order_by(NotesOutbox.seq))
    running = eventlet.spawn(relay.run)
    eventlet.sleep(0)  # the relay waits for announcements

    with entrypoint_waiter(listener, "on_note_added", timeout=5, callback=handled(*recent)):
        relay.notify(seqs[:1])
        relay.notify(seqs[1:])
        relay.stop()
        running.wait()

    assert notes_db.count(NotesOutbox, NotesOutbox.published_at.is_(None)) == 0


def test_the_sweep_leaves_recent_events_to_the_relay_and_reports_the_backlog(notes_db, relay):
    notes_db.add(an_outbox_row(a_note_id(), utcnow()))

    assert relay.sweep() == 0
    assert notes_db.count(NotesOutbox, NotesOutbox.published_at.is_(None)) == 1
    assert OUTBOX_BACKLOG.labels(NOTES)._value.get() == 1


def test_a_running_service_purges_its_expired_kernel_rows_on_its_own_timer(
    container_factory, config, notes_db, eventually
):
    now = FROZEN_CLOCK()
    old, young = now - timedelta(days=60), now - timedelta(hours=1)
    notes_db.add(
        an_outbox_row("sent-long-ago", old, published_at=old),
        an_outbox_row("sent-recently", young, published_at=young),
        NotesInbox(event_id="handled-long-ago", handler=HANDLER, handled_at=old),
        NotesInbox(event_id="handled-recently", handler=HANDLER, handled_at=young),
        NotesIdempotency(key="old", method="add_note", result="{}", created_at=old),
        NotesIdempotency(key="young", method="add_note", result="{}", created_at=young),
    )
    config[DB_URIS][ClockedNotesService.name] = notes_db.uri
    started(container_factory, ClockedNotesService, {**config, "KERNEL_PURGE_SECONDS": 0.1})

    def purged():
        outbox = notes_db.all(select(NotesOutbox))
        assert [row.envelope["subject"] for row in outbox] == ["sent-recently"]
        assert [row.event_id for row in notes_db.all(select(NotesInbox))] == ["handled-recently"]
        assert [row.key for row in notes_db.all(select(NotesIdempotency))] == ["young"]

    eventually(purged)


# --- The database itself ------------------------------------------------------------------


def test_a_naive_datetime_is_refused_and_stored_times_come_back_aware_utc(notes_db):
    with pytest.raises(Exception, match="naive datetimes are not stored"):
        notes_db.add(an_outbox_row(a_note_id(), datetime(2026, 1, 5, 9, 0)))

    created = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    notes_db.add(an_outbox_row(a_note_id(), created))
    [row] = notes_db.all(select(NotesOutbox))
    assert row.created_at == created
    assert row.created_at.utcoffset() == timedelta(0)


def test_is_duplicate_tells_a_unique_clash_from_other_integrity_errors(notes_db):
    notes_db.add(Note(id="n-1", text="first"))

    with pytest.raises(IntegrityError) as clash:
        notes_db.add(Note(id="n-1", text="again"))
    with pytest.raises(IntegrityError) as missing:
        notes_db.add(Note(id="n-2", text=None))

    assert is_duplicate(clash.value)
    assert not is_duplicate(missing.value)


def test_the_engine_is_tuned_for_its_database(notes_db, engine):
    db_engine = create_db_engine(notes_db.uri)
    with db_engine.connect() as connection:
        if engine == "sqlite":
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert db_engine.pool.size() == 1
        else:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "10s"
    db_engine.dispose()


def test_a_base_without_one_of_the_kernel_tables_is_refused():
    class Bare(DeclarativeBase):
        pass

    class OnlyOutbox(OutboxMixin, Bare):
        pass

    assert kernel_model(Bare, OutboxMixin) is OnlyOutbox
    with pytest.raises(LookupError, match="Bare declares no InboxMixin table"):
        kernel_model(Bare, InboxMixin)


def test_recording_an_event_without_a_contract_raises_before_anything_is_written(notes_db):
    database = StandaloneDatabase(NotesBase, NOTES, notes_db.uri)
    unit = database.unit_of_work()

    with pytest.raises(UnknownEvent):
        unit.record_event("note_teleported", "n-1", {"note_id": "n-1"})
    with pytest.raises(BrokenEventContract):
        unit.record_event("note_added", "n-1", {"note_id": "n-1", "colour": "red"})
    unit.close()
    database.dispose()

    assert notes_db.all(select(NotesOutbox)) == []
