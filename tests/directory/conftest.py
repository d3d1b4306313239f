"""Service tests of the directory service.

Policy, as for identity (tests/identity/conftest.py): the real DirectoryService in a nameko
container on the test broker's vhost, on a SQLite file built by the Alembic migrations with
the shipped reference data loaded; a FrozenClock; calls through the real broker; outcomes
checked in the answers, the database and the events a listener receives.
"""

from __future__ import annotations

import pytest

from services.common.clock import FrozenClock
from services.directory.bootstrap import prepare_directory
from services.directory.service import DirectoryService
from tests.events import EventLog, listening
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

from .harness import Directory, Store, directory_listener


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def directory_uri(service_database, frozen_clock) -> str:
    return service_database("directory", lambda uri: prepare_directory(uri, frozen_clock()))


@pytest.fixture
def directory_config(service_config, directory_uri) -> dict:
    return {**service_config, "DB_URIS": {"directory": directory_uri}}


@pytest.fixture
def store(directory_uri):
    store = Store(directory_uri)
    yield store
    store.dispose()


@pytest.fixture
def events(request, container_factory, directory_config) -> EventLog:
    """The module's listener, started before the service so that no event is missed."""
    return listening(
        container_factory,
        directory_config,
        directory_listener,
        f"directory_listener_{request.path.stem}",
    )


@pytest.fixture
def directory_container(container_factory, directory_config, frozen_clock, events):
    return started_on_clock(container_factory, DirectoryService, directory_config, frozen_clock)


@pytest.fixture
def rpc(directory_container, directory_config):
    with SignedRpcProxy(directory_config, timeout=10) as proxy:
        yield proxy.directory


@pytest.fixture
def directory(rpc, events, store, frozen_clock) -> Directory:
    return Directory(rpc, events, store, frozen_clock)
