"""Tests of the notifications service.

Policy: emails go to a real SMTP server on loopback (tests/smtp.py), which can refuse, defer
or go down; the service's database is a SQLite file built by its migrations; the templates
come from the translation catalogue as preparation loads it (the real catalogue code on a
prepared translation database). Service tests run the real NotificationsService in a nameko
container on the test broker's vhost and play the other services by publishing their events.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from services.common.clock import FrozenClock
from services.common.db import StandaloneDatabase, create_db_engine
from services.notifications import webhook_delivery
from services.notifications.models import Base
from services.notifications.rendering import Texts
from services.notifications.settings import MailSettings
from services.translation import bundles
from services.translation.bootstrap import prepare_translation


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def translation_uri(service_database, frozen_clock) -> str:
    return service_database("translation", lambda uri: prepare_translation(uri, frozen_clock()))


@pytest.fixture
def catalogue(translation_uri):
    """The catalogue's texts as the translation service's bundle reads them."""
    engine = create_db_engine(translation_uri)

    def texts(language: str, namespaces: list[str]) -> dict[str, dict]:
        with Session(engine) as session:
            return bundles.bundle(session, language, namespaces, None)["texts"]

    yield texts
    engine.dispose()


@pytest.fixture
def texts(catalogue) -> Texts:
    return Texts(catalogue)


@pytest.fixture
def mail_database(service_database, frozen_clock):
    database = StandaloneDatabase(
        Base, "notifications", service_database("notifications"), frozen_clock
    )
    yield database
    database.dispose()


@pytest.fixture
def mail_settings(smtp) -> MailSettings:
    return MailSettings(
        public_url="https://imi.example.eu", smtp_host=smtp.host, smtp_port=smtp.port, timeout=5
    )


@pytest.fixture
def poster():
    """The webhook deliveries' HTTP client, as the service's dependency gives it."""
    posting = webhook_delivery.HttpPoster()
    yield posting
    posting.close()
