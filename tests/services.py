"""Starting a service under test: the real service class, its clock the test's own."""

from __future__ import annotations

from kombu import Connection
from nameko.events import SERVICE_POOL, EventHandler

from services.common.clock import Clock
from services.common.config import AMQP_URI
from services.notifications.webhook_intake import QUEUE as PUBLIC_EVENTS_QUEUE
from services.notifications.webhook_intake import PublicEventsHandler


def started_on_clock(
    container_factory, service_cls: type, config: dict, clock, fresh_event_queues: bool = False
):
    """``service_cls`` started in a container whose Clock dependency reads ``clock``, so the
    test moves time for the service and its database alike. ``fresh_event_queues``: start
    without the events other tests of the run left in the durable queues of its handlers (every
    container of a service shares them), which would otherwise keep its workers busy."""
    clocked = type(f"Test{service_cls.__name__}", (service_cls,), {"clock": Clock(clock)})
    container = container_factory(clocked, config)
    if fresh_event_queues:
        delete_event_queues(container, config)
    container.start()
    return container


def delete_event_queues(container, config: dict) -> None:
    """Delete the queues of a container's (service pool) event handlers, named as nameko
    names them, and the notifications service's queue of public events (named by itself);
    the container's start declares them again, empty."""
    with Connection(config[AMQP_URI]) as connection:
        channel = connection.channel()
        for entrypoint in container.entrypoints:
            if isinstance(entrypoint, PublicEventsHandler):
                channel.queue_delete(PUBLIC_EVENTS_QUEUE)
            elif isinstance(entrypoint, EventHandler) and entrypoint.handler_type == SERVICE_POOL:
                channel.queue_delete(
                    f"evt-{entrypoint.source_service}-{entrypoint.event_type}"
                    f"--{container.service_name}.{entrypoint.method_name}"
                )
