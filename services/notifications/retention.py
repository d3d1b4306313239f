"""How long the notifications service keeps what it has done: the emails sent (the mail log,
which names each recipient's address) and the webhook deliveries made.

A sent (or given up) email's row and its delivery attempts go ``MAIL_LOG_DAYS`` (90 by default)
after it was queued, an addressed mailing as long after, a webhook delivery made or discarded
``WEBHOOK_LOG_DAYS`` (30) after its event came, and an event's stored body once no delivery
needs it. What is not finished stays whatever its age: an email still being tried, a dead
delivery an operator may re-drive. Nothing doubles when a purged event comes again: the inbox
(KERNEL_RETENTION.INBOX_DAYS, 45 by default) still knows it, or it is older than any replay.

Each replica purges every ``LOG_PURGE_SECONDS`` (600), in batches claimed with ``FOR UPDATE SKIP
LOCKED`` as the kernel's purge does (services/common/retention.py), so replicas never delete
the same rows or wait on each other.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, exists, select

from services.common.db import UnitOfWork
from services.notifications.domain import DeliveryStatus, JobStatus, MailStatus
from services.notifications.models import (
    DeliveryAttempt,
    MailJob,
    MailMessage,
    WebhookDelivery,
    WebhookEvent,
)

BATCH = 1000


def purge(unit: UnitOfWork, mail_log: timedelta, webhook_log: timedelta) -> dict[str, int]:
    """Delete what is past its period now; how many rows of each table went."""
    now = unit.now()
    mail_before, hooks_before = now - mail_log, now - webhook_log
    finished_mail = MailMessage.status.in_([MailStatus.SENT.value, MailStatus.FAILED.value])
    old_mail = select(MailMessage.id).where(finished_mail, MailMessage.created_at < mail_before)
    done = {
        "delivery_attempts": _purge(
            unit, DeliveryAttempt.id, DeliveryAttempt.message_id.in_(old_mail)
        ),
        "mail_messages": _purge(
            unit, MailMessage.id, finished_mail, MailMessage.created_at < mail_before
        ),
        "mail_jobs": _purge(
            unit, MailJob.id, MailJob.status == JobStatus.DONE.value,
            MailJob.created_at < mail_before,
        ),
        "webhook_deliveries": _purge(
            unit, WebhookDelivery.seq,
            WebhookDelivery.status.in_(
                [DeliveryStatus.DELIVERED.value, DeliveryStatus.DISCARDED.value]
            ),
            WebhookDelivery.created_at < hooks_before,
        ),
        "webhook_events": _purge(
            unit, WebhookEvent.event_id, WebhookEvent.created_at < hooks_before,
            ~exists().where(WebhookDelivery.event_id == WebhookEvent.event_id),
        ),
    }  # fmt: skip
    return done


def _purge(unit: UnitOfWork, key, *expired) -> int:
    total = 0
    while True:
        batch = unit.session.scalars(
            select(key).where(*expired).limit(BATCH).with_for_update(skip_locked=True)
        ).all()
        if batch:
            unit.session.execute(
                delete(key.table).where(key.in_(batch)).execution_options(synchronize_session=False)
            )
        unit.commit()
        total += len(batch)
        if len(batch) < BATCH:
            return total
