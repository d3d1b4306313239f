"""The notifications service in its container on the test broker: the events of identity and
the directory that carry a secret become emails on a real SMTP server, in the reader's
language, and the delivery log shows them to the Commission's administrators only."""

from __future__ import annotations

import uuid

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine, func, select

from services.common.actor import Right
from services.common.envelope import make_envelope
from services.common.errors import Forbidden
from services.notifications.models import MailMessage
from services.notifications.service import NotificationsService
from services.translation.service import TranslationService
from tests.events import WAIT_SECONDS, event_data, wait_until
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy
from tests.translation.harness import actor


@pytest.fixture
def mail_config(service_config, service_database, translation_uri, smtp) -> dict:
    return {
        **service_config,
        "DB_URIS": {
            "notifications": service_database("notifications"),
            "translation": translation_uri,
        },
        "NOTIFICATIONS": {
            **smtp.settings(), "PUBLIC_URL": "https://imi.example.eu",
            "DELIVERY_SECONDS": 0.1, "ADDRESSING_SECONDS": 0.1,
        },
    }  # fmt: skip


@pytest.fixture
def running(container_factory, mail_config, frozen_clock):
    started_on_clock(container_factory, TranslationService, mail_config, frozen_clock)
    return started_on_clock(
        container_factory, NotificationsService, mail_config, frozen_clock,
        fresh_event_queues=True,
    )  # fmt: skip


def publish(config, service: str, event: str, at, **fields) -> dict:
    envelope = make_envelope(service, event, str(uuid.uuid4()), event_data(service, event,
                             **fields), at)  # fmt: skip
    event_dispatcher(config)(service, event, envelope)
    return envelope


def test_a_temporary_password_is_emailed_once_in_the_users_language(
    running, mail_config, smtp, frozen_clock
):
    address = f"{uuid.uuid4().hex[:8]}@behoerde.example.de"
    data = event_data("identity", "temporary_password_issued", email=address, language="de",
                      temporary_password="Mz4$kR8pQ2wT6yHn")  # fmt: skip
    envelope = make_envelope("identity", "temporary_password_issued", str(uuid.uuid4()), data,
                             frozen_clock())  # fmt: skip
    for _delivery in range(2):  # the same event, delivered again
        with entrypoint_waiter(running, "on_temporary_password", timeout=WAIT_SECONDS):
            event_dispatcher(mail_config)("identity", "temporary_password_issued", envelope)

    [email] = wait_until(lambda: smtp.to(address), "the email")
    assert email["Subject"] == "Ihr vorläufiges IMI-Passwort"
    assert "Mz4$kR8pQ2wT6yHn" in email.get_content()
    assert "https://imi.example.eu/" in email.get_content()
    engine = create_engine(mail_config["DB_URIS"]["notifications"])
    with engine.connect() as connection:
        queued = connection.scalar(
            select(func.count()).select_from(MailMessage).where(MailMessage.recipient == address)
        )
    engine.dispose()
    assert queued == 1


def test_an_invitation_carries_its_code_and_the_reminder_does_not(
    running, mail_config, smtp, frozen_clock
):
    address = f"{uuid.uuid4().hex[:8]}@ufficio.example.it"
    publish(mail_config, "directory", "invitation_created", frozen_clock(), email=address,
            language="it", registration_code="7KQ2-9XPL-4MZT")  # fmt: skip
    publish(mail_config, "directory", "invitation_expiring", frozen_clock(), email=address,
            language="it")  # fmt: skip

    emails = wait_until(lambda: len(smtp.to(address)) == 2 and smtp.to(address), "two emails")
    bodies = {email["Subject"]: email.get_content() for email in emails}
    assert len(bodies) == 2
    with_code = [body for body in bodies.values() if "7KQ2-9XPL-4MZT" in body]
    assert len(with_code) == 1
    assert all("https://imi.example.eu/register" in body for body in bodies.values())


def test_the_delivery_log_is_for_commission_administrators(
    running, mail_config, smtp, frozen_clock
):
    address = f"{uuid.uuid4().hex[:8]}@example.eu"
    publish(mail_config, "identity", "temporary_password_issued", frozen_clock(),
            email=address, language="en")  # fmt: skip
    wait_until(lambda: smtp.to(address), "the email")
    with SignedRpcProxy(mail_config) as proxy:
        notifications = proxy.notifications
        administrator = actor(Right.COMMISSION_ADMINISTRATOR)
        log = wait_until(
            lambda: notifications.mail_log(administrator, {"recipient": address})["items"],
            "the log entry",
        )
        with pytest.raises(Forbidden):
            notifications.mail_log(actor(Right.REQUEST_HANDLER), {"recipient": address})
    [entry] = log
    assert entry["status"] == "sent"
    assert entry["template"] == "email.temporary_password"
    assert [attempt["outcome"] for attempt in entry["log"]] == ["accepted"]
    assert entry["message_id"] == smtp.to(address)[0]["Message-ID"]


def test_an_email_queued_is_delivered_at_once_and_not_at_the_timers_next_run(
    container_factory, mail_config, smtp, frozen_clock
):
    """The delivery timer runs every minute here: the commit that queued the email wakes it."""
    config = {**mail_config,
              "NOTIFICATIONS": {**mail_config["NOTIFICATIONS"], "DELIVERY_SECONDS": 60,
                                "ADDRESSING_SECONDS": 60}}  # fmt: skip
    started_on_clock(container_factory, TranslationService, config, frozen_clock)
    started_on_clock(container_factory, NotificationsService, config, frozen_clock,
                     fresh_event_queues=True)  # fmt: skip
    address = f"{uuid.uuid4().hex[:8]}@behoerde.example.de"
    publish(config, "identity", "temporary_password_issued", frozen_clock(), email=address,
            language="de", temporary_password="Mz4$kR8pQ2wT6yHn")  # fmt: skip
    assert wait_until(lambda: smtp.to(address), "the email", timeout=WAIT_SECONDS)


def test_a_run_s_workers_share_the_emails_and_each_goes_once(
    container_factory, mail_config, smtp, frozen_clock
):
    config = {**mail_config,
              "NOTIFICATIONS": {**mail_config["NOTIFICATIONS"], "DELIVERY_WORKERS": 4,
                                "DELIVERY_BATCH": 2}}  # fmt: skip
    started_on_clock(container_factory, TranslationService, config, frozen_clock)
    started_on_clock(container_factory, NotificationsService, config, frozen_clock,
                     fresh_event_queues=True)  # fmt: skip
    addresses = [f"{uuid.uuid4().hex[:8]}@behoerde.example.de" for _ in range(12)]
    for address in addresses:
        publish(config, "identity", "temporary_password_issued", frozen_clock(), email=address,
                language="de", temporary_password="Mz4$kR8pQ2wT6yHn")  # fmt: skip

    wait_until(lambda: all(smtp.to(address) for address in addresses), "every email")
    assert sorted(message["To"] for message in smtp.messages if message["To"] in addresses) == (
        sorted(addresses)
    )
