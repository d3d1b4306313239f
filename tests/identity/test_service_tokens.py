"""Tokens through the running service: refresh, logout, revocations and the signing key."""

from __future__ import annotations

import jwt
import pytest

from services.common.errors import NotFound, Unauthenticated
from services.identity.settings import DEFAULT_REFRESH_REPEAT_SECONDS
from services.identity.tokens import ALGORITHM, AUDIENCE, ISSUER, hash_refresh_token


@pytest.fixture
def signed_in(identity, member) -> dict:
    """The member after the first login: their tokens."""
    return identity.activate(member)


def refresh_error(identity, refresh_token: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        identity.rpc.refresh({"refresh_token": refresh_token})
    return caught.value.code


def test_refresh_rotates_the_refresh_token(identity, member, signed_in, frozen_clock):
    frozen_clock.advance(minutes=5)

    renewed = identity.rpc.refresh({"refresh_token": signed_in["refresh_token"]})

    assert renewed["status"] == "authenticated"
    assert renewed["refresh_token"] != signed_in["refresh_token"]
    old_claims = identity.claims(signed_in["access_token"])
    new_claims = identity.claims(renewed["access_token"])
    assert new_claims["sid"] == old_claims["sid"]
    assert new_claims["sub"] == member.id
    assert new_claims["iat"] == old_claims["iat"] + 300
    again = identity.rpc.refresh({"refresh_token": renewed["refresh_token"]})
    assert again["refresh_token"] not in (renewed["refresh_token"], signed_in["refresh_token"])


def test_a_repeated_refresh_gets_the_same_answer_and_rotates_nothing(
    identity, store, member, signed_in, frozen_clock
):
    frozen_clock.advance(minutes=5)
    renewed = identity.rpc.refresh({"refresh_token": signed_in["refresh_token"]})
    frozen_clock.advance(seconds=DEFAULT_REFRESH_REPEAT_SECONDS)

    repeated = identity.rpc.refresh({"refresh_token": signed_in["refresh_token"]})

    assert repeated == renewed
    (session,) = store.sessions(member.id)
    assert session.refresh_hash == hash_refresh_token(renewed["refresh_token"])
    assert session.revoked_at is None
    assert identity.rpc.refresh({"refresh_token": renewed["refresh_token"]})["access_token"]


def test_a_refresh_token_used_again_after_the_repeat_time_ends_the_session(
    identity, store, events, member, signed_in, frozen_clock
):
    renewed = identity.rpc.refresh({"refresh_token": signed_in["refresh_token"]})
    session_id = identity.claims(renewed["access_token"])["sid"]
    frozen_clock.advance(seconds=DEFAULT_REFRESH_REPEAT_SECONDS + 1)

    assert refresh_error(identity, signed_in["refresh_token"]) == "login.session_ended"

    (revoked,) = events.wait_for("tokens_revoked", member.id)
    assert revoked["data"] == {
        "user_id": member.id,
        "session_id": session_id,
        "not_before": frozen_clock().isoformat(),
    }
    (entry,) = store.audit_entries(member.id, "tokens_revoked")
    assert entry.details == {"reason": "refresh_token_reused", "session_id": session_id}
    assert refresh_error(identity, renewed["refresh_token"]) == "login.session_ended"
    assert refresh_error(identity, signed_in["refresh_token"]) == "login.session_ended"
    assert len(store.audit_entries(member.id, "tokens_revoked")) == 1


def test_a_refresh_token_ends_with_its_session(identity, signed_in, frozen_clock):
    frozen_clock.advance(seconds=3600 + 1)

    assert refresh_error(identity, signed_in["refresh_token"]) == "login.session_ended"


def test_an_unknown_refresh_token_is_refused(identity, signed_in):
    assert refresh_error(identity, "not-a-token-we-gave") == "login.session_ended"


def test_logout_ends_the_session_and_publishes_tokens_revoked(
    identity, store, events, frozen_clock, member, signed_in
):
    actor = identity.session_actor(signed_in["access_token"])
    session_id = actor["session_id"]

    assert identity.rpc.logout(actor) == {}

    (revoked,) = events.wait_for("tokens_revoked", member.id)
    assert revoked["data"] == {
        "user_id": member.id,
        "session_id": session_id,
        "not_before": frozen_clock().isoformat(),
    }
    (session,) = store.sessions(member.id)
    assert session.revoked_at == frozen_clock()
    assert "logged_out" in store.audit_actions(member.id)
    assert refresh_error(identity, signed_in["refresh_token"]) == "login.session_ended"


def test_logout_ends_only_that_session(identity, member, signed_in):
    other = identity.log_in(member)

    identity.rpc.logout(identity.session_actor(signed_in["access_token"]))

    assert identity.rpc.refresh({"refresh_token": other["refresh_token"]})["access_token"]


def test_nobody_can_log_out_the_session_of_someone_else(identity, lda, signed_in):
    stolen = identity.session_actor(signed_in["access_token"])["session_id"]
    intruder = {**lda.actor, "session_id": stolen}

    with pytest.raises(NotFound):
        identity.rpc.logout(intruder)

    assert identity.rpc.refresh({"refresh_token": signed_in["refresh_token"]})["access_token"]


def test_revocations_lists_the_recent_revocations(identity, frozen_clock, lda, member, signed_in):
    actor = identity.session_actor(signed_in["access_token"])
    identity.rpc.logout(actor)
    logged_out_at = frozen_clock()
    frozen_clock.advance(seconds=10)
    identity.rpc.set_rights(
        lda.actor, member.id, {"version": 1, "grants": [{"right": "basic_user", "area": None}]}
    )

    listed = identity.rpc.revocations()

    mine = [entry for entry in listed if entry["user_id"] == member.id]
    assert {(entry["session_id"], entry["not_before"]) for entry in mine} == {
        (actor["session_id"], logged_out_at.isoformat()),
        (None, frozen_clock().isoformat()),
    }
    # an access token lives 600 s: older revocations no longer matter and drop off
    frozen_clock.advance(seconds=600 + 61)
    assert [entry for entry in identity.rpc.revocations() if entry["user_id"] == member.id] == []


def test_a_blocked_user_loses_their_sessions(identity, events, member, signed_in):
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            identity.login(member.username, "Wrong-password-123", member.security_code)

    events.wait_for("tokens_revoked", member.id)
    assert refresh_error(identity, signed_in["refresh_token"]) == "login.session_ended"


def test_the_published_key_verifies_access_tokens(identity, signed_in):
    published = identity.rpc.token_keys()

    (key,) = published["keys"]
    assert (published["issuer"], published["audience"]) == (ISSUER, AUDIENCE)
    assert key["alg"] == ALGORITHM
    token = signed_in["access_token"]
    assert jwt.get_unverified_header(token)["kid"] == key["kid"]
    claims = jwt.decode(
        token,
        key["public_key_pem"],
        algorithms=[key["alg"]],
        audience=published["audience"],
        issuer=published["issuer"],
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["exp"] - claims["iat"] == 600
