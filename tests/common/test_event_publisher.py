"""The outbox relay's publisher (services/common/event_publisher.py) on the run's RabbitMQ: an
event no queue takes is reported, not raised, and the publisher goes on on the same line; a
publisher whose green thread was killed in the middle of a publish publishes again, and so
does one whose connection the broker closed (rabbitmqctl, as an operator or a broker restart
would)."""

from __future__ import annotations

import uuid

import eventlet
import pytest
from kombu import Connection, Exchange, Queue

from services.common.event_publisher import EventPublisher
from services.common.serialization import loads
from tests.rabbitmq import ctl, needs_rabbitmqctl


@pytest.fixture
def exchange():
    return Exchange(f"test_publisher_{uuid.uuid4().hex[:12]}.events", type="topic")


@pytest.fixture
def broker(amqp_uri, exchange):
    with Connection(amqp_uri) as connection:
        yield connection
        exchange(connection.default_channel).delete()


@pytest.fixture
def publisher(amqp_uri, exchange):
    publisher = EventPublisher(amqp_uri, exchange)
    yield publisher
    publisher.close()


def bound_queue(broker, exchange, routing_key: str) -> Queue:
    queue = Queue(f"{exchange.name}.{routing_key}", exchange, routing_key, auto_delete=True)
    queue(broker.default_channel).declare()
    return queue


def received(broker, queue: Queue) -> list:
    bodies = []
    while (message := queue(broker.default_channel).get(no_ack=True)) is not None:
        bodies.append(loads(message.body))
    return bodies


def test_an_event_no_queue_takes_is_reported_and_the_next_goes_out_on_the_same_line(
    broker, exchange, publisher
):
    queue = bound_queue(broker, exchange, "taken")

    assert publisher.publish({"n": 1}, "nobody_listens") is False
    line = publisher._connection
    assert publisher.publish({"n": 2}, "taken") is True

    assert publisher._connection is line  # the return did not cost the connection
    assert received(broker, queue) == [{"n": 2}]


def test_a_publisher_killed_in_the_middle_of_publishing_publishes_again(
    broker, exchange, publisher
):
    queue = bound_queue(broker, exchange, "taken")

    def publish_for_ever():
        while True:
            publisher.publish({"n": 0}, "nobody_listens")

    for pause in (0, 0.001, 0.003, 0.01) * 5:
        publishing = eventlet.spawn(publish_for_ever)
        eventlet.sleep(pause)
        publishing.kill()

    with eventlet.Timeout(10):
        assert publisher.publish({"n": 1}, "taken") is True
    assert received(broker, queue) == [{"n": 1}]


@needs_rabbitmqctl
def test_a_publisher_whose_connection_the_broker_closed_publishes_again(
    broker, exchange, publisher
):
    queue = bound_queue(broker, exchange, "taken")
    assert publisher.publish({"n": 1}, "taken") is True
    port = publisher._connection.connection.sock.getsockname()[1]
    [pid] = [
        line.split("\t")[0]
        for line in ctl("list_connections", "pid", "peer_port").splitlines()
        if line.split("\t")[-1].strip() == str(port)
    ]

    ctl("close_connection", pid, "closed by the test")
    eventlet.sleep(0.2)  # the broker's close reaches the socket

    with eventlet.Timeout(20):
        assert publisher.publish({"n": 2}, "taken") is True
    assert publisher._connection.connection.sock.getsockname()[1] != port  # a new connection
    assert received(broker, queue) == [{"n": 1}, {"n": 2}]
