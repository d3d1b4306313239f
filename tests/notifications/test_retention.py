"""The mail log and the webhook deliveries made are kept for their periods, then purged; what
is unfinished (an email still tried, a dead delivery) stays whatever its age. On both engines:
the purge claims its rows with FOR UPDATE SKIP LOCKED on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.common.db import StandaloneDatabase
from services.notifications import retention
from services.notifications.domain import DeliveryStatus
from services.notifications.models import (
    Base,
    DeliveryAttempt,
    MailMessage,
    WebhookDelivery,
    WebhookEvent,
)
from tests.databases import prepare
from tests.notifications.test_delivery import deliver, queue_password, stored
from tests.notifications.test_webhooks import in_unit, publish, request_event, run, subscribe

MAIL_LOG, WEBHOOK_LOG = timedelta(days=90), timedelta(days=30)


@pytest.fixture(params=["sqlite", "postgresql"])
def mail_database(request, service_database, frozen_clock):
    if request.param == "sqlite":
        uri = service_database("notifications")
    else:
        uri = request.getfixturevalue("pg_uri")
        prepare("notifications", uri)
    database = StandaloneDatabase(Base, "notifications", uri, frozen_clock)
    yield database
    database.dispose()


def purge(database) -> dict[str, int]:
    return in_unit(database, lambda unit: retention.purge(unit, MAIL_LOG, WEBHOOK_LOG))


def count(database, column) -> int:
    return in_unit(database, lambda unit: unit.session.scalar(select(func.count(column))))


def test_a_sent_email_and_its_attempts_go_after_90_days_and_an_unsent_one_stays(
    mail_database, mail_settings, texts, smtp, frozen_clock
):
    sent = queue_password(mail_database, key="event-sent")
    deliver(mail_database, mail_settings, texts)
    smtp.stop()
    waiting = queue_password(mail_database, address="eleni@example.gr", key="event-waiting")
    deliver(mail_database, mail_settings, texts)

    frozen_clock.advance(days=89)
    assert purge(mail_database)["mail_messages"] == 0
    frozen_clock.advance(days=2)
    purged = purge(mail_database)

    assert (purged["mail_messages"], purged["delivery_attempts"]) == (1, 1)
    assert stored(mail_database, sent) is None
    assert stored(mail_database, waiting).status == "pending"
    assert count(mail_database, DeliveryAttempt.id) == 1  # the waiting email's deferral
    assert count(mail_database, MailMessage.id) == 1


def test_deliveries_made_go_after_30_days_with_their_event_and_a_dead_one_stays(
    mail_database, receiver, poster, frozen_clock
):
    subscribe(mail_database, receiver)
    publish(mail_database, request_event("request_sent", "request-1", frozen_clock()))
    run(mail_database, poster)
    receiver.refusing.add("request-2")
    publish(mail_database, request_event("request_sent", "request-2", frozen_clock()))
    in_unit(mail_database, lambda unit: unit.session.execute(
        WebhookDelivery.__table__.update()
        .where(WebhookDelivery.subject.endswith("request-2"))
        .values(status=DeliveryStatus.DEAD.value)))  # fmt: skip

    frozen_clock.advance(days=29)
    assert purge(mail_database)["webhook_deliveries"] == 0
    frozen_clock.advance(days=2)
    purged = purge(mail_database)

    assert (purged["webhook_deliveries"], purged["webhook_events"]) == (1, 1)
    assert in_unit(mail_database, lambda unit: unit.session.scalars(
        select(WebhookDelivery.status)).all()) == ["dead"]  # fmt: skip
    assert count(mail_database, WebhookEvent.event_id) == 1  # the dead one's body, to re-drive
    assert len(receiver.ids()) == 1
