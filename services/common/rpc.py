"""RPC calls with a timeout, an optional idempotency key, and cheaper publishing.

nameko's ``RpcProxy`` waits forever for a stopped service and publishes every request as a
persistent message with publisher confirms. An RPC request is worth nothing once its caller
has given up, so this client:

- waits at most ``RPC_TIMEOUT`` seconds (configurable per call), or less when the worker's own
  caller gives up sooner (services.common.deadlines), and then raises Unavailable;
  so does a call the broker cannot take (unreachable, or its connection closed), and one the
  callee cannot serve now (a replica without the method during a rolling upgrade, or one
  stopping);
- publishes requests as transient messages without confirms, and with a TTL equal to the
  timeout, so the broker drops a request nobody will wait for (a broker crash loses in-flight
  calls, which then time out: the caller sees Unavailable and may retry with the same key);
- signs each call with the calling service's identity, and passes on the access token of the
  user the worker acts for (services.common.credentials);
- carries an idempotency key on a state-changing call, which the callee's ``@transactional``
  uses to act once however often the message is delivered.
- sends requests and gets replies on one channel per process, with RabbitMQ's direct
  reply-to (services.common.rpc_channel): the callee must answer with
  services.common.entrypoints' ``@rpc``, as every service here does.

Errors raised by the callee arrive as the same types (services.common.errors).
"""

from __future__ import annotations

import time

import eventlet
import kombu.serialization
from nameko.exceptions import deserialize
from nameko.extensions import DependencyProvider
from nameko.messaging import HeaderEncoder
from nameko.rpc import get_rpc_exchange

from services.common import serialization
from services.common.config import DEFAULT_RPC_TIMEOUT, RPC_TIMEOUT
from services.common.credentials import CALLER_CREDENTIAL, ServiceCredentials
from services.common.deadlines import DEADLINE, remaining_seconds
from services.common.errors import Unavailable
from services.common.metrics import RPC_CLIENT_LATENCY
from services.common.rpc_channel import BROKER_ERRORS, RpcChannel

IDEMPOTENCY_KEY = "idempotency_key"
# Answers from a service that cannot serve the call at the moment, as during a rolling upgrade
# (a replica of the older version lacks the method, or one is stopping): a caller may retry.
NOT_SERVING = frozenset({
    "nameko.exceptions.MethodNotFound",
    "nameko.exceptions.ContainerBeingKilled",
})  # fmt: skip
HEADER_PREFIX = "nameko"
TIMED_OUT = object()


class RpcClient(DependencyProvider):
    """Declare as ``identity = RpcClient("identity")`` on a service class."""

    channel = RpcChannel()
    credentials = ServiceCredentials()

    def __init__(self, target_service: str, timeout: float | None = None):
        self.target_service = target_service
        self.timeout_override = timeout

    def setup(self) -> None:
        config = self.container.config
        self.timeout = self.timeout_override or float(config.get(RPC_TIMEOUT, DEFAULT_RPC_TIMEOUT))
        self.exchange = get_rpc_exchange(config).name

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

    def _headers(self, timeout: float) -> dict:
        headers = {
            key: value
            for key, value in self.get_message_headers(self._worker_ctx).items()
            if key != f"{HEADER_PREFIX}.{IDEMPOTENCY_KEY}"
        }
        if self._idempotency_key:
            headers[f"{HEADER_PREFIX}.{IDEMPOTENCY_KEY}"] = self._idempotency_key
        headers[f"{HEADER_PREFIX}.{CALLER_CREDENTIAL}"] = self._provider.credentials.signer.token()
        headers[f"{HEADER_PREFIX}.{DEADLINE}"] = time.time() + timeout
        return headers

    def _time_left(self, method: str) -> float:
        """This call's timeout: the client's, or less if the worker's own caller gives up
        sooner (services.common.deadlines)."""
        left = remaining_seconds(self._worker_ctx)
        if left is None:
            return self._timeout
        if left <= 0:
            raise Unavailable(
                f"No time was left to call {self._target}.{method}: the caller has given up.",
                "error.service_unavailable",
                {"service": self._target},
            )
        return min(self._timeout, left)

    def _call(self, method: str, args: tuple, kwargs: dict):
        provider = self._provider
        target = self._target
        started = time.perf_counter()
        timeout = self._time_left(method)
        try:
            correlation_id, reply_event = provider.channel.call(
                provider.exchange,
                f"{target}.{method}",
                serialization.dumps({"args": args, "kwargs": kwargs}),
                content_type=serialization.CONTENT_TYPE,
                content_encoding=serialization.ENCODING,
                expiration=str(max(1, int(timeout * 1000))),
                application_headers=self._headers(timeout),
            )
        except BROKER_ERRORS as exc:
            RPC_CLIENT_LATENCY.labels(target, method, "unreachable").observe(
                time.perf_counter() - started
            )
            raise Unavailable(
                f"The broker could not be reached to call {target}.{method}: {type(exc).__name__}.",
                "error.service_unavailable",
                {"service": target},
            ) from exc
        reply = TIMED_OUT
        with eventlet.Timeout(timeout, False):
            reply = reply_event.wait()
        elapsed = time.perf_counter() - started
        if reply is TIMED_OUT or reply is None:
            provider.channel.forget(correlation_id)
            RPC_CLIENT_LATENCY.labels(target, method, "timeout").observe(elapsed)
            raise Unavailable(
                f"The {target} service did not answer {method} within {timeout:g} s."
                if reply is TIMED_OUT
                else f"The connection to the broker broke before {target} answered {method}.",
                "error.service_unavailable",
                {"service": target},
            )
        properties = reply.properties
        body = kombu.serialization.loads(
            reply.body, properties.get("content_type"), properties.get("content_encoding")
        )
        error = body.get("error")
        RPC_CLIENT_LATENCY.labels(target, method, "error" if error else "ok").observe(elapsed)
        if error:
            if error.get("exc_path") in NOT_SERVING:
                raise Unavailable(
                    f"The {target} service does not serve {method} now ({error['exc_type']}): "
                    "it is stopping, or is a version without it (a rolling upgrade).",
                    "error.service_unavailable",
                    {"service": target},
                )
            raise deserialize(error)
        return body["result"]
