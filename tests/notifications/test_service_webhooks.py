"""Webhooks through the running notifications service: a subscription made by RPC as the
gateway makes it, events published by their producers on the test broker, and the signed
deliveries received by a real HTTP endpoint; an event that carries a secret never leaves."""

from __future__ import annotations

import uuid

import eventlet
import pytest
from amqp.exceptions import NotFound, PreconditionFailed
from kombu import Connection, Queue
from nameko.standalone.events import event_dispatcher, get_event_exchange

from services.common.actor import Right
from services.common.config import AMQP_URI
from services.common.envelope import event_name, make_envelope
from services.notifications.public_events import PUBLIC
from services.notifications.service import NotificationsService
from services.notifications.webhook_intake import LEGACY_QUEUE, QUEUE
from tests.events import event_data, wait_until
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy
from tests.translation.harness import actor


@pytest.fixture
def hook_config(service_config, service_database) -> dict:
    return {
        **service_config,
        "DB_URIS": {"notifications": service_database("notifications")},
        "NOTIFICATIONS": {"WEBHOOK_SECONDS": 0.1, "WEBHOOK_LOOPBACK_HTTP": True},
    }


def test_a_subscribed_system_receives_the_public_events_it_chose_and_no_secret(
    container_factory, hook_config, frozen_clock, receiver
):
    started_on_clock(container_factory, NotificationsService, hook_config, frozen_clock,
                     fresh_event_queues=True)  # fmt: skip
    events = ["requests.request_sent", "identity.user_created"]
    with SignedRpcProxy(hook_config) as proxy:
        created = proxy.notifications.create_webhook_subscription(
            actor(Right.COMMISSION_ADMINISTRATOR),
            {"name": "SOLVIT", "url": receiver.url, "events": events, "personal_data": True},
        )
    receiver.secret = created["secret"]
    dispatch = event_dispatcher(hook_config)
    published = []
    for service, event in (("requests", "request_sent"), ("requests", "request_closed"),
                           ("identity", "temporary_password_issued"),
                           ("identity", "user_created")):  # fmt: skip
        subject = str(uuid.uuid4())
        envelope = make_envelope(service, event, subject, event_data(service, event),
                                 frozen_clock())  # fmt: skip
        dispatch(service, event, envelope)
        published.append(envelope)

    wait_until(lambda: len(receiver.ids()) >= 2, "two deliveries")
    assert sorted(receiver.ids()) == sorted([published[0]["id"], published[3]["id"]])
    assert receiver.forged == 0
    taken = {item["id"]: item for item in receiver.received}
    for envelope in (published[0], published[3]):
        assert taken[envelope["id"]]["data"] == envelope["data"]
        assert taken[envelope["id"]]["type"] == envelope["type"]
    assert all("temporary_password" not in str(item) for item in receiver.received)


STEPS = ("request_sent", "request_accepted", "reply_sent", "request_closed")


def subscribe_to_the_steps(config: dict, receiver) -> None:
    with SignedRpcProxy(config) as proxy:
        created = proxy.notifications.create_webhook_subscription(
            actor(Right.COMMISSION_ADMINISTRATOR),
            {"name": "SOLVIT", "url": receiver.url, "personal_data": False,
             "events": [f"requests.{event}" for event in STEPS]},
        )  # fmt: skip
    receiver.secret = created["secret"]


def life_cycles(clock, subjects: int) -> list[dict]:
    """Each subject's four events, the subjects interleaved, in the order they are published."""
    ids = [str(uuid.uuid4()) for _ in range(subjects)]
    return [
        make_envelope("requests", event, subject,
                      event_data("requests", event, request_id=subject), clock())
        for event in STEPS for subject in ids
    ]  # fmt: skip


def assert_each_once_in_order(receiver, published: list[dict]) -> None:
    wait_until(lambda: len(receiver.ids()) >= len(published), "every event", timeout=30)
    eventlet.sleep(1)  # a copy would have come by now
    assert sorted(receiver.ids()) == sorted(envelope["id"] for envelope in published)
    assert receiver.forged == 0
    for subject in {envelope["subject"] for envelope in published}:
        arrived = [item["type"] for item in receiver.received if item["subject"] == subject]
        assert arrived == [f"eu.imi.requests.{event}.v1" for event in STEPS]


def test_events_taken_in_batches_arrive_once_each_in_the_order_of_their_subject(
    container_factory, hook_config, frozen_clock, receiver
):
    config = {**hook_config, "EVENT_BATCH_SIZE": 10}
    started_on_clock(container_factory, NotificationsService, config, frozen_clock,
                     fresh_event_queues=True)  # fmt: skip
    subscribe_to_the_steps(config, receiver)
    published = life_cycles(frozen_clock, 5)
    dispatch = event_dispatcher(config)
    for envelope in published + published:  # each twice, as a redelivered batch would be
        dispatch("requests", event_name(envelope), envelope)

    assert_each_once_in_order(receiver, published)


def test_one_replica_at_a_time_takes_the_public_events_and_another_takes_over_in_order(
    container_factory, hook_config, frozen_clock, receiver
):
    config = {**hook_config, "EVENT_BATCH_SIZE": 10}
    first = started_on_clock(container_factory, NotificationsService, config, frozen_clock,
                             fresh_event_queues=True)  # fmt: skip
    started_on_clock(container_factory, NotificationsService, config, frozen_clock)
    subscribe_to_the_steps(config, receiver)
    published = life_cycles(frozen_clock, 40)
    dispatch = event_dispatcher(config)
    half = len(published) // 2
    for envelope in published[:half]:
        dispatch("requests", event_name(envelope), envelope)
    first.stop()  # mid-stream: the broker gives the queue to the other replica
    for envelope in published[half:]:
        dispatch("requests", event_name(envelope), envelope)

    assert_each_once_in_order(receiver, published)
    # the queue has a single active consumer: declared without it, the broker refuses
    with Connection(config[AMQP_URI]) as connection, pytest.raises(PreconditionFailed):
        Queue(QUEUE, durable=True)(connection.channel()).declare()


def test_the_queue_of_earlier_versions_is_emptied_into_the_ordered_one_and_deleted(
    container_factory, hook_config, frozen_clock, receiver
):
    config = {**hook_config, "EVENT_BATCH_SIZE": 10}
    earlier = started_on_clock(container_factory, NotificationsService, config, frozen_clock,
                               fresh_event_queues=True)  # fmt: skip
    subscribe_to_the_steps(config, receiver)
    earlier.stop()
    published = life_cycles(frozen_clock, 10)
    with Connection(config[AMQP_URI]) as connection:  # as an earlier version left it
        channel = connection.channel()
        Queue(QUEUE, durable=True)(channel).delete()
        Queue(LEGACY_QUEUE, durable=True)(channel).delete()
        legacy = Queue(LEGACY_QUEUE, durable=True)(channel)
        legacy.declare()
        for event in PUBLIC:
            legacy.bind_to(get_event_exchange(event.service, config), routing_key=event.event)
    dispatch = event_dispatcher(config)
    for envelope in published[:20]:  # published before the upgrade: in the old queue
        dispatch("requests", event_name(envelope), envelope)
    started_on_clock(container_factory, NotificationsService, config, frozen_clock)
    for envelope in published[20:]:
        dispatch("requests", event_name(envelope), envelope)

    assert_each_once_in_order(receiver, published)
    with Connection(config[AMQP_URI]) as connection, pytest.raises(NotFound):
        connection.channel().queue_declare(LEGACY_QUEUE, passive=True)
