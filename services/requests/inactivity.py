"""Requests left open without activity (DOMAIN.md section 8): reported to their coordinators so
that they get closed, rather than keeping the subject's personal data without end.

A request is open from its submission (awaiting approval or sent) until it is closed or
withdrawn; its activity is its last action (``updated_at``). The retention sweep publishes
``request_inactive_reported`` once per request and period: when it has been inactive for the
configured days, and again each time as many days pass without an action. The coordinators
read the list of such requests of the authorities linked to them.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.errors import ValidationFailed
from services.requests.models import CoordinatorLink, Request
from services.requests.retention import SWEEP_BATCH, RetentionSettings
from services.requests.workflow_state import OPEN_STATUSES, Status

WORKFLOW = "information_requests"
# Open and submitted: a draft is not yet a procedure.
SUBMITTED_OPEN = sorted(status.value for status in OPEN_STATUSES - {Status.DRAFT})


def report_due(unit: UnitOfWork, settings: RetentionSettings, batch: int = SWEEP_BATCH) -> int:
    """Publish ``request_inactive_reported`` for the requests due a report; how many rows
    were claimed (a full batch: call again). Rows are claimed with FOR UPDATE SKIP LOCKED and
    marked by a compare-and-set, so that replicas report each request once per period."""
    session = unit.session
    now = unit.now()
    cutoff = now - timedelta(days=settings.inactivity_days)
    reported = Request.inactivity_reported_at
    rows = list(
        session.scalars(
            select(Request)
            .where(
                Request.closed_at.is_(None),
                Request.status.in_(SUBMITTED_OPEN),
                Request.updated_at <= cutoff,
                or_(reported.is_(None), reported < Request.updated_at, reported <= cutoff),
            )
            .order_by(Request.updated_at, Request.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        before = row.inactivity_reported_at
        marked = session.execute(
            update(Request)
            .where(Request.id == row.id,
                   reported.is_(None) if before is None else reported == before)
            .values(inactivity_reported_at=now)
        ).rowcount  # fmt: skip
        if not marked:
            continue
        unit.record_event(
            "request_inactive_reported",
            row.id,
            {"request_id": row.id, "area": row.area, "status": row.status,
             "requesting_authority": row.requester_id,
             "responding_authority": row.responder_id,
             "coordinators": sorted({coordinator for coordinator in (
                 row.requester_coordinator_id, row.responder_coordinator_id) if coordinator}),
             "last_activity_at": row.updated_at,
             "inactive_days": (now - row.updated_at).days},
        )  # fmt: skip
    return len(rows)


def page(
    session: Session, actor: Actor, settings: RetentionSettings, query: dict, now: datetime
) -> dict:
    """The open requests without activity for ``days`` (the configured ones by default) that
    the actor's authority coordinates: as their request coordinator, or as a coordinator
    linked to either authority in the area. Longest inactive first, a page at a time."""
    actor.require(Right.REQUEST_HANDLER)
    own = actor.authority_id
    days = query.get("days") or settings.inactivity_days
    linked = exists().where(
        CoordinatorLink.coordinator_id == own,
        CoordinatorLink.linked.is_(True),
        CoordinatorLink.workflow == WORKFLOW,
        CoordinatorLink.area == Request.area,
        or_(CoordinatorLink.authority_id == Request.requester_id,
            CoordinatorLink.authority_id == Request.responder_id),
    )  # fmt: skip
    statement = select(Request).where(
        Request.closed_at.is_(None),
        Request.status.in_(SUBMITTED_OPEN),
        Request.updated_at <= now - timedelta(days=days),
        or_(Request.requester_coordinator_id == own, Request.responder_coordinator_id == own,
            linked),
    )  # fmt: skip
    areas = _areas(actor)
    if areas is not None:
        statement = statement.where(Request.area.in_(sorted(areas)))
    if query.get("cursor"):
        at, last_id = _decode(query["cursor"])
        statement = statement.where(
            or_(Request.updated_at > at, and_(Request.updated_at == at, Request.id > last_id))
        )
    limit = query["limit"]
    rows = session.scalars(
        statement.order_by(Request.updated_at, Request.id).limit(limit + 1)
    ).all()
    shown = rows[:limit]
    return {
        "days": days,
        "items": [
            {"id": row.id, "area": row.area, "status": row.status,
             "requester_id": row.requester_id, "responder_id": row.responder_id,
             "requester_coordinator_id": row.requester_coordinator_id,
             "responder_coordinator_id": row.responder_coordinator_id,
             "sent_at": row.sent_at, "updated_at": row.updated_at,
             "inactive_days": (now - row.updated_at).days,
             "reported_at": row.inactivity_reported_at}
            for row in shown
        ],
        "next_cursor": _encode(shown[-1]) if len(rows) > limit else None,
    }  # fmt: skip


def _areas(actor: Actor) -> set[str] | None:
    """The areas the actor handles requests in; None for all of them."""
    grants = [grant for grant in actor.grants if grant.right == Right.REQUEST_HANDLER]
    if any(grant.area is None for grant in grants):
        return None
    return {grant.area for grant in grants if grant.area}


def _encode(row: Request) -> str:
    raw = json.dumps([row.updated_at.isoformat(), row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, last_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(at), str(last_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as broken:
        raise ValidationFailed.from_fields({"cursor": ["Not a cursor of this list."]}) from broken
