"""Public events to the subscribers' HTTPS endpoints, signed as the Standard Webhooks
specification says (https://www.standardwebhooks.com: the headers ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature: v1,<base64 HMAC-SHA256>`` of
``<id>.<timestamp>.<body>``, with the library ``standardwebhooks``).

An event is accepted once per subscription (a unique key on the event's id); a delivery run
claims due deliveries with ``FOR UPDATE SKIP LOCKED`` (any number of replicas), but only the
first unfinished one of each subscription and subject, so a subject's events arrive in order;
it posts them concurrently, one keep-alive session per subscription, and commits the answers
of the run together. A 2xx answer delivers; anything else is tried again with backoff; after a
day the delivery goes to the dead letters, holding back its subject until an operator re-drives
or discards it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import eventlet
import urllib3
from nameko.extensions import DependencyProvider
from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.orm import aliased
from standardwebhooks.webhooks import Webhook

from services.common.clock import utcnow
from services.common.db import UnitOfWork
from services.notifications.domain import (
    UNFINISHED,
    WEBHOOK_LEASE,
    DeliveryStatus,
    webhook_retry,
)
from services.notifications.models import WebhookDelivery, WebhookSubscription

TIMEOUT_SECONDS = 10
CONCURRENCY = 32
BATCH = 500
DETAIL_LENGTH = 500


def accept(unit: UnitOfWork, envelope: dict, name: str) -> int:
    """Queue a public event (``name``: ``<service>.<event>``) for every active subscription
    to it, once; how many deliveries it made. Three statements whatever the subscriptions."""
    session, now = unit.session, unit.now()
    wanted = {row.id for row in session.execute(
        select(WebhookSubscription.id, WebhookSubscription.events)
        .where(WebhookSubscription.active.is_(True))
    ) if name in row.events}  # fmt: skip
    if not wanted:
        return 0
    wanted -= set(
        session.scalars(
            select(WebhookDelivery.subscription_id).where(
                WebhookDelivery.event_id == envelope["id"]
            )
        )
    )
    subject = ordering_subject(name, envelope)
    rows = [
        {"id": str(uuid.uuid4()), "subscription_id": ident, "subject": subject,
         "event_id": envelope["id"], "event_type": envelope["type"], "envelope": envelope,
         "status": DeliveryStatus.PENDING.value, "attempts": 0, "due_at": now,
         "created_at": now}
        for ident in sorted(wanted)
    ]  # fmt: skip
    if rows:
        session.execute(insert(WebhookDelivery), rows)
    return len(rows)


def ordering_subject(name: str, envelope: dict) -> str:
    """What a subscriber's events are ordered by: the object they are about (the envelope's
    subject) within its service, whatever the event."""
    return f"{name.split('.')[0]}:{envelope.get('subject', '')}"[:200]


def claim_due(
    unit: UnitOfWork, batch: int, lease: timedelta = WEBHOOK_LEASE
) -> list[WebhookDelivery]:
    """The due deliveries that are first of their subject, marked as being sent; committed."""
    session, now = unit.session, unit.now()
    earlier = aliased(WebhookDelivery)
    waiting = exists().where(
        earlier.subscription_id == WebhookDelivery.subscription_id,
        earlier.subject == WebhookDelivery.subject,
        earlier.seq < WebhookDelivery.seq,
        earlier.status.in_(UNFINISHED),
    )
    due = or_(
        and_(WebhookDelivery.status == DeliveryStatus.PENDING.value,
             WebhookDelivery.due_at <= now),
        and_(WebhookDelivery.status == DeliveryStatus.SENDING.value,
             WebhookDelivery.lease_until <= now),
    )  # fmt: skip
    seqs = session.scalars(
        select(WebhookDelivery.seq)
        .where(due, ~waiting)
        .order_by(WebhookDelivery.seq)
        .limit(batch)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    ).all()
    if seqs:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.seq.in_(seqs))
            .values(status=DeliveryStatus.SENDING.value, lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    unit.commit()
    if not seqs:
        return []
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.seq.in_(seqs))
            .order_by(WebhookDelivery.seq)
            .execution_options(populate_existing=True)
        )
    )


@dataclass(frozen=True)
class Answer:
    status: int | None
    detail: str

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


Poster = Callable[[WebhookSubscription, WebhookDelivery], Answer]


class HttpPoster:
    """Posts signed deliveries over keep-alive connections (urllib3's pools, one per
    endpoint), without following redirects or retrying: a failure is this module's to retry."""

    def __init__(self) -> None:
        self._pools = urllib3.PoolManager(
            maxsize=CONCURRENCY, retries=False,
            timeout=urllib3.Timeout(connect=TIMEOUT_SECONDS, read=TIMEOUT_SECONDS),
        )  # fmt: skip

    def __call__(self, subscription: WebhookSubscription, delivery: WebhookDelivery) -> Answer:
        body = json.dumps(delivery.envelope, separators=(",", ":"), ensure_ascii=False)
        # signed at the moment it leaves, by the wall clock its receiver checks it against
        headers = signed_headers(subscription.secret, delivery.id, utcnow(), body)
        try:
            response = self._pools.request(
                "POST", subscription.url, body=body.encode(), headers=headers, redirect=False,
                preload_content=True,
            )  # fmt: skip
        except urllib3.exceptions.HTTPError as exc:
            return Answer(None, f"{type(exc).__name__}: {exc}"[:DETAIL_LENGTH])
        return Answer(response.status, f"HTTP {response.status}")

    def close(self) -> None:
        self._pools.clear()


class Posting(DependencyProvider):
    """Declare as ``poster = Posting()``: one HttpPoster per process, its sessions kept alive
    between runs and closed when the container stops."""

    def setup(self) -> None:
        self.poster = HttpPoster()

    def stop(self) -> None:
        self.poster.close()

    def kill(self) -> None:
        self.poster.close()

    def get_dependency(self, worker_ctx) -> HttpPoster:
        return self.poster


def signed_headers(secret: str, message_id: str, now: datetime, body: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
    }


def deliver_due(
    unit: UnitOfWork, post: Poster, batch: int = BATCH, lease: timedelta = WEBHOOK_LEASE
) -> int:
    """One delivery run; how many deliveries it tried."""
    deliveries = claim_due(unit, batch, lease)
    if not deliveries:
        return 0
    now = unit.now()
    subscriptions = {
        row.id: row
        for row in unit.session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.id.in_({d.subscription_id for d in deliveries})
            )
        )
    }
    pool = eventlet.GreenPool(CONCURRENCY)
    answers = pool.imap(
        lambda delivery: post(subscriptions[delivery.subscription_id], delivery), deliveries
    )
    taken: dict[int, list[int]] = {}  # by the answer's status
    for delivery, answer in zip(deliveries, answers, strict=True):
        if answer.delivered:
            taken.setdefault(answer.status, []).append(delivery.seq)
        else:
            record_failure(unit, delivery, answer, now)
    for status, seqs in taken.items():  # the common case: one statement for the run
        unit.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.seq.in_(seqs))
            .values(status=DeliveryStatus.DELIVERED.value, delivered_at=now, lease_until=None,
                    attempts=WebhookDelivery.attempts + 1, last_status=status, last_error=None)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    unit.commit()
    return len(deliveries)


def record_failure(unit: UnitOfWork, delivery: WebhookDelivery, answer: Answer, now) -> None:
    delivery.attempts += 1
    delivery.lease_until = None
    delivery.last_status = answer.status
    delivery.last_error = answer.detail
    again = webhook_retry(delivery.created_at, delivery.attempts, now)
    if again is None:
        delivery.status = DeliveryStatus.DEAD.value
        unit.record_event(
            "webhook_delivery_dead", delivery.id,
            {"delivery_id": delivery.id, "subscription_id": delivery.subscription_id,
             "event_id": delivery.event_id, "attempts": delivery.attempts,
             "last_status": answer.status},
        )  # fmt: skip
    else:
        delivery.status, delivery.due_at = DeliveryStatus.PENDING.value, again
