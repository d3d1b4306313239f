"""Logging in: challenges, password plus three digits of the security code, first login,
refresh, logout, and revocation of tokens.

A login asks first for a challenge (three positions of the security code), then for the
password and those digits together; a failure never says which part was wrong. Unknown
usernames get a challenge too and cost the same hashing time, so neither answers nor timing
tell an attacker which usernames exist.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from eventlet import tpool
from sqlalchemy import delete, select

from services.common.actor import Actor, Grant, Right
from services.common.db import UnitOfWork
from services.common.errors import NotFound, Unauthenticated, ValidationFailed
from services.identity import audit, tokens
from services.identity.domain import (
    AuditAction,
    LoginState,
    can_attempt,
    check_password,
    check_security_code,
    choose_positions,
    record_failure,
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

    Failures are committed before the error is raised: a failed attempt must count. The answer
    to a wrong password is the same as to an unknown username (no count of attempts left), so
    it does not tell whether the account exists. A redelivered login finds its challenge used
    and counts nothing twice.
    """
    now = unit.now()
    username = data["username"].lower()
    challenge = unit.session.get(LoginChallenge, data["challenge_id"])
    if (
        challenge is None
        or challenge.used
        or challenge.expires_at < now
        or challenge.username != username
    ):
        raise Unauthenticated(
            "The login challenge is unknown, used or expired.", "login.challenge_invalid"
        )
    challenge.used = True
    user = find_active_user(unit, username)
    if user is None:
        verify_password(settings, settings.dummy_hash, data["password"])
        audit.record(unit, AuditAction.LOGIN_FAILED, details={"reason": "unknown_username"})
        unit.commit()
        raise Unauthenticated("The username or the credentials are wrong.", "login.failed")
    state = LoginState(user.failed_attempts, user.blocked)
    if not can_attempt(state):
        audit.record(
            unit,
            AuditAction.LOGIN_FAILED,
            target_user_id=user.id,
            authority_id=user.authority_id,
            details={"reason": "blocked"},
        )
        unit.commit()
        raise Unauthenticated("The account is blocked.", "login.account_blocked")
    if not _credentials_match(settings, user, challenge, data):
        _fail(unit, settings, user, state)
    user.failed_attempts = record_success(state).failed_attempts
    user.last_login_at = now
    if settings.hasher.needs_rehash(user.password_hash):
        user.password_hash = hash_password(settings, data["password"])
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


def _credentials_match(settings, user: User, challenge: LoginChallenge, data: dict) -> bool:
    password_ok = verify_password(settings, user.password_hash, data["password"])
    if user.must_change_password:
        return password_ok
    positions = tuple(int(p) for p in challenge.positions.split(","))
    digits_ok = user.security_digests is not None and verify_security_digits(
        user.security_digests, user.id, settings.keys.pepper, positions, data["digits"]
    )
    return password_ok and digits_ok


def _fail(unit: UnitOfWork, settings: IdentitySettings, user: User, state: LoginState):
    state = record_failure(state, settings.max_failed_logins)
    user.failed_attempts = state.failed_attempts
    audit.record(
        unit,
        AuditAction.LOGIN_FAILED,
        target_user_id=user.id,
        authority_id=user.authority_id,
        details={"reason": "credentials"},
    )
    if state.blocked and not user.blocked:
        user.blocked = True
        audit.record(
            unit,
            AuditAction.ACCOUNT_BLOCKED,
            target_user_id=user.id,
            authority_id=user.authority_id,
        )
        unit.record_event("user_blocked", user.id, user_event(user))
        revoke_all_tokens(unit, user)
    unit.commit()
    if state.blocked:
        raise Unauthenticated(
            "Too many failed attempts: the account is now blocked.", "login.account_blocked"
        )
    raise Unauthenticated("The username or the credentials are wrong.", "login.failed")


def complete_first_login(unit: UnitOfWork, settings: IdentitySettings, data: dict) -> dict:
    """Replace the temporary password, set the security code, and log in."""
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
    errors = {}
    password_problems = check_password(
        data["new_password"],
        user.username,
        lambda candidate: verify_password(settings, user.password_hash, candidate),
    )
    if password_problems:
        errors["new_password"] = password_problems
    code_problems = check_security_code(data["security_code"])
    if code_problems:
        errors["security_code"] = code_problems
    if errors:
        raise ValidationFailed.from_fields(errors, "The new password or security code is refused.")
    user.password_hash = hash_password(settings, data["new_password"])
    user.security_digests = security_code_digests(
        data["security_code"], user.id, settings.keys.pepper
    )
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
    result = open_session(unit, settings, user)
    unit.commit()
    return result


def refresh(unit: UnitOfWork, settings: IdentitySettings, refresh_token: str) -> dict:
    """New tokens for a live session; the refresh token itself is rotated."""
    now = unit.now()
    login_session = unit.session.scalar(
        select(LoginSession).where(
            LoginSession.refresh_hash == tokens.hash_refresh_token(refresh_token)
        )
    )
    if login_session is None or login_session.revoked_at or login_session.expires_at < now:
        raise Unauthenticated("The session has ended: log in again.", "login.session_ended")
    user = unit.session.get(User, login_session.user_id)
    if user is None or user.deleted_at or user.blocked or user.must_change_password:
        raise Unauthenticated("The session has ended: log in again.", "login.session_ended")
    new_token, new_hash = tokens.new_refresh_token()
    login_session.refresh_hash = new_hash
    result = _tokens(settings, user, login_session.id, new_token, now)
    unit.commit()
    return result


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


def _tokens(settings, user: User, session_id: str, refresh_token: str, now) -> dict:
    return {
        "status": "authenticated",
        "access_token": tokens.issue_access_token(
            settings.keys, user, session_id, grants_of(user), now, settings.access_token_seconds
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
                "not_before": now.isoformat(),
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
        {"user_id": user.id, "session_id": None, "not_before": now.isoformat()},
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
