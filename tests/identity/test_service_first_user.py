"""First users asked for by the directory (DOMAIN.md sections 2 and 3): created from
``first_user_requested`` with every right; their temporary password at once for a registration
by a coordinator, or only after ``authority_validated`` for a self-registration, with the
username reserved earlier for the self-registration summary."""

from __future__ import annotations

import uuid

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.envelope import make_envelope
from services.common.errors import Forbidden, ValidationFailed
from services.identity.domain import ALL_AUTHORITY_RIGHTS
from services.identity.models import KnownAuthority, TakenUsername, User
from tests.events import WAIT_SECONDS, event_data
from tests.signed_rpc import SignedRpcProxy

from .harness import Person


def request_first_user(identity, authority_id: str, event_id: str | None = None, **changes):
    """Publish the directory's first_user_requested and wait until identity handled it."""
    data = {
        "authority_id": authority_id,
        "member_state": "DE",
        "full_name": "Erika Mustermann",
        "email": f"{uuid.uuid4().hex[:8]}@authority.example.de",
        "phone": None,
        "language": "de",
        "username": None,
        "password_now": True,
        **changes,
    }
    envelope = make_envelope(
        "directory", "first_user_requested", authority_id, data, identity.clock(),
        event_id=event_id,
    )  # fmt: skip
    with entrypoint_waiter(
        identity.container,
        "on_first_user_requested",
        callback=lambda worker_ctx, result, exc_info: worker_ctx.args[0] == envelope,
        timeout=WAIT_SECONDS,
    ) as handled:
        event_dispatcher(identity.config)("directory", "first_user_requested", envelope)
    handled.get()
    return envelope


def users_of(store, authority_id: str) -> list[User]:
    with Session(store.engine, expire_on_commit=False) as session:
        users = session.scalars(select(User).where(User.authority_id == authority_id)).all()
        for user in users:
            _ = user.grants
        return list(users)


def only_user(store, authority_id: str) -> User:
    users = users_of(store, authority_id)
    assert len(users) == 1, users
    return users[0]


def person(user: User, password: str) -> Person:
    """The first user as they know themselves: a username and the emailed password."""
    return Person({"id": user.id, "username": user.username}, password)


def test_a_coordinator_registration_creates_the_first_user_with_every_right_and_a_password(
    identity, events, store
):
    authority_id = str(uuid.uuid4())

    request_first_user(identity, authority_id)

    user = only_user(store, authority_id)
    assert {grant.right for grant in user.grants} == {right.value for right in ALL_AUTHORITY_RIGHTS}
    assert user.username.startswith("de")
    issued = events.wait_for("temporary_password_issued", user.id)[0]["data"]
    assert issued["reason"] == "account_created"
    assert issued["email"] == user.email
    assert events.wait_for("user_created", user.id)
    tokens = identity.activate(person(user, issued["temporary_password"]))
    assert tokens["status"] == "authenticated"


def test_the_first_user_request_makes_the_authority_known(identity, store):
    authority_id = str(uuid.uuid4())

    request_first_user(identity, authority_id, member_state="AT")

    with Session(store.engine) as session:
        known = session.get(KnownAuthority, authority_id)
        assert (known.member_state, known.validating_coordinator_id) == ("AT", None)
    coordinator = str(uuid.uuid4())
    identity.register_authority("AT", coordinator=coordinator, authority_id=authority_id)
    with Session(store.engine) as session:
        assert session.get(KnownAuthority, authority_id).validating_coordinator_id == coordinator


def test_a_redelivered_first_user_request_creates_nothing_twice(identity, store):
    authority_id = str(uuid.uuid4())
    event_id = str(uuid.uuid4())
    request_first_user(identity, authority_id, event_id=event_id)
    before = store.snapshot()

    request_first_user(identity, authority_id, event_id=event_id)
    request_first_user(identity, authority_id)

    assert len(users_of(store, authority_id)) == 1
    assert set(store.new_rows(before)) <= {"inbox"}


@pytest.fixture
def as_directory(identity_config):
    """identity as the directory calls it: reservations are offered to the directory only."""
    with SignedRpcProxy(identity_config, caller="directory", timeout=10) as proxy:
        yield proxy.identity


def test_a_self_registered_first_user_waits_for_the_validation_for_the_password(
    identity, events, store, as_directory
):
    authority_id = identity.register_authority("DE")
    username = as_directory.reserve_username("DE")["username"]

    request_first_user(identity, authority_id, username=username, password_now=False)

    user = only_user(store, authority_id)
    assert user.username == username
    assert events.of("temporary_password_issued", user.id) == []
    with Session(store.engine) as session:
        assert session.get(TakenUsername, username).user_id == user.id
    identity.register_authority("DE", authority_id=authority_id, event="authority_updated")
    assert events.of("temporary_password_issued", user.id) == []

    envelope = make_envelope(
        "directory", "authority_validated", authority_id,
        event_data("directory", "authority_validated", authority_id=authority_id,
                   member_state="DE", status="validated", validating_coordinator_id=None),
        identity.clock(),
    )  # fmt: skip
    identity.publish_directory_event("authority_validated", envelope)

    password = events.temporary_password(user.id)
    assert events.wait_for("temporary_password_issued", user.id)[0]["data"]["reason"] == (
        "account_created"
    )
    tokens = identity.activate(person(user, password))
    assert tokens["status"] == "authenticated"


def test_a_validation_that_arrived_first_lets_the_password_go_at_once(identity, events, store):
    authority_id = str(uuid.uuid4())
    envelope = make_envelope(
        "directory", "authority_validated", authority_id,
        event_data("directory", "authority_validated", authority_id=authority_id,
                   member_state="DE", status="validated", validating_coordinator_id=None),
        identity.clock(),
    )  # fmt: skip
    identity.publish_directory_event("authority_validated", envelope)

    request_first_user(identity, authority_id, password_now=False)

    assert events.temporary_password(only_user(store, authority_id).id)


def test_a_reserved_username_is_the_same_for_the_same_key_and_never_given_to_another(
    identity, identity_config, as_directory
):
    key = str(uuid.uuid4())
    with SignedRpcProxy(
        identity_config, caller="directory", timeout=10, context_data={"idempotency_key": key}
    ) as proxy:
        first = proxy.identity.reserve_username("EL")["username"]
        again = proxy.identity.reserve_username("EL")["username"]
    other = as_directory.reserve_username("EL")["username"]

    assert first == again
    assert first.startswith("el")
    assert other != first


def test_a_reservation_refuses_what_is_not_a_member_state(identity, as_directory):
    with pytest.raises(ValidationFailed):
        as_directory.reserve_username("germany")


def test_a_reservation_is_refused_to_any_caller_but_the_directory(identity, store):
    before = store.snapshot()

    with pytest.raises(Forbidden) as caught:
        identity.rpc.reserve_username("DE")  # signed by the gateway

    assert caught.value.code == "auth.caller_not_allowed"
    assert caught.value.extra == {"caller": "gateway"}
    assert store.new_rows(before) == {}
