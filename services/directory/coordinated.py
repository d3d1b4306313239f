"""The lists coordinators keep an eye on: the authorities they coordinate, optionally only those
without active users, with fewer than two local data administrators, or pending validation."""

from __future__ import annotations

from sqlalchemy import func, select

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.reference import COMMISSION
from services.directory.authorities import forbidden, own_place
from services.directory.authority_views import best_title
from services.directory.domain import (
    Status,
)
from services.directory.models import (
    Authority,
    CoordinatorLink,
    KnownUser,
)


def coordinated_list(
    unit: UnitOfWork, actor: Actor, query: dict
) -> tuple[list[dict], int, list[dict]]:
    """The authorities a coordinator coordinates (validating or linked), optionally only
    those without active users, with fewer than two LDAs, or pending validation: a page of
    them, how many in all, and how many in each member state (a dashboard's chart)."""
    own = own_place(unit, actor)
    commission = actor.member_state == COMMISSION and actor.has_right(
        Right.COMMISSION_ADMINISTRATOR
    )
    if not commission and (own is None or not own.is_coordinator):
        raise forbidden("Only coordinators keep lists of coordinated authorities.",
                        "authority.not_coordinator")  # fmt: skip
    ldas = (
        select(func.count())
        .select_from(KnownUser)
        .where(KnownUser.authority_id == Authority.id, KnownUser.local_data_administrator)
        .scalar_subquery()
    )
    statement = select(Authority, ldas.label("ldas"))
    if not commission:
        linked = select(CoordinatorLink.authority_id).where(
            CoordinatorLink.coordinator_id == own.id
        )
        statement = statement.where(
            (Authority.validating_coordinator_id == own.id) | Authority.id.in_(linked)
        )
    which = query["which"]
    if which == "without_active_users":
        statement = statement.where(Authority.first_active_at.is_(None))
    elif which == "few_administrators":
        statement = statement.where(ldas < 2)
    elif which == "pending_validation":
        statement = statement.where(Authority.status == Status.PENDING_VALIDATION.value)
    listed = statement.subquery()
    per_state = unit.session.execute(
        select(listed.c.member_state, func.count())
        .group_by(listed.c.member_state)
        .order_by(listed.c.member_state)
    ).all()
    counts = [{"member_state": state, "authorities": count} for state, count in per_state]
    total = sum(row["authorities"] for row in counts)
    rows = unit.session.execute(
        statement.order_by(Authority.official_name, Authority.id)
        .limit(query["page_size"])
        .offset((query["page"] - 1) * query["page_size"])
    ).all()
    return [summary(authority, count, actor.language) for authority, count in rows], total, counts


def summary(authority: Authority, ldas: int, language: str) -> dict:
    return {
        "id": authority.id,
        "official_name": authority.official_name,
        "title": best_title(authority, language),
        "member_state": authority.member_state,
        "region": authority.region,
        "status": authority.status,
        "coordinator_kind": authority.coordinator_kind,
        "active": authority.first_active_at is not None,
        "local_data_administrators": ldas,
    }
