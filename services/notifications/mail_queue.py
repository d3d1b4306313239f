"""Emails queued for sending: one to a known address at once, or a job for an audience that
is looked up later (services.notifications.addressing). Each carries a dedupe key made of
the event it comes from, so that an event handled twice queues nothing twice."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select

from services.common.db import UnitOfWork
from services.notifications.domain import JobStatus, Mailing, MailStatus
from services.notifications.models import MailJob, MailMessage

MESSAGE_ID_DOMAIN = "imi.notifications"


def queue_message(
    unit: UnitOfWork,
    *,
    dedupe_key: str,
    template: str,
    recipient: str,
    language: str,
    params: dict,
    secret: dict | None = None,
    user_id: str | None = None,
) -> MailMessage | None:
    """Queue one email, unless one with the same key is queued already (None then)."""
    if queued_keys(unit, [dedupe_key]):
        return None
    return add_message(
        unit, dedupe_key=dedupe_key, template=template, recipient=recipient, language=language,
        params=params, secret=secret, user_id=user_id,
    )  # fmt: skip


def queued_keys(unit: UnitOfWork, keys: list[str]) -> set[str]:
    """Those of ``keys`` that queued messages carry: one query for a whole run's keys."""
    if not keys:
        return set()
    found = unit.session.scalars(select(MailMessage.dedupe_key).where(
        MailMessage.dedupe_key.in_(keys)))  # fmt: skip
    return set(found)


def add_message(
    unit: UnitOfWork,
    *,
    dedupe_key: str,
    template: str,
    recipient: str,
    language: str,
    params: dict,
    secret: dict | None = None,
    user_id: str | None = None,
) -> MailMessage:
    """Queue one email whose key was found new (``queued_keys``)."""
    ident, now = str(uuid.uuid4()), unit.now()
    message = MailMessage(
        id=ident, dedupe_key=dedupe_key, message_id=f"<{ident}@{MESSAGE_ID_DOMAIN}>",
        template=template, language=language, recipient=recipient, user_id=user_id,
        params=params, secret=secret, status=MailStatus.PENDING.value, attempts=0,
        due_at=now, created_at=now,
    )  # fmt: skip
    unit.session.add(message)
    return message


def queue_mailing(unit: UnitOfWork, dedupe_key: str, mailing: Mailing) -> MailJob | None:
    """Queue an email for an audience, to be addressed by the next addressing run."""
    session = unit.session
    if session.scalar(select(MailJob.id).where(MailJob.dedupe_key == dedupe_key)):
        return None
    now = unit.now()
    job = MailJob(
        id=str(uuid.uuid4()), dedupe_key=dedupe_key, template=mailing.template,
        audience=mailing.audience.as_dict(), params=mailing.params,
        status=JobStatus.PENDING.value, attempts=0, due_at=now, created_at=now,
    )  # fmt: skip
    session.add(job)
    return job


def queue_mailings(unit: UnitOfWork, mailings: list[tuple[str, Mailing]]) -> int:
    """Queue emails for audiences, each with its dedupe key, but none whose key is queued
    already; how many were queued. Two statements whatever their number."""
    keys = [key for key, _mailing in mailings]
    seen = set(unit.session.scalars(select(MailJob.dedupe_key).where(MailJob.dedupe_key.in_(keys))))
    now, rows = unit.now(), []
    for key, mailing in mailings:
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {"id": str(uuid.uuid4()), "dedupe_key": key, "template": mailing.template,
             "audience": mailing.audience.as_dict(), "params": mailing.params,
             "status": JobStatus.PENDING.value, "attempts": 0, "due_at": now, "created_at": now}
        )  # fmt: skip
    if rows:
        unit.session.execute(insert(MailJob), rows)
    return len(rows)
