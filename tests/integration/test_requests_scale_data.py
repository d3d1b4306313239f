"""The benchmark's generated network of requests (bench/requests_data.py) stays something the
requests service reads and acts on as on its own, as the schema and the workflow evolve: a small
build on PostgreSQL has the rows it says it has, in every table, a status per request, and one of
its answered requests is read by the service in full and closed by its requester's handler."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from bench import requests_data
from services.common.actor import Actor, Grant, Right, dump_actor
from services.common.clock import FrozenClock
from services.requests.service import RequestsService
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

pytestmark = pytest.mark.integration

REQUESTS = 2000
AUTHORITIES = 300


@pytest.fixture
def built(pg_uri):
    facts = requests_data.build(pg_uri, REQUESTS, AUTHORITIES, log=lambda _: None, workers=0)
    return facts, requests_data.build_network(AUTHORITIES)


@pytest.fixture
def requests_service(built, pg_uri, service_config, container_factory):
    config = {**service_config, "DB_URIS": {"requests": pg_uri}}
    container = started_on_clock(
        container_factory, RequestsService, config, FrozenClock(), fresh_event_queues=True
    )
    with SignedRpcProxy(config, timeout=30) as proxy:
        yield proxy.requests
    container.kill()  # before pg_uri drops the database


def pairs(uri: str, statement: str, **params) -> dict:
    """The rows of a two-column query, as a dictionary."""
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(text(statement), params).all())
    finally:
        engine.dispose()


def handler(place: requests_data.Place) -> dict:
    user = place.handlers[0]
    return dump_actor(
        Actor(
            user_id=user.id,
            username=user.username,
            authority_id=place.id,
            member_state=place.member_state,
            language=place.language,
            grants=frozenset({Grant(Right.REQUEST_HANDLER)}),
        )
    )


def test_a_build_holds_the_rows_and_statuses_it_reports(built, pg_uri):
    facts, _network = built

    by_status = pairs(pg_uri, "SELECT status, count(*) FROM requests GROUP BY status")
    tables = {
        table: pairs(pg_uri, f"SELECT 'rows', count(*) FROM {table}")["rows"]  # noqa: S608
        for table in requests_data.TABLE_COLUMNS
    }

    assert by_status == facts.statuses
    assert sum(by_status.values()) == REQUESTS
    assert by_status["closed"] > REQUESTS / 2
    assert {"draft", "sent", "accepted", "answered", "withdrawn"} <= set(by_status)
    assert tables == facts.rows
    assert requests_data.database_comment(pg_uri) == facts
    counted = "SELECT 'sent', sum(requests) FROM sent_request_counts"
    sent = "SELECT 'sent', count(*) FROM requests WHERE sent_at IS NOT NULL"
    assert pairs(pg_uri, counted) == pairs(pg_uri, sent)


def test_the_service_reads_a_built_request_and_its_requester_closes_it(
    built, requests_service, pg_uri
):
    _facts, network = built
    [(request_id, requester_id)] = pairs(
        pg_uri,
        "SELECT id, requester_id FROM requests WHERE status = 'answered' ORDER BY id LIMIT 1",
    ).items()
    asked = pairs(
        pg_uri,
        "SELECT question_key, request_id FROM request_questions WHERE request_id = :id",
        id=request_id,
    )
    requester = handler(network.by_id[requester_id])

    seen = requests_service.request(requester, request_id, {})
    closed = requests_service.act_on_request(
        requester, request_id, "close", {"version": seen["version"]}
    )

    assert seen["status"] == "answered"
    assert seen["view"] == "full"
    assert seen["subject"]["full_name"]
    assert {question["key"] for question in seen["questions"]} == set(asked)
    assert all(question["answers"] for question in seen["questions"])
    assert closed["status"] == "closed"
    assert closed["version"] == seen["version"] + 1
