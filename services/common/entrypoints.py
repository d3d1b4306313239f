"""nameko's ``@rpc`` and ``@event_handler``, declared once for every service.

``@rpc`` is declared with the system's expected errors and cheaper replies, and answers an
outage of the service's database as Unavailable (services/common/outages.py); ``@event_handler``
retries what failed instead of losing it (see RetryingEventHandler).

An expected error (a ValidationFailed, a Forbidden…) is part of the contract: nameko logs it as
a warning rather than a crash, and the caller receives it as the same type.

nameko publishes every RPC reply as a persistent message and waits for the broker's confirm
while the worker is still held. A reply is worth nothing once its caller has gone, and a lost
reply is the same as a lost request: the caller times out and may retry with its idempotency
key. So replies here are transient and unconfirmed, like the requests of
services.common.rpc, and like them leave through the process's one channel
(services.common.rpc_channel), encoded once (nameko's Responder encodes each reply twice) with
the native JSON encoder of services.common.serialization. A call's arguments are checked
against the method's signature computed once at start, not rebuilt for every call. The
measured effects are in docs/performance.md. No call reaches a method unless its credentials
say which service sent it and prove the user it acts for (services/common/credentials.py).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import sys
from functools import partial

import eventlet
import kombu.serialization
from nameko.events import EventHandler
from nameko.exceptions import (
    ContainerBeingKilled,
    IncorrectSignature,
    MalformedRequest,
    UnserializableValueError,
    serialize,
)
from nameko.rpc import Rpc, RpcConsumer

from services.common.credentials import ServiceCredentials
from services.common.errors import (
    EXPECTED_ERRORS,
    Conflict,
    Forbidden,
    NotFound,
    StaleVersion,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)
from services.common.metrics import EVENTS_HANDLED
from services.common.outages import unavailable_for
from services.common.rpc_channel import DIRECT_REPLY_TO, RpcChannel


def encode_reply(result, exc_info, serializer: str):
    """The reply's body, once: a result that cannot be encoded becomes nameko's own
    UnserializableValueError for the caller, as nameko's Responder does."""
    error = serialize(exc_info[1]) if exc_info is not None else None
    try:
        encoded = kombu.serialization.dumps({"result": result, "error": error}, serializer)
    except Exception:
        exc_info = sys.exc_info()
        payload = {"result": None, "error": serialize(UnserializableValueError(result))}
        return kombu.serialization.dumps(payload, serializer), None, exc_info
    return encoded, result, exc_info


class TransientReplyRpcConsumer(RpcConsumer):
    replies = RpcChannel()

    def handle_result(self, message, result, exc_info):
        properties = message.properties
        serializer = kombu.serialization.registry.type_to_name[properties["content_type"]]
        (content_type, content_encoding, body), result, exc_info = encode_reply(
            result, exc_info, serializer
        )
        reply_to = properties["reply_to"]
        self.replies.publish(
            body,
            exchange="" if reply_to.startswith(DIRECT_REPLY_TO) else self.queue.exchange.name,
            routing_key=reply_to,
            correlation_id=properties.get("correlation_id"),
            content_type=content_type,
            content_encoding=content_encoding,
        )
        self.queue_consumer.ack_message(message)
        return result, exc_info


class ImiRpc(Rpc):
    """nameko's ``@rpc``, admitting only calls whose credentials prove who sent them and for
    whom (services/common/credentials.py): ``callers`` names the services that may call it
    (any known service when None); a method with an ``actor`` parameter acts for a user and
    needs that user's access token."""

    rpc_consumer = TransientReplyRpcConsumer()
    credentials = ServiceCredentials()

    def __init__(self, callers: tuple[str, ...] | None = None, **kwargs):
        self.callers = frozenset(callers) if callers is not None else None
        super().__init__(**kwargs)

    def setup(self):
        super().setup()
        self.signature = inspect.signature(getattr(self.container.service_cls, self.method_name))
        self.acts_for_actor = ACTOR_PARAMETER in self.signature.parameters

    def handle_message(self, body, message):
        """nameko's, with the credentials checked before a worker is spawned."""
        try:
            args, kwargs = body["args"], body["kwargs"]
        except KeyError:
            raise MalformedRequest("Message missing `args` or `kwargs`") from None
        arguments = self.check_signature(args, kwargs)
        context_data = self.unpack_message_headers(message)
        self.credentials.admit(self, arguments, context_data)
        handle_result = partial(self.handle_result, message)
        try:
            self.container.spawn_worker(
                self, args, kwargs, context_data=context_data, handle_result=handle_result
            )
        except ContainerBeingKilled:
            self.rpc_consumer.requeue_message(message)

    def handle_result(self, message, worker_ctx, result, exc_info):
        """A failure of the infrastructure (services/common/outages.py) is answered as
        Unavailable, which the caller may wait out; nameko has logged it as it was."""
        if exc_info is not None:
            outage = unavailable_for(exc_info[1], self.container.service_name)
            if outage is not None:
                outage.__cause__ = exc_info[1]
                exc_info = (Unavailable, outage, exc_info[2])
        return super().handle_result(message, worker_ctx, result, exc_info)

    def check_signature(self, args, kwargs) -> dict:
        """nameko's check, with the signature of the start instead of ``getcallargs``; the
        arguments by name."""
        try:
            return self.signature.bind(None, *args, **kwargs).arguments
        except TypeError as exc:
            raise IncorrectSignature(str(exc)) from None


def rpc(method=None, *, callers: tuple[str, ...] | None = None):
    """``@rpc``, or ``@rpc(callers=("directory",))`` for a method offered to some services."""
    decorate = ImiRpc.decorator(expected_exceptions=EXPECTED_ERRORS, callers=callers)
    return decorate if method is None else decorate(method)


ACTOR_PARAMETER = "actor"
EVENT_RETRY_SECONDS = "EVENT_RETRY_SECONDS"
DEFAULT_EVENT_RETRY_SECONDS = 1.0
MAX_EVENT_RETRY_SECONDS = 60.0
# Business outcomes a second try cannot change: the event is acknowledged and the error logged.
FINAL_ERRORS = (ValidationFailed, Unauthenticated, Forbidden, NotFound, Conflict)
REMEMBERED_FAILURES = 10_000

log = logging.getLogger(__name__)


def _is_final(exc: BaseException) -> bool:
    return isinstance(exc, FINAL_ERRORS) and not isinstance(exc, StaleVersion)


class RetryingEventHandler(EventHandler):
    """nameko's event handler, except that an event whose handler failed is not lost.

    nameko acknowledges an event whatever its handler did, so a handler that met a database
    that was briefly unreachable, or a service that did not answer, dropped the event for good;
    with ``requeue_on_error`` it would come back at once, in a hot loop while the cause lasts.
    Here the event stays unacknowledged for a pause that doubles with each failure of the same
    event (``EVENT_RETRY_SECONDS``, 1 s by default, up to a minute), then goes back to the
    queue and comes again, as often as it takes: an event that a bug makes fail is retried
    once a minute, visibly (an error in the log, ``imi_events_handled_total{outcome="retry"}``),
    until the fix is deployed. While it waits it holds one of the consumer's prefetch places.
    A business outcome (the event refers to something unknown, is forbidden, or clashes) is
    final: the event is acknowledged, as before; except a StaleVersion, which only says that an
    editor saved the same object at the same moment: the next try reads the new version. An
    event the handler cannot read never gets here: ``@handles_event_once`` keeps it in the dead
    letters (services/common/dead_letters.py). A broadcast handler without reliable delivery is
    acknowledged whatever happened, as nameko
    does.
    """

    def __init__(self, source_service, event_type, **kwargs):
        kwargs.setdefault("expected_exceptions", FINAL_ERRORS)
        super().__init__(source_service, event_type, **kwargs)

    def setup(self):
        super().setup()
        self.first_pause = float(
            self.container.config.get(EVENT_RETRY_SECONDS, DEFAULT_EVENT_RETRY_SECONDS)
        )
        self._failures: dict[str, int] = {}

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None or _is_final(exc_info[1]) or not self.reliable_delivery:
            if self._failures:  # an event that failed before may have succeeded now
                self._failures.pop(_event_key(message), None)
            self.queue_consumer.ack_message(message)
            return
        key = _event_key(message)
        failures = self._failures.get(key, 0) + 1
        if len(self._failures) >= REMEMBERED_FAILURES:
            self._failures.clear()
        self._failures[key] = failures
        pause = min(MAX_EVENT_RETRY_SECONDS, self.first_pause * 2 ** (failures - 1))
        EVENTS_HANDLED.labels(self.container.service_name, self.method_name, "retry").inc()
        log.warning(
            "%s.%s failed (%s, failure %d); the event comes again in %g s",
            self.container.service_name, self.method_name, exc_info[0].__name__, failures, pause,
        )  # fmt: skip
        self.container.spawn_managed_thread(partial(self._requeue_after, message, pause))

    def _requeue_after(self, message, pause: float) -> None:
        eventlet.sleep(pause)
        self.queue_consumer.requeue_message(message)


def _event_key(message) -> str:
    """The same for every delivery of one event."""
    body = message.body
    return hashlib.sha256(body.encode() if isinstance(body, str) else body).hexdigest()


event_handler = RetryingEventHandler.decorator
