"""Service tests of the translation service (``test_service_*.py``).

Policy, as for identity and the directory: the real TranslationService in a nameko container
on the test broker's vhost, on a SQLite file built by the Alembic migrations with the shipped
content loaded (services/translation/bootstrap.py); a FrozenClock; calls through the real
broker; outcomes checked in the answers and in the events a listener receives. Unit tests
(test_domain.py, test_exchange.py's parsing, test_content.py) use no fixture of these.
"""

from __future__ import annotations

import pytest

from services.common.clock import FrozenClock
from services.translation.bootstrap import prepare_translation
from services.translation.service import TranslationService
from tests.events import EventLog, listening
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

from .harness import translation_listener


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def translation_uri(service_database, frozen_clock) -> str:
    return service_database("translation", lambda uri: prepare_translation(uri, frozen_clock()))


@pytest.fixture
def translation_config(service_config, translation_uri) -> dict:
    return {**service_config, "DB_URIS": {"translation": translation_uri}}


@pytest.fixture
def events(request, container_factory, translation_config) -> EventLog:
    """The module's listener, started before the service so that no event is missed."""
    return listening(
        container_factory,
        translation_config,
        translation_listener,
        f"translation_listener_{request.path.stem}",
    )


@pytest.fixture
def translation_container(container_factory, translation_config, frozen_clock, events):
    return started_on_clock(container_factory, TranslationService, translation_config, frozen_clock)


@pytest.fixture
def rpc(translation_container, translation_config):
    with SignedRpcProxy(translation_config, timeout=10) as proxy:
        yield proxy.translation
