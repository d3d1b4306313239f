"""The public exchange's topology on the broker, declared from the catalogue (public_events.py).

``imi.public`` is a durable topic exchange filled by exchange-to-exchange bindings: from each
``<service>.events`` exchange, one binding per public event name (the routing key). The broker
copies those events, and only those, into it: nothing of the services changes, a sensitive event
never reaches it, and the copy costs no process of ours. Two RabbitMQ streams keep the public
events for replay from a point in time (``x-stream-offset``): ``imi.public.replay`` every public
event without personal data, ``imi.public.replay.personal`` every public event.

``sync`` declares all of it and removes the bindings of events that are no longer public (an
unbind of a binding that does not exist is harmless), so running it again after a change of the
catalogue makes the broker follow the catalogue. It only needs the AMQP URI of an account that
may configure the vhost (the services' own).
"""

from __future__ import annotations

from kombu import Connection, Exchange, Queue
from nameko.standalone.events import get_event_exchange

from services.common.config import AMQP_URI
from services.common.contracts import published_events
from services.notifications.public_events import (
    PUBLIC,
    PUBLIC_EXCHANGE,
    REPLAY_STREAM,
    REPLAY_STREAM_PERSONAL,
    public_event,
)

# How long the replay streams keep events; a stream's arguments are fixed at its creation
# (change them on a running broker with a policy: docs/subscriptions.md).
REPLAY_MAX_AGE = "90D"
REPLAY_SEGMENT_BYTES = 50_000_000


def public_exchange() -> Exchange:
    return Exchange(PUBLIC_EXCHANGE, type="topic", durable=True, auto_delete=False)


def replay_queue(name: str) -> Queue:
    return Queue(
        name,
        durable=True,
        auto_delete=False,
        queue_arguments={
            "x-queue-type": "stream",
            "x-max-age": REPLAY_MAX_AGE,
            "x-stream-max-segment-size-bytes": REPLAY_SEGMENT_BYTES,
        },
    )


def sync(config: dict, services: list[str]) -> dict[str, int]:
    """Declare the public exchange, its bindings from ``services``' exchanges and the replay
    streams; unbind what is not public. Returns counts of what is bound."""
    public = public_exchange()
    with Connection(config[AMQP_URI]) as connection:
        channel = connection.channel()
        public(channel).declare()
        streams = {REPLAY_STREAM: False, REPLAY_STREAM_PERSONAL: True}
        for name in streams:
            replay_queue(name)(channel).declare()
        names: set[str] = set()  # every event name the services publish: the routing keys
        bound = 0
        for service in services:
            source = get_event_exchange(service, config)(channel)
            source.declare()
            for event in published_events(service):
                name = event.split(".v")[0]  # a second version travels under the same name
                names.add(name)
                if public_event(service, name) is not None:
                    channel.exchange_bind(PUBLIC_EXCHANGE, source.name, routing_key=name)
                    bound += 1
                else:
                    channel.exchange_unbind(PUBLIC_EXCHANGE, source.name, routing_key=name)
        for stream, personal in streams.items():
            keys = {e.event for e in PUBLIC if personal or not e.personal_data}
            for name in sorted(names | keys):
                if name in keys:
                    channel.queue_bind(stream, PUBLIC_EXCHANGE, routing_key=name)
                else:
                    channel.queue_unbind(stream, PUBLIC_EXCHANGE, routing_key=name)
        channel.close()
    return {"bindings": bound, "streams": len(streams)}
