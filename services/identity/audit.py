"""Writing and reading the audit trail of accounts (DOMAIN.md section 3: every access and
state change is recorded). Entries never hold a secret or the personal data itself."""

from __future__ import annotations

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


def page(
    unit: UnitOfWork, authority_id: str, user_id: str | None, number: int, size: int
) -> tuple[list[AuditEntry], int]:
    query = select(AuditEntry).where(AuditEntry.authority_id == authority_id)
    if user_id:
        query = query.where(AuditEntry.target_user_id == user_id)
    total = unit.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = unit.session.scalars(
        query.order_by(AuditEntry.id.desc()).offset((number - 1) * size).limit(size)
    ).all()
    return list(rows), total or 0
