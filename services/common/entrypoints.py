"""nameko's ``@rpc``, declared once with the system's expected errors and cheaper replies.

An expected error (a ValidationFailed, a Forbidden…) is part of the contract: nameko logs it as
a warning rather than a crash, and the caller receives it as the same type.

nameko publishes every RPC reply as a persistent message and waits for the broker's confirm
while the worker is still held. A reply is worth nothing once its caller has gone, and a lost
reply is the same as a lost request: the caller times out and may retry with its idempotency
key. So replies here are transient and unconfirmed, like the requests of
services.common.rpc (the measured effect is in docs/performance.md).
"""

from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    NON_PERSISTENT,
    SERIALIZER_CONFIG_KEY,
)
from nameko.rpc import Responder, Rpc, RpcConsumer

from services.common.errors import EXPECTED_ERRORS


class ReplyPublisher(Publisher):
    use_confirms = False
    delivery_mode = NON_PERSISTENT


class TransientResponder(Responder):
    publisher_cls = ReplyPublisher


class TransientReplyRpcConsumer(RpcConsumer):
    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = TransientResponder(
            config[AMQP_URI_CONFIG_KEY],
            self.queue.exchange,
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class ImiRpc(Rpc):
    rpc_consumer = TransientReplyRpcConsumer()


rpc = ImiRpc.decorator(expected_exceptions=EXPECTED_ERRORS)
