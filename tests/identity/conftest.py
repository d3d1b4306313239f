"""Service tests of the identity service (``test_service_*.py``).

Policy of this level:

- the real ``IdentityService`` runs in a nameko container on the test broker's per-run vhost,
  on a real SQLite file whose tables come from the Alembic migrations (never ``create_all``);
- time is a ``FrozenClock`` injected by subclassing the service (``clock = Clock(frozen)``);
  the Database dependency reads the same clock, so expiries move when the test moves it;
- entry points are called through the real broker (``SignedRpcProxy``), errors arrive as the
  shared error types, and outcomes are checked as a caller or an operator would see them: the
  answer, the rows in the database, the events received by a listener service;
- secrets travel as they do in production: a temporary password is read from the
  ``temporary_password_issued`` event, never from the outbox or from a hash;
- durable event queues live as long as the vhost, so each test module has its own listener
  service and every assertion filters on ids the test created;
- no timing assertions: a wait has a deadline only so that a missing event fails the test.

The pieces these fixtures are built from (listener, database reader, flows) are in
``harness.py``, shared with the integration test on PostgreSQL. ``test_domain.py`` is the unit
level (pure rules, no fixtures) and follows its own policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from services.common.clock import FrozenClock
from services.identity.service import IdentityService
from tests.events import EventLog, listening
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

from .harness import MEMBER_GRANTS, Identity, Person, Store, listener_class


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def identity_uri(service_database) -> str:
    return service_database("identity")


@pytest.fixture
def identity_config(service_config, identity_uri, tmp_path) -> dict:
    return {
        **service_config,
        "DB_URIS": {"identity": identity_uri},
        "IDENTITY": {
            "KEY_DIR": str(tmp_path / "keys"),
            "ACCESS_TOKEN_SECONDS": 600,
            "REFRESH_TOKEN_SECONDS": 3600,
            "MAX_FAILED_LOGINS": 3,
            "SELF_SERVICE_RESET": True,
        },
    }


@pytest.fixture
def store(identity_uri):
    store = Store(identity_uri)
    yield store
    store.dispose()


@pytest.fixture
def events(request, container_factory, identity_config) -> EventLog:
    """The module's listener, started before the service so that no event is missed."""
    return listening(
        container_factory, identity_config, listener_class, f"identity_listener_{request.path.stem}"
    )


@pytest.fixture
def identity_container(container_factory, identity_config, frozen_clock, events):
    return started_on_clock(container_factory, IdentityService, identity_config, frozen_clock)


@pytest.fixture
def rpc(identity_container, identity_config):
    with SignedRpcProxy(identity_config, timeout=10) as proxy:
        yield proxy.identity


@pytest.fixture
def identity(rpc, identity_container, identity_config, events, store, frozen_clock) -> Identity:
    return Identity(rpc, identity_container, identity_config, events, store, frozen_clock)


@pytest.fixture
def commission_admin(identity) -> Person:
    """The bootstrapped Commission administrator (not logged in: the actor comes from the
    user record)."""
    return identity.bootstrap_administrator()


@pytest.fixture
def authority(identity) -> str:
    """A German authority the Commission validates (a NIMIC), known from the directory."""
    return identity.register_authority("DE")


@pytest.fixture
def lda(identity, commission_admin, authority) -> Person:
    """The authority's first user: every right, local data administrator included."""
    return identity.first_user_of(authority, commission_admin)


@pytest.fixture
def member(identity, lda) -> Person:
    """A later user of the authority, with a few rights and French as language."""
    return identity.create_user(lda, grants=MEMBER_GRANTS, language="fr", full_name="Marie Membre")


@dataclass
class Network:
    """Two coordinators and an authority validated by the first one, with their people."""

    coordinator: str
    coordinator_admin: Person  # data administrator of the authority's validating coordinator
    other_coordinator: str
    other_coordinator_admin: Person  # data administrator of a coordinator with no say
    authority: str
    lda: Person
    basic: Person  # a basic user of the authority
    clerk: Person  # a request handler of the authority, the usual target
    other_lda: Person  # local data administrator of another authority


@pytest.fixture
def network(identity, commission_admin) -> Network:
    coordinator = identity.register_authority("DE")
    other_coordinator = identity.register_authority("DE")
    coordinator_admin = identity.first_user_of(coordinator, commission_admin)
    other_coordinator_admin = identity.first_user_of(other_coordinator, commission_admin)
    authority = identity.register_authority("DE", coordinator=coordinator)
    other_authority = identity.register_authority("DE", coordinator=coordinator)
    lda = identity.first_user_of(authority, coordinator_admin)
    return Network(
        coordinator=coordinator,
        coordinator_admin=coordinator_admin,
        other_coordinator=other_coordinator,
        other_coordinator_admin=other_coordinator_admin,
        authority=authority,
        lda=lda,
        basic=identity.create_user(lda, grants=[{"right": "basic_user", "area": None}]),
        clerk=identity.create_user(lda, grants=[{"right": "request_handler", "area": None}]),
        other_lda=identity.first_user_of(other_authority, coordinator_admin),
    )
