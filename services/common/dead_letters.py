"""Dead letters: events a consumer could not read, kept for an operator instead of dropped.

``@handles_event_once`` sends here an event whose envelope is malformed or whose data fails
its contract (services/common/contracts.py), or that its handler refused as invalid: the
handler's changes are rolled back and the raw payload is stored in the consumer's own
``dead_letters`` table with the handler, the reason and the time, then the message is
acknowledged (a retry could not change the outcome, and the queue must not be blocked by it).
The same payload failing the same handler again is stored once.

An operator lists them and, once the consumer is fixed or the producer has been corrected,
re-drives them (``python -m services.manage dead-letters list|redrive|discard <service>``,
docs/operations.md): a re-driven payload is published straight to the queue of the handler
that refused it (nameko's queue ``evt-<source>-<event>--<service>.<method>``), so it is handled
through the same path as any event (inbox, retries) and by that handler only, then its row is
deleted. If the handler still cannot read it, it comes back here.

Metrics: ``imi_events_dead_lettered_total{service, handler}`` counts what came here;
``imi_dead_letters_waiting{service}`` is the number of rows, refreshed when one is added and
every ``DEAD_LETTER_GAUGE_SECONDS`` (30 s) by the service.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

import eventlet
from kombu import Connection
from kombu.exceptions import ChannelError
from kombu.messaging import Exchange, Producer
from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from services.common.metrics import DEAD_LETTERS_WAITING, EVENTS_DEAD_LETTERED
from services.common.models import UtcDateTime

log = logging.getLogger(__name__)

GAUGE_SECONDS = "DEAD_LETTER_GAUGE_SECONDS"
DEFAULT_GAUGE_SECONDS = 30.0


class DeadLetterMixin:
    """One event a handler could not read: the raw payload as received, and why."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handler: Mapped[str] = mapped_column(String(100))  # "identity.on_authority_changed"
    source_service: Mapped[str] = mapped_column(String(100))  # the exchange it came from
    event_type: Mapped[str] = mapped_column(String(100))  # its routing key
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the payload
    payload: Mapped[str] = mapped_column(Text)  # JSON, exactly as the handler received it
    reason: Mapped[dict] = mapped_column(JSON)
    dead_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:  # noqa: N805 (a class-level attribute of each table)
        return (UniqueConstraint("handler", "digest", name="uq_dead_letters_handler_digest"),)


def digest_of(payload_json: str) -> str:
    return hashlib.sha256(payload_json.encode()).hexdigest()


def record(unit, model, handler: str, entrypoint, payload, reason: dict) -> bool:
    """Store ``payload`` as a dead letter of ``handler`` in its own transaction (the handler's
    changes are rolled back first); False when the same payload was already there."""
    unit.rollback()
    payload_json = json.dumps(payload, sort_keys=True, default=str)
    digest = digest_of(payload_json)
    session = unit.session
    if session.scalar(select(model.id).where(model.handler == handler, model.digest == digest)):
        unit.rollback()
        return False
    session.add(
        model(
            handler=handler,
            source_service=entrypoint.source_service,
            event_type=entrypoint.event_type,
            digest=digest,
            payload=payload_json,
            reason=json.loads(json.dumps(reason, default=str)),
            dead_at=unit.now(),
        )
    )
    try:
        unit.commit()
    except IntegrityError:  # the same payload, dead-lettered by another worker meanwhile
        unit.rollback()
        return False
    service = handler.split(".")[0]
    EVENTS_DEAD_LETTERED.labels(service, handler).inc()
    DEAD_LETTERS_WAITING.labels(service).set(session.scalar(select(func.count(model.id))) or 0)
    unit.rollback()  # ends the read transaction of the count
    log.error("dead-lettered an event %s could not read: %s", handler, reason)
    return True


def watch_waiting(service: str, sessions, model, seconds: float) -> None:
    """Keep ``imi_dead_letters_waiting`` current while the service runs (re-drives and
    discards happen in another process)."""
    while True:
        try:
            with sessions() as session:
                DEAD_LETTERS_WAITING.labels(service).set(
                    session.scalar(select(func.count(model.id))) or 0
                )
        except Exception:
            log.exception("counting the dead letters of %s failed", service)
        eventlet.sleep(seconds)


class QueueMissing(RuntimeError):
    """The handler's queue does not exist (its service never ran here): nothing re-driven."""


@dataclass(frozen=True)
class DeadLetter:
    id: int
    handler: str
    source_service: str
    event_type: str
    dead_at: datetime
    reason: dict
    payload: str

    @property
    def queue(self) -> str:
        """nameko's queue of the handler (a service-pool event handler)."""
        return f"evt-{self.source_service}-{self.event_type}--{self.handler}"


def waiting(session, model, ids: list[int] | None = None, lock: bool = False) -> list[DeadLetter]:
    query = select(model).order_by(model.id)
    if ids:
        query = query.where(model.id.in_(ids))
    if lock:
        query = query.with_for_update(skip_locked=True)
    return [
        DeadLetter(row.id, row.handler, row.source_service, row.event_type, row.dead_at,
                   row.reason, row.payload)
        for row in session.scalars(query)
    ]  # fmt: skip


def redrive(sessions, model, amqp_uri: str, ids: list[int] | None = None) -> list[DeadLetter]:
    """Publish each dead letter (all, or those of ``ids``) to its handler's queue with the
    broker's confirm, then delete it; the rows stay locked meanwhile, so two operators do not
    re-drive the same one. What the broker did not take stays."""
    done = []
    with sessions() as session, Connection(amqp_uri) as connection:
        channel = connection.default_channel
        channel.confirm_select()
        producer = Producer(channel, exchange=Exchange(""))
        for letter in waiting(session, model, ids, lock=True):
            try:
                channel.queue_declare(queue=letter.queue, passive=True)
            except ChannelError:
                raise QueueMissing(
                    f"{letter.handler} has no queue {letter.queue}: start the service first"
                ) from None
            producer.publish(
                letter.payload.encode(),
                routing_key=letter.queue,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                mandatory=True,
                retry=True,
            )
            session.delete(session.get(model, letter.id))
            session.commit()
            done.append(letter)
    return done


def discard(sessions, model, ids: list[int]) -> list[DeadLetter]:
    """Delete dead letters an operator decided nobody needs (the producer's mistake, fixed
    otherwise)."""
    with sessions() as session:
        letters = waiting(session, model, ids, lock=True)
        for letter in letters:
            session.delete(session.get(model, letter.id))
        session.commit()
    return letters
