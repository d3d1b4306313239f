"""One long-lived producer per process for transient messages (RPC requests and replies).

nameko's Publisher builds a kombu Connection to look a producer up in a pool, and wraps every
publish in ``ensure()``, for each message; on the hot path of every API call that was a tenth
of the gateway's time (docs/performance.md). Here one connection and producer live as long as
the extension that owns them; a lock keeps the frames of two green threads' messages from
interleaving on the channel, and a broken connection is opened again once before the message
is given up (its caller then times out and may retry with its idempotency key).
"""

from __future__ import annotations

from amqp.exceptions import ConnectionError as AmqpConnectionError
from eventlet.semaphore import Semaphore
from kombu import Connection, Producer
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
        self._producer: Producer | None = None

    def publish(self, body, **kwargs) -> None:
        """kombu's ``Producer.publish``, transient and without confirms."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    self._open().publish(body, delivery_mode=NON_PERSISTENT, **kwargs)
                    return
                except RECONNECTABLE:
                    self.close()
                    if attempt == 2:
                        raise

    def _open(self) -> Producer:
        if self._producer is None:
            uri, ssl, login_method = self._connection_args
            self._connection = Connection(uri, ssl=ssl, login_method=login_method)
            self._producer = Producer(self._connection.channel())
        return self._producer

    def close(self) -> None:
        if self._connection is not None:
            self._connection.release()
        self._connection = self._producer = None
