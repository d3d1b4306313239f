"""Logging in: challenges, password plus three digits of the security code, first login,
refresh, logout, and revocation of tokens.

A login asks first for a challenge (three positions of the security code), then for the
password and those digits together; a failure never says which part was wrong. Unknown
usernames get a challenge too and cost the same hashing time, so neither answers nor timing
tell an attacker which usernames exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from eventlet import tpool
from sqlalchemy import delete, select, update

from services.common.actor import Actor, Grant, Right
from services.common.db import UnitOfWork
from services.common.errors import NotFound, Unauthenticated, ValidationFailed
from services.identity import audit, tokens
from services.identity.domain import (
    AuditAction,
    LoginState,
    check_password,
    check_security_code,
    choose_positions,
    must_block,
    record_success,
    security_code_digests,
    verify_security_digits,
)
from services.identity.models import ALL_AREAS, LoginChallenge, LoginSession, User
from services.identity.settings import IdentitySettings


def grants_of(user: User) -> list[Grant]:
    return [
        Grant(Right(grant.right), None if grant.area == ALL_AREAS else grant.area)
        for grant in user.grants
    ]


def find_active_user(unit: UnitOfWork, username: str) -> User | None:
    return unit.session.scalar(
        select(User).where(User.username == username.lower(), User.deleted_at.is_(None))
    )


def verify_password(settings: IdentitySettings, password_hash: str, password: str) -> bool:
    """argon2 in a real thread: 30 ms of hashing must not stop every other worker."""
    return tpool.execute(settings.hasher.verify_password, password_hash, password)


def hash_password(settings: IdentitySettings, password: str) -> str:
    return tpool.execute(settings.hasher.hash_password, password)


def start_challenge(unit: UnitOfWork, settings: IdentitySettings, username: str) -> dict:
    now = unit.now()
    unit.session.execute(delete(LoginChallenge).where(LoginChallenge.expires_at < now))
    positions = choose_positions(settings.rng)
    challenge = LoginChallenge(
        id=str(uuid.uuid4()),
        username=username.lower(),
        positions=",".join(map(str, positions)),
        expires_at=now + timedelta(seconds=settings.challenge_seconds),
    )
    unit.session.add(challenge)
    return {
        "challenge_id": challenge.id,
        "positions": list(positions),
        "expires_in": settings.challenge_seconds,
    }


def login(unit: UnitOfWork, settings: IdentitySettings, data: dict) -> dict:
    """Tokens, or a first-login token when the password is still a temporary one.

    Safe under concurrency (docs/identity.md, "Logging in under concurrency"): the challenge is
    used, and the attempt counted as a failure, by compare-and-set statements committed before
    the password is checked, so of the logins racing for one challenge one goes on, and of the
    attempts racing on one account no more than the limit are checked. The answer to a wrong
    password is the same as to an unknown username (no count of attempts left), so it does not
    tell whether the account exists. A redelivered login finds its challenge used and counts
    nothing twice.
    """
    now = unit.now()
    username = data["username"].lower()
    positions = _use_challenge(unit, data["challenge_id"], username, now)
    user = find_active_user(unit, username)
    if user is None:
        unit.commit()
        verify_password(settings, settings.dummy_hash, data["password"])
        audit.record(unit, AuditAction.LOGIN_FAILED, details={"reason": "unknown_username"})
        unit.commit()
        raise Unauthenticated("The username or the credentials are wrong.", "login.failed")
    claimed = _claim_attempt(unit, settings, user)
    unit.commit()
    if claimed is None:
        _refuse(unit, settings, user, "not_checked")
    if not _credentials_match(settings, user, positions, data):
        _fail(unit, settings, user, claimed)
    if not _record_success(unit, settings, user, data["password"], now):
        _refuse(unit, settings, user, "credentials_changed")
    audit.record(
        unit,
        AuditAction.LOGIN_SUCCEEDED,
        actor_user_id=user.id,
        target_user_id=user.id,
        authority_id=user.authority_id,
        details={"temporary_password": user.must_change_password},
    )
    if user.must_change_password:
        result = {
            "status": "password_change_required",
            "setup_token": tokens.issue_setup_token(
                settings.keys, user.id, user.password_hash, now
            ),
            "expires_in": tokens.SETUP_TOKEN_SECONDS,
        }
    else:
        result = open_session(unit, settings, user)
    unit.commit()
    return result


def _use_challenge(
    unit: UnitOfWork, challenge_id: str, username: str, now: datetime
) -> tuple[int, ...]:
    """The positions a live challenge asks for, marked used by the same statement: of many
    logins racing with one challenge exactly one gets them; the others are told what an
    unknown or expired challenge is told."""
    positions = unit.session.execute(
        update(LoginChallenge)
        .where(
            LoginChallenge.id == challenge_id,
            LoginChallenge.used.is_(False),
            LoginChallenge.expires_at >= now,
            LoginChallenge.username == username,
        )
        .values(used=True)
        .returning(LoginChallenge.positions)
    ).scalar_one_or_none()
    if positions is None:
        raise Unauthenticated(
            "The login challenge is unknown, used or expired.", "login.challenge_invalid"
        )
    return tuple(int(p) for p in positions.split(","))


def _claim_attempt(unit: UnitOfWork, settings: IdentitySettings, user: User) -> LoginState | None:
    """The account's state with this attempt counted, or None when no check may start.

    ``domain.may_attempt`` and ``domain.claim_attempt`` in one UPDATE: the database compares
    the count and adds one atomically, so N concurrent attempts see N different counts and only
    those under the limit get a password check.
    """
    count = unit.session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.deleted_at.is_(None),
            User.blocked.is_(False),
            User.failed_attempts < settings.max_failed_logins,
        )
        .values(failed_attempts=User.failed_attempts + 1)
        .returning(User.failed_attempts)
    ).scalar_one_or_none()
    return None if count is None else LoginState(count, blocked=False)


def _credentials_match(
    settings: IdentitySettings, user: User, positions: tuple[int, ...], data: dict
) -> bool:
    password_ok = verify_password(settings, user.password_hash, data["password"])
    if user.must_change_password:
        return password_ok
    digits_ok = user.security_digests is not None and verify_security_digits(
        user.security_digests, user.id, settings.keys.pepper, positions, data["digits"]
    )
    return password_ok and digits_ok


def _record_success(
    unit: UnitOfWork, settings: IdentitySettings, user: User, password: str, now: datetime
) -> bool:
    """Reset the count (``domain.record_success``) unless, since the check, the account was
    blocked, deleted or given other credentials: a right password never races past a lock."""
    values = {
        "failed_attempts": record_success(LoginState(user.failed_attempts)).failed_attempts,
        "last_login_at": now,
    }
    if settings.hasher.needs_rehash(user.password_hash):
        values["password_hash"] = hash_password(settings, password)
    succeeded = unit.session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.deleted_at.is_(None),
            User.blocked.is_(False),
            User.password_hash == user.password_hash,
        )
        .values(**values)
        .returning(User.id)
    ).scalar_one_or_none()
    return succeeded is not None


def _fail(unit: UnitOfWork, settings: IdentitySettings, user: User, claimed: LoginState):
    """The wrong attempt stays counted; the one that reaches the limit blocks the account."""
    audit.record(
        unit,
        AuditAction.LOGIN_FAILED,
        target_user_id=user.id,
        authority_id=user.authority_id,
        details={"reason": "credentials"},
    )
    blocked = must_block(claimed, settings.max_failed_logins) and _block_if_exhausted(
        unit, settings, user
    )
    unit.commit()
    if blocked:
        raise Unauthenticated(
            "Too many failed attempts: the account is now blocked.", "login.account_blocked"
        )
    raise Unauthenticated("The username or the credentials are wrong.", "login.failed")


def _refuse(unit: UnitOfWork, settings: IdentitySettings, user: User, reason: str):
    """An attempt that got no check, or whose success came too late: blocked, or refused."""
    blocked = _block_if_exhausted(unit, settings, user)
    audit.record(
        unit,
        AuditAction.LOGIN_FAILED,
        target_user_id=user.id,
        authority_id=user.authority_id,
        details={"reason": "blocked" if blocked else reason},
    )
    unit.commit()
    if blocked:
        raise Unauthenticated("The account is blocked.", "login.account_blocked")
    raise Unauthenticated("The username or the credentials are wrong.", "login.failed")


def _block_if_exhausted(unit: UnitOfWork, settings: IdentitySettings, user: User) -> bool:
    """Whether the account is blocked, blocking it when its attempts not proven right reached
    the limit (``domain.must_block``). The block is a compare-and-set, so of the attempts that
    find the limit reached exactly one publishes ``user_blocked`` and revokes the tokens.
    An attempt lost in a crash between its count and its check stays counted: it blocks too."""
    now = unit.now()
    blocked_now = unit.session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.blocked.is_(False),
            User.failed_attempts >= settings.max_failed_logins,
        )
        .values(blocked=True, tokens_valid_after=now)
        .returning(User.id)
    ).scalar_one_or_none()
    if blocked_now is None:
        return bool(unit.session.scalar(select(User.blocked).where(User.id == user.id)))
    audit.record(
        unit, AuditAction.ACCOUNT_BLOCKED, target_user_id=user.id, authority_id=user.authority_id
    )
    unit.record_event("user_blocked", user.id, user_event(user))
    _announce_revocation(unit, user, now, end_sessions=True)
    return True


def complete_first_login(unit: UnitOfWork, settings: IdentitySettings, data: dict) -> dict:
    """Replace the temporary password, set the security code, and log in. The passwords are
    checked and hashed (in a thread) before anything is written and with no connection held:
    SQLite's one connection is not kept from the other workers meanwhile."""
    user_id, fingerprint = tokens.read_setup_token(settings.keys, data["setup_token"], unit.now())
    user = unit.session.get(User, user_id)
    if (
        user is None
        or user.deleted_at is not None
        or user.blocked
        or not user.must_change_password
        or not tokens.setup_token_matches(fingerprint, user.password_hash)
    ):
        raise Unauthenticated("The first-login token is no longer valid.", "login.setup_invalid")
    temporary_hash, username = user.password_hash, user.username
    unit.release_connection()
    errors = {}
    password_problems = check_password(
        data["new_password"],
        username,
        lambda candidate: verify_password(settings, temporary_hash, candidate),
    )
    if password_problems:
        errors["new_password"] = password_problems
    code_problems = check_security_code(data["security_code"])
    if code_problems:
        errors["security_code"] = code_problems
    if errors:
        raise ValidationFailed.from_fields(errors, "The new password or security code is refused.")
    credentials = own_credentials(settings, user_id, data["new_password"], data["security_code"])
    _claim_first_login(unit, user_id, temporary_hash)
    user = unit.session.get(User, user_id, populate_existing=True)
    take_own_credentials(unit, user, credentials)
    result = open_session(unit, settings, user)
    unit.commit()
    return result


@dataclass(frozen=True)
class OwnCredentials:
    """A user's own password and security code in their stored forms."""

    password_hash: str
    security_digests: bytes


def own_credentials(
    settings: IdentitySettings, user_id: str, password: str, security_code: str
) -> OwnCredentials:
    """Hash the password and digest the security code (both checked against the policy by the
    caller); the password's hashing runs in a thread."""
    return OwnCredentials(
        password_hash=hash_password(settings, password),
        security_digests=security_code_digests(security_code, user_id, settings.keys.pepper),
    )


def take_own_credentials(unit: UnitOfWork, user: User, credentials: OwnCredentials) -> None:
    """The end of a first login: the user's own password and security code replace the
    temporary password, audited and announced with ``first_login_completed``."""
    user.password_hash = credentials.password_hash
    user.security_digests = credentials.security_digests
    user.must_change_password = False
    user.updated_at = unit.now()
    audit.record(
        unit,
        AuditAction.FIRST_LOGIN_COMPLETED,
        actor_user_id=user.id,
        target_user_id=user.id,
        authority_id=user.authority_id,
    )
    unit.record_event("first_login_completed", user.id, user_event(user))


def _claim_first_login(unit: UnitOfWork, user_id: str, temporary_hash: str) -> None:
    """End the temporary password by a compare-and-set on the password it was checked
    against: of several calls racing with one first-login token, exactly one goes on (the
    others wait for it, then match no row) and the others are told the token is spent."""
    claimed = unit.session.execute(
        update(User)
        .where(
            User.id == user_id,
            User.must_change_password.is_(True),
            User.password_hash == temporary_hash,
        )
        .values(must_change_password=False)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Unauthenticated("The first-login token is no longer valid.", "login.setup_invalid")


def refresh(unit: UnitOfWork, settings: IdentitySettings, refresh_token: str) -> dict:
    """New tokens for a live session; the refresh token itself is rotated.

    The rotation is a compare-and-set on the session's refresh hash, so of concurrent or
    redelivered refreshes with one token exactly one rotates. The new refresh token is derived
    from the old one and the access token is dated at the rotation, so a repeat within
    ``refresh_repeat_seconds`` gets the very same answer; a later one is taken for a stolen
    copy and ends the session.
    """
    now = unit.now()
    successor = tokens.next_refresh_token(settings.keys, refresh_token)
    rotated = _rotate(unit, refresh_token, successor, now)
    if rotated is not None:
        session_id, user_id, issued_at = rotated
    else:
        login_session = _session_rotated_to(unit, successor, now)
        if now - login_session.rotated_at > timedelta(seconds=settings.refresh_repeat_seconds):
            _end_reused_session(unit, login_session)
            raise Unauthenticated("The session has ended: log in again.", "login.session_ended")
        session_id, user_id, issued_at = (
            login_session.id,
            login_session.user_id,
            login_session.rotated_at,
        )
    user = unit.session.get(User, user_id)
    if user is None or user.deleted_at or user.blocked or user.must_change_password:
        raise Unauthenticated("The session has ended: log in again.", "login.session_ended")
    result = _tokens(settings, user, session_id, successor, issued_at)
    unit.commit()
    return result


def _rotate(
    unit: UnitOfWork, refresh_token: str, successor: str, now: datetime
) -> tuple[str, str, datetime] | None:
    """Session id, user id and time of the rotation when this call rotated the token."""
    row = unit.session.execute(
        update(LoginSession)
        .where(
            LoginSession.refresh_hash == tokens.hash_refresh_token(refresh_token),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at >= now,
        )
        .values(refresh_hash=tokens.hash_refresh_token(successor), rotated_at=now)
        .returning(LoginSession.id, LoginSession.user_id)
    ).one_or_none()
    return None if row is None else (row.id, row.user_id, now)


def _session_rotated_to(unit: UnitOfWork, successor: str, now: datetime) -> LoginSession:
    """The live session whose token was last rotated from the presented one (a repeat)."""
    login_session = unit.session.scalar(
        select(LoginSession)
        .where(LoginSession.refresh_hash == tokens.hash_refresh_token(successor))
        .execution_options(populate_existing=True)
    )
    if (
        login_session is None
        or login_session.rotated_at is None
        or login_session.revoked_at is not None
        or login_session.expires_at < now
    ):
        raise Unauthenticated("The session has ended: log in again.", "login.session_ended")
    return login_session


def _end_reused_session(unit: UnitOfWork, login_session: LoginSession) -> None:
    """A refresh token used again after its repeat time: someone holds a copy. The session
    ends (once, however many such calls race) and every gateway learns it."""
    now = unit.now()
    ended = unit.session.execute(
        update(LoginSession)
        .where(LoginSession.id == login_session.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(LoginSession.id)
    ).scalar_one_or_none()
    if ended is not None:
        user = unit.session.get(User, login_session.user_id)
        unit.record_event(
            "tokens_revoked",
            login_session.user_id,
            {
                "user_id": login_session.user_id,
                "session_id": login_session.id,
                "not_before": now,
            },
        )
        audit.record(
            unit,
            AuditAction.TOKENS_REVOKED,
            target_user_id=login_session.user_id,
            authority_id=user.authority_id if user else None,
            details={"reason": "refresh_token_reused", "session_id": login_session.id},
        )
    unit.commit()


def open_session(unit: UnitOfWork, settings: IdentitySettings, user: User) -> dict:
    now = unit.now()
    refresh_token, refresh_hash = tokens.new_refresh_token()
    login_session = LoginSession(
        id=str(uuid.uuid4()),
        user_id=user.id,
        refresh_hash=refresh_hash,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.refresh_token_seconds),
    )
    unit.session.add(login_session)
    return _tokens(settings, user, login_session.id, refresh_token, now)


def _tokens(
    settings: IdentitySettings, user: User, session_id: str, refresh_token: str, now: datetime
) -> dict:
    """The answer of a login or refresh; the same inputs give the same tokens (Ed25519
    signatures are deterministic), which a repeated refresh relies on."""
    grants = sorted(grants_of(user), key=lambda grant: (grant.right.value, grant.area or ""))
    return {
        "status": "authenticated",
        "access_token": tokens.issue_access_token(
            settings.keys, user, session_id, grants, now, settings.access_token_seconds
        ),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": settings.access_token_seconds,
    }


def logout(unit: UnitOfWork, actor: Actor) -> None:
    login_session = unit.session.get(LoginSession, actor.session_id or "")
    if login_session is None or login_session.user_id != actor.user_id:
        raise NotFound("The session is unknown.", "login.session_unknown")
    now = unit.now()
    if login_session.revoked_at is None:
        login_session.revoked_at = now
        unit.record_event(
            "tokens_revoked",
            actor.user_id,
            {
                "user_id": actor.user_id,
                "session_id": login_session.id,
                "not_before": now,
            },
        )
    audit.record(
        unit,
        AuditAction.LOGGED_OUT,
        actor_user_id=actor.user_id,
        target_user_id=actor.user_id,
        authority_id=actor.authority_id,
    )


def revoke_all_tokens(unit: UnitOfWork, user: User, end_sessions: bool = True) -> None:
    """Every access token of the user stops working at once; sessions end unless told not to
    (a change of rights keeps the session: the next refresh carries the new rights)."""
    now = unit.now()
    user.tokens_valid_after = now
    _announce_revocation(unit, user, now, end_sessions)


def _announce_revocation(unit: UnitOfWork, user: User, now: datetime, end_sessions: bool) -> None:
    """What follows ``tokens_valid_after`` moving to ``now``: sessions ended unless told
    otherwise, ``tokens_revoked`` for every gateway, an audit entry."""
    if end_sessions:
        for login_session in unit.session.scalars(
            select(LoginSession).where(
                LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
            )
        ):
            login_session.revoked_at = now
    unit.record_event(
        "tokens_revoked",
        user.id,
        {"user_id": user.id, "session_id": None, "not_before": now},
    )
    audit.record(
        unit, AuditAction.TOKENS_REVOKED, target_user_id=user.id, authority_id=user.authority_id
    )


def recent_revocations(unit: UnitOfWork, settings: IdentitySettings) -> list[dict]:
    """Revocations an access token still alive could be affected by (for a starting gateway)."""
    since = unit.now() - timedelta(seconds=settings.access_token_seconds + 60)
    users = unit.session.execute(
        select(User.id, User.tokens_valid_after).where(User.tokens_valid_after > since)
    ).all()
    ended = unit.session.execute(
        select(LoginSession.user_id, LoginSession.id, LoginSession.revoked_at).where(
            LoginSession.revoked_at > since
        )
    ).all()
    return [{"user_id": user_id, "session_id": None, "not_before": at} for user_id, at in users] + [
        {"user_id": user_id, "session_id": sid, "not_before": at} for user_id, sid, at in ended
    ]


def user_event(user: User) -> dict:
    """The payload of user events: identifiers and rights, never personal data or secrets."""
    return {
        "user_id": user.id,
        "authority_id": user.authority_id,
        "member_state": user.member_state,
        "grants": [{"right": grant.right.value, "area": grant.area} for grant in grants_of(user)],
    }
