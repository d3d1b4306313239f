"""Unit tests of the identity service's pure rules: real values, no fixtures, no I/O."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.identity.domain import (
    ALL_AUTHORITY_RIGHTS,
    AREA_INDEPENDENT_RIGHTS,
    COMMISSION_AUTHORITY_ID,
    DIGEST_BLOB_SIZE,
    MAX_FAILURES,
    TEMPORARY_PASSWORD_ALPHABET,
    USERNAME_ALPHABET,
    ActorView,
    AuditAction,
    AuthorityView,
    Grant,
    LoginState,
    PasswordHasher,
    Right,
    check_password,
    check_security_code,
    choose_positions,
    claim_attempt,
    generate_temporary_password,
    generate_username,
    may_administer_users,
    may_attempt,
    may_read_audit,
    may_view_user,
    must_block,
    record_success,
    security_code_digests,
    unblock,
    validate_grants,
    verify_security_digits,
)

PEPPER = b"a pepper kept outside the database"
USER = "5f0c7c1e-3b1a-4d0e-9a61-2f1e7d9b0c11"
CODE = "739204618375"
seeds = st.integers(min_value=0, max_value=2**32)
valid_codes = st.text("0123456789", min_size=12, max_size=12).filter(
    lambda code: not check_security_code(code)
)


# --- Rights -----------------------------------------------------------------------------------


def test_the_first_user_of_an_authority_gets_every_right_but_the_commissions():
    assert Right.LOCAL_DATA_ADMINISTRATOR in ALL_AUTHORITY_RIGHTS
    assert Right.DATA_ADMINISTRATOR in ALL_AUTHORITY_RIGHTS
    assert set(Right) - ALL_AUTHORITY_RIGHTS == {
        Right.COMMISSION_ADMINISTRATOR,
        Right.COMMISSION_TRANSLATOR,
    }


def test_administrative_rights_never_carry_a_legislative_area():
    assert {
        Right.LOCAL_DATA_ADMINISTRATOR,
        Right.DATA_ADMINISTRATOR,
        Right.COMMISSION_ADMINISTRATOR,
        Right.COMMISSION_TRANSLATOR,
    } == AREA_INDEPENDENT_RIGHTS


def test_grants_per_area_and_for_every_area_are_valid():
    grants = [
        Grant(Right.REQUEST_HANDLER, "services"),
        Grant(Right.REQUEST_HANDLER, "professional_qualifications"),
        Grant(Right.BASIC_USER, None),
        Grant(Right.LOCAL_DATA_ADMINISTRATOR, None),
    ]
    assert validate_grants(grants, "DE") == {}


def test_an_administrative_right_with_an_area_is_reported_at_its_index():
    grants = [Grant(Right.BASIC_USER, None), Grant(Right.LOCAL_DATA_ADMINISTRATOR, "services")]
    assert validate_grants(grants, "FR") == {1: ["grant.area_not_allowed"]}


def test_the_second_of_two_equal_grants_is_reported_as_a_duplicate():
    grants = [Grant(Right.ALLOCATOR, "services"), Grant(Right.ALLOCATOR, "services")]
    assert validate_grants(grants, "IT") == {1: ["grant.duplicate"]}


def test_the_same_right_in_two_areas_is_not_a_duplicate():
    grants = [Grant(Right.ALLOCATOR, "services"), Grant(Right.ALLOCATOR, "solvit")]
    assert validate_grants(grants, "IT") == {}


def test_commission_rights_are_refused_outside_the_commission():
    grants = [Grant(Right.COMMISSION_TRANSLATOR, None)]
    assert validate_grants(grants, "NL") == {0: ["grant.commission_only"]}


def test_commission_rights_are_allowed_to_commission_users():
    grants = [Grant(Right.COMMISSION_ADMINISTRATOR, None), Grant(Right.COMMISSION_TRANSLATOR)]
    assert validate_grants(grants, "EU") == {}


def test_every_problem_of_one_grant_is_reported_together():
    grants = [Grant(Right.COMMISSION_ADMINISTRATOR, "services")] * 2
    assert validate_grants(grants, "PL") == {
        0: ["grant.area_not_allowed", "grant.commission_only"],
        1: ["grant.area_not_allowed", "grant.commission_only", "grant.duplicate"],
    }


# --- Usernames and temporary passwords --------------------------------------------------------


@given(seeds)
def test_a_username_is_the_member_state_and_eight_unambiguous_characters(seed):
    username = generate_username("DE", random.Random(seed))
    assert re.fullmatch(f"de[{USERNAME_ALPHABET}]{{8}}", username)
    assert not set(username[2:]) & set("0o1li")


@pytest.mark.parametrize(
    ("member_state", "prefix"), [("EL", "el"), ("GR", "el"), ("gr", "el"), ("EU", "eu")]
)
def test_greek_and_commission_usernames_use_the_eus_codes(member_state, prefix):
    assert generate_username(member_state, random.Random(1)).startswith(prefix)


def test_a_username_for_an_unknown_member_state_is_refused():
    with pytest.raises(ValueError, match="XX"):
        generate_username("XX", random.Random(1))


def test_the_same_random_source_gives_the_same_username():
    assert generate_username("AT", random.Random(7)) == generate_username("AT", random.Random(7))


@given(seeds)
def test_a_temporary_password_has_16_unambiguous_characters_and_passes_the_policy(seed):
    password = generate_temporary_password(random.Random(seed))
    assert len(password) == 16
    assert set(password) <= set(TEMPORARY_PASSWORD_ALPHABET)
    assert check_password(password, "de7kq2mzx4") == []


# --- Password policy and hashing --------------------------------------------------------------


def test_a_long_password_of_three_classes_is_accepted():
    assert check_password("blue-Harbour-lantern", "de7kq2mzx4") == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Sh0rt-pass!", "password.too_short"),
        ("Aa1-" * 32 + "x", "password.too_long"),
        ("alllowercaseletters", "password.too_few_classes"),
        ("lowercase-and-symbols", "password.too_few_classes"),
        ("Mine-DE7KQ2MZX4-pass", "password.contains_username"),
    ],
)
def test_a_password_breaking_one_rule_gets_that_rules_code(password, problem):
    assert check_password(password, "de7kq2mzx4") == [problem]


def test_a_password_at_the_length_limits_is_accepted():
    assert check_password("Abcdefgh-123", "de7kq2mzx4") == []
    assert check_password("Aa1-" * 32, "de7kq2mzx4") == []


def test_a_password_breaking_several_rules_gets_every_code():
    assert check_password("de7kq2mzx4", "de7kq2mzx4") == [
        "password.too_short",
        "password.too_few_classes",
        "password.contains_username",
    ]


def test_letters_of_any_script_count_by_their_case():
    assert check_password("Καλημέρα-κόσμε", "el7kq2mzx4") == []


def test_the_temporary_password_cannot_be_kept():
    hasher = PasswordHasher()
    temporary_hash = hasher.hash_password("Tq7-Hx9!mPz4Rk2a")

    def is_temporary(candidate: str) -> bool:
        return hasher.verify_password(temporary_hash, candidate)

    assert check_password("Tq7-Hx9!mPz4Rk2a", "de7kq2mzx4", is_temporary) == [
        "password.same_as_temporary"
    ]
    assert check_password("blue-Harbour-lantern", "de7kq2mzx4", is_temporary) == []


def test_a_hashed_password_verifies_and_a_wrong_one_does_not():
    hasher = PasswordHasher()
    password_hash = hasher.hash_password("blue-Harbour-lantern")
    assert password_hash.startswith("$argon2id$v=19$m=19456,t=3,p=1$")
    assert hasher.verify_password(password_hash, "blue-Harbour-lantern")
    assert not hasher.verify_password(password_hash, "blue-harbour-lantern")


def test_an_accented_password_verifies_however_the_keyboard_composed_it():
    hasher = PasswordHasher()
    composed, decomposed = "Caf\u00e9-au-lait-42", "Cafe\u0301-au-lait-42"
    assert hasher.verify_password(hasher.hash_password(composed), decomposed)


def test_a_malformed_hash_does_not_verify_and_needs_rehashing():
    hasher = PasswordHasher()
    assert not hasher.verify_password("not a hash", "blue-Harbour-lantern")
    assert hasher.needs_rehash("not a hash")


def test_only_a_hash_made_with_other_parameters_needs_rehashing():
    hasher = PasswordHasher()
    weaker = PasswordHasher(time_cost=1, memory_cost=8192)
    assert not hasher.needs_rehash(hasher.hash_password("blue-Harbour-lantern"))
    assert hasher.needs_rehash(weaker.hash_password("blue-Harbour-lantern"))


# --- Security code ----------------------------------------------------------------------------


def test_a_varied_twelve_digit_code_is_accepted():
    assert check_security_code(CODE) == []


@pytest.mark.parametrize(
    "code", ["73920461837", "7392046183750", "73920461837a", "", "7392 0461837", "٧٣٩٢٠٤٦١٨٣٧٥"]
)
def test_anything_but_twelve_ascii_digits_is_refused(code):
    assert check_security_code(code) == ["security_code.not_12_digits"]


@pytest.mark.parametrize(
    "code",
    ["777777777777", "012345678901", "123456789012", "987654321098", "121231231213"],
)
def test_repeated_counting_or_nearly_uniform_codes_are_too_simple(code):
    assert check_security_code(code) == ["security_code.too_simple"]


def test_four_distinct_digits_out_of_sequence_are_enough():
    assert check_security_code("123412341234") == []


def test_the_digest_blob_holds_six_bytes_for_each_of_220_triples():
    assert len(security_code_digests(CODE, USER, PEPPER)) == DIGEST_BLOB_SIZE == 1320


@settings(max_examples=30, deadline=None)
@given(valid_codes)
def test_the_digest_blob_verifies_every_triple_of_the_code(code):
    blob = security_code_digests(code, USER, PEPPER)
    for positions in combinations(range(1, 13), 3):
        digits = "".join(code[p - 1] for p in positions)
        assert verify_security_digits(blob, USER, PEPPER, positions, digits)


@settings(deadline=None)
@given(
    valid_codes,
    st.sampled_from(list(combinations(range(1, 13), 3))),
    st.integers(0, 2),
    st.integers(1, 9),
)
def test_the_digest_blob_rejects_any_changed_digit(code, positions, changed, shift):
    blob = security_code_digests(code, USER, PEPPER)
    digits = [int(code[p - 1]) for p in positions]
    digits[changed] = (digits[changed] + shift) % 10
    wrong = "".join(map(str, digits))
    assert not verify_security_digits(blob, USER, PEPPER, positions, wrong)


def test_a_blob_verifies_only_for_its_own_user_and_pepper():
    blob = security_code_digests(CODE, USER, PEPPER)
    assert verify_security_digits(blob, USER, PEPPER, (1, 2, 3), "739")
    assert not verify_security_digits(blob, "another-user", PEPPER, (1, 2, 3), "739")
    assert not verify_security_digits(blob, USER, b"another pepper", (1, 2, 3), "739")


def test_two_users_with_the_same_code_store_different_blobs():
    assert security_code_digests(CODE, USER, PEPPER) != security_code_digests(
        CODE, "another-user", PEPPER
    )


@pytest.mark.parametrize(
    ("positions", "digits"),
    [((0, 1, 2), "739"), ((3, 2, 1), "937"), ((1, 1, 2), "773"), ((11, 12, 13), "750")],
)
def test_positions_outside_one_to_twelve_or_unsorted_never_verify(positions, digits):
    blob = security_code_digests(CODE, USER, PEPPER)
    assert not verify_security_digits(blob, USER, PEPPER, positions, digits)


def test_malformed_digits_or_a_damaged_blob_never_verify():
    blob = security_code_digests(CODE, USER, PEPPER)
    assert not verify_security_digits(blob, USER, PEPPER, (1, 2, 3), "73")
    assert not verify_security_digits(blob, USER, PEPPER, (1, 2, 3), "7a9")
    assert not verify_security_digits(blob[:-1], USER, PEPPER, (1, 2, 3), "739")


@given(seeds)
def test_the_positions_asked_are_three_distinct_sorted_one_based_positions(seed):
    positions = choose_positions(random.Random(seed))
    assert len(set(positions)) == 3
    assert list(positions) == sorted(positions)
    assert all(1 <= p <= 12 for p in positions)


def test_every_triple_of_positions_can_be_asked():
    rng = random.Random(0)
    assert len({choose_positions(rng) for _ in range(5000)}) == 220


# --- Lockout ----------------------------------------------------------------------------------


def wrong_guesses(state: LoginState, limit: int, guesses: int) -> tuple[LoginState, int]:
    """``guesses`` wrong passwords one after the other: the state and how many were checked."""
    checked = 0
    for _ in range(guesses):
        if not may_attempt(state, limit):
            continue
        state = claim_attempt(state)
        checked += 1
        if must_block(state, limit):
            state = replace(state, blocked=True)
    return state, checked


@given(st.integers(1, 10), st.integers(0, 20))
def test_consecutive_failures_block_the_account_exactly_at_the_limit(limit, guesses):
    state, checked = wrong_guesses(LoginState(), limit, guesses)

    assert checked == state.failed_attempts == min(guesses, limit)
    assert state.blocked == (guesses >= limit)


@given(st.integers(1, 10), st.integers(0, 30))
def test_concurrent_attempts_never_start_more_checks_than_the_limit(limit, concurrent):
    state, started = LoginState(), 0
    for _ in range(concurrent):  # every attempt claimed before any check has finished
        if may_attempt(state, limit):
            state = claim_attempt(state)
            started += 1

    assert started == min(concurrent, limit)
    assert must_block(state, limit) == (concurrent >= limit)


def test_three_failures_block_by_default():
    state, _ = wrong_guesses(LoginState(), MAX_FAILURES, 2)
    assert may_attempt(state)
    assert not must_block(state)
    assert must_block(claim_attempt(state))


def test_a_success_resets_the_count_of_failures():
    state = record_success(claim_attempt(claim_attempt(LoginState())))
    assert state == LoginState(failed_attempts=0, blocked=False)
    assert not wrong_guesses(state, MAX_FAILURES, 2)[0].blocked


def test_a_blocked_account_stays_blocked_until_an_administrator_unblocks_it():
    blocked = LoginState(failed_attempts=3, blocked=True)
    assert not may_attempt(record_success(blocked))
    assert not must_block(blocked)
    assert unblock(blocked) == LoginState()
    assert may_attempt(unblock(blocked))


# --- Who may administer whom ------------------------------------------------------------------

AUTHORITY = AuthorityView("authority-a", "DE", validating_coordinator_id="coordinator-de")
NIMIC = AuthorityView("nimic-de", "DE", validating_coordinator_id=None)
NIMIC_BY_ID = AuthorityView("nimic-fr", "FR", validating_coordinator_id=COMMISSION_AUTHORITY_ID)
COMMISSION_UNIT = AuthorityView(COMMISSION_AUTHORITY_ID, "EU", validating_coordinator_id=None)


def actor(authority_id: str, *rights: Right, member_state: str = "DE") -> ActorView:
    return ActorView("user-x", authority_id, member_state, frozenset(rights))


LDA = Right.LOCAL_DATA_ADMINISTRATOR
DA = Right.DATA_ADMINISTRATOR
CA = Right.COMMISSION_ADMINISTRATOR


@pytest.mark.parametrize(
    ("who", "authority", "allowed"),
    [
        pytest.param(actor("authority-a", LDA), AUTHORITY, True, id="an LDA of the authority"),
        pytest.param(actor("authority-b", LDA), AUTHORITY, False, id="an LDA of another"),
        pytest.param(actor("authority-a", DA), AUTHORITY, False, id="a DA of the authority"),
        pytest.param(
            actor("coordinator-de", DA), AUTHORITY, True, id="a DA of the validating coordinator"
        ),
        pytest.param(
            actor("coordinator-de", LDA), AUTHORITY, False, id="an LDA of the coordinator"
        ),
        pytest.param(actor("coordinator-at", DA), AUTHORITY, False, id="a DA of another"),
        pytest.param(
            actor("authority-a", *Right, member_state="DE"),
            NIMIC,
            False,
            id="a national user with every right, for a NIMIC",
        ),
        pytest.param(
            actor(COMMISSION_AUTHORITY_ID, CA, member_state="EU"),
            NIMIC,
            True,
            id="a commission administrator, for a NIMIC without a coordinator",
        ),
        pytest.param(
            actor(COMMISSION_AUTHORITY_ID, CA, member_state="EU"),
            NIMIC_BY_ID,
            True,
            id="a commission administrator, for a NIMIC validated by the Commission",
        ),
        pytest.param(
            actor(COMMISSION_AUTHORITY_ID, DA, member_state="EU"),
            NIMIC_BY_ID,
            True,
            id="a DA of the Commission, for a NIMIC it validated",
        ),
        pytest.param(
            actor(COMMISSION_AUTHORITY_ID, CA, member_state="EU"),
            COMMISSION_UNIT,
            True,
            id="a commission administrator, for the Commission",
        ),
        pytest.param(
            actor(COMMISSION_AUTHORITY_ID, CA, member_state="EU"),
            AUTHORITY,
            False,
            id="a commission administrator, for an authority with its own coordinator",
        ),
        pytest.param(
            actor("nimic-de", CA, member_state="DE"),
            NIMIC,
            False,
            id="a commission right held outside the Commission",
        ),
        pytest.param(
            actor(COMMISSION_AUTHORITY_ID, member_state="EU"),
            NIMIC,
            False,
            id="a Commission user without the administrator right",
        ),
    ],
)
def test_who_may_administer_and_audit_an_authoritys_users(who, authority, allowed):
    assert may_administer_users(who, authority) is allowed
    assert may_read_audit(who, authority) is allowed


def test_a_user_may_view_their_own_account_without_any_right():
    assert may_view_user(actor("authority-a"), AUTHORITY, "user-x")


def test_a_user_may_not_view_a_colleagues_account_without_administering():
    assert not may_view_user(actor("authority-a", *ALL_AUTHORITY_RIGHTS - {LDA}), AUTHORITY, "u2")


def test_an_administrator_may_view_any_account_of_the_authority():
    assert may_view_user(actor("coordinator-de", DA), AUTHORITY, "user-y")


# --- Audit vocabulary -------------------------------------------------------------------------


def test_audit_actions_are_stored_by_their_snake_case_names():
    assert AuditAction.ACCOUNT_BLOCKED == "account_blocked"
    assert {action.value for action in AuditAction} >= {"login_failed", "tokens_revoked"}
    assert all(action.value == action.name.lower() for action in AuditAction)
