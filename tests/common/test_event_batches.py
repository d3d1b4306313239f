"""services.common.batches: events taken in batches, each handled once and in the order its
queue gave it, on SQLite and on PostgreSQL; a batch redelivered adds nothing; an event that
cannot be read goes to the dead letters and one that fails is retried alone, neither holding
back the rest of its batch.

A throwaway service ``kernel_batch_listener`` keeps each event it handles as a row (``seq`` in
the order of handling). The events wait in its queue before it starts, so that they come in
full batches.
"""

from __future__ import annotations

import collections
import uuid

import eventlet
import pytest
from kombu import Connection, Queue
from marshmallow import Schema, fields
from nameko.standalone.events import get_event_exchange
from sqlalchemy import Integer, String, create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import NullPool

from services.common.batches import batch_event_handler, handles_events_once
from services.common.clock import utcnow
from services.common.config import AMQP_URI, DB_URIS
from services.common.contracts import publishes
from services.common.db import Database
from services.common.dead_letters import DeadLetterMixin
from services.common.envelope import make_envelope
from services.common.errors import Conflict
from services.common.metrics import EVENTS_HANDLED
from services.common.models import IdempotencyMixin, InboxMixin, OutboxMixin
from tests.events import wait_until

SOURCE = "kernel_batch_source"
LISTENER = "kernel_batch_listener"
EVENT = "thing_happened"
QUEUE = f"evt-{SOURCE}-{EVENT}--{LISTENER}.on_things"
BATCH = 20


class ThingSchema(Schema):
    subject = fields.String(required=True)
    n = fields.Integer(required=True)
    fail_times = fields.Integer(load_default=0)
    conflict = fields.Boolean(load_default=False)


publishes(SOURCE, {EVENT: ThingSchema})


class BatchBase(DeclarativeBase):
    pass


class Handled(BatchBase):
    __tablename__ = "handled"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))
    n: Mapped[int]


class BatchOutbox(OutboxMixin, BatchBase):
    pass


class BatchInbox(InboxMixin, BatchBase):
    pass


class BatchIdempotency(IdempotencyMixin, BatchBase):
    pass


class BatchDeadLetter(DeadLetterMixin, BatchBase):
    pass


batch_sizes: list[int] = []
calls: collections.Counter = collections.Counter()  # by event id


class BatchListener:
    name = LISTENER

    db = Database(BatchBase)

    @batch_event_handler(SOURCE, EVENT)
    @handles_events_once
    def on_things(self, envelopes):
        batch_sizes.append(len(envelopes))
        for envelope in envelopes:
            data = envelope["data"]
            calls[envelope["id"]] += 1
            if calls[envelope["id"]] <= data["fail_times"]:
                raise OperationalError("INSERT", {}, Exception("database is locked"))
            if data["conflict"]:
                raise Conflict("It clashes.", "error.concurrent_change")
            self.db.session.add(
                Handled(event_id=envelope["id"], subject=data["subject"], n=data["n"])
            )


@pytest.fixture(params=["sqlite", "postgresql"])
def config(request, service_config, tmp_path):
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'batches.db'}"
    else:
        uri = request.getfixturevalue("pg_uri")
    engine = create_engine(uri, poolclass=NullPool)
    BatchBase.metadata.create_all(engine)
    engine.dispose()
    batch_sizes.clear()
    return {**service_config, DB_URIS: {LISTENER: uri}, "EVENT_RETRY_SECONDS": 0.05,
            "EVENT_BATCH_SIZE": BATCH}  # fmt: skip


def thing(subject: str, n: int, **plan) -> dict:
    return make_envelope(SOURCE, EVENT, subject, {"subject": subject, "n": n, **plan}, utcnow())


def queued(config: dict, envelopes: list[dict]) -> None:
    """The events in the listener's queue (declared, empty, as the listener declares it)."""
    exchange = get_event_exchange(SOURCE, config)
    with Connection(config[AMQP_URI]) as connection:
        queue = Queue(QUEUE, exchange=exchange, routing_key=EVENT, durable=True)
        queue(connection.default_channel).declare()
        queue(connection.default_channel).purge()
        producer = connection.Producer()
        for envelope in envelopes:
            producer.publish(envelope, exchange=exchange, routing_key=EVENT, serializer="json")


def handled(config: dict) -> list[Handled]:
    engine = create_engine(config[DB_URIS][LISTENER], poolclass=NullPool)
    with Session(engine) as session:
        rows = list(session.scalars(select(Handled).order_by(Handled.seq)))
    engine.dispose()
    return rows


def count(config: dict, model) -> int:
    engine = create_engine(config[DB_URIS][LISTENER], poolclass=NullPool)
    with Session(engine) as session:
        found = session.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return found


def listening(container_factory, config):
    container = container_factory(BatchListener, config)
    container.start()
    return container


def test_events_come_in_batches_each_once_in_the_order_of_their_queue(container_factory, config):
    subjects = [str(uuid.uuid4()) for _ in range(7)]
    envelopes = [thing(subjects[n % 7], n) for n in range(100)]
    queued(config, envelopes)
    listening(container_factory, config)

    wait_until(lambda: len(handled(config)) >= 100, "every event handled")
    rows = handled(config)
    assert [row.event_id for row in rows] == [envelope["id"] for envelope in envelopes]
    assert max(batch_sizes) == BATCH
    assert len(batch_sizes) < 100 / 2


def test_a_redelivered_batch_adds_nothing(container_factory, config):
    envelopes = [thing("again", n) for n in range(30)]
    duplicates = EVENTS_HANDLED.labels(LISTENER, f"{LISTENER}.on_things", "duplicate")
    before = duplicates._value.get()
    queued(config, envelopes + envelopes)  # the same events twice, as after a lost ack
    listening(container_factory, config)

    wait_until(lambda: duplicates._value.get() >= before + 30, "the copies to be seen")
    assert [row.n for row in handled(config)] == list(range(30))
    assert count(config, BatchInbox) == 30


def test_an_unreadable_or_failing_event_does_not_hold_back_the_rest_of_its_batch(
    container_factory, config
):
    flaky = thing("flaky", 5, fail_times=2)
    clash = thing("clash", 6, conflict=True)
    unreadable = {**thing("broken", 7), "data": {"subject": "broken", "n": "seven"}}
    envelopes = [thing("fine", n) for n in range(5)] + [flaky, clash, unreadable]
    envelopes += [thing("fine", n) for n in range(8, 12)]
    queued(config, envelopes)
    listening(container_factory, config)

    wait_until(lambda: len(handled(config)) >= 10, "the readable events handled")
    eventlet.sleep(0.5)  # a retry of the conflict would have come by now
    rows = handled(config)
    assert sorted(row.n for row in rows) == [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]
    assert [row.n for row in rows if row.subject == "fine"] == [0, 1, 2, 3, 4, 8, 9, 10, 11]
    assert calls[flaky["id"]] == 3  # in the batch, alone, and once more after a pause
    assert count(config, BatchDeadLetter) == 1
    assert calls[clash["id"]] == 1  # alone, after the batch failed: a conflict is final
