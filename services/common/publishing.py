"""One long-lived channel per process for transient messages already encoded (RPC replies).

nameko's Publisher builds a kombu Connection to look a producer up in a pool, and wraps every
publish in ``ensure()``, for each message; on the hot path of every API call that was a tenth
of the gateway's time (docs/performance.md). Here one connection and channel live as long as
the extension that owns them, and a message goes straight to py-amqp's ``basic_publish``
(kombu's Producer would check, encode and wrap it again). A lock keeps the frames of two green
threads' messages from interleaving on the channel, and a broken connection is opened again
once before the message is given up (its caller then times out and may retry with its
idempotency key). The exchange must exist: those used here are declared by their consumers.
"""

from __future__ import annotations

import amqp
from amqp.exceptions import ConnectionError as AmqpConnectionError
from eventlet.semaphore import Semaphore
from kombu import Connection
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT,
)

RECONNECTABLE = (OSError, AmqpConnectionError)


class ProcessProducer:
    def __init__(self, config: dict):
        self._connection_args = (
            config[AMQP_URI_CONFIG_KEY],
            config.get(AMQP_SSL_CONFIG_KEY),
            config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        self._lock = Semaphore()
        self._connection: Connection | None = None
        self._channel = None

    def publish(self, body: bytes, exchange: str, routing_key: str, **properties) -> None:
        """Publishes ``body`` with AMQP ``properties``, transient and without confirms."""
        message = amqp.Message(body, delivery_mode=NON_PERSISTENT, **properties)
        with self._lock:
            for attempt in (1, 2):
                try:
                    self._open().basic_publish(message, exchange, routing_key)
                    return
                except RECONNECTABLE:
                    self.close()
                    if attempt == 2:
                        raise

    def _open(self):
        if self._channel is None:
            uri, ssl, login_method = self._connection_args
            self._connection = Connection(uri, ssl=ssl, login_method=login_method)
            self._channel = self._connection.channel()
        return self._channel

    def close(self) -> None:
        if self._connection is not None:
            self._connection.release()
        self._connection = self._channel = None
