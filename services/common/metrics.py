"""Prometheus metrics shared by every service, labelled by service.

Declared once per process (the registry is global), so several containers of the same service
in one test process do not collide.
"""

from __future__ import annotations

import time

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer
from nameko.web.handlers import HttpRequestHandler
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

ENTRYPOINT_LATENCY = Histogram(
    "imi_entrypoint_seconds",
    "Time spent in a service entry point (RPC, event handler, timer, HTTP).",
    ["service", "entrypoint", "kind"],
    buckets=LATENCY_BUCKETS,
)
ENTRYPOINT_ERRORS = Counter(
    "imi_entrypoint_errors_total",
    "Entry points that ended with an error, by error type.",
    ["service", "entrypoint", "error"],
)
EVENTS_PUBLISHED = Counter(
    "imi_events_published_total", "Events the outbox relay published.", ["service", "event"]
)
EVENTS_HANDLED = Counter(
    "imi_events_handled_total",
    "Events handled, and duplicates ignored.",
    ["service", "handler", "outcome"],
)
EVENTS_DEAD_LETTERED = Counter(
    "imi_events_dead_lettered_total",
    "Events a handler could not read, kept in the service's dead letters.",
    ["service", "handler"],
)
DEAD_LETTERS_WAITING = Gauge(
    "imi_dead_letters_waiting",
    "Dead letters waiting for an operator to re-drive or discard them.",
    ["service"],
)
KERNEL_ROWS_PURGED = Counter(
    "imi_kernel_rows_purged_total",
    "Expired rows deleted from the outbox, inbox and idempotency tables.",
    ["service", "table"],
)
OUTBOX_BACKLOG = Gauge(
    "imi_outbox_backlog", "Outbox events not yet published, at the last sweep.", ["service"]
)
OUTBOX_UNROUTED = Gauge(
    "imi_outbox_unrouted",
    "Outbox events waiting for a consumer's queue to exist, at the last sweep.",
    ["service"],
)
RPC_CLIENT_LATENCY = Histogram(
    "imi_rpc_client_seconds",
    "Round trip of an RPC call as the caller sees it.",
    ["target", "method", "outcome"],
    buckets=LATENCY_BUCKETS,
)
HTTP_LATENCY = Histogram(
    "imi_http_seconds",
    "Gateway request handling time by route and status.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)


def exposition() -> tuple[str, str]:
    """The metrics page body and its content type."""
    return generate_latest().decode("utf-8"), CONTENT_TYPE_LATEST


ENTRYPOINT_KINDS = (
    (Rpc, "rpc"),
    (EventHandler, "event"),
    (HttpRequestHandler, "http"),
    (Timer, "timer"),
)


def entrypoint_kind(entrypoint) -> str:
    """rpc, event, http or timer: what an operator filters on, whatever subclass is used."""
    for cls, kind in ENTRYPOINT_KINDS:
        if isinstance(entrypoint, cls):
            return kind
    return type(entrypoint).__name__


class EntrypointMetrics(DependencyProvider):
    """Times every worker of the service and counts its errors; needs no code in entry points."""

    def setup(self) -> None:
        self._started: dict = {}

    def worker_setup(self, worker_ctx) -> None:
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None) -> None:
        started = self._started.pop(worker_ctx, None)
        if started is None:
            return
        service = self.container.service_name
        name = worker_ctx.entrypoint.method_name
        kind = entrypoint_kind(worker_ctx.entrypoint)
        ENTRYPOINT_LATENCY.labels(service, name, kind).observe(time.perf_counter() - started)
        if exc_info is not None:
            ENTRYPOINT_ERRORS.labels(service, name, exc_info[0].__name__).inc()
