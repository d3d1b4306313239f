"""Webhooks through the running notifications service: a subscription made by RPC as the
gateway makes it, events published by their producers on the test broker, and the signed
deliveries received by a real HTTP endpoint; an event that carries a secret never leaves."""

from __future__ import annotations

import uuid

import eventlet
import pytest
from nameko.standalone.events import event_dispatcher

from services.common.actor import Right
from services.common.envelope import event_name, make_envelope
from services.notifications.service import NotificationsService
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


def test_events_taken_in_batches_arrive_once_each_in_the_order_of_their_subject(
    container_factory, hook_config, frozen_clock, receiver
):
    config = {**hook_config, "EVENT_BATCH_SIZE": 10}
    started_on_clock(container_factory, NotificationsService, config, frozen_clock,
                     fresh_event_queues=True)  # fmt: skip
    with SignedRpcProxy(config) as proxy:
        created = proxy.notifications.create_webhook_subscription(
            actor(Right.COMMISSION_ADMINISTRATOR),
            {"name": "SOLVIT", "url": receiver.url, "personal_data": False,
             "events": ["requests.request_sent", "requests.request_accepted",
                        "requests.reply_sent", "requests.request_closed"]},
        )  # fmt: skip
    receiver.secret = created["secret"]
    subjects = [str(uuid.uuid4()) for _ in range(5)]
    steps = ("request_sent", "request_accepted", "reply_sent", "request_closed")
    published = [
        make_envelope("requests", event, subject,
                      event_data("requests", event, request_id=subject), frozen_clock())
        for event in steps for subject in subjects
    ]  # fmt: skip
    dispatch = event_dispatcher(config)
    for envelope in published + published:  # each twice, as a redelivered batch would be
        dispatch("requests", event_name(envelope), envelope)

    wait_until(lambda: len(receiver.ids()) >= len(published), "every event")
    eventlet.sleep(1)  # a copy would have come by now
    assert sorted(receiver.ids()) == sorted(envelope["id"] for envelope in published)
    assert receiver.forged == 0
    for subject in subjects:
        arrived = [item["type"] for item in receiver.received if item["subject"] == subject]
        assert arrived == [f"eu.imi.requests.{event}.v1" for event in steps]
