"""RPC requests published on one long-lived channel per process instead of through nameko's
``Publisher``.

Stands for: in services/common/rpc.py, ``RpcClient`` keeping one kombu ``Producer`` on its own
connection (opened in ``start()``, reopened after a connection error), guarded by a green lock,
instead of ``Publisher.publish``, which per call builds a ``Connection``, takes a producer from
kombu's pool, wraps the publish in ``ensure()`` and gives it back.
"""

from __future__ import annotations

from eventlet.semaphore import Semaphore
from kombu import Connection, Producer

import services.common.rpc as rpc_module
from services.common.config import AMQP_URI

TRANSIENT = 1


class LeanPublisher:
    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.lock = Semaphore()
        self.connection: Connection | None = None
        self.producer: Producer | None = None

    def publish(self, payload, *, exchange, routing_key, extra_headers=None, **properties):
        with self.lock:
            for attempt in range(2):
                try:
                    if self.producer is None:
                        self.connection = Connection(self.amqp_uri)
                        self.producer = Producer(self.connection.channel(), serializer="json")
                    self.producer.publish(
                        payload,
                        exchange=exchange,
                        routing_key=routing_key,
                        headers=extra_headers or {},
                        delivery_mode=TRANSIENT,
                        **properties,
                    )
                    return
                except OSError:
                    self.producer = None
                    if attempt:
                        raise


original_setup = rpc_module.RpcClient.setup


def _setup(self) -> None:
    original_setup(self)
    self.publisher = LeanPublisher(self.container.config[AMQP_URI])


def apply() -> None:
    rpc_module.RpcClient.setup = _setup
