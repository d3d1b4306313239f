"""Test policy, by level (each folder's conftest says more):

- unit tests (``tests/*/test_domain.py`` and the like) are pure: no broker, no database;
- service tests run one nameko container on a real SQLite file, built by the Alembic migrations;
- integration tests (``tests/integration``) run real services on the real RabbitMQ and
  PostgreSQL;
- end-to-end tests (``tests/e2e``) drive the whole stack through the gateway over HTTP.

``./deploy/test`` gives each run its own RabbitMQ virtual host (IMI_TEST_AMQP_URI), so one run's
messages never reach the next, and a PostgreSQL server (IMI_TEST_PG_URI) on which the tests
create and drop their own databases.
"""

import eventlet

eventlet.monkey_patch()

import functools  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402
from kombu.mixins import ConsumerMixin  # noqa: E402

from tests.databases import Load, prepare  # noqa: E402
from tests.webhook_receiver import Receiver  # noqa: E402

# pytest-timeout failing a hung test alone, under eventlet (tests/timeouts.py)
pytest_plugins = ["tests.timeouts"]

TEST_AMQP_URI = os.environ.get("IMI_TEST_AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
TEST_PG_URI = os.environ.get("IMI_TEST_PG_URI", "postgresql://postgres@127.0.0.1:5432/")
CONSUMER_WAKE_UP_SECONDS = 0.05


@pytest.fixture(autouse=True)
def quick_container_teardown(monkeypatch):
    """Let a killed container's consumer notice within 50 ms instead of one second.

    kombu's consume loop waits up to ``safety_interval`` (1 s) for a message before it looks at
    ``should_stop`` again, so each container teardown cost a second. Nothing else changes: the
    loop only wakes up more often.
    """
    monkeypatch.setattr(
        ConsumerMixin,
        "consume",
        functools.partialmethod(ConsumerMixin.consume, safety_interval=CONSUMER_WAKE_UP_SECONDS),
    )


@pytest.fixture
def eventually():
    """Retry an assertion until it holds (for work another green thread finishes), at most 5 s.

    The assertion holds when it neither raises AssertionError nor returns False (a condition
    written as a lambda); what it returns otherwise is returned."""

    def check(assertion, timeout: float = 5.0, interval: float = 0.02):
        deadline = time.monotonic() + timeout
        while True:
            try:
                result = assertion()
                if result is False:
                    raise AssertionError(f"still false after {timeout} s: {assertion.__qualname__}")
                return result
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
            eventlet.sleep(interval)

    return check


@pytest.fixture
def amqp_uri():
    """The per-run virtual host (overrides nameko's fixture of the same name)."""
    return TEST_AMQP_URI


@pytest.fixture
def sqlite_uri(tmp_path):
    return f"sqlite:///{tmp_path / 'service.db'}"


@pytest.fixture(scope="session")
def prepared_sqlite(tmp_path_factory):
    """A prepared SQLite database (migrated, shipped lists and texts loaded) copied to a path:
    built once per run and per ``name``, since preparing takes seconds and a copy
    milliseconds. ``prepare`` receives the template's URI; it must close its connections."""
    templates: dict[str, Path] = {}

    def copy(name: str, prepare: Callable[[str], None], target: Path) -> str:
        if name not in templates:
            template = tmp_path_factory.mktemp("databases") / f"{name}.db"
            prepare(f"sqlite:///{template}")
            templates[name] = template
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{templates[name]}{suffix}")
            if source.exists():
                shutil.copyfile(source, f"{target}{suffix}")
        return f"sqlite:///{target}"

    return copy


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory) -> str:
    """The run's KEYS.DIR: each service's key pair and the keyring every service reads
    (services/common/credentials.py), shared by all the services a test starts."""
    return str(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def service_database(prepared_sqlite, tmp_path):
    """A service's SQLite file for one test, migrated and loaded (tests/databases.py), copied
    from a template built once per run and per ``template`` name (the service's by default):
    ``service_database("directory", load, ...)``."""

    def build(service: str, *loads: Load, template: str | None = None) -> str:
        return prepared_sqlite(
            template or service,
            lambda uri: prepare(service, uri, *loads),
            tmp_path / f"{service}-database.db",
        )

    return build


@pytest.fixture
def service_config(amqp_uri, keys_dir):
    """A service configuration on the test broker; tests add DB_URIS and their own keys."""
    return {
        "AMQP_URI": amqp_uri,
        "KEYS": {"DIR": keys_dir},
        "RPC_TIMEOUT": 5,
        "max_workers": 8,
        "DB_URIS": {},
        "SERVICE_HTTP_PORTS": {},
        "OUTBOX_SWEEP_SECONDS": 0.5,
    }


@pytest.fixture
def new_pg_database():
    """Fresh PostgreSQL databases for one test, as many as it asks for (``new_pg_database()``
    is the URI of one more), dropped afterwards."""
    import psycopg2

    admin = psycopg2.connect(TEST_PG_URI.rstrip("/") + "/postgres")
    admin.autocommit = True
    names: list[str] = []
    parts = urlsplit(TEST_PG_URI)

    def make() -> str:
        name = f"imi_test_{uuid.uuid4().hex[:12]}"
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        scheme = parts.scheme.replace("postgresql", "postgresql+psycopg2")
        return urlunsplit((scheme, parts.netloc, f"/{name}", "", ""))

    yield make
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def pg_uri(new_pg_database):
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    return new_pg_database()


def free_port() -> int:
    """A local port nobody listens on (nameko binds with SO_REUSEPORT: never share one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HttpSession(requests.Session):
    """A requests session rooted at a local port (nameko's web_session fails on werkzeug 3)."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.base_url + url, *args, **kwargs)


@pytest.fixture
def smtp():
    """A real SMTP server on loopback that keeps what it accepts (tests/smtp.py)."""
    from tests.smtp import SmtpServer  # it imports this module's free_port

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    """An outside system's webhook endpoint on loopback (tests/webhook_receiver.py)."""
    endpoint = Receiver()
    endpoint.start()
    yield endpoint
    endpoint.stop()
