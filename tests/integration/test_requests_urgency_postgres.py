"""The escalation timer with two replicas of the requests service on one PostgreSQL database and
one broker, the clock moved: both replicas sweep at once, and each urgent request is escalated
exactly once per reason (one mark on its row, one ``request_escalated`` event).

``overlapping`` makes the two sweeps truly overlap every time: each replica, right after its
first read of the requests it claims, waits until the other has made its own. Both are then
inside their transactions at once, each having looked for the same requests; a sweep that
read without claiming and marked without a compare-and-set would escalate them twice here.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator

import eventlet
import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session

from services.common.clock import FrozenClock
from services.common.db import Database, kernel_model
from services.common.models import OutboxMixin
from services.requests.models import Base, Request
from services.requests.service import RequestsService
from services.translation.bootstrap import prepare_translation
from services.translation.service import TranslationService
from tests.databases import prepare
from tests.requests.exchange_harness import (
    BUDAPEST_HANDLER,
    ROMA_HANDLER,
    act,
    load_network,
    new_request,
)
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

pytestmark = pytest.mark.integration

BARRIER_SECONDS = 10.0
WAITING, OVERDUE = 6, 4  # requests not accepted, and accepted with a reply date


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def replicas(pg_uri, service_config, service_database, container_factory, clock):
    """Two containers of the requests service on the same database, broker and clock, and
    the translation service their views ask for texts."""
    prepare("requests", pg_uri, load_network)
    translation_uri = service_database("translation", lambda uri: prepare_translation(uri, clock()))
    config = {
        **service_config,
        "DB_URIS": {"requests": pg_uri, "translation": translation_uri},
        "REQUESTS": {"ESCALATION_SWEEP_SECONDS": 3600},  # the test fires the sweeps
    }
    started_on_clock(container_factory, TranslationService, config, clock,
                     fresh_event_queues=True)  # fmt: skip
    containers = [
        started_on_clock(container_factory, RequestsService, config, clock,
                         fresh_event_queues=first)
        for first in (True, False)
    ]  # fmt: skip
    with SignedRpcProxy(config, timeout=30) as proxy:
        yield proxy, containers
    for container in containers:
        container.kill()  # before pg_uri drops the database


@contextlib.contextmanager
def overlapping(containers) -> Iterator[Counter]:
    """Within the block, each replica's first read of the requests it claims waits for the
    other's (a barrier of two); the counter says how many reads met there."""
    barrier = threading.Barrier(len(containers), timeout=BARRIER_SECONDS)
    met: Counter = Counter()
    engines = [
        next(d for d in container.dependencies if isinstance(d, Database)).engine
        for container in containers
    ]
    first_read = set(engines)

    def after_execute(connection, _cursor, statement, *_args) -> None:
        claiming = statement.startswith("SELECT") and "_escalated_at IS NULL" in statement
        if claiming and connection.engine in first_read:
            first_read.remove(connection.engine)
            barrier.wait()
            met["reads"] += 1

    for engine in engines:
        event.listen(engine, "after_cursor_execute", after_execute)
    try:
        yield met
    finally:
        for engine in engines:
            event.remove(engine, "after_cursor_execute", after_execute)


def sweep_at_once(containers) -> None:
    """Fire every replica's escalation timer at the same moment and wait for all."""

    def fire(container) -> None:
        with entrypoint_hook(container, "escalate_urgent_requests") as escalate:
            escalate()

    for sweep in [eventlet.spawn(fire, container) for container in containers]:
        sweep.wait()


def escalations(uri: str) -> Counter:
    """(request id, reason) of every request_escalated event committed, counted."""
    engine = create_engine(uri)
    outbox = kernel_model(Base, OutboxMixin)
    try:
        with Session(engine) as session:
            envelopes = session.scalars(
                select(outbox.envelope).where(outbox.event_type == "request_escalated")
            )
            return Counter((item["subject"], item["data"]["reason"]) for item in envelopes)
    finally:
        engine.dispose()


def marked(uri: str) -> tuple[int, int]:
    """How many requests carry each escalation mark."""
    engine = create_engine(uri)
    try:
        with Session(engine) as session:
            return (
                session.scalar(select(func.count()).where(Request.unaccepted_escalated_at.is_not(None))),
                session.scalar(select(func.count()).where(Request.overdue_escalated_at.is_not(None))),
            )  # fmt: skip
    finally:
        engine.dispose()


def test_two_replicas_sweeping_at_once_escalate_each_request_once(replicas, pg_uri, clock):
    proxy, containers = replicas
    waiting = [act(proxy, ROMA_HANDLER, new_request(proxy), "send") for _ in range(WAITING)]
    overdue = []
    for _ in range(OVERDUE):
        proposed = act(proxy, ROMA_HANDLER, new_request(proxy), "propose_reply_date",
                       date="2026-01-09")  # fmt: skip
        sent = act(proxy, ROMA_HANDLER, proposed, "send")
        overdue.append(act(proxy, BUDAPEST_HANDLER, sent, "accept"))
    clock.advance(days=10)

    with overlapping(containers) as met:
        sweep_at_once(containers)

    assert met["reads"] == 2  # both replicas at once
    expected = {(found["id"], "not_accepted") for found in waiting}
    expected |= {(found["id"], "reply_overdue") for found in overdue}
    assert escalations(pg_uri) == Counter(expected)
    assert marked(pg_uri) == (WAITING, OVERDUE)

    sweep_at_once(containers)
    assert escalations(pg_uri) == Counter(expected)

    for found in waiting[:2]:
        accepted = act(proxy, BUDAPEST_HANDLER, found, "accept")
        act(proxy, ROMA_HANDLER, accepted, "propose_reply_date", date="2026-01-16")
    clock.advance(days=2)
    with overlapping(containers) as met:
        sweep_at_once(containers)

    assert met["reads"] == 2
    expected |= {(found["id"], "reply_overdue") for found in waiting[:2]}
    assert escalations(pg_uri) == Counter(expected)
    assert marked(pg_uri) == (WAITING, OVERDUE + 2)
