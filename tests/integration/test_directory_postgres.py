"""Integration: the directory service on PostgreSQL and the real broker.

Same policy as tests/integration/test_identity_postgres.py: a fresh database per test built by
the Alembic migrations, the real service in a nameko container, driven by the directory's own
harness (tests/directory/harness.py); only the database differs from the service tests.
"""

from __future__ import annotations

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook

from services.common.clock import FrozenClock, utcnow
from services.common.errors import Conflict, Forbidden
from services.directory.bootstrap import prepare_directory
from services.directory.service import DirectoryService
from tests.directory.harness import Directory, Store, directory_listener
from tests.directory.test_migrations import schema_differences
from tests.events import listening
from tests.services import started_on_clock

pytestmark = pytest.mark.integration


@pytest.fixture
def directory(pg_uri, service_config, container_factory):
    differences, revision, head = schema_differences(pg_uri)
    assert (differences, revision) == ([], head)
    frozen = FrozenClock(utcnow())
    prepare_directory(pg_uri, frozen())
    config = {
        **service_config,
        "DB_URIS": {"directory": pg_uri},
        "DIRECTORY": {"INVITATION_SWEEP_SECONDS": 3600},  # the test fires the sweep itself
    }
    events = listening(
        container_factory, config, directory_listener, "directory_listener_integration_postgres"
    )

    container = started_on_clock(container_factory, DirectoryService, config, frozen)
    store = Store(pg_uri)
    with ClusterRpcProxy(config, timeout=10) as proxy:
        yield Directory(proxy.directory, events, store, frozen, container)
    # before pg_uri drops the database (nameko's fast_teardown kills containers last)
    container.kill()
    events.container.kill()
    store.dispose()


def test_authorities_are_registered_edited_and_listed_on_postgresql(directory):
    nimic = directory.nimic("PL")
    with pytest.raises(Conflict):
        directory.nimic("PL")
    titles = {"pl": "Izba lekarska", "en": "Medical chamber"}
    record = directory.register(nimic.admin, "PL", official_language="pl", titles=titles)
    directory.events.wait_for("authority_registered", record["id"])

    edited = directory.rpc.update_authority(
        directory.lda_of(record), record["id"], {"phone": "+48 22 000", "version": 1}
    )
    with pytest.raises(Forbidden):
        directory.rpc.update_authority(
            directory.lda_of(record), record["id"], {"official_name": "X", "version": 2}
        )
    page = directory.rpc.list_authorities(nimic.admin, {"which": "without_active_users"})

    assert edited["phone"] == "+48 22 000"
    assert edited["title"]["text"] == "Medical chamber"
    assert [item["id"] for item in page["items"]] == [record["id"]]
    assert page["items"][0]["local_data_administrators"] == 0


def test_invitations_are_reminded_once_and_expire_on_postgresql(directory):
    nimic = directory.nimic("PL")
    batch = {"invitations": [{"email": "urzad@example.pl", "language": "pl", "areas": [
        {"area": "professional_qualifications", "workflow": "information_requests"}]}]}  # fmt: skip
    [sent] = directory.rpc.invite(nimic.admin, batch)["invitations"]

    directory.clock.advance(days=25)
    sweep(directory.container)
    sweep(directory.container)
    directory.clock.advance(days=5)
    sweep(directory.container)

    assert len(directory.events.wait_for("invitation_expiring", sent["id"])) == 1
    assert directory.events.wait_for("invitation_expired", sent["id"])
    listed = directory.rpc.list_invitations(nimic.admin, {"status": "expired"})
    assert [item["id"] for item in listed["items"]] == [sent["id"]]


def sweep(container) -> None:
    with entrypoint_hook(container, "sweep_invitations") as fire:
        fire()
