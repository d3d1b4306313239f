"""Pure rules of the identity service (DOMAIN.md section 3): no I/O, no clock, no framework.

Rights and grants, generated usernames and temporary passwords, the password policy and its
hashing, the 12-digit security code checked three digits at a time, the lockout after failed
logins, and who may administer whose users. Randomness comes in as an argument (anything with
``choice``, e.g. ``secrets.SystemRandom()``), so tests can pass a seeded ``random.Random``.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import combinations, pairwise
from typing import Protocol, TypeVar

import argon2

from services.common.actor import Grant, Right
from services.common.reference import COMMISSION, normalise_member_state

T = TypeVar("T")


class RandomSource(Protocol):
    """What the generators need from a random source: ``secrets.SystemRandom`` in production."""

    def choice(self, seq: Sequence[T]) -> T: ...


# --- Rights -----------------------------------------------------------------------------------

COMMISSION_RIGHTS = frozenset({Right.COMMISSION_ADMINISTRATOR, Right.COMMISSION_TRANSLATOR})
ALL_AUTHORITY_RIGHTS = frozenset(Right) - COMMISSION_RIGHTS
AREA_INDEPENDENT_RIGHTS = frozenset(
    {Right.LOCAL_DATA_ADMINISTRATOR, Right.DATA_ADMINISTRATOR, *COMMISSION_RIGHTS}
)


def validate_grants(grants: Sequence[Grant], member_state: str) -> dict[int, list[str]]:
    """Problem codes per grant index, shaped like a marshmallow list-field error; {} if valid.

    ``member_state`` is that of the user's authority: only the Commission's users ("EU") may
    hold the Commission's rights.
    """
    problems: dict[int, list[str]] = {}
    seen: set[Grant] = set()
    for index, grant in enumerate(grants):
        codes = _grant_problems(grant, member_state, seen)
        if codes:
            problems[index] = codes
        seen.add(grant)
    return problems


def _grant_problems(grant: Grant, member_state: str, seen: set[Grant]) -> list[str]:
    codes = []
    if grant.right in AREA_INDEPENDENT_RIGHTS and grant.area is not None:
        codes.append("grant.area_not_allowed")
    if grant.right in COMMISSION_RIGHTS and member_state != COMMISSION:
        codes.append("grant.commission_only")
    if grant in seen:
        codes.append("grant.duplicate")
    return codes


# --- Usernames and temporary passwords --------------------------------------------------------

# Letters and digits a person reads off a note and types without doubt: no 0/o, 1/l/i.
USERNAME_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
USERNAME_RANDOM_LENGTH = 8
TEMPORARY_PASSWORD_LENGTH = 16
# The same idea for the emailed temporary password, in four classes, without I/l/1 and O/o/0.
_TEMPORARY_CLASSES = (
    "abcdefghjkmnpqrstuvwxyz",
    "ABCDEFGHJKLMNPQRSTUVWXYZ",
    "23456789",
    "-_.!?#%+=*@",
)
TEMPORARY_PASSWORD_ALPHABET = "".join(_TEMPORARY_CLASSES)


def generate_username(member_state: str, rng: RandomSource) -> str:
    """The member state in lower case ("el" for Greece, "eu" for the Commission) + 8 characters.

    31 characters to the power 8 is about 8.5e11 names per country, so a collision (which the
    service retries) is rare; the prefix tells a helpdesk at once where the user belongs.
    Raises ValueError for an unknown member state.
    """
    prefix = normalise_member_state(member_state).lower()
    return prefix + _random_string(USERNAME_ALPHABET, USERNAME_RANDOM_LENGTH, rng)


def generate_temporary_password(rng: RandomSource) -> str:
    """16 unambiguous characters that pass the password policy.

    Drawn uniformly, and drawn again in the rare case a class is missing, so every valid
    password is equally likely (forcing one character per class would bias the positions).
    """
    while True:
        password = _random_string(TEMPORARY_PASSWORD_ALPHABET, TEMPORARY_PASSWORD_LENGTH, rng)
        if not check_password(password, username=""):
            return password


def _random_string(alphabet: str, length: int, rng: RandomSource) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


# --- Password policy and hashing --------------------------------------------------------------

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
PASSWORD_MIN_CLASSES = 3


def check_password(
    password: str,
    username: str,
    previous_passwords_check: Callable[[str], bool] | None = None,
) -> list[str]:
    """Problem codes (catalogue keys) of a new password; an empty list means it is accepted.

    Lengths count Unicode characters after NFC normalisation, as hashing does. Letters of any
    script count by their case (a Greek capital is upper case). ``previous_passwords_check``
    answers whether the candidate equals the password being replaced (the temporary one on a
    first login or after a reset); it is a callable so the caller can verify against a hash.
    """
    password = _normalise(password)
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append("password.too_short")
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append("password.too_long")
    if _character_classes(password) < PASSWORD_MIN_CLASSES:
        problems.append("password.too_few_classes")
    if username and username.casefold() in password.casefold():
        problems.append("password.contains_username")
    if previous_passwords_check is not None and previous_passwords_check(password):
        problems.append("password.same_as_temporary")
    return problems


def _character_classes(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not (c.islower() or c.isupper() or c.isdigit()) for c in password)
    return sum((lower, upper, digit, other))


def _normalise(password: str) -> str:
    """NFC, so the same word typed on two keyboards (é as one or two code points) matches."""
    return unicodedata.normalize("NFC", password)


# argon2id, measured on the 2-core development machine at 27-32 ms per verify (see
# docs/identity.md); above OWASP's minimum of m=19 MiB, t=2, p=1.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST_KIB = 19456
ARGON2_PARALLELISM = 1


class PasswordHasher:
    """argon2id hashing behind three calls that never raise on a wrong or malformed hash."""

    def __init__(
        self,
        time_cost: int = ARGON2_TIME_COST,
        memory_cost: int = ARGON2_MEMORY_COST_KIB,
        parallelism: int = ARGON2_PARALLELISM,
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )

    def hash_password(self, password: str) -> str:
        return self._hasher.hash(_normalise(password))

    def verify_password(self, password_hash: str, password: str) -> bool:
        """False for a wrong password and for a hash that is not argon2 (e.g. none set yet)."""
        try:
            return self._hasher.verify(password_hash, _normalise(password))
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters: rehash it after a good login."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except argon2.exceptions.InvalidHashError:
            return True


# --- Security code ----------------------------------------------------------------------------

SECURITY_CODE_LENGTH = 12
SECURITY_CODE_MIN_DISTINCT = 4
DIGITS_ASKED = 3
DIGEST_SIZE = 6
# 1-based positions, as users see them; the blob holds one digest per triple in this order.
POSITION_TRIPLES: tuple[tuple[int, ...], ...] = tuple(
    combinations(range(1, SECURITY_CODE_LENGTH + 1), DIGITS_ASKED)
)
_TRIPLE_INDEX = {triple: index for index, triple in enumerate(POSITION_TRIPLES)}
DIGEST_BLOB_SIZE = len(POSITION_TRIPLES) * DIGEST_SIZE


def check_security_code(code: str) -> list[str]:
    """Problem codes of a security code a user chose; an empty list means it is accepted."""
    if not _is_ascii_digits(code, SECURITY_CODE_LENGTH):
        return ["security_code.not_12_digits"]
    if _is_too_simple(code):
        return ["security_code.too_simple"]
    return []


def _is_ascii_digits(text: str, length: int) -> bool:
    """ASCII only: str.isdigit would also accept digits of other scripts such as "٣"."""
    return len(text) == length and all("0" <= c <= "9" for c in text)


def _is_too_simple(code: str) -> bool:
    """All equal, fewer than 4 distinct digits, or a run counting up or down (9 wraps to 0)."""
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(code)}
    return len(set(code)) < SECURITY_CODE_MIN_DISTINCT or steps in ({1}, {9})


def security_code_digests(code: str, user_id: str, pepper: bytes) -> bytes:
    """The stored form of a security code: a 6-byte HMAC for each of the 220 position triples.

    The code itself is never stored, so nobody can read it back; a login checks three digits
    against one digest. The pepper lives outside the database, so a stolen blob cannot be
    brute-forced triple by triple (1000 guesses each) without it. Call check_security_code
    first: this function assumes a valid code.
    """
    return b"".join(
        _digest(pepper, user_id, triple, "".join(code[p - 1] for p in triple))
        for triple in POSITION_TRIPLES
    )


def verify_security_digits(
    blob: bytes, user_id: str, pepper: bytes, positions: tuple[int, int, int], digits: str
) -> bool:
    """Whether ``digits`` are the code's digits at the 1-based sorted ``positions``.

    False (never an error) for malformed input: unsorted or out-of-range positions, digits that
    are not three ASCII digits, or a blob of the wrong size.
    """
    index = _TRIPLE_INDEX.get(tuple(positions))
    if index is None or len(blob) != DIGEST_BLOB_SIZE or not _is_ascii_digits(digits, 3):
        return False
    expected = blob[index * DIGEST_SIZE : (index + 1) * DIGEST_SIZE]
    return hmac.compare_digest(expected, _digest(pepper, user_id, positions, digits))


def choose_positions(rng: RandomSource) -> tuple[int, int, int]:
    """Three distinct 1-based positions in ascending order, all 220 triples equally likely."""
    first, second, third = rng.choice(POSITION_TRIPLES)
    return first, second, third


def _digest(pepper: bytes, user_id: str, positions: Iterable[int], digits: str) -> bytes:
    """HMAC-SHA256 over user id, positions and digits; the fixed 6-byte tail keeps it unambiguous.

    The user id binds a digest to one account, so two users with the same code store different
    blobs, and a blob copied to another account does not verify.
    """
    message = user_id.encode() + bytes(positions) + digits.encode("ascii")
    return hmac.new(pepper, message, hashlib.sha256).digest()[:DIGEST_SIZE]


# --- Lockout ----------------------------------------------------------------------------------

MAX_FAILURES = 3


@dataclass(frozen=True)
class LoginState:
    """Login attempts not proven right (failed, or still being checked) and whether the account
    is blocked."""

    failed_attempts: int = 0
    blocked: bool = False


def may_attempt(state: LoginState, max_failures: int = MAX_FAILURES) -> bool:
    """Whether one more password check may start: never on a blocked account, and never while
    the limit of attempts not proven right is reached (some may still be running)."""
    return not state.blocked and state.failed_attempts < max_failures


def claim_attempt(state: LoginState) -> LoginState:
    """An attempt counts as a failure from the moment its check starts until it proves right,
    so concurrent attempts can never run more checks than the limit allows."""
    return replace(state, failed_attempts=state.failed_attempts + 1)


def must_block(state: LoginState, max_failures: int = MAX_FAILURES) -> bool:
    """The account blocks when the attempts not proven right reach the limit."""
    return not state.blocked and state.failed_attempts >= max_failures


def record_success(state: LoginState) -> LoginState:
    """A successful login resets the count; it never unblocks (only an administrator does)."""
    return replace(state, failed_attempts=0)


def unblock(state: LoginState) -> LoginState:
    """An administrator's reset: the account may be tried again from zero failures."""
    return replace(state, failed_attempts=0, blocked=False)


# --- Who may administer whom ------------------------------------------------------------------

# The Commission's well-known authority, shared with the directory service.
COMMISSION_AUTHORITY_ID = "00000000-0000-4000-8000-00000000e0e0"


@dataclass(frozen=True)
class ActorView:
    """What the administration rules need to know about the caller."""

    user_id: str
    authority_id: str
    member_state: str
    rights: frozenset[Right]


@dataclass(frozen=True)
class AuthorityView:
    """What the administration rules need to know about the authority whose users are managed."""

    authority_id: str
    member_state: str
    validating_coordinator_id: str | None


def may_administer_users(actor: ActorView, authority: AuthorityView) -> bool:
    """Whether the actor may create, change, replace, unblock or delete the authority's users.

    An LDA of the authority itself; a data administrator of its validating coordinator; or a
    Commission administrator for the Commission's own authorities and for authorities the
    Commission validates (a NIMIC: no validating coordinator, or the Commission's authority id).
    """
    return (
        _is_local_administrator(actor, authority)
        or _is_coordinator_administrator(actor, authority)
        or _is_commission_administrator(actor, authority)
    )


def may_read_audit(actor: ActorView, authority: AuthorityView) -> bool:
    """The audit trail of an authority's users is for those who administer them."""
    return may_administer_users(actor, authority)


def may_view_user(actor: ActorView, authority: AuthorityView, target_user_id: str) -> bool:
    """A user sees their own account; administrators of the user's authority see all of them."""
    return actor.user_id == target_user_id or may_administer_users(actor, authority)


def _is_local_administrator(actor: ActorView, authority: AuthorityView) -> bool:
    return (
        Right.LOCAL_DATA_ADMINISTRATOR in actor.rights
        and actor.authority_id == authority.authority_id
    )


def _is_coordinator_administrator(actor: ActorView, authority: AuthorityView) -> bool:
    return (
        Right.DATA_ADMINISTRATOR in actor.rights
        and authority.validating_coordinator_id is not None
        and actor.authority_id == authority.validating_coordinator_id
    )


def _is_commission_administrator(actor: ActorView, authority: AuthorityView) -> bool:
    validated_by_commission = authority.validating_coordinator_id in (
        None,
        COMMISSION_AUTHORITY_ID,
    )
    return (
        Right.COMMISSION_ADMINISTRATOR in actor.rights
        and actor.member_state == COMMISSION
        and (authority.member_state == COMMISSION or validated_by_commission)
    )


# --- Audit vocabulary -------------------------------------------------------------------------


class AuditAction(StrEnum):
    """What the identity service writes to the audit trail."""

    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    ACCOUNT_BLOCKED = "account_blocked"
    FIRST_LOGIN_COMPLETED = "first_login_completed"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an audit action, not a password)
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 (an audit action)
    PERSONAL_DATA_VIEWED = "personal_data_viewed"
    ACCOUNT_UNBLOCKED = "account_unblocked"
    USER_CREATED = "user_created"
    USER_UPDATED = "user_updated"
    USER_REPLACED = "user_replaced"
    USER_DELETED = "user_deleted"
    RIGHTS_CHANGED = "rights_changed"
    LOGGED_OUT = "logged_out"
    TOKENS_REVOKED = "tokens_revoked"
