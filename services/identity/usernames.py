"""Usernames: generated, reserved for a first user whose account comes later, taken by one.

Every username given is a row of ``taken_usernames`` (the name is its key), whether an account
or a reservation has it, inserted with ``ON CONFLICT DO NOTHING``. Of two workers that drew the
same name at once, the database lets one insert it and tells the other, once the first has
committed, that nothing was inserted; that one draws another name. So no check in Python
decides, and the clash aborts no transaction. A reservation is taken over by a compare-and-set
on its row: one account at most gets it.
"""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from services.common.db import UnitOfWork
from services.common.errors import Conflict
from services.identity.domain import generate_username
from services.identity.models import TakenUsername
from services.identity.settings import IdentitySettings

log = logging.getLogger(__name__)

USERNAME_ATTEMPTS = 20
_taken = TakenUsername.__table__


def _claimed(unit: UnitOfWork, username: str, member_state: str, user_id: str | None) -> bool:
    """Whether ``username`` was free and is now this account's (or reserved, ``user_id``
    None); on PostgreSQL a name another open transaction inserted waits for its outcome."""
    dialect = unit.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(_taken)
        .values(username=username, member_state=member_state, taken_at=unit.now(),
                user_id=user_id)
        .on_conflict_do_nothing(index_elements=["username"])
    )  # fmt: skip
    return unit.session.execute(statement).rowcount == 1


def new_username(
    unit: UnitOfWork, settings: IdentitySettings, member_state: str, user_id: str | None
) -> str:
    """A generated username no one has had, now given to ``user_id`` (None: reserved)."""
    for _ in range(USERNAME_ATTEMPTS):
        candidate = generate_username(member_state, settings.rng)
        if _claimed(unit, candidate, member_state, user_id):
            return candidate
    raise Conflict("No free username could be generated.", "user.username_exhausted")


def reserve_username(unit: UnitOfWork, settings: IdentitySettings, member_state: str) -> str:
    """A username for a first user the directory will ask for later (self-registration shows
    it at once); the caller's idempotency key makes a retry get the same one."""
    return new_username(unit, settings, member_state, None)


def reserve_given_username(unit: UnitOfWork, username: str, member_state: str) -> bool:
    """Reserve a username chosen rather than generated (the demo users' fixed names, which have
    a hyphen no generated name has): whether it was free and is now reserved."""
    return _claimed(unit, username, member_state, None)


def take_username(
    unit: UnitOfWork,
    settings: IdentitySettings,
    wanted: str | None,
    member_state: str,
    user_id: str,
) -> str:
    """The reserved username when it is still only reserved, else a new one (a reservation is
    only ever used by the account it was made for)."""
    if wanted:
        taken_over = unit.session.execute(
            update(_taken)
            .where(_taken.c.username == wanted, _taken.c.user_id.is_(None))
            .values(user_id=user_id)
        )
        if taken_over.rowcount == 1:
            return wanted
        log.warning("the reserved username of a first user was not found; a new one is made")
    return new_username(unit, settings, member_state, user_id)
