"""End-to-end tests: the whole stack driven through the gateway's HTTP API, as a user would.

Policy of this level:

- the real gateway and the real identity, directory and translation services run in one nameko
  runner on the run's RabbitMQ vhost; their databases are SQLite files built by their Alembic
  migrations, the directory's reference lists are loaded and the first Commission administrator is
  created as an operator does before start-up;
- a test only speaks HTTP, except for what a person would receive outside the API: emails (a
  temporary password, an invitation) are sent by the real notifications service to a real
  SMTP server on loopback (tests/smtp.py), where the test reads them as the person would;
  authorities are registered by publishing the directory's event, as the directory service
  will;
- outcomes are checked as a client sees them (status, problem code, the data it can read);
- no timing assertions: a wait has a deadline only so that a missing outcome fails the test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml

from gateway.service import GatewayService
from services.common.config import DEFAULT_RPC_TIMEOUT
from services.common.db import StandaloneDatabase
from services.common.schemas import dump, load
from services.directory.bootstrap import prepare_directory
from services.directory.service import DirectoryService
from services.identity.bootstrap import create_commission_administrator
from services.identity.service import IdentityService
from services.notifications.service import NotificationsService
from services.requests import shared_lists
from services.requests.bootstrap import LISTS_FILE, publish_shipped_sets
from services.requests.schemas import SharedListsSchema
from services.requests.service import RequestsService
from services.translation.bootstrap import (
    load_shipped,
    prepare_translation,
    shared_list_entries,
)
from services.translation.models import Base as TranslationBase
from services.translation.service import TranslationService
from tests.conftest import HttpSession, free_port
from tests.databases import Load, prepare
from tests.e2e.stack import Mailbox, Stack, User
from tests.services import delete_event_queues


@pytest.fixture
def e2e_config(service_config, sqlite_uri, tmp_path, prepared_sqlite, smtp) -> dict:
    return {
        **service_config,
        # the installation's own deadline (deploy/config.yaml), not the shorter one of the
        # service tests: here six services share one process on a machine other runs share
        "RPC_TIMEOUT": DEFAULT_RPC_TIMEOUT,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "DB_URIS": {
            "identity": sqlite_uri,
            "directory": prepared_sqlite(
                "e2e_directory", prepared("directory", prepare_directory), tmp_path / "d.db"
            ),
            "translation": prepared_sqlite(
                "e2e_translation",
                prepared("translation", prepare_translation, with_request_lists),
                tmp_path / "t.db",
            ),
            "requests": prepared_sqlite(
                "e2e_requests",
                prepared("requests", publish_shipped_sets),
                tmp_path / "r.db",
            ),
            "notifications": prepared_sqlite(
                "e2e_notifications", prepared("notifications"), tmp_path / "n.db"
            ),
        },
        "NOTIFICATIONS": {**smtp.settings(), "DELIVERY_SECONDS": 0.2, "ADDRESSING_SECONDS": 0.2},
        "IDENTITY": {
            "KEY_DIR": str(tmp_path / "keys"),
            "ACCESS_TOKEN_SECONDS": 600,
            "REFRESH_TOKEN_SECONDS": 3600,
            "MAX_FAILED_LOGINS": 3,
        },
        "GATEWAY": {"LOGIN_RATE_PER_MINUTE": 1000},
        # a local engine without models: machine translation answers 400 (unsupported pair)
        "TRANSLATION": {"ENGINE": "ctranslate2", "MODEL_DIR": str(tmp_path / "models")},
    }


def prepared(service: str, *loads: Load) -> Callable[[str], None]:
    """The operator's preparation of a service's database: migrations, then shipped data."""
    return lambda uri: prepare(service, uri, *loads)


def with_request_lists(uri: str) -> None:
    """The requests service's shared lists in the catalogue, as they are once the services of
    an installation have run (the requests service publishes them, translation takes them in)."""
    shipped = yaml.safe_load(LISTS_FILE.read_text(encoding="utf-8"))
    lists = dump(SharedListsSchema, load(SharedListsSchema, shipped))
    database = StandaloneDatabase(TranslationBase, "translation", uri)
    unit = database.unit_of_work()
    try:
        for name, items in lists.items():
            published = {"list": name, "entries": shared_lists.entries(name, items)}
            load_shipped(unit, shared_list_entries(published))
        unit.commit()
    finally:
        unit.close()
        database.dispose()


@pytest.fixture
def prepared_admin(e2e_config) -> User:
    """The operator's preparation: migrate identity's database, create the first administrator."""
    uri = prepare("identity", e2e_config["DB_URIS"]["identity"])
    username, password = create_commission_administrator(uri, e2e_config["IDENTITY"]["KEY_DIR"])
    return User(username, password)


@pytest.fixture
def stack(runner_factory, e2e_config, prepared_admin, eventually, smtp):
    mailbox = Mailbox(smtp, eventually)
    runner = runner_factory(
        e2e_config,
        GatewayService,
        IdentityService,
        DirectoryService,
        TranslationService,
        RequestsService,
        NotificationsService,
    )
    # without the events other tests of the run left in the services' durable queues, which
    # would keep them busy past the waits of these tests
    for container in runner.containers:
        delete_event_queues(container, e2e_config)
    runner.start()
    with HttpSession(f"http://{e2e_config['WEB_SERVER_ADDRESS']}") as web:
        yield Stack(web, mailbox, e2e_config, prepared_admin, eventually)
