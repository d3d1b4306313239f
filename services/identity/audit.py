"""Writing and reading the audit trail of accounts (DOMAIN.md section 3: every access and
state change is recorded). Entries never hold a secret or the personal data itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from services.common.db import UnitOfWork
from services.identity.domain import AuditAction
from services.identity.models import AuditEntry


def record(
    unit: UnitOfWork,
    action: AuditAction,
    *,
    actor_user_id: str | None = None,
    target_user_id: str | None = None,
    authority_id: str | None = None,
    details: dict | None = None,
) -> None:
    unit.session.add(
        AuditEntry(
            at=unit.now(),
            action=action.value,
            actor_user_id=actor_user_id,
            target_user_id=target_user_id,
            authority_id=authority_id,
            details=details or {},
            call_id=unit.call_id,
        )
    )


def page(unit: UnitOfWork, authority_id: str, query: dict) -> tuple[list[AuditEntry], int]:
    """One page of an authority's entries, newest first, narrowed by ``query``'s user, period
    (days in UTC, both included: read from the index on authority and time) and kinds."""
    statement = select(AuditEntry).where(
        AuditEntry.authority_id == authority_id, *_conditions(query)
    )
    total = unit.session.scalar(select(func.count()).select_from(statement.subquery()))
    number, size = query["page"], query["page_size"]
    rows = unit.session.scalars(
        statement.order_by(AuditEntry.id.desc()).offset((number - 1) * size).limit(size)
    ).all()
    return list(rows), total or 0


def _conditions(query: dict) -> list:
    conditions = []
    if query.get("user_id"):
        conditions.append(AuditEntry.target_user_id == query["user_id"])
    if query.get("since"):
        conditions.append(AuditEntry.at >= _midnight(query["since"]))
    if query.get("until") and query["until"] < date.max:
        conditions.append(AuditEntry.at < _midnight(query["until"] + timedelta(days=1)))
    if query.get("kind"):
        conditions.append(AuditEntry.action.in_(query["kind"]))
    return conditions


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
