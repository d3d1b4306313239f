"""The public events reach the webhook deliveries through one durable queue of the
notifications service, bound to each service's exchange for every event of the public
catalogue (services.notifications.public_events): never an event that carries a secret."""

from __future__ import annotations

from kombu import Queue, binding
from nameko.standalone.events import get_event_exchange

from services.common.batches import BatchEventHandler
from services.common.contracts import contract
from services.common.envelope import CloudEventSchema, split_event_type
from services.common.schemas import instance
from services.notifications.public_events import PUBLIC

QUEUE = "evt-public--notifications.webhooks"


class PublicEventsHandler(BatchEventHandler):
    """A batch event handler (services/common/batches.py) on one queue with a binding per
    public event."""

    def __init__(self, **kwargs):
        super().__init__("public", "events", **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        bindings = []
        for event in PUBLIC:
            exchange = get_event_exchange(event.service, config)
            bindings.append(binding(exchange, routing_key=event.event))
        self.queue = Queue(QUEUE, bindings=bindings, durable=True)


public_event_handler = PublicEventsHandler.decorator


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
