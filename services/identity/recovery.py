"""Self-service password reset through the registered email (DOMAIN.md section 3: an option
of the later system, off unless ``IDENTITY.SELF_SERVICE_RESET`` is set).

The request names the username and the registered email; whatever they are, the answer is the
same, so it tells nobody whether an account exists. When both match an account that is not
blocked, deleted or still on its temporary password, a single-use link token (30 minutes) goes
to the notifications service in a sensitive event, and only its hash is stored. A blocked
account still needs its administrator: the lockout is the administrators' to lift.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from services.common.db import UnitOfWork
from services.common.errors import Forbidden, Unauthenticated, ValidationFailed
from services.identity import audit, tokens
from services.identity.authentication import (
    find_active_user,
    hash_password,
    revoke_all_tokens,
    user_event,
    verify_password,
)
from services.identity.domain import AuditAction, check_password
from services.identity.models import PasswordResetRequest, User
from services.identity.settings import IdentitySettings


def _require_enabled(settings: IdentitySettings) -> None:
    if not settings.self_service_reset:
        raise Forbidden(
            "Self-service password reset is not offered here: ask your local data administrator.",
            "login.self_service_reset_disabled",
        )


def request_reset(unit: UnitOfWork, settings: IdentitySettings, data: dict) -> None:
    _require_enabled(settings)
    user = find_active_user(unit, data["username"])
    if (
        user is None
        or user.blocked
        or user.must_change_password
        or user.email.casefold() != data["email"].casefold()
    ):
        return
    now = unit.now()
    token, token_hash = tokens.new_refresh_token()
    expires_at = now + timedelta(seconds=settings.reset_link_seconds)
    unit.session.add(
        PasswordResetRequest(
            id=str(uuid.uuid4()),
            user_id=user.id,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires_at,
        )
    )
    unit.record_event(
        "password_reset_requested",
        user.id,
        {
            "user_id": user.id,
            "email": user.email,
            "language": user.language,
            "reset_token": token,
            "expires_at": expires_at,
        },
        sensitive=True,
    )
    audit.record(unit, AuditAction.PASSWORD_RESET_REQUESTED, target_user_id=user.id,
                 authority_id=user.authority_id)  # fmt: skip


def complete_reset(unit: UnitOfWork, settings: IdentitySettings, data: dict) -> None:
    _require_enabled(settings)
    now = unit.now()
    request = unit.session.scalar(
        select(PasswordResetRequest).where(
            PasswordResetRequest.token_hash == tokens.hash_refresh_token(data["reset_token"])
        )
    )
    user = unit.session.get(User, request.user_id) if request else None
    if (
        request is None
        or request.used_at is not None
        or request.expires_at < now
        or user is None
        or user.deleted_at is not None
        or user.blocked
    ):
        raise Unauthenticated("The reset link is unknown, used or expired.", "login.reset_invalid")
    old_hash, username = user.password_hash, user.username
    unit.release_connection()  # not held while the passwords are checked and hashed
    problems = check_password(
        data["new_password"],
        username,
        lambda candidate: verify_password(settings, old_hash, candidate),
    )
    if problems:
        raise ValidationFailed.from_fields({"new_password": problems}, "The password is refused.")
    new_hash = hash_password(settings, data["new_password"])
    _use_reset_request(unit, request, now)
    user = unit.session.get(User, user.id, populate_existing=True)
    if user.deleted_at is not None or user.blocked:
        raise Unauthenticated("The reset link is unknown, used or expired.", "login.reset_invalid")
    user.password_hash = new_hash
    user.failed_attempts = 0
    user.updated_at = now
    revoke_all_tokens(unit, user)
    audit.record(unit, AuditAction.PASSWORD_RESET, actor_user_id=user.id, target_user_id=user.id,
                 authority_id=user.authority_id, details={"self_service": True})  # fmt: skip
    unit.record_event("password_reset", user.id, user_event(user))


def _use_reset_request(unit: UnitOfWork, request: PasswordResetRequest, now) -> None:
    """Mark the link used by a compare-and-set: of several calls racing with one link, exactly
    one sets a password; the others wait for it, match no row, and are told the link is used."""
    used = unit.session.execute(
        update(PasswordResetRequest)
        .where(PasswordResetRequest.id == request.id, PasswordResetRequest.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        raise Unauthenticated("The reset link is unknown, used or expired.", "login.reset_invalid")
    request.used_at = now
