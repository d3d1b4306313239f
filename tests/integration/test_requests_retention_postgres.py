"""The retention sweep of requests on PostgreSQL, run by two replicas at once: each request's
personal data is blocked once, with one audit row and one event, however the two sweeps
overlap (DOMAIN.md section 8; docs/requests-data-protection.md).

Two containers of the requests service share one database and one moved clock, as two
replicas share a database. The first sweep is held at its audit rows (the table's inserts wait,
tests/integration/held_writes.py) while it holds the requests it claimed; the second runs
meanwhile, and either skips those requests or waits for them, then finds them blocked.
"""

from __future__ import annotations

from collections import Counter

import eventlet
import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, select, text

from services.common.clock import FrozenClock
from services.requests.bootstrap import publish_shipped_lists, publish_shipped_sets
from services.requests.models import PersonalDataAccess
from services.requests.service import RequestsService
from tests.databases import prepare
from tests.events import wait_until
from tests.integration.held_writes import WAITING, inserts_held
from tests.requests import network
from tests.requests.exchange_harness import ROMA_HANDLER, SUBJECT
from tests.requests.network import BUDAPEST
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

pytestmark = pytest.mark.integration

REQUESTS = 6


@pytest.fixture
def replicas(pg_uri, service_config, container_factory, tmp_path):
    """Two replicas of the requests service on PostgreSQL, and a proxy to call them."""
    prepare("requests", pg_uri, publish_shipped_sets, publish_shipped_lists, network.seed)
    clock = FrozenClock()
    # No translation service runs here: a view's texts fall back at once to the version's own.
    config = {**service_config, "DB_URIS": {"requests": pg_uri}, "RPC_TIMEOUT": 0.2,
              "ATTACHMENTS": {"DIR": str(tmp_path / "attachments")}}  # fmt: skip
    containers = [
        started_on_clock(container_factory, RequestsService, config, clock,
                         fresh_event_queues=not number)
        for number in range(2)
    ]  # fmt: skip
    with SignedRpcProxy(config, timeout=30) as proxy:
        yield containers, proxy.requests, clock
    for container in containers:
        container.kill()  # before pg_uri drops the database


def withdrawn_request(rpc) -> str:
    draft = rpc.create_request(ROMA_HANDLER, {
        "set_key": "services", "questions": ["1.1"], "responder_id": BUDAPEST.id,
        "subject": SUBJECT, "coordinator_id": network.IT_COORDINATOR.id,
    })  # fmt: skip
    sent = rpc.act_on_request(ROMA_HANDLER, draft["id"], "send", {"version": draft["version"]})
    rpc.act_on_request(ROMA_HANDLER, draft["id"], "withdraw", {"version": sent["version"]})
    return draft["id"]


def sweep(container) -> None:
    with entrypoint_hook(container, "sweep_personal_data") as fire:
        fire()


def blocked_rows(uri: str) -> tuple[Counter, Counter]:
    """(audit rows, outbox events) of blocking, counted per request."""
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            audited = Counter(connection.scalars(
                select(PersonalDataAccess.request_id)
                .where(PersonalDataAccess.operation == "blocked")
            ))  # fmt: skip
            published = Counter(
                envelope["subject"]
                for envelope in connection.scalars(
                    text("SELECT envelope FROM outbox WHERE event_type = :name"),
                    {"name": "request_personal_data_blocked"},
                )
            )
            return audited, published
    finally:
        engine.dispose()


def lock_waiters(uri: str) -> int:
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            return connection.scalar(WAITING)
    finally:
        engine.dispose()


def test_two_replicas_sweeping_at_once_block_each_request_once(replicas, pg_uri):
    (first, second), rpc, clock = replicas
    ids = [withdrawn_request(rpc) for _ in range(REQUESTS)]
    clock.advance(days=190)

    with inserts_held(pg_uri, "personal_data_audit") as wait_for:
        held = eventlet.spawn(sweep, first)
        wait_for(1)  # the first sweep holds every due request, waiting to write its audit
        other = eventlet.spawn(sweep, second)
        wait_until(
            lambda: other.dead or lock_waiters(pg_uri) >= 2,
            "the second sweep to pass the held requests by, or to wait for them",
        )
    held.wait()
    other.wait()
    sweep(second)

    audited, published = blocked_rows(pg_uri)
    assert audited == Counter(ids)
    assert published == Counter(ids)
    for request_id in ids:
        shown = rpc.request(ROMA_HANDLER, request_id, {})
        assert shown["blocked_at"] == clock().isoformat()
        assert shown["subject"] is None
