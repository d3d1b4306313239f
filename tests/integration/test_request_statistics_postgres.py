"""The statistics and the lists of requests on PostgreSQL: the history of
tests/requests/statistics_world.py played through the service on PostgreSQL gives the figures
and the lists computed by hand, as on SQLite
(tests/requests/test_statistics.py): the same queries, with the dialect's own time
arithmetic (services/requests/statistics_sql.py). The database's time zone is eleven hours
behind UTC, so that a month read in it rather than in UTC would count R3 (sent on 1 December
at 10:00 UTC) in November."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text

from services.common.clock import FrozenClock
from services.requests.service import RequestsService
from services.translation.bootstrap import prepare_translation
from services.translation.service import TranslationService
from tests.databases import prepare
from tests.requests import statistics_world as world
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

pytestmark = pytest.mark.integration


def far_from_utc(uri: str) -> None:
    engine = create_engine(uri, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        database = connection.scalar(text("SELECT current_database()"))
        connection.execute(
            text(f"ALTER DATABASE \"{database}\" SET timezone TO 'Pacific/Pago_Pago'")
        )
    engine.dispose()


@pytest.fixture
def statistics_pg(pg_uri, service_config, service_database, container_factory):
    """The requests service on PostgreSQL with the world's network and its history played;
    beside it the translation service (on SQLite), which gives every view its texts."""
    prepare("requests", pg_uri, world.seed, far_from_utc)
    clock = FrozenClock()
    translation_uri = service_database("translation", lambda uri: prepare_translation(uri, clock()))
    config = {**service_config, "DB_URIS": {"requests": pg_uri, "translation": translation_uri}}
    started_on_clock(container_factory, TranslationService, config, clock, fresh_event_queues=True)
    container = started_on_clock(
        container_factory, RequestsService, config, clock, fresh_event_queues=True
    )
    with SignedRpcProxy(config, timeout=30) as proxy:
        played = world.play(proxy.requests, clock)
        world.make_pilot(proxy.requests)
        yield Played(proxy.requests, played)
    container.kill()  # before pg_uri drops the database


@dataclass
class Played:
    """The service's RPC proxy and the world's requests by name as last seen."""

    requests: object
    found: dict[str, dict]


def test_the_lists_and_the_search_on_postgresql_find_what_is_computed_by_hand(statistics_pg):
    world.check_lists(statistics_pg.requests, statistics_pg.found)


def test_a_request_s_times_are_given_in_utc_whatever_the_database_s_time_zone(statistics_pg):
    assert statistics_pg.found["R6"]["sent_at"] == "2026-01-12T10:00:00+00:00"
    listed = statistics_pg.requests.list_requests(world.ROMA_HANDLER, {"box": "outgoing"})
    assert all(item["updated_at"].endswith("+00:00") for item in listed["items"])


def test_the_commission_s_figures_on_postgresql_are_those_computed_by_hand(statistics_pg):
    world.check_commission_figures(
        statistics_pg.requests.request_statistics(world.COMMISSION_USER, {})
    )


def test_the_questions_asked_most_on_postgresql_in_any_period_are_those_counted_by_hand(
    statistics_pg, pg_uri
):
    world.check_questions_over_periods(statistics_pg.requests, statistics_pg.found)
    world.check_counters_agree(pg_uri)


def test_an_italian_coordinator_on_postgresql_counts_only_italy_s_requests(statistics_pg):
    found = statistics_pg.requests.request_statistics(
        world.IT_COORDINATOR_USER, {"figures": "by_area"}
    )

    assert found["by_area"] == [
        {"area": world.PQ, "requests": 3},
        {"area": world.SERVICES, "requests": 6},
    ]
