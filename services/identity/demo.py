"""The demo users in identity's database (docs/demo.md), created by identity's preparation when
demo data is on: each with its fixed username, password and security code, past its first
login, with the rights of its role (services/identity/demo_roster.py says who they are).

They are made by the service's own code: ``accounts.create_user`` (the first user of an
authority gets every right; audit entry; ``user_created``), then what the end of a first login
does (``authentication.take_own_credentials``: the hashed password, the security code's
digests, audit entry, ``first_login_completed``), so the directory learns of them, and of its
authorities becoming active, from the usual events once the services run. No temporary
password is issued: nobody is to receive one.

A user knows its authority through identity's read model of the directory
(``known_authorities``), which the directory's ``authority_registered`` events fill only once
the services start. So that the demo users are whole from the first second, the read model is
given the demo authorities they work at, and their validating coordinators, from the
directory's plan, dated ``PROVISIONAL`` (long ago): ``accounts.remember_authority`` keeps a
row it knows from a later event, and the directory's real event, always later, overwrites the
provisional row with the same facts.

Idempotent: a demo user whose id exists is left as it is (changed, blocked or deleted since),
so a second run changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.common.clock import utcnow
from services.common.db import StandaloneDatabase, UnitOfWork
from services.identity import accounts
from services.identity.authentication import own_credentials, take_own_credentials
from services.identity.demo_roster import DemoAuthority, DemoUser, demo_users, roster_authorities
from services.identity.domain import AuthorityView, check_password, check_security_code
from services.identity.models import Base, User
from services.identity.settings import IdentitySettings, settings_from_config
from services.identity.usernames import reserve_given_username

# Older than any event of the directory: its events about these authorities always win.
PROVISIONAL = datetime(2000, 1, 1, tzinfo=UTC)
VALIDATED = "validated"


def load_demo_users(uri: str, key_dir: str, clock=utcnow) -> list[str]:
    """Create the demo users that are missing, in one transaction; their usernames."""
    settings = settings_from_config({"IDENTITY": {"KEY_DIR": key_dir}})
    database = StandaloneDatabase(Base, "identity", uri, clock)
    unit = database.unit_of_work()
    try:
        created = add_demo_users(unit, settings)
        unit.commit()
        return created
    finally:
        unit.close()
        database.dispose()


def add_demo_users(unit: UnitOfWork, settings: IdentitySettings) -> list[str]:
    for authority in roster_authorities():
        accounts.remember_authority(unit, provisional_authority(authority), PROVISIONAL)
    created = []
    for person in demo_users():
        if unit.session.get(User, person.id) is None:
            created.append(add_demo_user(unit, settings, person).username)
    return created


def provisional_authority(authority: DemoAuthority) -> dict:
    """What the directory's ``authority_registered`` will say of the authority, as far as
    identity's read model keeps it."""
    return {
        "authority_id": authority.id,
        "member_state": authority.member_state,
        "validating_coordinator_id": authority.validating_coordinator_id,
        "status": VALIDATED,
    }


def add_demo_user(unit: UnitOfWork, settings: IdentitySettings, person: DemoUser) -> User:
    problems = check_password(person.password, person.username) + check_security_code(
        person.security_code
    )
    if problems:
        raise ValueError(f"demo user {person.username}: {', '.join(problems)}")
    authority = person.authority
    if not reserve_given_username(unit, person.username, authority.member_state):
        raise ValueError(f"demo user {person.username}: the username is taken")
    user = accounts.create_user(
        unit,
        settings,
        None,
        {
            "full_name": person.full_name,
            "email": person.email,
            "language": person.language,
            "grants": sorted(person.grants, key=lambda grant: (grant.right, grant.area or "")),
        },
        AuthorityView(authority.id, authority.member_state, authority.validating_coordinator_id),
        username=person.username,
        user_id=person.id,
    )
    credentials = own_credentials(settings, user.id, person.password, person.security_code)
    take_own_credentials(unit, user, credentials)
    return user


def demo_users_notice(uri: str, key_dir: str) -> str:
    """One line per demo user, for the operator: username, password, security code, member
    state, authority, role. A user whose credentials are no longer the shipped ones (changed,
    reset, blocked or deleted since) is shown without them."""
    settings = settings_from_config({"IDENTITY": {"KEY_DIR": key_dir}})
    database = StandaloneDatabase(Base, "identity", uri)
    unit = database.unit_of_work()
    try:
        rows = [_line(person, _still_shipped(unit, settings, person)) for person in demo_users()]
    finally:
        unit.close()
        database.dispose()
    header = ("username", "password", "security code", "MS", "authority", "role")
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(5)]
    lines = [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  " + row[5]
        for row in [header, *rows]
    ]  # fmt: skip
    return (
        "\nDemo users (demo data: IMI_DEMO_DATA=0 starts without them; docs/demo.md):\n"
        + "\n".join(line.rstrip() for line in lines)
        + "\n"
    )


def _still_shipped(unit: UnitOfWork, settings: IdentitySettings, person: DemoUser) -> bool:
    user = unit.session.get(User, person.id)
    return (
        user is not None
        and user.deleted_at is None
        and not user.blocked
        and not user.must_change_password
        and settings.hasher.verify_password(user.password_hash, person.password)
    )


def _line(person: DemoUser, shipped: bool) -> tuple[str, ...]:
    secrets = (person.password, person.security_code) if shipped else ("(changed since)", "")
    return (
        person.username,
        *secrets,
        person.authority.member_state,
        person.authority.title,
        person.role,
    )
