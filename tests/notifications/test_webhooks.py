"""Webhook subscriptions: managed by the Commission's administrators only, with a secret
shown once; deliveries to a real HTTP endpoint on loopback, signed as Standard Webhooks says,
each event once, a subject's events in order even when one fails, retried with backoff, and a
day's failures kept in the dead letters until an operator re-drives or discards them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.common.actor import Actor, Grant, Right
from services.common.envelope import event_name, make_envelope
from services.common.errors import Conflict, Forbidden, ValidationFailed
from services.notifications import webhook_delivery, webhooks
from services.notifications.domain import WEBHOOK_DEAD_AFTER, DeliveryStatus
from services.notifications.models import WebhookDelivery, WebhookEvent
from tests.events import event_data
from tests.webhook_receiver import Receiver

ADMIN = Actor("u-admin", "eu-admin", "commission", "EU",
              grants=frozenset({Grant(Right.COMMISSION_ADMINISTRATOR)}))  # fmt: skip
HANDLER = Actor("u-h", "it-h", "it-roma", "IT", grants=frozenset({Grant(Right.REQUEST_HANDLER)}))
EVENTS = ["requests.request_sent", "requests.request_accepted"]


def in_unit(database, action):
    unit = database.unit_of_work()
    try:
        result = action(unit)
        unit.commit()
        return result
    finally:
        unit.close()


def subscribe(database, receiver, events=EVENTS) -> dict:
    created = in_unit(database, lambda unit: webhooks.create(
        unit, ADMIN, {"name": "SOLVIT", "url": receiver.url, "events": events,
                      "personal_data": False}, allow_loopback_http=True))  # fmt: skip
    receiver.secret = created["secret"]
    return created


def request_event(event: str, request_id: str, at: datetime | None = None) -> dict:
    data = event_data("requests", event, request_id=request_id)
    return make_envelope("requests", event, request_id, data, at or datetime.now(UTC))


def publish(database, envelope: dict) -> int:
    name = "requests." + envelope["type"].split(".")[-2]
    return in_unit(database, lambda unit: webhook_delivery.accept(unit, envelope, name))


def run(database, poster) -> int:
    unit = database.unit_of_work()
    try:
        return webhook_delivery.deliver_due(unit, poster)
    finally:
        unit.close()


def statuses(database) -> list[str]:
    return in_unit(database, lambda unit: unit.session.scalars(
        select(WebhookDelivery.status).order_by(WebhookDelivery.seq)).all())  # fmt: skip


def test_only_commission_administrators_manage_subscriptions_and_the_secret_shows_once(
    mail_database, receiver
):
    created = subscribe(mail_database, receiver)
    assert created["secret"].startswith("whsec_")
    listed = in_unit(mail_database, lambda unit: webhooks.listing(unit, ADMIN))
    assert [item["id"] for item in listed] == [created["id"]]
    assert "secret" not in listed[0]
    with pytest.raises(Forbidden):
        in_unit(mail_database, lambda unit: webhooks.listing(unit, HANDLER))
    for url, events in (
        ("http://solvit.example.eu/hook", EVENTS),  # not https
        ("https://user:pw@solvit.example.eu/hook", EVENTS),
        ("https://solvit.example.eu/hook", ["identity.temporary_password_issued"]),
        ("https://solvit.example.eu/hook", ["requests.request_created"]),  # a draft
        ("https://solvit.example.eu/hook", ["requests.no_such_event"]),
        ("https://solvit.example.eu/hook", ["identity.user_created"]),  # names a person
    ):
        with pytest.raises(ValidationFailed):
            in_unit(mail_database, lambda unit, u=url, e=events: webhooks.create(
                unit, ADMIN, {"name": "x", "url": u, "events": e, "personal_data": False},
                allow_loopback_http=True,
            ))  # fmt: skip

    everything = in_unit(mail_database, lambda unit: webhooks.create(
        unit, ADMIN, {"name": "portal", "url": receiver.url, "events": ["directory.*"],
                      "personal_data": False}, allow_loopback_http=True))  # fmt: skip
    assert "directory.authority_registered" in everything["events"]
    assert "directory.invitation_created" not in everything["events"]

    rotated = in_unit(mail_database, lambda unit: webhooks.rotate_secret(
        unit, ADMIN, created["id"], created["version"]))  # fmt: skip
    assert rotated["secret"] != created["secret"]
    with pytest.raises(Conflict):  # the version read before the rotation
        in_unit(mail_database, lambda unit: webhooks.update(
            unit, ADMIN, created["id"], {"version": created["version"], "active": False},
            allow_loopback_http=True))  # fmt: skip


def test_events_arrive_signed_once_each_and_only_those_subscribed(mail_database, receiver, poster):
    subscribe(mail_database, receiver)
    sent = request_event("request_sent", str(uuid.uuid4()))
    assert publish(mail_database, sent) == 1
    assert publish(mail_database, sent) == 0  # the same event again
    assert publish(mail_database, request_event("request_closed", str(uuid.uuid4()))) == 0

    assert run(mail_database, poster) == 1
    assert run(mail_database, poster) == 0
    assert receiver.ids() == [sent["id"]]
    assert receiver.forged == 0
    assert receiver.received[0]["data"] == sent["data"]


def test_a_failing_subject_holds_back_its_later_events_but_not_the_others(
    mail_database, receiver, poster, frozen_clock
):
    subscribe(mail_database, receiver)
    stuck, free = str(uuid.uuid4()), str(uuid.uuid4())
    first = request_event("request_sent", stuck)
    then = request_event("request_accepted", stuck)
    other = request_event("request_sent", free)
    for envelope in (first, then, other):
        publish(mail_database, envelope)
    receiver.refusing = {stuck}

    run(mail_database, poster)
    assert receiver.ids() == [other["id"]]
    assert statuses(mail_database) == ["pending", "pending", "delivered"]

    receiver.refusing = set()
    frozen_clock.advance(seconds=10)
    run(mail_database, poster)  # the first of the subject; the next waited behind it
    run(mail_database, poster)
    assert receiver.ids() == [other["id"], first["id"], then["id"]]


def test_a_day_of_refusals_goes_to_the_dead_letters_until_re_driven_or_discarded(
    mail_database, receiver, poster, frozen_clock
):
    created = subscribe(mail_database, receiver)
    subject = str(uuid.uuid4())
    first, then = request_event("request_sent", subject), request_event("request_accepted", subject)
    publish(mail_database, first)
    publish(mail_database, then)
    receiver.refusing = {subject}
    run(mail_database, poster)
    frozen_clock.advance(seconds=WEBHOOK_DEAD_AFTER.total_seconds())
    run(mail_database, poster)

    dead = in_unit(mail_database, lambda unit: webhooks.dead_letters(unit, ADMIN, created["id"]))
    assert [item["event_id"] for item in dead] == [first["id"]]
    outbox = in_unit(mail_database, lambda unit: unit.session.scalars(
        select(mail_database.outbox_model.event_type)).all())  # fmt: skip
    assert "webhook_delivery_dead" in outbox
    run(mail_database, poster)
    assert receiver.ids() == []  # the later event waits behind the dead one

    receiver.refusing = set()
    in_unit(mail_database, lambda unit: webhooks.redrive(unit, ADMIN, created["id"], dead[0]["id"]))
    run(mail_database, poster)
    run(mail_database, poster)
    assert receiver.ids() == [first["id"], then["id"]]
    with pytest.raises(Conflict):
        in_unit(mail_database, lambda unit: webhooks.discard(
            unit, ADMIN, created["id"], dead[0]["id"]))  # fmt: skip
    assert statuses(mail_database) == [DeliveryStatus.DELIVERED] * 2


def test_a_batch_is_queued_once_in_the_order_of_each_subject_with_one_body_per_event(
    mail_database, receiver, poster
):
    subscribe(mail_database, receiver)
    portal = Receiver()
    portal.start()
    try:
        other = subscribe(mail_database, portal)
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        batch = [request_event("request_sent", first), request_event("request_sent", second),
                 request_event("request_accepted", first),
                 request_event("request_accepted", second)]  # fmt: skip
        named = [(envelope, "requests." + event_name(envelope)) for envelope in batch]

        assert in_unit(mail_database, lambda unit: webhook_delivery.accept_many(unit, named)) == 8
        assert in_unit(mail_database, lambda unit: webhook_delivery.accept_many(unit, named)) == 0
        assert sorted(bodies(mail_database)) == sorted(envelope["id"] for envelope in batch)
        while run(mail_database, poster):
            pass
    finally:
        portal.stop()
    for endpoint in (receiver, portal):
        assert endpoint.forged == 0
        assert sorted(endpoint.ids()) == sorted(envelope["id"] for envelope in batch)
        for subject in (first, second):
            arrived = [item["id"] for item in endpoint.received if item["subject"] == subject]
            assert arrived == [e["id"] for e in batch if e["subject"] == subject]

    in_unit(mail_database, lambda unit: webhooks.delete(unit, ADMIN, other["id"]))
    assert len(bodies(mail_database)) == 4  # still needed by the first subscription's
    in_unit(mail_database, lambda unit: webhooks.delete(
        unit, ADMIN, webhooks.listing(unit, ADMIN)[0]["id"]))  # fmt: skip
    assert bodies(mail_database) == []


def bodies(database) -> list[str]:
    return in_unit(database, lambda unit: unit.session.scalars(
        select(WebhookEvent.event_id)).all())  # fmt: skip
