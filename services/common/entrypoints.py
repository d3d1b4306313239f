"""nameko's ``@rpc``, declared once with the system's expected errors and cheaper replies.

An expected error (a ValidationFailed, a Forbidden…) is part of the contract: nameko logs it as
a warning rather than a crash, and the caller receives it as the same type.

nameko publishes every RPC reply as a persistent message and waits for the broker's confirm
while the worker is still held. A reply is worth nothing once its caller has gone, and a lost
reply is the same as a lost request: the caller times out and may retry with its idempotency
key. So replies here are transient and unconfirmed, like the requests of
services.common.rpc, and like them leave through one producer per process
(services.common.publishing), encoded once (nameko's Responder encodes each reply twice) with
the native JSON encoder of services.common.serialization. A call's arguments are checked
against the method's signature computed once at start, not rebuilt for every call. The
measured effects are in docs/performance.md.
"""

from __future__ import annotations

import inspect
import sys

import kombu.serialization
from nameko.exceptions import IncorrectSignature, UnserializableValueError, serialize
from nameko.rpc import Rpc, RpcConsumer

from services.common import serialization
from services.common.errors import EXPECTED_ERRORS
from services.common.publishing import ProcessProducer
from services.common.rpc_channel import DIRECT_REPLY_TO


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
    def setup(self):
        super().setup()
        serialization.install()
        self.replies = ProcessProducer(self.container.config)

    def stop(self):
        super().stop()
        self.replies.close()

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
    rpc_consumer = TransientReplyRpcConsumer()

    def setup(self):
        super().setup()
        self.signature = inspect.signature(getattr(self.container.service_cls, self.method_name))

    def check_signature(self, args, kwargs):
        """nameko's check, with the signature of the start instead of ``getcallargs``."""
        try:
            self.signature.bind(None, *args, **kwargs)
        except TypeError as exc:
            raise IncorrectSignature(str(exc)) from None


rpc = ImiRpc.decorator(expected_exceptions=EXPECTED_ERRORS)
