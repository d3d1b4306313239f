"""The directory's read model of identity's users: who belongs to which authority, who is a
local data administrator, who has logged in. An authority becomes active at its first user's
first login."""

from __future__ import annotations

from datetime import datetime

from services.common.actor import Right
from services.common.db import UnitOfWork
from services.directory.authorities import record_authority_event
from services.directory.models import (
    Authority,
    KnownUser,
)


def remember_user(unit: UnitOfWork, event_type: str, data: dict, happened_at: datetime) -> None:
    """Keep the read model of users: who belongs where, who is an LDA, who has logged in; an
    authority becomes active at its first user's first login. Events may arrive out of order:
    one older than what is known changes neither the user's authority nor their rights, a
    first login counts whenever it arrives, and a deleted user stays deleted."""
    user = unit.session.get(KnownUser, data["user_id"])
    if user is not None and user.deleted_at is not None:
        return
    if user is None:
        user = KnownUser(user_id=data["user_id"], authority_id=data["authority_id"], rights=[],
                         local_data_administrator=False, logged_in=False,
                         updated_at=happened_at)  # fmt: skip
        unit.session.add(user)
    elif user.updated_at > happened_at:
        if event_type == "first_login_completed":
            _first_login(unit, user)
        return
    if event_type == "user_deleted":
        user.deleted_at = user.updated_at = happened_at
        user.rights, user.local_data_administrator = [], False
        return
    rights = sorted({grant.get("right") for grant in data["grants"] if grant.get("right")})
    user.authority_id, user.rights, user.updated_at = data["authority_id"], rights, happened_at
    user.local_data_administrator = Right.LOCAL_DATA_ADMINISTRATOR.value in rights
    if event_type == "first_login_completed":
        _first_login(unit, user)


def _first_login(unit: UnitOfWork, user: KnownUser) -> None:
    user.logged_in = True
    authority = unit.session.get(Authority, user.authority_id)
    if authority is not None and authority.first_active_at is None:
        authority.first_active_at = unit.now()
        record_authority_event(unit, "authority_activated", authority, changed=["active"])
