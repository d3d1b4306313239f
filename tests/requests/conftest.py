"""Service tests of the requests service (``test_service_*.py``).

Policy, as for the other services: the real RequestsService in a nameko container on the test
broker's vhost, on a SQLite file built by the migrations; beside it the real translation
service, whose catalogue gets the texts of the question sets published; calls through the
real broker as the gateway makes them (tests/signed_rpc.py); outcomes checked in the answers,
in the events a listener receives and in the translation catalogue. Unit tests
(test_question_sets.py) use no fixture of these.
"""

from __future__ import annotations

import pytest

from services.common.clock import FrozenClock
from services.requests.service import RequestsService
from services.translation.bootstrap import prepare_translation
from services.translation.service import TranslationService
from tests.events import EventLog, listener_for, listening
from tests.requests.exchange_harness import load_network
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

REQUESTS_EVENTS = ("question_set_published",)


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def requests_config(service_config, service_database, frozen_clock) -> dict:
    return {
        **service_config,
        "DB_URIS": {
            "requests": service_database("requests"),
            "translation": service_database(
                "translation", lambda uri: prepare_translation(uri, frozen_clock())
            ),
        },
    }


@pytest.fixture
def network_requests_config(service_config, service_database, frozen_clock) -> dict:
    """The configuration of the tests of requests: the requests database holds the shipped
    sets and lists and the network of tests/requests/network.py."""
    return {
        **service_config,
        "DB_URIS": {
            "requests": service_database("requests", load_network, template="requests-network"),
            "translation": service_database(
                "translation", lambda uri: prepare_translation(uri, frozen_clock())
            ),
        },
    }


@pytest.fixture
def events(request, container_factory, requests_config) -> EventLog:
    """The module's listener, started before the service so that no event is missed."""
    return listening(
        container_factory,
        requests_config,
        lambda name, log: listener_for("requests", REQUESTS_EVENTS, name, log),
        f"requests_listener_{request.path.stem}",
    )


@pytest.fixture
def translation_container(container_factory, requests_config, frozen_clock):
    return started_on_clock(
        container_factory,
        TranslationService,
        requests_config,
        frozen_clock,
        fresh_event_queues=True,
    )


@pytest.fixture
def requests_container(
    container_factory, requests_config, frozen_clock, events, translation_container
):
    return started_on_clock(
        container_factory,
        RequestsService,
        requests_config,
        frozen_clock,
        fresh_event_queues=True,
    )


@pytest.fixture
def proxy(requests_container, requests_config):
    with SignedRpcProxy(requests_config, timeout=10) as proxy:
        yield proxy
