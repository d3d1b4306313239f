"""Reminders of alerts not acknowledged (DOMAIN.md section 5, "Reminders and escalations"): an
authority an alert reached that has not acknowledged it after ``ACKNOWLEDGEMENT_DAYS`` is
reminded once, by email to the people who acknowledge for it (the alert coordinators of a
mailbox, the alert handlers of an authority disseminated to). Any number of replicas may run
the sweep: rows are claimed with ``SKIP LOCKED`` and marked with a compare-and-set."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from services.common.actor import Right
from services.common.db import UnitOfWork
from services.notifications.alert_store import MAILBOX
from services.notifications.alerts import OPEN
from services.notifications.domain import Audience, Mailing
from services.notifications.mail_queue import queue_mailing
from services.notifications.models import Alert, AlertRecipient

ACKNOWLEDGEMENT_DAYS = 2
BATCH = 500


def remind_unacknowledged(unit: UnitOfWork, days: int = ACKNOWLEDGEMENT_DAYS) -> int:
    """Queue the reminders due now; how many."""
    session, now = unit.session, unit.now()
    waiting = (
        AlertRecipient.acknowledged_at.is_(None),
        AlertRecipient.reminded_at.is_(None),
        AlertRecipient.added_at <= now - timedelta(days=days),
    )
    rows = session.execute(
        select(AlertRecipient.alert_id, AlertRecipient.authority_id, AlertRecipient.via,
               AlertRecipient.added_at, Alert.area)
        .join(Alert, Alert.id == AlertRecipient.alert_id)
        .where(*waiting, Alert.status.in_([status.value for status in OPEN]))
        .order_by(AlertRecipient.added_at)
        .limit(BATCH)
        .with_for_update(of=AlertRecipient, skip_locked=True)
    ).all()  # fmt: skip
    reminded = 0
    for row in rows:
        marked = session.execute(
            update(AlertRecipient)
            .where(AlertRecipient.alert_id == row.alert_id,
                   AlertRecipient.authority_id == row.authority_id, *waiting)
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        if marked.rowcount != 1:
            continue
        right = Right.ALERT_AUTHORISER if row.via == MAILBOX else Right.ALERT_HANDLER
        mailing = Mailing(
            "email.alert_acknowledgement_missing",
            Audience((row.authority_id,), right, row.area),
            {"authority_name": {"authority": row.authority_id},
             "sent_date": {"date": row.added_at.isoformat()}, "link": {"alert": row.alert_id}},
        )  # fmt: skip
        queue_mailing(unit, f"ack-reminder:{row.alert_id}:{row.authority_id}", mailing)
        reminded += 1
    return reminded
