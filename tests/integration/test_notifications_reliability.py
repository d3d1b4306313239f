"""The notifications service in the middle of a fan-out survives a restart of RabbitMQ and
being killed: afterwards every recipient has each email, and the webhook subscriber each
event, with nothing lost and nothing doubled.

Everything is real: the service runs as its own ``nameko run`` process (so it can be killed
with SIGKILL) on PostgreSQL, the translation service answers for the templates, the broker is
the test run's RabbitMQ (stopped and started again with ``rabbitmqctl stop_app``/``start_app``),
the emails go to an SMTP server and the events to an HTTP endpoint on loopback. A copy sent
again after the kill (the one window the design leaves: between the server's acceptance and
the commit) carries the same Message-ID or webhook-id, which is what "once" means to a mail
program or a Standard Webhooks receiver: the test counts distinct ids.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import uuid
from collections import defaultdict
from datetime import UTC, datetime

import pytest
import yaml
from nameko.standalone.events import event_dispatcher

from services.common.actor import Actor, Grant, Right
from services.common.config import REPO_ROOT
from services.common.db import StandaloneDatabase
from services.common.envelope import make_envelope
from services.notifications import webhooks
from services.notifications.models import Base
from services.translation.bootstrap import prepare_translation
from services.translation.service import TranslationService
from tests.conftest import free_port
from tests.databases import prepare
from tests.events import event_data, wait_until
from tests.webhook_receiver import Receiver

RABBITMQCTL = os.environ.get("IMI_RABBITMQCTL")
EMAILS = EVENTS = 150
ADMIN = Actor("u-admin", "eu-admin", "commission", "EU",
              grants=frozenset({Grant(Right.COMMISSION_ADMINISTRATOR)}))  # fmt: skip

pytestmark = pytest.mark.skipif(
    not RABBITMQCTL, reason="restarts the broker with rabbitmqctl (./deploy/test sets it)"
)


def broker(*args: str) -> None:
    subprocess.run([*shlex.split(RABBITMQCTL), *args], check=True, capture_output=True,
                   timeout=120)  # fmt: skip


class NotificationsProcess:
    """``nameko run services.notifications.service`` with the test's configuration."""

    def __init__(self, config_file, log_file):
        self.config_file, self.log_file = config_file, log_file
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", str(self.config_file),
             "services.notifications.service"],
            cwd=REPO_ROOT, stdout=self.log_file.open("ab"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

    def kill(self) -> None:
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def test_a_fan_out_survives_a_broker_restart_and_a_killed_service_once_each(
    container_factory, service_config, service_database, pg_uri, smtp, receiver, tmp_path
):
    notifications_uri = prepare("notifications", pg_uri)
    subscribe(notifications_uri, receiver)
    translation_uri = service_database("translation", prepare_translation)
    config = {
        **service_config,
        "DB_URIS": {"notifications": notifications_uri, "translation": translation_uri},
        "SERVICE_HTTP_PORTS": {"notifications": free_port()},
        "EVENT_RETRY_SECONDS": 0.5,
        "NOTIFICATIONS": {
            **smtp.settings(), "DELIVERY_SECONDS": 0.2, "ADDRESSING_SECONDS": 0.2,
            "WEBHOOK_SECONDS": 0.2, "WEBHOOK_LOOPBACK_HTTP": True,
            "SENDING_LEASE_SECONDS": 5, "WEBHOOK_LEASE_SECONDS": 5,
        },
    }  # fmt: skip
    container_factory(TranslationService, config).start()
    smtp.recorder.delay = 0.03  # a fan-out of some seconds, to be cut in the middle
    config_file = tmp_path / "notifications.yaml"
    config_file.write_text(yaml.safe_dump(config))
    service = NotificationsProcess(config_file, tmp_path / "notifications.log")
    service.start()
    try:
        publish_password(config, "warm-up@example.eu")
        wait_until(lambda: smtp.to("warm-up@example.eu"), "the service to run", timeout=60)
        addresses = [f"p{n}-{uuid.uuid4().hex[:6]}@example.eu" for n in range(EMAILS)]
        for address in addresses:
            publish_password(config, address)
        events = [publish_request_event(config) for _ in range(EVENTS)]

        wait_until(lambda: len(smtp.messages) >= 30, "the fan-out under way", timeout=60)
        service.kill()
        sent_before_the_kill = {message["To"] for message in smtp.messages}
        service.start()
        wait_until(lambda: len(smtp.messages) >= len(sent_before_the_kill) + 20,
                   "the fan-out going on after the kill", timeout=120)  # fmt: skip
        broker("stop_app")
        sent_before_the_restart = {message["To"] for message in smtp.messages}
        broker("start_app")

        wait_until(lambda: set(addresses) <= {m["To"] for m in smtp.messages},
                   "every email", timeout=180)  # fmt: skip
        wait_until(lambda: set(events) <= set(receiver.ids()), "every event", timeout=180)
    finally:
        service.stop()

    assert not set(addresses) <= sent_before_the_kill, "the kill came after the fan-out"
    assert not set(addresses) <= sent_before_the_restart, "the restart came after the fan-out"
    ids_per_address = defaultdict(set)
    for message in smtp.messages:
        ids_per_address[message["To"]].add(message["Message-ID"])
    assert all(len(ids_per_address[address]) == 1 for address in addresses)
    ids_per_event = defaultdict(set)
    for delivery in receiver.received:
        ids_per_event[delivery["id"]].add(delivery["webhook_id"])
    assert all(len(ids_per_event[event]) == 1 for event in events)
    assert receiver.forged == 0


def subscribe(uri: str, receiver: Receiver) -> None:
    database = StandaloneDatabase(Base, "notifications", uri)
    unit = database.unit_of_work()
    created = webhooks.create(
        unit, ADMIN, {"name": "SOLVIT", "url": receiver.url, "events": ["requests.request_sent"],
                      "personal_data": False}, allow_loopback_http=True,
    )  # fmt: skip
    unit.commit()
    unit.close()
    database.dispose()
    receiver.secret = created["secret"]


def publish_password(config: dict, address: str) -> str:
    data = event_data(
        "identity", "temporary_password_issued", user_id=str(uuid.uuid4()), email=address,
        language="en", temporary_password="Mz4$kR8pQ2wT6yHn",
    )  # fmt: skip
    return publish(config, "identity", "temporary_password_issued", data)


def publish_request_event(config: dict) -> str:
    request_id = str(uuid.uuid4())
    data = event_data("requests", "request_sent", request_id=request_id)
    return publish(config, "requests", "request_sent", data, request_id)


def publish(config: dict, service: str, event: str, data: dict, subject: str = "") -> str:
    envelope = make_envelope(service, event, subject or str(uuid.uuid4()), data, datetime.now(UTC))
    event_dispatcher(config)(service, event, envelope)
    return envelope["id"]
