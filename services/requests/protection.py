"""The data protection record of one request (DOMAIN.md section 8): the audit trail of its
personal data (who processed it, when, how, in this procedure), and the mark on its blocked
data that the data subject contests it.

Who: Commission administrators, for any request (they answer data subjects and supervisory
authorities across the network), and the request handlers of the requesting and responding
authorities (the controllers of the data they exchanged), for their own requests. Others get
the same 404 as for a request they may not see, or a 403 when they see it in another role.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound
from services.requests import audit, exchange
from services.requests.audit import Operation
from services.requests.models import PersonalDataAccess, Request
from services.requests.workflow_parties import RESPONDING_HANDLERS, Party, parties_of

HANDLERS = RESPONDING_HANDLERS | {Party.REQUESTING_HANDLER}


def supervised(session: Session, actor: Actor, request_id: str) -> Request:
    """The request, if the actor may read its audit trail and mark it contested."""
    if actor.has_right(Right.COMMISSION_ADMINISTRATOR):
        row = session.get(Request, request_id)
        if row is None:
            raise NotFound("No request with this id.", "request.unknown",
                           {"request_id": request_id})  # fmt: skip
        return row
    loaded = exchange.load(session, actor, request_id)
    if not parties_of(actor, loaded.state) & HANDLERS:
        raise Forbidden(
            "Only Commission administrators and the request handlers of the two authorities "
            "read the audit trail of a request's personal data or mark it contested.",
            "personal_data.not_allowed",
        )
    return loaded.row


def trail(session: Session, request_id: str) -> list[PersonalDataAccess]:
    """Every processing of the request's personal data, oldest first."""
    return list(
        session.scalars(
            select(PersonalDataAccess)
            .where(PersonalDataAccess.request_id == request_id)
            .order_by(PersonalDataAccess.at, PersonalDataAccess.id)
        )
    )


def state(row: Request) -> dict:
    return {
        "request_id": row.id,
        "closed_at": row.closed_at,
        "blocked_at": row.blocked_at,
        "erased_at": row.erased_at,
        "contested_at": row.contested_at,
    }


def contest(unit: UnitOfWork, actor: Actor, request_id: str) -> Request:
    """Mark the blocked personal data as contested by the data subject; marking it again
    changes nothing."""
    session = unit.session
    row = supervised(session, actor, request_id)
    if row.contested_at is not None:
        return row
    if row.erased_at is not None:
        raise Conflict(
            "The personal data of this request was deleted: nothing is left to contest.",
            "personal_data.erased",
            {"request_id": row.id, "erased_at": row.erased_at.isoformat()},
        )
    if row.blocked_at is None:
        raise Conflict(
            "Only blocked personal data is marked as contested; while the request's personal "
            "data is not blocked, its handlers correct it.",
            "personal_data.not_blocked",
            {"request_id": row.id},
        )
    if _marked(unit, actor, row, contested=True):
        unit.record_event("request_personal_data_contested", row.id, _event(row, actor, unit))
    return row


def withdraw_contest(unit: UnitOfWork, actor: Actor, request_id: str) -> Request:
    """Take the mark off; taking it off a request without one changes nothing."""
    row = supervised(unit.session, actor, request_id)
    if row.contested_at is None:
        return row
    if _marked(unit, actor, row, contested=False):
        unit.record_event("request_personal_data_uncontested", row.id, _event(row, actor, unit))
    return row


def _marked(unit: UnitOfWork, actor: Actor, row: Request, contested: bool) -> bool:
    """A compare-and-set on the mark, with its audit row: of two users marking at once, one
    changes it; the other's answer is the request as the first left it."""
    session = unit.session
    now = unit.now()
    condition = Request.contested_at.is_(None) if contested else Request.contested_at.is_not(None)
    changed = session.execute(
        update(Request)
        .where(Request.id == row.id, condition)
        .values(contested_at=now if contested else None)
    ).rowcount
    session.refresh(row)
    if changed:
        operation = Operation.CONTESTED if contested else Operation.UNCONTESTED
        audit.record(session, row, operation, now, actor)
    return bool(changed)


def _event(row: Request, actor: Actor, unit: UnitOfWork) -> dict:
    return {
        "request_id": row.id, "area": row.area, "requesting_authority": row.requester_id,
        "responding_authority": row.responder_id, "actor_authority": actor.authority_id,
        "at": unit.now(),
    }  # fmt: skip
