"""The public events reach the webhook deliveries through one durable queue of the
notifications service, bound to each service's exchange for every event of the public
catalogue (services.notifications.public_events): never an event that carries a secret.

The queue has a single active consumer (RabbitMQ's ``x-single-active-consumer``): however many
replicas run, one at a time takes the events, batch after batch in the queue's order, so the
deliveries of one subject are queued in the order their events were published; if that replica
stops, the broker hands the queue to another (:class:`OrderedQueueConsumer`). The deliveries
themselves are posted by every replica. A queue's arguments cannot change, so the queue has a
new name (:data:`QUEUE`); the queue of earlier versions (:data:`LEGACY_QUEUE`) is emptied into
it and deleted when a replica starts (:func:`retire_legacy_queue`).
"""

from __future__ import annotations

import logging

from kombu import Connection, Producer, Queue, binding
from kombu.exceptions import ChannelError
from nameko.standalone.events import get_event_exchange

from services.common.batches import BatchEventHandler, BatchQueueConsumer
from services.common.config import AMQP_URI
from services.common.contracts import contract
from services.common.envelope import CloudEventSchema, split_event_type
from services.common.schemas import instance
from services.notifications.public_events import PUBLIC

QUEUE = "evt-public--notifications.webhooks-in-order"
LEGACY_QUEUE = "evt-public--notifications.webhooks"
SINGLE_ACTIVE_CONSUMER = {"x-single-active-consumer": True}

log = logging.getLogger(__name__)


class OrderedQueueConsumer(BatchQueueConsumer):
    """The batch consumer of a single-active-consumer queue, on a connection of its own, which
    a stopping replica closes at once.

    nameko's graceful stop cancels the consumer and then finishes the events it holds; on such
    a queue the cancel makes another replica the active consumer, which would take later events
    while this one still queues earlier ones. Closing the connection instead gives every event
    not yet acknowledged back to the queue, in its place, before the broker chooses the next
    consumer. The batch being handled still commits; the next replica gets its events again
    and the inbox finds them handled (their acknowledgement was lost with the connection).
    """

    def close_at_once(self) -> None:
        self.kill()  # closes the connection; does nothing if already closed

    def stop(self) -> None:
        self.close_at_once()


class PublicEventsHandler(BatchEventHandler):
    """A batch event handler (services/common/batches.py) on one single-active-consumer queue
    with a binding per public event."""

    queue_consumer = OrderedQueueConsumer()

    def __init__(self, **kwargs):
        super().__init__("public", "events", **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        self.bindings = [
            binding(get_event_exchange(event.service, config), routing_key=event.event)
            for event in PUBLIC
        ]
        self.queue = ordered_queue(self.bindings)
        retire_legacy_queue(config[AMQP_URI], self.queue, self.bindings)

    def stop(self):
        """Not nameko's cancel-then-finish (see OrderedQueueConsumer): the events waiting for
        a batch stay unacknowledged and go back to the queue with the connection."""
        self.stopping = True
        self.queue_consumer.close_at_once()


public_event_handler = PublicEventsHandler.decorator


def ordered_queue(bindings: list) -> Queue:
    return Queue(QUEUE, bindings=bindings, durable=True, queue_arguments=SINGLE_ACTIVE_CONSUMER)


def retire_legacy_queue(amqp_uri: str, queue: Queue, bindings: list) -> int:
    """Move the events left in the queue of earlier versions into ``queue``, then delete it;
    the number moved.

    Nothing is lost: its events are moved while it is still bound, then ``queue`` is bound,
    then the old queue is unbound and what reached it meanwhile is moved too (an event that
    reached both queues is taken once: the inbox). Only the events published in the instant
    between the first move and the binding can come after later ones of their subject.
    """
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        try:
            connection.channel().queue_declare(LEGACY_QUEUE, passive=True)
        except ChannelError:  # none: a new installation, or already retired
            return 0
        channel = connection.channel()
        legacy = Queue(LEGACY_QUEUE, durable=True)(channel)
        producer = Producer(channel)
        Queue(QUEUE, durable=True, queue_arguments=SINGLE_ACTIVE_CONSUMER)(channel).declare()
        moved = _move(legacy, producer)
        queue(channel).declare()
        for bound in bindings:
            legacy.unbind_from(bound.exchange, routing_key=bound.routing_key)
        moved += _move(legacy, producer)
        legacy.delete(if_empty=True)
    if moved:
        log.info("moved %d events from %s to %s", moved, LEGACY_QUEUE, QUEUE)
    return moved


def _move(legacy: Queue, producer: Producer) -> int:
    """Republish every message of the legacy queue to the ordered one, in order, each
    acknowledged once the broker confirmed its copy."""
    moved = 0
    while (message := legacy.get(no_ack=False)) is not None:
        producer.publish(
            message.body, exchange="", routing_key=QUEUE, headers=message.headers,
            content_type=message.content_type, content_encoding=message.content_encoding,
            delivery_mode=2,
        )  # fmt: skip
        message.ack()
        moved += 1
    return moved


def published_form(envelope: dict) -> dict:
    """The envelope as its producer published it (JSON), from the one the handler loaded,
    without the internal call id."""
    data = contract(*split_event_type(envelope["type"])).dump(envelope["data"])
    out = instance(CloudEventSchema).dump({**envelope, "data": {}})
    out.pop("imicallid", None)
    return {**out, "data": data}


def public_name(envelope: dict) -> str:
    """``<service>.<event>`` of an envelope, as the public catalogue names it."""
    service, event, _version = split_event_type(envelope["type"])
    return f"{service}.{event}"
