"""Self-service password reset through the registered email (an option of DOMAIN.md section 3),
on the real service: the link's token only ever travels in the sensitive event."""

from __future__ import annotations

import pytest

from services.common.errors import Forbidden, Unauthenticated, ValidationFailed
from services.identity.service import IdentityService
from services.identity.settings import RESET_LINK_SECONDS
from tests.identity.harness import NEW_PASSWORD
from tests.signed_rpc import SignedRpcProxy

OTHER_PASSWORD = "Another-Good-Passw0rd"


def ask_for_reset(identity, person, email=None) -> None:
    identity.rpc.request_password_reset(
        {"username": person.username, "email": email or person.record["email"]}
    )


def reset_token(events, person) -> str:
    (requested,) = events.wait_for("password_reset_requested", person.id)
    assert person.username not in str(requested)
    return requested["data"]["reset_token"]


def test_a_user_resets_a_forgotten_password_with_the_emailed_token(identity, events, member):
    identity.activate(member)
    ask_for_reset(identity, member, email=member.record["email"].upper())

    identity.rpc.complete_password_reset(
        {"reset_token": reset_token(events, member), "new_password": OTHER_PASSWORD}
    )

    (revoked,) = events.wait_for("tokens_revoked", member.id)
    assert revoked["data"]["session_id"] is None
    member.password = OTHER_PASSWORD
    assert identity.log_in(member)["status"] == "authenticated"


def test_a_reset_request_answers_the_same_whether_or_not_the_account_exists(
    identity, store, member
):
    identity.activate(member)
    before = store.snapshot()

    assert identity.rpc.request_password_reset({"username": "de22222222", "email": "a@b.eu"}) == {}
    assert ask_for_reset(identity, member, email="someone.else@example.eu") is None

    assert store.new_rows(before) == {}


def test_a_reset_token_works_once_and_expires(identity, events, member, frozen_clock):
    identity.activate(member)
    ask_for_reset(identity, member)
    token = reset_token(events, member)
    identity.rpc.complete_password_reset({"reset_token": token, "new_password": OTHER_PASSWORD})

    with pytest.raises(Unauthenticated) as used:
        identity.rpc.complete_password_reset({"reset_token": token, "new_password": NEW_PASSWORD})
    ask_for_reset(identity, member)
    (_, second) = events.wait_for("password_reset_requested", member.id, count=2)
    frozen_clock.advance(seconds=RESET_LINK_SECONDS + 1)
    with pytest.raises(Unauthenticated) as expired:
        identity.rpc.complete_password_reset(
            {"reset_token": second["data"]["reset_token"], "new_password": NEW_PASSWORD}
        )

    assert used.value.code == expired.value.code == "login.reset_invalid"


def test_a_weak_new_password_is_refused_and_the_token_stays_usable(identity, events, member):
    identity.activate(member)
    ask_for_reset(identity, member)
    token = reset_token(events, member)

    with pytest.raises(ValidationFailed) as caught:
        identity.rpc.complete_password_reset({"reset_token": token, "new_password": "weak"})
    identity.rpc.complete_password_reset({"reset_token": token, "new_password": OTHER_PASSWORD})

    assert "password.too_short" in caught.value.extra["errors"]["new_password"]


def test_a_blocked_account_gets_no_reset_link_its_administrator_must_reset_it(
    identity, store, events, member
):
    identity.activate(member)
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            identity.login(member.username, "Wrong-Password-123", member.security_code)
    before = store.snapshot()

    ask_for_reset(identity, member)

    assert store.new_rows(before) == {}
    assert events.of("password_reset_requested", member.id) == []


def test_self_service_reset_can_be_switched_off(container_factory, identity_config):
    config = {**identity_config, "IDENTITY": {**identity_config["IDENTITY"]}}
    config["IDENTITY"]["SELF_SERVICE_RESET"] = False
    container_factory(IdentityService, config).start()

    with SignedRpcProxy(config, timeout=10) as proxy, pytest.raises(Forbidden) as caught:
        proxy.identity.request_password_reset({"username": "de22222222", "email": "a@b.eu"})

    assert caught.value.code == "login.self_service_reset_disabled"
