"""Events in and out of the running service: the directory's authorities (read model, inbox),
the events identity publishes (outbox, relay, sweep), and idempotent RPC calls."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.clock import utcnow
from services.common.envelope import make_envelope
from services.common.errors import Forbidden, NotFound
from services.identity.models import Inbox, KnownAuthority, Outbox, User
from tests.events import event_data, wait_until
from tests.signed_rpc import SignedRpcProxy


def known_authority(store, authority_id: str) -> KnownAuthority | None:
    with Session(store.engine) as session:
        return session.get(KnownAuthority, authority_id)


def inbox_rows(store, event_id: str) -> list[tuple[str, str]]:
    with Session(store.engine) as session:
        return [
            (row.event_id, row.handler)
            for row in session.scalars(select(Inbox).where(Inbox.event_id == event_id))
        ]


def outbox_rows(store, subject: str) -> list[Outbox]:
    with Session(store.engine, expire_on_commit=False) as session:
        rows = session.scalars(select(Outbox).order_by(Outbox.seq)).all()
        return [row for row in rows if row.envelope["subject"] == subject]


def users_with_email(store, email: str) -> int:
    with Session(store.engine) as session:
        return len(session.scalars(select(User.id).where(User.email == email)).all())


# --- the directory's authorities --------------------------------------------------------------


def test_an_authority_can_have_users_once_the_directory_registered_it(
    identity, store, commission_admin
):
    authority_id = str(uuid.uuid4())
    new_user = {
        "authority_id": authority_id,
        "full_name": "Early",
        "email": "e@x.eu",
        "language": "de",
    }
    with pytest.raises(NotFound) as unknown:
        identity.rpc.create_user(commission_admin.actor, new_user)

    identity.register_authority("AT", authority_id=authority_id)

    assert unknown.value.code == "authority.unknown"
    known = known_authority(store, authority_id)
    assert (known.member_state, known.validating_coordinator_id) == ("AT", None)
    first = identity.rpc.create_user(commission_admin.actor, new_user)
    assert (first["authority_id"], first["member_state"]) == (authority_id, "AT")
    assert first["username"].startswith("at")


def test_an_updated_authority_changes_who_administers_its_users(identity, store, network):
    identity.register_authority(
        "DE",
        coordinator=network.other_coordinator,
        event="authority_updated",
        authority_id=network.authority,
    )

    assert known_authority(store, network.authority).validating_coordinator_id == (
        network.other_coordinator
    )
    with pytest.raises(Forbidden):
        identity.rpc.reset_password(network.coordinator_admin.actor, network.clerk.id)
    reset = identity.rpc.reset_password(network.other_coordinator_admin.actor, network.clerk.id)
    assert reset["status"] == "pending_first_login"


def test_a_validated_authority_event_updates_the_read_model(identity, store, network):
    identity.register_authority(
        "DE",
        coordinator=network.other_coordinator,
        event="authority_validated",
        authority_id=network.authority,
    )

    assert known_authority(store, network.authority).validating_coordinator_id == (
        network.other_coordinator
    )


def test_a_redelivered_directory_event_is_handled_once(identity, store):
    coordinator, other_coordinator = str(uuid.uuid4()), str(uuid.uuid4())
    registered = str(uuid.uuid4())
    authority = identity.register_authority("DE", coordinator=coordinator, event_id=registered)
    identity.register_authority(
        "DE", coordinator=other_coordinator, event="authority_updated", authority_id=authority
    )

    identity.register_authority(  # the first event again, as RabbitMQ may redeliver it
        "DE", coordinator=coordinator, authority_id=authority, event_id=registered
    )

    # had it acted twice, the first coordinator would be back
    known = known_authority(store, authority)
    assert known.validating_coordinator_id == other_coordinator
    assert inbox_rows(store, registered) == [(registered, "identity.on_authority_changed")]


def test_an_older_directory_event_arriving_late_does_not_undo_a_newer_one(
    identity, store, frozen_clock
):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    authority_id = str(uuid.uuid4())
    data = event_data(
        "directory", "authority_registered", authority_id=authority_id, member_state="AT",
        validating_coordinator_id=first, status="pending_validation",
    )  # fmt: skip
    older = make_envelope("directory", "authority_registered", authority_id, data, frozen_clock())
    frozen_clock.advance(minutes=1)
    identity.register_authority(
        "AT", coordinator=second, event="authority_updated", authority_id=authority_id
    )

    identity.publish_directory_event("authority_registered", older)

    assert known_authority(store, authority_id).validating_coordinator_id == second


def test_a_malformed_directory_event_changes_nothing_but_the_dead_letters(identity, store):
    authority_id = str(uuid.uuid4())
    bad_data = {"authority_id": authority_id, "member_state": "Germany"}
    bad_payload = make_envelope(
        "directory", "authority_registered", authority_id, bad_data, identity.clock()
    )
    not_an_envelope = {"authority_id": authority_id, "member_state": "DE"}
    before = store.snapshot()

    dropped = identity.deliver_directory_event("authority_registered", not_an_envelope)
    refused = identity.deliver_directory_event("authority_registered", bad_payload)

    assert dropped.get() is None
    assert refused.get() is None
    assert known_authority(store, authority_id) is None
    assert store.new_rows(before) == {"dead_letters": 2}


# --- idempotent calls -------------------------------------------------------------------------


def test_create_user_sent_twice_with_the_same_idempotency_key_creates_one_user(
    identity, store, identity_config, lda
):
    data = {"full_name": "Ida Empotent", "email": "ida@authority.example.eu", "language": "de"}
    key = f"create-{uuid.uuid4()}"

    with SignedRpcProxy(identity_config, context_data={"idempotency_key": key}, timeout=10) as rpc:
        first = rpc.identity.create_user(lda.actor, data)
        again = rpc.identity.create_user(lda.actor, data)
    with SignedRpcProxy(
        identity_config, context_data={"idempotency_key": key + "-2"}, timeout=10
    ) as rpc:
        other = rpc.identity.create_user(lda.actor, data)

    assert again == first
    assert other["id"] != first["id"]
    assert users_with_email(store, "ida@authority.example.eu") == 2
    assert (
        len([row for row in outbox_rows(store, first["id"]) if row.event_type == "user_created"])
        == 1
    )


def test_a_refused_call_is_not_remembered_under_its_idempotency_key(
    identity, store, identity_config, network
):
    data = {"full_name": "Ida Later", "email": "later@authority.example.eu", "language": "de"}
    with SignedRpcProxy(
        identity_config, context_data={"idempotency_key": "k-refused"}, timeout=10
    ) as rpc:
        with pytest.raises(Forbidden):
            rpc.identity.create_user(network.basic.actor, data)
        created = rpc.identity.create_user(network.lda.actor, data)

    assert created["full_name"] == "Ida Later"
    assert users_with_email(store, "later@authority.example.eu") == 1


# --- what identity publishes ------------------------------------------------------------------


def test_user_events_are_cloudevents_with_identifiers_and_rights_but_no_personal_data(
    identity, events, frozen_clock, member, authority
):
    (created,) = events.wait_for("user_created", member.id)

    assert created["specversion"] == "1.0"
    assert created["type"] == "eu.imi.identity.user_created.v1"
    assert created["source"] == "/imi/identity"
    assert created["subject"] == member.id
    assert created["time"] == frozen_clock().isoformat()
    assert created["data"] == {
        "user_id": member.id,
        "authority_id": authority,
        "member_state": "DE",
        "grants": member.record["grants"],
    }


def test_a_temporary_password_leaves_no_copy_in_the_outbox_once_published(
    identity, store, events, member
):
    (issued,) = events.wait_for("temporary_password_issued", member.id)

    assert issued["data"]["reason"] == "account_created"
    assert issued["data"]["email"] == member.record["email"]
    assert "username" not in issued["data"]
    wait_until(
        lambda: [row.event_type for row in outbox_rows(store, member.id)] == ["user_created"],
        "the published temporary password to leave the outbox",
    )
    (kept,) = outbox_rows(store, member.id)
    assert kept.published_at is not None
    assert member.password not in str(kept.envelope)


def test_the_sweep_publishes_what_the_command_line_left_in_the_outbox(
    identity, store, events, frozen_clock
):
    admin = identity.bootstrap_administrator()
    assert events.of("user_created", admin.id) == []  # the command line has no relay

    frozen_clock.now = utcnow() + timedelta(minutes=1)  # past the sweep's grace period

    (issued,) = events.wait_for("temporary_password_issued", admin.id)
    events.wait_for("user_created", admin.id)
    assert issued["data"]["temporary_password"] == admin.password
    assert identity.rpc.health()["outbox_backlog"] == 0
