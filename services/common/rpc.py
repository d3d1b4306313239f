"""RPC calls with a timeout, an optional idempotency key, and cheaper publishing.

nameko's ``RpcProxy`` waits forever for a stopped service and publishes every request as a
persistent message with publisher confirms. An RPC request is worth nothing once its caller
has given up, so this client:

- waits at most ``RPC_TIMEOUT`` seconds (configurable per call) and then raises Unavailable;
- publishes requests as transient messages without confirms, and with a TTL equal to the
  timeout, so the broker drops a request nobody will wait for (a broker crash loses in-flight
  calls, which then time out: the caller sees Unavailable and may retry with the same key);
- carries an idempotency key on a state-changing call, which the callee's ``@transactional``
  uses to act once however often the message is delivered.

Errors raised by the callee arrive as the same types (services.common.errors).
"""

from __future__ import annotations

import time
import uuid

import eventlet
from nameko.exceptions import deserialize
from nameko.extensions import DependencyProvider
from nameko.messaging import HeaderEncoder
from nameko.rpc import ReplyListener, get_rpc_exchange

from services.common import serialization
from services.common.config import DEFAULT_RPC_TIMEOUT, RPC_TIMEOUT
from services.common.errors import Unavailable
from services.common.metrics import RPC_CLIENT_LATENCY
from services.common.publishing import ProcessProducer

IDEMPOTENCY_KEY = "idempotency_key"
HEADER_PREFIX = "nameko"


class RpcClient(DependencyProvider):
    """Declare as ``identity = RpcClient("identity")`` on a service class."""

    reply_listener = ReplyListener()

    def __init__(self, target_service: str, timeout: float | None = None):
        self.target_service = target_service
        self.timeout_override = timeout

    def setup(self) -> None:
        config = self.container.config
        self.timeout = self.timeout_override or float(config.get(RPC_TIMEOUT, DEFAULT_RPC_TIMEOUT))
        self.exchange = get_rpc_exchange(config)
        self.producer = ProcessProducer(config)
        serialization.install()

    def stop(self) -> None:
        self.producer.close()

    def get_dependency(self, worker_ctx) -> ServiceClient:
        return ServiceClient(self, worker_ctx, self.target_service)


class ServiceClient(HeaderEncoder):
    """Calls methods of one service: ``client.method(...)``; ``client.using(...)`` sets a key or
    a timeout, ``client.to(name)`` reaches another service over the same reply queue."""

    def __init__(
        self, provider: RpcClient, worker_ctx, target: str, idempotency_key=None, timeout=None
    ):
        self._provider = provider
        self._worker_ctx = worker_ctx
        self._target = target
        self._idempotency_key = idempotency_key
        self._timeout = timeout or provider.timeout

    def using(self, idempotency_key: str | None = None, timeout: float | None = None):
        return ServiceClient(
            self._provider, self._worker_ctx, self._target, idempotency_key, timeout
        )

    def to(self, target: str) -> ServiceClient:
        return ServiceClient(self._provider, self._worker_ctx, target, None, self._timeout)

    def __getattr__(self, method: str):
        if method.startswith("_"):
            raise AttributeError(method)

        def call(*args, **kwargs):
            return self._call(method, args, kwargs)

        return call

    def _headers(self) -> dict:
        headers = {
            key: value
            for key, value in self.get_message_headers(self._worker_ctx).items()
            if key != f"{HEADER_PREFIX}.{IDEMPOTENCY_KEY}"
        }
        if self._idempotency_key:
            headers[f"{HEADER_PREFIX}.{IDEMPOTENCY_KEY}"] = self._idempotency_key
        return headers

    def _call(self, method: str, args: tuple, kwargs: dict):
        provider = self._provider
        target = self._target
        listener = provider.reply_listener
        correlation_id = str(uuid.uuid4())
        reply_event = listener.get_reply_event(correlation_id)
        started = time.perf_counter()
        provider.producer.publish(
            {"args": args, "kwargs": kwargs},
            serializer="json",
            exchange=provider.exchange,
            routing_key=f"{target}.{method}",
            reply_to=listener.routing_key,
            correlation_id=correlation_id,
            expiration=self._timeout,
            headers=self._headers(),
        )
        body = None
        with eventlet.Timeout(self._timeout, False):
            body = reply_event.wait()
        elapsed = time.perf_counter() - started
        if body is None:
            listener._reply_events.pop(correlation_id, None)
            RPC_CLIENT_LATENCY.labels(target, method, "timeout").observe(elapsed)
            raise Unavailable(
                f"The {target} service did not answer {method} within {self._timeout:g} s.",
                "error.service_unavailable",
                {"service": target},
            )
        error = body.get("error")
        RPC_CLIENT_LATENCY.labels(target, method, "error" if error else "ok").observe(elapsed)
        if error:
            raise deserialize(error)
        return body["result"]
