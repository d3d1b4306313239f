"""Event handlers that take their events in batches: one worker, one transaction and one inbox
read and write for as many events as have arrived, instead of one of each per event.

A handler of many small events (the public events the webhook subscriptions fan out, the
request events that become emails) spends most of its time on what every event costs whatever
it holds: a worker, a transaction, the inbox's read and write, a commit. ``@batch_event_handler``
takes its queue's events on a connection of its own, whose prefetch lets a batch grow to
``EVENT_BATCH_SIZE`` (200 by default) with as many again on their way. The first event of a
quiet queue is handled at once, alone; the events that arrive while a batch is being handled
form the next one. One batch at a time per handler and process, so a process records its
events in the order the queue gave them.

``@handles_events_once`` gives the method the events of a batch that it has not handled before,
loaded with their contracts, and commits what it did with their inbox records in one
transaction. An event it cannot read goes to the dead letters, as with ``@handles_event_once``.
If anything else fails, the batch is rolled back and each of its events is handled again on its
own, exactly as ``@handles_event_once`` handles it (its own transaction, then an
acknowledgement, or a retry after a pause as ``@event_handler`` does): a batch changes what an
event costs, never what happens to it.
"""

from __future__ import annotations

import functools
import logging
import sys
from functools import partial

from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import QueueConsumer

from services.common.entrypoints import RetryingEventHandler
from services.common.errors import ValidationFailed
from services.common.transactions import counted, dead_letter, handle_once, read_event

BATCH_SIZE = "EVENT_BATCH_SIZE"
DEFAULT_BATCH_SIZE = 200

log = logging.getLogger(__name__)


def batch_size(config: dict) -> int:
    return max(1, int(config.get(BATCH_SIZE, DEFAULT_BATCH_SIZE)))


class BatchQueueConsumer(QueueConsumer):
    """nameko's queue consumer on a connection of its own (a shared extension per class), with
    a prefetch of two batches; a message goes to its handler in the consumer's thread, as the
    handler only keeps it for the next batch."""

    @property
    def prefetch_count(self) -> int:
        return 2 * batch_size(self.container.config)

    def handle_message(self, provider, body, message) -> None:
        provider.handle_message(body, message)


class BatchEventHandler(RetryingEventHandler):
    """``@event_handler`` whose worker gets a list of events: those that arrived while the
    previous batch was handled, at most ``EVENT_BATCH_SIZE``. Each event is acknowledged, or
    retried after a pause, by what its handling came to."""

    queue_consumer = BatchQueueConsumer()

    def setup(self):
        super().setup()
        self.batch_size = batch_size(self.container.config)
        self._waiting: list = []  # (body, message) not yet given to a worker
        self._busy = False  # a batch is being handled, or about to start
        self.stopping = False  # no batch starts any more (a subclass's stop sets it)

    def handle_message(self, body, message):
        self._waiting.append((body, message))
        if not self._busy:
            self._busy = True
            # starts once the consumer has taken every message already received
            self.container.spawn_managed_thread(self._start_batch)

    def _start_batch(self) -> None:
        taken = self._waiting[: self.batch_size]
        del self._waiting[: self.batch_size]
        bodies = [body for body, _message in taken]
        messages = [message for _body, message in taken]
        try:
            self.container.spawn_worker(
                self, (bodies,), {}, context_data=self.unpack_message_headers(messages[0]),
                handle_result=partial(self.handle_result, messages),
            )  # fmt: skip
        except ContainerBeingKilled:
            for message in messages:
                self.queue_consumer.requeue_message(message)
            self._busy = False

    def handle_result(self, messages, worker_ctx, result=None, exc_info=None):
        """``result``: what each event's handling came to (None, or the exception it raised)."""
        failures = result if exc_info is None else [exc_info[1]] * len(messages)
        try:
            for message, failure in zip(messages, failures, strict=True):
                failed = (
                    None if failure is None else (type(failure), failure, failure.__traceback__)
                )
                self.handle_message_processed(message, None, failed)
        finally:
            if self._waiting and not self.stopping:
                self.container.spawn_managed_thread(self._start_batch)
            else:
                self._busy = False
        return result, exc_info


batch_event_handler = BatchEventHandler.decorator


def handles_events_once(method):
    """``method(self, envelopes)`` for a batch of ``@batch_event_handler``: the events not
    handled before, each once, in the order they came, loaded with their contracts. The
    worker's result is what each event's handling came to (None, or the exception it raised),
    for the entry point to acknowledge or retry each event."""

    @functools.wraps(method)
    def wrapper(self, payloads: list) -> list[BaseException | None]:
        name, unit = self.name, self.db
        handler = f"{name}.{method.__name__}"
        readable = []  # (position, envelope)
        for position, payload in enumerate(payloads):
            try:
                readable.append((position, read_event(payload)))
            except ValidationFailed as exc:
                dead_letter(unit, handler, payload, exc)
                counted(name, handler, "dead_lettered")
        try:
            fresh = set(unit.claim_events([envelope["id"] for _, envelope in readable], handler))
            envelopes = []
            for _position, envelope in readable:
                if envelope["id"] in fresh:
                    fresh.discard(envelope["id"])  # the same event twice in one batch
                    envelopes.append(envelope)
            if envelopes:
                method(self, envelopes)
            unit.commit()
        except Exception:
            unit.rollback()
            log.warning("%s: a batch of %d events failed (%s); each is handled on its own",
                        handler, len(readable), sys.exc_info()[0].__name__)  # fmt: skip
            outcomes: list[BaseException | None] = [None] * len(payloads)
            for position, _envelope in readable:
                outcomes[position] = _alone(self, method, handler, payloads[position])
            return outcomes
        counted(name, handler, "handled", len(envelopes))
        counted(name, handler, "duplicate", len(readable) - len(envelopes))
        return [None] * len(payloads)

    return wrapper


def _alone(service, method, handler: str, payload) -> BaseException | None:
    """One event of a failed batch, as ``@handles_event_once`` handles it; the exception it
    raised, if any (its changes rolled back)."""
    try:
        handle_once(service, handler, lambda envelope: method(service, [envelope]), payload)
    except Exception as exc:
        service.db.rollback()
        log.warning("%s failed on an event of a batch: %r", handler, exc)
        return exc
    return None
