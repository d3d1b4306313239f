"""Outside systems' AMQP subscriptions on the real broker (docs/subscriptions.md).

The accounts are made as an operator makes them (services/notifications/subscribers.py, with
rabbitmqctl), on a virtual host of this module's own: the public exchange's bindings and replay
streams must not route the other tests' events. Each refusal is the broker's own (403
ACCESS_REFUSED), seen through the outside system's connection.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import eventlet
import pytest
from amqp import Message
from amqp.exceptions import AccessRefused
from kombu import Connection
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange

from services.common.config import AMQP_URI
from services.common.envelope import make_envelope
from services.notifications import public_exchange, subscribers
from services.notifications.public_events import (
    PUBLIC_EXCHANGE,
    REPLAY_STREAM,
    REPLAY_STREAM_PERSONAL,
    entitlement,
)
from tests.conftest import TEST_AMQP_URI
from tests.events import event_data
from tests.rabbitmq import ctl, needs_rabbitmqctl

SERVICES = ["identity", "directory", "translation", "requests", "notifications"]


pytestmark = needs_rabbitmqctl


@pytest.fixture(scope="module")
def broker():
    """A vhost of its own with the public exchange synced, and three subscribers:
    ``narrow`` (the directory and request_sent), ``open`` (every public event without personal
    data) and ``full`` (every public event, personal data included)."""
    vhost = f"imi-subs-{secrets.token_hex(4)}"
    ctl("add_vhost", vhost)
    ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    parts = urlsplit(TEST_AMQP_URI)
    config = {AMQP_URI: urlunsplit(parts._replace(path=f"/{vhost}"))}
    tag = secrets.token_hex(3)
    made = []
    try:
        public_exchange.sync(config, SERVICES)
        accounts = {}
        for kind, events in [
            ("narrow", entitlement(["directory.*", "requests.request_sent"])),
            ("open", entitlement(["all"])),
            ("full", entitlement(["all"], personal_data=True)),
        ]:
            account = subscribers.add(config, f"t{tag}-{kind}", events)
            made.append(account.subscriber.name)
            accounts[kind] = account
        yield config, accounts
    finally:
        for name in made:
            ctl("delete_user", f"sub.{name}")
        ctl("delete_vhost", vhost)


def publish(config: dict, service: str, event: str, data: dict | None = None) -> dict:
    """Publish as the service's outbox does: a CloudEvents envelope on ``<service>.events``."""
    envelope = make_envelope(
        service, event, str(uuid.uuid4()), data or event_data(service, event), datetime.now(UTC)
    )
    exchange = get_event_exchange(service, config)
    Publisher(config[AMQP_URI], use_confirms=True, declare=[exchange]).publish(
        envelope, exchange=exchange, routing_key=event
    )
    return envelope


def drain(connection, channel, queue: str, arguments=None, idle: float = 1.0) -> list[dict]:
    """Every message ``queue`` gives until it is quiet for ``idle`` seconds (acked)."""
    got = []

    def take(message):
        got.append(json.loads(message.body))
        channel.basic_ack(message.delivery_tag)

    channel.basic_qos(0, 100, False)
    channel.basic_consume(queue, callback=take, arguments=arguments or {})
    while True:
        try:
            connection.drain_events(timeout=idle)
        except TimeoutError:
            return got


def refused(uri: str, action) -> str:
    """Run ``action(channel)`` on a fresh connection of the subscriber; the broker's refusal."""
    with Connection(uri) as connection:
        channel = connection.channel()
        try:
            action(channel)
            channel.basic_qos(0, 1, False)  # a synchronous call: an asynchronous refusal shows
        except AccessRefused as refusal:
            return str(refusal)
        pytest.fail("the broker allowed it")


def test_a_subscriber_reads_its_own_queue_of_its_entitled_public_events(broker):
    config, accounts = broker
    narrow = accounts["narrow"]
    queue = f"{narrow.subscriber.queue_prefix}inbox"
    with Connection(narrow.uri) as connection:
        channel = connection.channel()
        channel.queue_declare(queue, durable=True, auto_delete=False)
        for key in ("authority_registered", "request_sent"):
            channel.queue_bind(queue, PUBLIC_EXCHANGE, routing_key=key)
    # the operator's view of everything the public exchange carries
    with Connection(config[AMQP_URI]) as connection:
        watch = connection.channel()
        watch.queue_declare("watch.public", durable=False, auto_delete=False)
        watch.queue_bind("watch.public", PUBLIC_EXCHANGE, routing_key="#")

    sent = [
        publish(config, "directory", "authority_registered"),
        publish(config, "requests", "request_sent", {**event_data("requests", "request_sent")}),
        publish(config, "identity", "user_created"),  # public, personal data
        publish(config, "identity", "temporary_password_issued"),  # a secret
        publish(config, "directory", "invitation_created"),  # a secret
        publish(config, "identity", "tokens_revoked"),  # internal
        publish(config, "requests", "request_created"),  # a draft: internal
    ]
    ids = {envelope["id"]: envelope["type"] for envelope in sent}

    with Connection(narrow.uri) as connection:
        got = drain(connection, connection.channel(), queue)
    assert [ids[e["id"]] for e in got] == [
        "eu.imi.directory.authority_registered.v1",
        "eu.imi.requests.request_sent.v1",
    ]
    with Connection(config[AMQP_URI]) as connection:
        everything = drain(connection, connection.channel(), "watch.public")
    assert sorted(ids[e["id"]] for e in everything) == [
        "eu.imi.directory.authority_registered.v1",
        "eu.imi.identity.user_created.v1",
        "eu.imi.requests.request_sent.v1",
    ]


def test_the_broker_refuses_a_subscriber_everything_else(broker):
    config, accounts = broker
    narrow, other = accounts["narrow"], accounts["open"]
    uri, own = narrow.uri, narrow.subscriber.queue_prefix
    with Connection(config[AMQP_URI]) as connection:  # what the services have declared
        channel = connection.channel()
        channel.exchange_declare("nameko-rpc", "topic", durable=True, auto_delete=False)
        channel.queue_declare(f"{other.subscriber.queue_prefix}inbox", durable=True)
    with Connection(uri) as connection:
        channel = connection.channel()
        channel.queue_declare(f"{own}mine", durable=True, auto_delete=False)
        channel.exchange_declare(f"{own}fan", "topic", durable=True, auto_delete=False)

    def bind(key, exchange=PUBLIC_EXCHANGE):
        return lambda ch: ch.queue_bind(f"{own}mine", exchange, routing_key=key)

    def publish_to(exchange, key):
        def action(ch):
            ch.confirm_select()
            ch.basic_publish(Message(b"{}"), exchange=exchange, routing_key=key)

        return action

    # a queue under another name, or under another subscriber's prefix
    assert "ACCESS_REFUSED" in refused(uri, lambda ch: ch.queue_declare("inbox", durable=True))
    refused(uri, lambda ch: ch.queue_declare(f"{other.subscriber.queue_prefix}x", durable=True))
    # another subscriber's queue, a service's exchange, the RPC exchange
    refused(uri, lambda ch: ch.basic_consume(f"{other.subscriber.queue_prefix}inbox"))
    refused(uri, bind("user_created", "identity.events"))
    refused(uri, bind("#", "requests.events"))
    refused(uri, publish_to("nameko-rpc", "identity.login"))
    refused(uri, lambda ch: ch.queue_bind(f"{own}mine", "nameko-rpc", routing_key="#"))
    # routing keys outside its entitlement: personal data, a secret, another event, a wildcard
    for key in ("user_created", "temporary_password_issued", "request_closed", "#", "*"):
        assert "ACCESS_REFUSED" in refused(uri, bind(key)), key
    refused(uri, lambda ch: ch.exchange_bind(f"{own}fan", PUBLIC_EXCHANGE, routing_key="#"))
    # publishing anywhere: the public exchange, its own queue through the default exchange
    refused(uri, publish_to(PUBLIC_EXCHANGE, "authority_registered"))
    refused(uri, publish_to("", f"{own}mine"))
    # dead-lettering into the RPC exchange, the replay streams it is not entitled to
    refused(
        uri,
        lambda ch: ch.queue_declare(
            f"{own}dlx", durable=True, arguments={"x-dead-letter-exchange": "nameko-rpc"}
        ),
    )
    refused(uri, lambda ch: ch.basic_consume(REPLAY_STREAM, arguments={"x-stream-offset": "first"}))
    # what it may do still works: a binding it is entitled to
    with Connection(uri) as connection:
        connection.channel().queue_bind(f"{own}mine", PUBLIC_EXCHANGE, "register_changed")


def test_replay_from_a_point_in_time_gives_exactly_the_later_public_events(broker):
    config, accounts = broker
    publish(config, "directory", "authority_updated")
    publish(config, "identity", "user_updated")
    time.sleep(1.2)  # the stream's offsets by time are in whole seconds
    since = datetime.now(UTC)
    time.sleep(1.2)
    later = [
        publish(config, "directory", "register_changed"),
        publish(config, "identity", "user_deleted"),  # personal data
        publish(config, "identity", "password_reset_requested"),  # a secret
        publish(config, "requests", "request_closed"),
    ]
    ids = {envelope["id"]: envelope["type"] for envelope in later}

    def replay(uri: str, stream: str) -> list[str]:
        """As docs/subscriptions.md shows: attach at ``since`` and keep the events whose time
        is not before it (a stream attaches at the start of a chunk, which may be earlier)."""
        with Connection(uri) as connection:
            events = drain(
                connection, connection.channel(), stream, {"x-stream-offset": since}, idle=1.5
            )
        return [
            ids.get(e["id"], e["type"])
            for e in events
            if datetime.fromisoformat(e["time"]) >= since
        ]

    assert replay(accounts["open"].uri, REPLAY_STREAM) == [
        "eu.imi.directory.register_changed.v1",
        "eu.imi.requests.request_closed.v1",
    ]
    assert replay(accounts["full"].uri, REPLAY_STREAM_PERSONAL) == [
        "eu.imi.directory.register_changed.v1",
        "eu.imi.identity.user_deleted.v1",
        "eu.imi.requests.request_closed.v1",
    ]
    # the stream without personal data only, and reading only: no writing, no deleting
    uri = accounts["open"].uri
    offset = {"x-stream-offset": "first"}
    refused(uri, lambda ch: ch.basic_consume(REPLAY_STREAM_PERSONAL, arguments=offset))

    def publish_into_stream(ch):
        ch.confirm_select()
        ch.basic_publish(Message(b"{}"), exchange="", routing_key=REPLAY_STREAM)

    refused(uri, publish_into_stream)
    refused(uri, lambda ch: ch.queue_delete(REPLAY_STREAM))
    refused(uri, lambda ch: ch.queue_bind(REPLAY_STREAM, PUBLIC_EXCHANGE, routing_key="#"))
    eventlet.sleep(0)


def test_the_operator_lists_the_accounts_with_their_entitlements(broker):
    config, accounts = broker
    found = {s.name: s for s in subscribers.listed(config)}
    narrow = found[accounts["narrow"].subscriber.name]
    assert [e.key for e in narrow.events] == [e.key for e in accounts["narrow"].subscriber.events]
    assert narrow.replay == []
    assert found[accounts["open"].subscriber.name].replay == [REPLAY_STREAM]
    assert found[accounts["full"].subscriber.name].replay == [
        REPLAY_STREAM,
        REPLAY_STREAM_PERSONAL,
    ]


def test_a_removed_account_can_no_longer_connect(broker):
    config, _ = broker
    name = f"t{secrets.token_hex(3)}-gone"
    account = subscribers.add(config, name, entitlement(["directory.terms_changed"]))
    with Connection(account.uri) as connection:
        connection.connect()
    subscribers.remove(config, name)
    gone = Connection(account.uri, connect_timeout=5)
    with pytest.raises(AccessRefused, match=r"ACCESS_REFUSED"):
        gone.connect()
    gone.release()
    with pytest.raises(subscribers.SubscriberError, match="no subscriber"):
        subscribers.remove(config, name)
    plain = f"t{secrets.token_hex(3)}-plain"  # a broker user the command did not make
    ctl("add_user", f"sub.{plain}", secrets.token_hex(8))
    try:
        with pytest.raises(subscribers.SubscriberError, match="not a subscriber account"):
            subscribers.add(config, plain, entitlement(["all"]))
        with pytest.raises(subscribers.SubscriberError, match="no subscriber"):
            subscribers.remove(config, plain)
    finally:
        ctl("delete_user", f"sub.{plain}")
