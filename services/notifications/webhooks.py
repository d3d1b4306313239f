"""Webhook subscriptions of outside systems, managed by the Commission's administrators: the
endpoint, the public events it takes, its signing secret (shown once, at creation and at each
rotation), and the dead letters an operator inspects, re-drives or discards."""

from __future__ import annotations

import base64
import secrets
import uuid

import sqlalchemy as sa
from sqlalchemy import func, select

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.notifications.domain import DeliveryStatus, webhook_url_problem
from services.notifications.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from services.notifications.public_events import EntitlementError, entitlement

SECRET_BYTES = 32


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def create(unit: UnitOfWork, actor: Actor, data: dict, allow_loopback_http: bool) -> dict:
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    events = _checked(data, allow_loopback_http)
    now = unit.now()
    subscription = WebhookSubscription(
        id=str(uuid.uuid4()), name=data["name"], url=data["url"], events=events,
        personal_data=data["personal_data"],
        secret=new_secret(), active=True, created_at=now, created_by=actor.user_id,
        version=1, updated_at=now, updated_by=actor.user_id,
    )  # fmt: skip
    unit.session.add(subscription)
    unit.session.flush()
    unit.record_event("webhook_subscription_created", subscription.id, _payload(subscription))
    return {**view(unit, subscription), "secret": subscription.secret}


def update(
    unit: UnitOfWork, actor: Actor, ident: str, data: dict, allow_loopback_http: bool
) -> dict:
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    subscription = find(unit, ident)
    subscription.require_version(data["version"])
    keys = ("name", "url", "events", "personal_data", "active")
    changes = {key: data[key] for key in keys if key in data}
    changes["events"] = _checked({**view(unit, subscription), **changes}, allow_loopback_http)
    for key, value in changes.items():
        setattr(subscription, key, value)
    subscription.touch(actor.user_id, unit.now())
    unit.record_event("webhook_subscription_updated", subscription.id, _payload(subscription))
    return view(unit, subscription)


def rotate_secret(unit: UnitOfWork, actor: Actor, ident: str, version: int) -> dict:
    """A new secret from now on (the old one stops signing at once)."""
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    subscription = find(unit, ident)
    subscription.require_version(version)
    subscription.secret = new_secret()
    subscription.touch(actor.user_id, unit.now())
    unit.record_event("webhook_subscription_updated", subscription.id, _payload(subscription))
    return {**view(unit, subscription), "secret": subscription.secret}


def delete(unit: UnitOfWork, actor: Actor, ident: str) -> None:
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    subscription = find(unit, ident)
    unit.record_event("webhook_subscription_deleted", subscription.id, _payload(subscription))
    unit.session.delete(subscription)
    unit.session.flush()  # its deliveries go with it (ON DELETE CASCADE), then the bodies
    unit.session.execute(  # no other subscription's delivery needs
        sa.delete(WebhookEvent).where(
            ~sa.exists().where(WebhookDelivery.event_id == WebhookEvent.event_id)
        )
    )


def listing(unit: UnitOfWork, actor: Actor) -> list[dict]:
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    rows = unit.session.scalars(
        select(WebhookSubscription).order_by(WebhookSubscription.created_at)
    ).all()
    return [view(unit, row) for row in rows]


def read(unit: UnitOfWork, actor: Actor, ident: str) -> dict:
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    return view(unit, find(unit, ident))


def dead_letters(unit: UnitOfWork, actor: Actor, ident: str) -> list[dict]:
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    find(unit, ident)
    rows = unit.session.scalars(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == ident,
            WebhookDelivery.status == DeliveryStatus.DEAD.value,
        )
        .order_by(WebhookDelivery.seq)
    ).all()
    return [delivery_view(row) for row in rows]


def redrive(unit: UnitOfWork, actor: Actor, ident: str, delivery_id: str) -> dict:
    """Offer a dead delivery again now, with a fresh day of retries."""
    delivery = _dead(unit, actor, ident, delivery_id)
    now = unit.now()
    delivery.status, delivery.due_at, delivery.created_at = DeliveryStatus.PENDING.value, now, now
    delivery.attempts = 0
    return delivery_view(delivery)


def discard(unit: UnitOfWork, actor: Actor, ident: str, delivery_id: str) -> dict:
    """Give a dead delivery up for good: the later events of its subject go on."""
    delivery = _dead(unit, actor, ident, delivery_id)
    delivery.status = DeliveryStatus.DISCARDED.value
    return delivery_view(delivery)


def find(unit: UnitOfWork, ident: str) -> WebhookSubscription:
    found = unit.session.get(WebhookSubscription, ident)
    if found is None:
        raise NotFound("No webhook subscription is known by this id.", "webhook.unknown")
    return found


def view(unit: UnitOfWork, subscription: WebhookSubscription) -> dict:
    counts = dict(
        unit.session.execute(
            select(WebhookDelivery.status, func.count())
            .where(WebhookDelivery.subscription_id == subscription.id)
            .group_by(WebhookDelivery.status)
        ).all()
    )
    return {
        "id": subscription.id, "name": subscription.name, "url": subscription.url,
        "events": list(subscription.events), "personal_data": subscription.personal_data,
        "active": subscription.active,
        "version": subscription.version, "created_at": subscription.created_at,
        "updated_at": subscription.updated_at,
        "deliveries": {status.value: counts.get(status.value, 0) for status in DeliveryStatus},
    }  # fmt: skip


def delivery_view(delivery: WebhookDelivery) -> dict:
    return {
        "id": delivery.id, "event_id": delivery.event_id, "event_type": delivery.event_type,
        "subject": delivery.subject, "status": delivery.status, "attempts": delivery.attempts,
        "created_at": delivery.created_at, "last_status": delivery.last_status,
        "last_error": delivery.last_error,
    }  # fmt: skip


def _dead(unit: UnitOfWork, actor: Actor, ident: str, delivery_id: str) -> WebhookDelivery:
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    find(unit, ident)
    delivery = unit.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == ident, WebhookDelivery.id == delivery_id)
        .with_for_update()
    ).one_or_none()
    if delivery is None:
        raise NotFound("No delivery of this subscription is known by this id.",
                       "webhook.delivery_unknown")  # fmt: skip
    if delivery.status != DeliveryStatus.DEAD.value:
        raise Conflict("Only a dead delivery can be re-driven or discarded.",
                       "webhook.delivery_not_dead")  # fmt: skip
    return delivery


def _checked(data: dict, allow_loopback_http: bool) -> list[str]:
    """The public events the subscription takes (``all``, ``SERVICE.*`` or ``SERVICE.EVENT``
    expanded, as the AMQP subscriptions' entitlements are), once its endpoint is acceptable."""
    problems = {}
    url_problem = webhook_url_problem(data["url"], allow_loopback_http)
    if url_problem:
        problems["url"] = [url_problem]
    try:
        events = [event.key for event in entitlement(data["events"], data["personal_data"])]
    except EntitlementError as exc:
        problems["events"] = [str(exc)]
    if problems:
        raise ValidationFailed.from_fields(problems)
    return events


def _payload(subscription: WebhookSubscription) -> dict:
    return {
        "subscription_id": subscription.id, "name": subscription.name,
        "events": list(subscription.events), "active": subscription.active,
        "version": subscription.version,
    }  # fmt: skip
