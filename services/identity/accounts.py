"""Administering users: create, list, edit, rights, reset, unblock, replace, delete.

Who may do it is the domain's rule (``may_administer_users``): an LDA of the authority, a data
administrator of its validating coordinator, or the Commission for what it validates. The
coordinator relation comes from the directory's events (the ``known_authorities`` read model).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Row, String, bindparam, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from services.common.actor import Actor, Grant, Right
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.reads import PreparedRead
from services.identity import audit
from services.identity.authentication import (
    grants_of,
    hash_password,
    revoke_all_tokens,
    user_event,
)
from services.identity.domain import (
    ALL_AUTHORITY_RIGHTS,
    ActorView,
    AuditAction,
    AuthorityView,
    generate_temporary_password,
    may_administer_users,
    may_read_audit,
    may_view_user,
    validate_grants,
)
from services.identity.models import ALL_AREAS, KnownAuthority, User, UserGrant
from services.identity.settings import IdentitySettings
from services.identity.usernames import new_username, take_username

log = logging.getLogger(__name__)

NO_PASSWORD = "!"  # noqa: S105 (a hash no password can match)
NEVER_REVOKED = datetime(1970, 1, 1, tzinfo=UTC)
SELF_EDITABLE = frozenset({"full_name", "phone", "language"})
VALIDATED = "validated"  # the directory's status of an authority that may work


def actor_view(actor: Actor) -> ActorView:
    return ActorView(actor.user_id, actor.authority_id, actor.member_state, actor.rights)


def authority_view(unit: UnitOfWork, actor: Actor, authority_id: str) -> AuthorityView:
    """What is known of an authority: the read model, or the actor's own authority."""
    known = unit.session.get(KnownAuthority, authority_id)
    if known is not None:
        return AuthorityView(
            known.authority_id, known.member_state, known.validating_coordinator_id
        )
    if authority_id == actor.authority_id:
        return AuthorityView(authority_id, actor.member_state, None)
    raise NotFound("No authority is known by this id.", "authority.unknown")


def require_administrator(actor: Actor, authority: AuthorityView) -> None:
    if not may_administer_users(actor_view(actor), authority):
        raise Forbidden(
            "Only the authority's local data administrators, or the data administrators of "
            "its validating coordinator, may manage its users.",
            "user.not_administrator",
        )


def visible_user(unit: UnitOfWork, actor: Actor, user_id: str) -> tuple[User, AuthorityView]:
    if not isinstance(user_id, str) or not 1 <= len(user_id) <= 64:
        # session.get would take a dict or a list as a composite key and fail with a 500
        raise ValidationFailed.from_fields({"user_id": ["Not a valid user id."]})
    user = unit.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("No user is known by this id.", "user.unknown")
    authority = _authority_of(unit, user)
    if not may_view_user(actor_view(actor), authority, user.id):
        raise Forbidden(
            "This user belongs to an authority you do not administer.", "user.not_administrator"
        )
    return user, authority


def account_view(user: User | Row, grants: list[Grant]) -> dict:
    """A user as UserSchema dumps it, from an ORM object or a row (status is computed)."""
    return {
        "id": user.id,
        "username": user.username,
        "authority_id": user.authority_id,
        "member_state": user.member_state,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "language": user.language,
        "grants": grants,
        "status": user_status(user),
        "last_login_at": user.last_login_at,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "version": user.version,
    }


_users, _grants = User.__table__.c, UserGrant.__table__.c
RIGHT_SEPARATOR = " "  # rights have no spaces, and areas neither spaces nor control codes
GRANT_SEPARATOR = "\x1e"  # the ASCII record separator, written by grant_list below


class grant_list(FunctionElement):  # noqa: N801 (an SQL function, named as in SQL)
    """A string aggregate joined by GRANT_SEPARATOR, written as plain SQL: ``aggregate_strings``
    passes its separator as a literal expanded on every execution, which cost as much as the
    rest of the query."""

    type = String()
    inherit_cache = True


@compiles(grant_list, "sqlite")
def _grant_list_sqlite(element, compiler, **kw) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, char(30))"


@compiles(grant_list, "postgresql")
def _grant_list_postgresql(element, compiler, **kw) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, chr(30))"


_GRANT_LIST = (
    select(grant_list(_grants.right + literal_column("' '") + _grants.area))
    .where(_grants.user_id == _users.id)
    .scalar_subquery()
)
OWN_ACCOUNT = PreparedRead(select(
    _users.id, _users.username, _users.authority_id, _users.member_state, _users.full_name,
    _users.email, _users.phone, _users.language, _users.last_login_at, _users.created_at,
    _users.updated_at, _users.version, _users.blocked, _users.must_change_password,
    _GRANT_LIST.label("grants"),
).where(_users.id == bindparam("user_id"), _users.deleted_at.is_(None)))  # fmt: skip


def own_account(unit: UnitOfWork, actor: Actor) -> dict:
    """The caller's own account: the path every screen of the UI starts with. One prepared
    query returning one row, its grants folded into one string, run on the database driver:
    ORM objects, one row per grant (each converting the same dates again) and SQLAlchemy's
    execution were most of the service's time on it (docs/performance.md)."""
    rows = unit.read(OWN_ACCOUNT, {"user_id": actor.user_id})
    if not rows:
        raise NotFound("No user is known by this id.", "user.unknown")
    row = rows[0]
    grants = []
    for item in row.grants.split(GRANT_SEPARATOR) if row.grants else ():
        right, _, area = item.partition(RIGHT_SEPARATOR)
        grants.append(Grant(Right(right), None if area == ALL_AREAS else area))
    return account_view(row, sorted(grants, key=lambda g: (g.right, g.area or "")))


def viewed_user(unit: UnitOfWork, actor: Actor, user_id: str) -> User:
    """A user's record as someone else reads it: that access is audited (DOMAIN.md 3)."""
    user, _ = visible_user(unit, actor, user_id)
    if user.id != actor.user_id:
        audit.record(unit, AuditAction.PERSONAL_DATA_VIEWED, actor_user_id=actor.user_id,
                     target_user_id=user.id, authority_id=user.authority_id)  # fmt: skip
    return user


def administered_user(unit: UnitOfWork, actor: Actor, user_id: str) -> User:
    user, authority = visible_user(unit, actor, user_id)
    require_administrator(actor, authority)
    return user


def _authority_of(unit: UnitOfWork, user: User) -> AuthorityView:
    known = unit.session.get(KnownAuthority, user.authority_id)
    return AuthorityView(
        user.authority_id,
        user.member_state,
        known.validating_coordinator_id if known else None,
    )


def _set_grants(user: User, grants: list[Grant]) -> None:
    """Rows of grants the user keeps stay: the flush inserts new rows before it deletes the
    orphans, so a kept grant deleted and inserted again would break the unique key."""
    existing = {(row.right, row.area): row for row in user.grants}
    user.grants = [
        existing.get((grant.right.value, grant.area or ALL_AREAS))
        or UserGrant(right=grant.right.value, area=grant.area or ALL_AREAS)
        for grant in grants
    ]


def _checked_grants(grants: list[Grant], member_state: str) -> list[Grant]:
    problems = validate_grants(grants, member_state)
    if problems:
        raise ValidationFailed.from_fields({"grants": problems}, "Some rights cannot be given.")
    return grants


@dataclass(frozen=True)
class TemporaryPassword:
    """A generated temporary password and its hash, made before the transaction that gives
    it: the hashing takes a thread for tens of milliseconds, and no connection is held
    meanwhile (SQLite has one per process)."""

    password: str
    password_hash: str


def new_temporary_password(unit: UnitOfWork, settings: IdentitySettings) -> TemporaryPassword:
    unit.release_connection()
    password = generate_temporary_password(settings.rng)
    return TemporaryPassword(password, hash_password(settings, password))


def issue_temporary_password(
    unit: UnitOfWork, user: User, reason: str, temporary: TemporaryPassword
) -> None:
    """A new temporary password, sent only to the notifications service, never with the
    username (the administrator passes the username on outside the system)."""
    user.password_hash = temporary.password_hash
    user.must_change_password = True
    user.security_digests = None
    user.failed_attempts = 0
    user.blocked = False
    unit.record_event(
        "temporary_password_issued",
        user.id,
        {
            "user_id": user.id,
            "email": user.email,
            "language": user.language,
            "temporary_password": temporary.password,
            "reason": reason,
        },
        sensitive=True,
    )


def create_user(
    unit: UnitOfWork,
    settings: IdentitySettings,
    actor: Actor | None,
    data: dict,
    authority: AuthorityView,
    extra_grants: frozenset[Right] = frozenset(),
    username: str | None = None,
    temporary: TemporaryPassword | None = None,
    user_id: str | None = None,
) -> User:
    """A new user with a generated (or reserved) username; the authority's first user gets
    every right. Of two first users created at once, the database keeps one
    (``uq_users_first_user_of``) and the other call is a 409 ``user.first_user_exists``: the
    administrator chooses then the rights of a later user, or sees the person has an account.

    ``actor`` is None for the bootstrap of the first Commission administrator and for a first
    user asked for by the directory. Without a ``temporary`` password the account waits, with
    no password, until its authority is validated (``release_waiting_first_users``). ``user_id``
    is given only by the demo data (services/identity/demo.py), whose ids are fixed.
    """
    now = unit.now()
    existing = unit.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.authority_id == authority.authority_id, User.deleted_at.is_(None))
    )
    if existing:
        grants = _checked_grants(data.get("grants", []), authority.member_state)
    else:
        grants = [Grant(right) for right in sorted(ALL_AUTHORITY_RIGHTS | extra_grants)]
    user_id = user_id or str(uuid.uuid4())
    user = User(
        id=user_id,
        username=take_username(unit, settings, username, authority.member_state, user_id),
        authority_id=authority.authority_id,
        first_user_of=None if existing else authority.authority_id,
        member_state=authority.member_state,
        full_name=data["full_name"],
        email=data["email"],
        phone=data.get("phone"),
        language=data["language"],
        password_hash=NO_PASSWORD,
        tokens_valid_after=NEVER_REVOKED,
        created_at=now,
        updated_at=now,
        updated_by=actor.user_id if actor else None,
        version=1,
    )
    _set_grants(user, grants)
    unit.session.add(user)
    if temporary is not None:
        issue_temporary_password(unit, user, "account_created", temporary)
    audit.record(
        unit,
        AuditAction.USER_CREATED,
        actor_user_id=actor.user_id if actor else None,
        target_user_id=user.id,
        authority_id=user.authority_id,
        details={"first_user": not existing, "rights": _rights_text(grants)},
    )
    unit.record_event("user_created", user.id, user_event(user))
    return user


def list_users(
    unit: UnitOfWork, actor: Actor, authority_id: str, number: int, size: int
) -> tuple[list[User], int]:
    require_administrator(actor, authority_view(unit, actor, authority_id))
    query = select(User).where(User.authority_id == authority_id, User.deleted_at.is_(None))
    total = unit.session.scalar(select(func.count()).select_from(query.subquery()))
    users = unit.session.scalars(
        query.order_by(User.username).offset((number - 1) * size).limit(size)
    ).all()
    audit.record(unit, AuditAction.PERSONAL_DATA_VIEWED, actor_user_id=actor.user_id,
                 authority_id=authority_id,
                 details={"user_ids": [user.id for user in users]})  # fmt: skip
    return list(users), total or 0


def colleagues(unit: UnitOfWork, actor: Actor, right: str, area: str | None) -> list[User]:
    """The users of the actor's own authority who hold ``right`` (in ``area``): the names an
    allocator chooses from (DOMAIN.md 4, allocation). Only allocators read them, and the read
    is audited as a view of personal data."""
    actor.require(Right.ALLOCATOR, area)
    holds = select(UserGrant.user_id).where(UserGrant.right == right)
    if area is not None:
        holds = holds.where(UserGrant.area.in_([ALL_AREAS, area]))
    users = unit.session.scalars(
        select(User)
        .where(
            User.authority_id == actor.authority_id,
            User.deleted_at.is_(None),
            User.id.in_(holds),
        )
        .order_by(User.full_name, User.id)
    ).all()
    audit.record(unit, AuditAction.PERSONAL_DATA_VIEWED, actor_user_id=actor.user_id,
                 authority_id=actor.authority_id,
                 details={"user_ids": [user.id for user in users]})  # fmt: skip
    return list(users)


def update_user(unit: UnitOfWork, actor: Actor, user_id: str, data: dict) -> User:
    user, authority = visible_user(unit, actor, user_id)
    changes = {key: value for key, value in data.items() if key != "version"}
    if not may_administer_users(actor_view(actor), authority) and not (
        actor.user_id == user.id and set(changes) <= SELF_EDITABLE
    ):
        raise Forbidden("Only an administrator may change these fields.", "user.not_administrator")
    user.require_version(data["version"])
    for key, value in changes.items():
        setattr(user, key, value)
    user.touch(actor.user_id, unit.now())
    audit.record(
        unit,
        AuditAction.USER_UPDATED,
        actor_user_id=actor.user_id,
        target_user_id=user.id,
        authority_id=user.authority_id,
        details={"fields": sorted(changes)},
    )
    unit.record_event("user_updated", user.id, user_event(user))
    return user


def set_rights(unit: UnitOfWork, actor: Actor, user_id: str, data: dict) -> User:
    user = administered_user(unit, actor, user_id)
    if user.id == actor.user_id:
        # nobody grants themself rights, nor takes away the last administrator's by mistake
        raise Conflict("You cannot change your own rights.", "user.cannot_change_own_rights")
    user.require_version(data["version"])
    before = _rights_text(grants_of(user))
    grants = _checked_grants(data["grants"], user.member_state)
    _set_grants(user, grants)
    user.touch(actor.user_id, unit.now())
    audit.record(
        unit,
        AuditAction.RIGHTS_CHANGED,
        actor_user_id=actor.user_id,
        target_user_id=user.id,
        authority_id=user.authority_id,
        details={"before": before, "after": _rights_text(grants)},
    )
    unit.record_event("user_rights_changed", user.id, user_event(user))
    revoke_all_tokens(unit, user, end_sessions=False)
    return user


def reset_password(
    unit: UnitOfWork, actor: Actor, user_id: str, temporary: TemporaryPassword
) -> User:
    user = administered_user(unit, actor, user_id)
    if user.id == actor.user_id:
        # it would end the session asking for it; the self-service reset is for oneself
        raise Conflict("You cannot reset your own password.", "user.cannot_reset_own_password")
    issue_temporary_password(unit, user, "password_reset", temporary)
    user.touch(actor.user_id, unit.now())
    revoke_all_tokens(unit, user)
    audit.record(
        unit,
        AuditAction.PASSWORD_RESET,
        actor_user_id=actor.user_id,
        target_user_id=user.id,
        authority_id=user.authority_id,
    )
    unit.record_event("password_reset", user.id, user_event(user))
    return user


def unblock_user(unit: UnitOfWork, actor: Actor, user_id: str) -> User:
    user = administered_user(unit, actor, user_id)
    user.blocked = False
    user.failed_attempts = 0
    user.touch(actor.user_id, unit.now())
    audit.record(
        unit,
        AuditAction.ACCOUNT_UNBLOCKED,
        actor_user_id=actor.user_id,
        target_user_id=user.id,
        authority_id=user.authority_id,
    )
    unit.record_event("user_unblocked", user.id, user_event(user))
    return user


def replace_user(
    unit: UnitOfWork,
    settings: IdentitySettings,
    actor: Actor,
    user_id: str,
    data: dict,
    temporary: TemporaryPassword,
) -> User:
    """A newcomer takes over the account of someone who left: new username, new details,
    new temporary password; rights stay."""
    user = administered_user(unit, actor, user_id)
    if user.id == actor.user_id:
        raise Conflict("You cannot hand your own account over.", "user.cannot_replace_self")
    user.require_version(data["version"])
    previous_username = user.username
    user.username = new_username(unit, settings, user.member_state, user.id)
    user.full_name = data["full_name"]
    user.email = data["email"]
    user.phone = data.get("phone")
    user.language = data["language"]
    issue_temporary_password(unit, user, "replaced", temporary)
    user.touch(actor.user_id, unit.now())
    revoke_all_tokens(unit, user)
    audit.record(
        unit,
        AuditAction.USER_REPLACED,
        actor_user_id=actor.user_id,
        target_user_id=user.id,
        authority_id=user.authority_id,
        details={"previous_username": previous_username},
    )
    unit.record_event("user_replaced", user.id, user_event(user))
    return user


def delete_user(unit: UnitOfWork, actor: Actor, user_id: str) -> None:
    """Remove the person's data; the row (and its username) stays for the audit trail."""
    user = administered_user(unit, actor, user_id)
    if user.id == actor.user_id:
        raise Conflict("You cannot delete your own account.", "user.cannot_delete_self")
    now = unit.now()
    user.deleted_at = now
    user.first_user_of = None  # the next user of an authority left with none is its first
    user.full_name = ""
    user.email = ""
    user.phone = None
    user.password_hash = NO_PASSWORD
    user.security_digests = None
    user.grants = []
    user.touch(actor.user_id, now)
    revoke_all_tokens(unit, user)
    audit.record(
        unit,
        AuditAction.USER_DELETED,
        actor_user_id=actor.user_id,
        target_user_id=user.id,
        authority_id=user.authority_id,
    )
    unit.record_event("user_deleted", user.id, user_event(user))


def audit_page(unit: UnitOfWork, actor: Actor, query: dict) -> tuple[list, int]:
    authority_id = query.get("authority_id", actor.authority_id)
    authority = authority_view(unit, actor, authority_id)
    if not may_read_audit(actor_view(actor), authority):
        raise Forbidden(
            "Only the authority's administrators may read its audit trail.",
            "audit.not_administrator",
        )
    return audit.page(unit, authority_id, query)


def remember_authority(unit: UnitOfWork, data: dict, changed_at: datetime) -> KnownAuthority:
    """Upsert the read model from a directory event; an event older than what is known (they
    may arrive out of order) changes nothing."""
    known = unit.session.get(KnownAuthority, data["authority_id"])
    if known is None:
        known = KnownAuthority(authority_id=data["authority_id"])
        unit.session.add(known)
    elif known.updated_at > changed_at:
        return known
    known.member_state = data["member_state"]
    known.validating_coordinator_id = data.get("validating_coordinator_id")
    known.status = data.get("status")
    known.updated_at = changed_at
    return known


def first_user_requested(
    unit: UnitOfWork, settings: IdentitySettings, data: dict, requested_at: datetime
) -> User | None:
    """The first user of an authority the directory registered, with every right. Its
    temporary password goes out now, or once the authority is validated (self-registration);
    an authority that has users already gets none (a replayed request creates nothing)."""
    known = unit.session.get(KnownAuthority, data["authority_id"])
    existing = unit.session.scalar(
        select(User.id).where(User.authority_id == data["authority_id"]).limit(1)
    )
    password_now = existing is None and (
        data["password_now"] or (known is not None and known.status == VALIDATED)
    )
    temporary = new_temporary_password(unit, settings) if password_now else None
    if known is None:
        # the authority's own event may come later; with the same time it will still apply
        unit.session.add(
            KnownAuthority(
                authority_id=data["authority_id"],
                member_state=data["member_state"],
                updated_at=requested_at,
            )
        )
    if existing is not None:
        log.warning("a first user was asked for an authority that has users; none is created")
        return None
    authority = AuthorityView(data["authority_id"], data["member_state"], None)
    return create_user(unit, settings, None, data, authority, username=data.get("username"),
                       temporary=temporary)  # fmt: skip


def passwords_for_waiting_first_users(
    unit: UnitOfWork, settings: IdentitySettings, data: dict
) -> dict[str, TemporaryPassword]:
    """Read before the directory's event is written down: a temporary password for each first
    user waiting for the validation the event tells of, hashed with no connection held."""
    if data.get("status") != VALIDATED:
        return {}
    waiting = unit.session.scalars(
        select(User.id).where(
            User.authority_id == data["authority_id"],
            User.password_hash == NO_PASSWORD,
            User.deleted_at.is_(None),
        )
    ).all()
    return {user_id: new_temporary_password(unit, settings) for user_id in waiting}


def release_waiting_first_users(
    unit: UnitOfWork,
    settings: IdentitySettings,
    known: KnownAuthority,
    passwords: dict[str, TemporaryPassword],
) -> None:
    """Once the directory says the authority is validated, its first user, who has no
    password yet, gets the temporary password made for it (``passwords``)."""
    if known.status != VALIDATED:
        return
    waiting = unit.session.scalars(
        select(User).where(
            User.authority_id == known.authority_id,
            User.password_hash == NO_PASSWORD,
            User.deleted_at.is_(None),
        )
    )
    for user in waiting:
        temporary = passwords.get(user.id) or new_temporary_password(unit, settings)
        issue_temporary_password(unit, user, "account_created", temporary)


def user_status(user: User | Row) -> str:
    if user.blocked:
        return "blocked"
    return "pending_first_login" if user.must_change_password else "active"


def _rights_text(grants: list[Grant]) -> list[str]:
    return sorted(f"{g.right.value}@{g.area or ALL_AREAS}" for g in grants)
