"""Delivering queued emails to a real SMTP server: rendered in the reader's language, the
secret erased once sent, retried with backoff while the server is down or busy, given up on a
refusal, and never sent twice by two runs at once nor lost by a sender killed mid-send."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select

from services.common.errors import Unavailable
from services.notifications.delivery import RENDER_RETRY, Post, claim_due, deliver_due
from services.notifications.domain import GIVE_UP_AFTER, SENDING_LEASE, MailStatus
from services.notifications.mail_queue import queue_message
from services.notifications.models import DeliveryAttempt, MailMessage
from services.notifications.rendering import Texts


def queue_password(database, address="maria@example.gr", language="el", key="event-1"):
    unit = database.unit_of_work()
    message = queue_message(
        unit, dedupe_key=key, template="email.temporary_password", recipient=address,
        language=language, params={"login_url": {"path": "/"}},
        secret={"temporary_password": "Kx7#pQ2mW9zR4tYe"},
    )  # fmt: skip
    unit.commit()
    ident = message.id
    unit.close()
    return ident


def post(mail_settings, texts) -> Post:
    return Post(settings=mail_settings, texts=texts, titles=lambda ident, language: ident)


def deliver(database, mail_settings, texts) -> int:
    unit = database.unit_of_work()
    try:
        return deliver_due(unit, post(mail_settings, texts))
    finally:
        unit.close()


def stored(database, ident) -> MailMessage:
    unit = database.unit_of_work()
    message = unit.session.get(MailMessage, ident)
    unit.session.expunge_all()
    unit.close()
    return message


def attempts(database, ident) -> list[DeliveryAttempt]:
    unit = database.unit_of_work()
    rows = unit.session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.message_id == ident)
        .order_by(DeliveryAttempt.attempt)
    ).all()
    unit.session.expunge_all()
    unit.close()
    return rows


def test_a_temporary_password_arrives_in_greek_and_leaves_no_copy(
    mail_database, mail_settings, texts, smtp
):
    ident = queue_password(mail_database)

    assert deliver(mail_database, mail_settings, texts) == 1

    [email] = smtp.to("maria@example.gr")
    assert email["Subject"] == texts.text("el", "email.temporary_password.subject")
    assert email["Content-Language"] == "el"
    body = email.get_content()
    assert "Kx7#pQ2mW9zR4tYe" in body
    assert "https://imi.example.eu/" in body
    assert "IMI" in body
    assert "κωδικ" in body
    message = stored(mail_database, ident)
    assert message.status == MailStatus.SENT
    assert message.secret is None
    assert email["Message-ID"] == message.message_id
    assert [row.outcome for row in attempts(mail_database, ident)] == ["accepted"]


def test_the_same_event_queues_one_email(mail_database):
    first = queue_password(mail_database, key="event-7")
    unit = mail_database.unit_of_work()
    again = queue_message(
        unit, dedupe_key="event-7", template="email.temporary_password",
        recipient="maria@example.gr", language="el", params={},
    )  # fmt: skip
    unit.commit()
    count = len(unit.session.scalars(select(MailMessage)).all())
    unit.close()
    assert first is not None
    assert again is None
    assert count == 1


def test_a_mail_server_down_for_an_hour_delays_the_email_and_loses_nothing(
    mail_database, mail_settings, texts, smtp, frozen_clock
):
    ident = queue_password(mail_database)
    smtp.stop()
    for _minute in range(0, 60, 5):
        deliver(mail_database, mail_settings, texts)
        frozen_clock.advance(minutes=5)
    waiting = stored(mail_database, ident)
    assert waiting.status == MailStatus.PENDING
    assert waiting.secret == {"temporary_password": "Kx7#pQ2mW9zR4tYe"}
    tried = attempts(mail_database, ident)
    assert len(tried) >= 3
    assert {row.outcome for row in tried} == {"deferred"}
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(tried)]
    assert gaps == sorted(gaps), "the pauses between attempts grow"

    smtp.start()
    frozen_clock.advance(minutes=15)
    deliver(mail_database, mail_settings, texts)
    deliver(mail_database, mail_settings, texts)

    assert len(smtp.to("maria@example.gr")) == 1
    assert stored(mail_database, ident).status == MailStatus.SENT


def test_a_busy_server_is_tried_again_and_a_refusal_is_given_up(
    mail_database, mail_settings, texts, smtp, frozen_clock
):
    busy = queue_password(mail_database, address="busy@example.eu", key="e-busy")
    smtp.recorder.reply = "451 4.3.2 try again later"
    deliver(mail_database, mail_settings, texts)
    assert stored(mail_database, busy).status == MailStatus.PENDING
    assert attempts(mail_database, busy)[0].smtp_code == 451

    refused = queue_password(mail_database, address="nobody@example.eu", key="e-refused")
    smtp.recorder.reply = "550 5.1.1 no such mailbox"
    frozen_clock.advance(minutes=1)
    deliver(mail_database, mail_settings, texts)

    gone = stored(mail_database, refused)
    assert gone.status == MailStatus.FAILED
    assert gone.secret is None
    assert attempts(mail_database, refused)[-1].smtp_code == 550
    unit = mail_database.unit_of_work()
    events = unit.session.scalars(select(mail_database.outbox_model.event_type)).all()
    unit.close()
    assert events.count("email_undeliverable") == 2  # the busy one was refused this time too
    assert smtp.messages == []


def test_an_email_the_server_defers_for_two_days_is_given_up(
    mail_database, mail_settings, texts, smtp, frozen_clock
):
    ident = queue_password(mail_database)
    smtp.recorder.reply = "421 4.7.0 closing"
    deliver(mail_database, mail_settings, texts)
    frozen_clock.advance(seconds=GIVE_UP_AFTER.total_seconds())
    deliver(mail_database, mail_settings, texts)

    message = stored(mail_database, ident)
    assert message.status == MailStatus.FAILED
    assert message.secret is None
    assert [row.outcome for row in attempts(mail_database, ident)] == ["deferred", "given_up"]


def test_two_runs_at_once_share_the_messages_and_a_killed_run_is_taken_over(
    mail_database, mail_settings, texts, smtp, frozen_clock
):
    idents = [queue_password(mail_database, address=f"p{n}@example.eu", key=f"e{n}")
              for n in range(4)]  # fmt: skip
    killed = mail_database.unit_of_work()
    claimed = claim_due(killed, batch=2)  # this sender dies before it sends anything
    killed.close()

    deliver(mail_database, mail_settings, texts)
    assert sorted(message["To"] for message in smtp.messages) == sorted(
        f"p{n}@example.eu" for n, ident in enumerate(idents) if ident not in claimed
    )

    frozen_clock.advance(seconds=SENDING_LEASE.total_seconds() + 1)
    deliver(mail_database, mail_settings, texts)

    assert sorted(message["To"] for message in smtp.messages) == [
        f"p{n}@example.eu" for n in range(4)
    ]
    assert all(stored(mail_database, ident).status == MailStatus.SENT for ident in idents)


def test_a_message_being_sent_is_not_taken_by_another_run_before_its_lease_ends(
    mail_database, mail_settings, texts, smtp, frozen_clock
):
    queue_password(mail_database)
    sending = mail_database.unit_of_work()
    assert len(claim_due(sending, batch=10)) == 1
    sending.close()
    frozen_clock.advance(seconds=SENDING_LEASE.total_seconds() - timedelta(seconds=1).seconds)

    assert deliver(mail_database, mail_settings, texts) == 0
    assert smtp.messages == []


def test_an_email_whose_texts_cannot_be_read_now_is_written_again_soon(
    mail_database, mail_settings, catalogue, smtp, frozen_clock
):
    ident = queue_password(mail_database)
    down = Texts(lambda language, namespaces: (_ for _ in ()).throw(Unavailable("busy")))
    deliver(mail_database, mail_settings, down)
    waiting = stored(mail_database, ident)
    assert waiting.status == MailStatus.PENDING
    assert waiting.due_at == frozen_clock() + RENDER_RETRY

    frozen_clock.advance(seconds=RENDER_RETRY.total_seconds())
    deliver(mail_database, mail_settings, Texts(catalogue))
    assert len(smtp.to("maria@example.gr")) == 1
