"""The delivery log as the Commission's administrators read it: each email's state and every
attempt to hand it to the mail server. Never the text: it may have carried a secret."""

from __future__ import annotations

from sqlalchemy import func, select

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.notifications.domain import MailStatus
from services.notifications.models import DeliveryAttempt, MailMessage


def mail_log(unit: UnitOfWork, actor: Actor, query: dict) -> tuple[list[dict], int]:
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    session = unit.session
    criteria = []
    if query.get("status"):
        criteria.append(MailMessage.status == query["status"])
    if query.get("template"):
        criteria.append(MailMessage.template == query["template"])
    if query.get("recipient"):
        criteria.append(func.lower(MailMessage.recipient) == query["recipient"].lower())
    total = session.scalar(select(func.count()).select_from(MailMessage).where(*criteria))
    size = query["page_size"]
    messages = session.scalars(
        select(MailMessage)
        .where(*criteria)
        .order_by(MailMessage.created_at.desc(), MailMessage.id)
        .offset((query["page"] - 1) * size)
        .limit(size)
    ).all()
    attempts = _attempts(session, [message.id for message in messages])
    return [_entry(message, attempts.get(message.id, [])) for message in messages], total


def _attempts(session, ids: list[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    if not ids:
        return found
    rows = session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.message_id.in_(ids))
        .order_by(DeliveryAttempt.message_id, DeliveryAttempt.attempt)
    )
    for row in rows:
        found.setdefault(row.message_id, []).append(
            {"attempt": row.attempt, "at": row.at, "outcome": row.outcome,
             "smtp_code": row.smtp_code, "detail": row.detail}
        )  # fmt: skip
    return found


def _entry(message: MailMessage, log: list[dict]) -> dict:
    waiting = message.status == MailStatus.PENDING.value
    return {
        "id": message.id, "message_id": message.message_id, "template": message.template,
        "language": message.language, "recipient": message.recipient, "status": message.status,
        "attempts": message.attempts, "created_at": message.created_at,
        "sent_at": message.sent_at, "next_attempt_at": message.due_at if waiting else None,
        "last_error": message.last_error, "log": log,
    }  # fmt: skip
