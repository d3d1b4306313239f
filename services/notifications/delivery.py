"""Delivering queued emails to the mail server, with retries, backoff and a delivery log.

A run claims due messages (pending ones, and ones whose sender's lease ran out: a replica
killed mid-send) with ``FOR UPDATE SKIP LOCKED`` and marks them as being sent under a lease,
in a transaction of its own; then it renders and sends them one by one, committing each
answer at once. So a message is never lost: it stays in the database until the server has
accepted it or it is given up after two days, and a mail server down for an hour only
delays it. A message is sent twice only if the sender dies between the server's acceptance
and that commit; the resend carries the same Message-ID, by which mail programs recognise
the copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from services.common.db import UnitOfWork
from services.common.errors import ImiError
from services.notifications.domain import SENDING_LEASE, MailStatus, Outcome, next_try
from services.notifications.mailer import Answer, SmtpSession
from services.notifications.models import DeliveryAttempt, MailMessage
from services.notifications.rendering import MissingTemplate, Texts, email_message, render
from services.notifications.settings import MailSettings

# A message whose texts could not be read (the translation service busy or restarting) is
# written again soon: the delay is not the mail server's.
RENDER_RETRY = timedelta(seconds=5)


@dataclass(frozen=True)
class Post:
    """What a delivery run needs: the settings, the catalogue's texts, the authorities'
    titles, and the mail server."""

    settings: MailSettings
    texts: Texts
    titles: Callable[[str, str], str]
    session: Callable[[MailSettings], SmtpSession] = SmtpSession


def claim_due(unit: UnitOfWork, batch: int, lease: timedelta = SENDING_LEASE) -> list[str]:
    """Take up to ``batch`` due messages for this run and commit the claim."""
    session, now = unit.session, unit.now()
    due = or_(
        and_(MailMessage.status == MailStatus.PENDING.value, MailMessage.due_at <= now),
        and_(MailMessage.status == MailStatus.SENDING.value, MailMessage.lease_until <= now),
    )
    ids = session.scalars(
        select(MailMessage.id)
        .where(due)
        .order_by(MailMessage.due_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    if ids:
        session.execute(
            update(MailMessage)
            .where(MailMessage.id.in_(ids))
            .values(status=MailStatus.SENDING.value, lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    unit.commit()
    return list(ids)


def deliver_due(unit: UnitOfWork, post: Post) -> int:
    """One delivery run; how many messages it took. The messages claimed are read at once,
    and no transaction stays open while the mail server answers: a connection is held only
    to record each answer (on SQLite the process has one, which other runs share)."""
    ids = claim_due(unit, post.settings.batch, post.settings.sending_lease)
    if not ids:
        return 0
    claimed = unit.session.scalars(
        select(MailMessage)
        .where(MailMessage.id.in_(ids), MailMessage.status == MailStatus.SENDING.value)
        .order_by(MailMessage.due_at)
        .execution_options(populate_existing=True)
    ).all()
    unit.commit()
    smtp = post.session(post.settings)
    try:
        for message in claimed:
            _deliver(unit, post, smtp, message)
    finally:
        smtp.close()
    return len(ids)


def _deliver(unit: UnitOfWork, post: Post, smtp: SmtpSession, message: MailMessage) -> None:
    try:
        subject, body = render(
            post.texts, post.settings, template=message.template, language=message.language,
            params={**message.params, **(message.secret or {})}, titles=post.titles,
        )  # fmt: skip
    except MissingTemplate:
        answer = Answer(Outcome.REJECTED, None, f"no template {message.template}")
    except ImiError as exc:  # the catalogue cannot be read now: not the message's fault
        answer = Answer(
            Outcome.DEFERRED, None, f"texts unavailable: {exc}"[:500], retry_after=RENDER_RETRY
        )
    else:
        email = email_message(
            post.settings, recipient=message.recipient, language=message.language,
            subject=subject, body=body, message_id=message.message_id, now=unit.now(),
        )  # fmt: skip
        unit.release_connection()  # the titles' reads: not held while the mail server answers
        answer = smtp.send(email)
    record_answer(unit, message, answer)
    unit.commit()


def record_answer(unit: UnitOfWork, message: MailMessage, answer: Answer) -> None:
    """The message's new state after an attempt, and the attempt in the delivery log."""
    now = unit.now()
    message.attempts += 1
    message.lease_until = None
    outcome = answer.outcome
    if outcome == Outcome.ACCEPTED:
        message.status, message.sent_at, message.secret = MailStatus.SENT.value, now, None
        message.last_error = None
    elif outcome == Outcome.DEFERRED:
        again = next_try(message.created_at, message.attempts, now)
        if again is not None and answer.retry_after is not None:
            again = now + answer.retry_after
        if again is None:
            outcome = Outcome.GIVEN_UP
            message.status, message.secret = MailStatus.FAILED.value, None
        else:
            message.status, message.due_at = MailStatus.PENDING.value, again
        message.last_error = answer.detail
    else:
        message.status, message.secret = MailStatus.FAILED.value, None
        message.last_error = answer.detail
    if message.status == MailStatus.FAILED.value:
        unit.record_event(
            "email_undeliverable", message.id,
            {"message_id": message.id, "template": message.template, "user_id": message.user_id,
             "attempts": message.attempts, "reason": outcome.value},
        )  # fmt: skip
    unit.session.add(
        DeliveryAttempt(
            message_id=message.id,
            attempt=message.attempts,
            at=now,
            outcome=outcome.value,
            smtp_code=answer.smtp_code,
            detail=answer.detail,
        )
    )
