"""Logging in through the running service: first login, challenges, lockout (DOMAIN.md 3)."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import pytest

from services.common.errors import Unauthenticated, ValidationFailed
from services.identity.settings import CHALLENGE_SECONDS
from services.identity.tokens import SETUP_TOKEN_SECONDS

from .harness import MEMBER_GRANTS, NEW_PASSWORD, SECURITY_CODE, digits_at

WRONG_PASSWORD = "Wrong-password-123"


def other_digits(code: str, positions: list[int]) -> str:
    """Three digits of ``code`` read at other positions than asked, and different from the
    asked ones: what a user who mixes up the positions would type."""
    right = digits_at(code, positions)
    for triple in combinations(range(1, 13), 3):
        wrong = digits_at(code, triple)
        if list(triple) != positions and wrong != right:
            return wrong
    raise AssertionError("the test code has too few distinct digits")


def log_in_with(identity, person, digits_for) -> dict:
    """A login whose digits are computed from the challenge by ``digits_for(positions)``."""
    challenge = identity.challenge(person.username)
    return identity.rpc.login(
        {
            "username": person.username,
            "password": person.password,
            "challenge_id": challenge["challenge_id"],
            "digits": digits_for(challenge["positions"]),
        }
    )


def failing_login(identity, username: str, password: str | None = None) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as caught:
        identity.login(username, password or WRONG_PASSWORD, SECURITY_CODE)
    return caught.value


# --- first login ------------------------------------------------------------------------------


def test_the_temporary_password_only_leads_to_the_password_change(identity, store, member):
    result = identity.login(member.username, member.password)

    assert result["status"] == "password_change_required"
    assert result["setup_token"]
    assert "access_token" not in result
    assert "refresh_token" not in result
    assert store.sessions(member.id) == []
    assert store.user(member.id).must_change_password


def test_a_first_login_with_a_weak_password_is_refused_with_the_policy_codes(identity, member):
    setup_token = identity.login(member.username, member.password)["setup_token"]

    refused = {}
    for weak in ("short", member.password, f"Aa1-{member.username}-xyz"):
        with pytest.raises(ValidationFailed) as caught:
            identity.rpc.complete_first_login(
                {"setup_token": setup_token, "new_password": weak, "security_code": SECURITY_CODE}
            )
        refused[weak] = caught.value.extra["errors"]

    assert refused["short"] == {"new_password": ["password.too_short", "password.too_few_classes"]}
    assert refused[member.password] == {"new_password": ["password.same_as_temporary"]}
    assert refused[f"Aa1-{member.username}-xyz"] == {"new_password": ["password.contains_username"]}


def test_a_first_login_with_a_too_simple_security_code_is_refused(identity, member):
    setup_token = identity.login(member.username, member.password)["setup_token"]

    refused = {}
    for code in ("123456789012", "111111111111", "1212", "12345678901٣"):
        with pytest.raises(ValidationFailed) as caught:
            identity.rpc.complete_first_login(
                {"setup_token": setup_token, "new_password": NEW_PASSWORD, "security_code": code}
            )
        refused[code] = caught.value.extra["errors"]

    assert refused == {
        "123456789012": {"security_code": ["security_code.too_simple"]},
        "111111111111": {"security_code": ["security_code.too_simple"]},
        "1212": {"security_code": ["security_code.not_12_digits"]},
        "12345678901٣": {"security_code": ["security_code.not_12_digits"]},
    }


def test_a_refused_first_login_changes_nothing(identity, store, member, events):
    setup_token = identity.login(member.username, member.password)["setup_token"]
    user_before = store.user(member.id)
    rows_before = store.snapshot()

    with pytest.raises(ValidationFailed) as caught:
        identity.rpc.complete_first_login(
            {"setup_token": setup_token, "new_password": "weak", "security_code": "000000000000"}
        )

    assert set(caught.value.extra["errors"]) == {"new_password", "security_code"}
    after = store.user(member.id)
    assert after.password_hash == user_before.password_hash
    assert after.must_change_password
    assert after.security_digests is None
    assert after.version == user_before.version
    assert store.new_rows(rows_before) == {}
    assert store.sessions(member.id) == []
    # the same setup token still works: the refusal consumed nothing
    assert (
        identity.rpc.complete_first_login(
            {
                "setup_token": setup_token,
                "new_password": NEW_PASSWORD,
                "security_code": SECURITY_CODE,
            }
        )["status"]
        == "authenticated"
    )


def test_a_proper_first_login_returns_tokens_whose_claims_describe_the_user(
    identity, store, member, frozen_clock, authority
):
    tokens = identity.activate(member)

    assert tokens["status"] == "authenticated"
    assert tokens["token_type"] == "Bearer"
    assert tokens["refresh_token"]
    claims = identity.claims(tokens["access_token"])
    assert claims["sub"] == member.id
    assert claims["usr"] == member.username
    assert claims["aut"] == authority
    assert claims["ms"] == "DE"
    assert claims["lng"] == "fr"
    assert sorted(claims["grt"], key=str) == sorted(MEMBER_GRANTS, key=str)
    assert claims["exp"] == int(frozen_clock().timestamp()) + 600 == claims["iat"] + 600
    assert [session.id for session in store.sessions(member.id)] == [claims["sid"]]
    user = store.user(member.id)
    assert not user.must_change_password
    assert user.security_digests is not None
    assert "first_login_completed" in store.audit_actions(member.id)


def test_a_first_login_publishes_first_login_completed(identity, events, member, authority):
    identity.activate(member)

    (event,) = events.wait_for("first_login_completed", member.id)
    assert event["type"] == "eu.imi.identity.first_login_completed.v1"
    assert event["data"]["user_id"] == member.id
    assert event["data"]["authority_id"] == authority
    assert event["data"]["member_state"] == "DE"
    assert "email" not in event["data"]
    assert "username" not in event["data"]


def test_a_first_login_token_works_once_and_expires(identity, member, lda, frozen_clock):
    setup_token = identity.login(member.username, member.password)["setup_token"]
    identity.rpc.complete_first_login(
        {"setup_token": setup_token, "new_password": NEW_PASSWORD, "security_code": SECURITY_CODE}
    )
    with pytest.raises(Unauthenticated) as used:
        identity.rpc.complete_first_login(
            {
                "setup_token": setup_token,
                "new_password": "An-other-pass-77",
                "security_code": "902184637521",
            }
        )

    late_token = identity.login(lda.username, lda.password)["setup_token"]
    frozen_clock.advance(seconds=SETUP_TOKEN_SECONDS + 1)
    with pytest.raises(Unauthenticated) as expired:
        identity.rpc.complete_first_login(
            {
                "setup_token": late_token,
                "new_password": NEW_PASSWORD,
                "security_code": SECURITY_CODE,
            }
        )

    assert used.value.code == "login.setup_invalid"
    assert expired.value.code == "login.setup_expired"


def test_the_temporary_password_no_longer_works_after_the_first_login(identity, member):
    temporary = member.password
    identity.activate(member)

    error = failing_login(identity, member.username, temporary)

    assert error.code == "login.failed"


# --- later logins -----------------------------------------------------------------------------


def test_a_later_login_needs_the_password_and_the_digits_at_the_challenge_positions(
    identity, store, member
):
    identity.activate(member)
    code = member.security_code

    def right(positions):
        return digits_at(code, positions)

    def off_by_one(positions):
        return "".join(str((int(digit) + 1) % 10) for digit in right(positions))

    def of_other_positions(positions):
        return other_digits(code, positions)

    def none(positions):
        return ""

    def outcome(person, digits_for) -> str:
        try:
            return log_in_with(identity, person, digits_for)["status"]
        except Unauthenticated as error:
            return error.code

    wrong_password = replace(member, password=WRONG_PASSWORD)
    outcomes = [
        outcome(member, right),
        outcome(member, off_by_one),
        outcome(member, of_other_positions),
        outcome(member, right),  # resets the count of failures
        outcome(member, none),
        outcome(wrong_password, right),
        outcome(member, right),
    ]

    assert outcomes == [
        "authenticated",
        "login.failed",
        "login.failed",
        "authenticated",
        "login.failed",
        "login.failed",
        "authenticated",
    ]
    assert len(store.sessions(member.id)) == 4  # the first login and three good ones


def test_a_challenge_can_be_used_only_once(identity, store, member):
    identity.activate(member)
    challenge = identity.challenge(member.username)
    attempt = {
        "username": member.username,
        "password": member.password,
        "challenge_id": challenge["challenge_id"],
        "digits": digits_at(member.security_code, challenge["positions"]),
    }
    assert identity.rpc.login(attempt)["status"] == "authenticated"

    with pytest.raises(Unauthenticated) as caught:
        identity.rpc.login(attempt)

    assert caught.value.code == "login.challenge_invalid"
    assert store.user(member.id).failed_attempts == 0


def test_a_challenge_expires(identity, member, frozen_clock):
    identity.activate(member)
    challenge = identity.challenge(member.username)
    assert challenge["expires_in"] == CHALLENGE_SECONDS
    frozen_clock.advance(seconds=CHALLENGE_SECONDS + 1)

    with pytest.raises(Unauthenticated) as caught:
        identity.rpc.login(
            {
                "username": member.username,
                "password": member.password,
                "challenge_id": challenge["challenge_id"],
                "digits": digits_at(member.security_code, challenge["positions"]),
            }
        )

    assert caught.value.code == "login.challenge_invalid"
    assert identity.log_in(member)["status"] == "authenticated"  # a fresh challenge works


def test_a_challenge_is_only_valid_for_the_username_it_was_issued_for(identity, member, lda):
    challenge = identity.challenge(lda.username)

    with pytest.raises(Unauthenticated) as caught:
        identity.rpc.login(
            {
                "username": member.username,
                "password": member.password,
                "challenge_id": challenge["challenge_id"],
            }
        )

    assert caught.value.code == "login.challenge_invalid"


def test_usernames_are_not_case_sensitive(identity, member):
    result = identity.login(member.username.upper(), member.password)

    assert result["status"] == "password_change_required"


# --- lockout ----------------------------------------------------------------------------------


def test_three_consecutive_failures_block_the_account(identity, store, events, member):
    failures = [failing_login(identity, member.username) for _ in range(3)]

    assert [(error.code, error.extra) for error in failures] == [
        ("login.failed", {}),
        ("login.failed", {}),
        ("login.account_blocked", {}),
    ]
    (blocked,) = events.wait_for("user_blocked", member.id)
    assert blocked["data"]["user_id"] == member.id
    user = store.user(member.id)
    assert user.blocked
    assert user.failed_attempts == 3
    actions = [
        a for a in store.audit_actions(member.id) if a in ("login_failed", "account_blocked")
    ]
    assert actions == ["login_failed", "login_failed", "login_failed", "account_blocked"]
    assert identity.rpc.get_user(member.actor, member.id)["status"] == "blocked"


def test_a_blocked_account_fails_even_with_the_right_credentials(identity, store, member):
    for _ in range(3):
        failing_login(identity, member.username)

    error = failing_login(identity, member.username, member.password)

    assert error.code == "login.account_blocked"
    assert [e.details for e in store.audit_entries(member.id, "login_failed")][-1] == {
        "reason": "blocked"
    }


def test_a_success_in_between_resets_the_count_of_failures(identity, store, member):
    failing_login(identity, member.username)
    failing_login(identity, member.username)
    assert identity.login(member.username, member.password)["status"] == "password_change_required"
    failing_login(identity, member.username)
    failing_login(identity, member.username)

    user = store.user(member.id)
    assert not user.blocked
    assert user.failed_attempts == 2
    assert identity.login(member.username, member.password)["status"] == "password_change_required"


def test_an_unknown_username_fails_the_same_way_as_a_wrong_password(identity, store, member):
    wrong_password = failing_login(identity, member.username)
    unknown_username = failing_login(identity, "de2345abcd")

    assert type(unknown_username) is type(wrong_password)
    assert unknown_username.code == wrong_password.code == "login.failed"
    assert unknown_username.detail == wrong_password.detail
    assert {"reason": "unknown_username"} in [
        entry.details for entry in store.audit_entries(None, "login_failed")
    ]
