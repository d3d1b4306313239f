"""Integration level: the real services on the real RabbitMQ (the run's vhost) and a fresh
PostgreSQL database per test (``pg_uri``), whose tables come from the same Alembic migrations
as everywhere else, never from ``create_all``. Each service runs in a nameko container as in
its service tests and is driven by the same harness; only the database differs. The fixtures
here are the running services the modules of this folder share; a FrozenClock that starts at
the wall clock's time lets a test move time.
"""

from __future__ import annotations

import pytest

from services.common.clock import FrozenClock, utcnow
from services.directory.bootstrap import prepare_directory
from services.directory.service import DirectoryService
from services.identity.service import IdentityService
from tests.databases import prepare
from tests.directory.harness import Directory, directory_listener
from tests.directory.harness import Store as DirectoryStore
from tests.events import listening
from tests.identity.harness import Identity, Store, listener_class
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy


@pytest.fixture
def identity_pg(pg_uri) -> str:
    return prepare("identity", pg_uri)


@pytest.fixture
def store(identity_pg):
    store = Store(identity_pg)
    yield store
    store.dispose()


@pytest.fixture
def identity(identity_pg, store, service_config, container_factory, tmp_path):
    config = {
        **service_config,
        "DB_URIS": {"identity": identity_pg},
        "IDENTITY": {
            "KEY_DIR": str(tmp_path / "keys"),
            "ACCESS_TOKEN_SECONDS": 600,
            "REFRESH_TOKEN_SECONDS": 3600,
            "MAX_FAILED_LOGINS": 3,
        },
    }
    frozen = FrozenClock(utcnow())
    events = listening(
        container_factory, config, listener_class, "identity_listener_integration_postgres"
    )

    container = started_on_clock(container_factory, IdentityService, config, frozen)
    with SignedRpcProxy(config, timeout=10) as proxy:
        yield Identity(proxy.identity, container, config, events, store, frozen)
    # before pg_uri drops the database (nameko's fast_teardown kills containers last)
    container.kill()
    events.container.kill()


@pytest.fixture
def directory(pg_uri, service_config, container_factory):
    frozen = FrozenClock(utcnow())
    prepare("directory", pg_uri, lambda uri: prepare_directory(uri, frozen()))
    config = {
        **service_config,
        "DB_URIS": {"directory": pg_uri},
        "DIRECTORY": {"INVITATION_SWEEP_SECONDS": 3600},  # the test fires the sweep itself
    }
    events = listening(
        container_factory, config, directory_listener, "directory_listener_integration_postgres"
    )

    container = started_on_clock(container_factory, DirectoryService, config, frozen)
    store = DirectoryStore(pg_uri)
    with SignedRpcProxy(config, timeout=10) as proxy:
        yield Directory(proxy.directory, events, store, frozen, container)
    # before pg_uri drops the database (nameko's fast_teardown kills containers last)
    container.kill()
    events.container.kill()
    store.dispose()
