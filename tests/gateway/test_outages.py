"""The real gateway over HTTP when what stands behind it fails: every failure of the
infrastructure is a 503 with Retry-After, never a 500.

- The broker: the gateway reaches RabbitMQ through ``BrokerLine``, a TCP relay the test cuts
  (open connections closed, new ones refused), as a broker that stops or a network that
  breaks would.
- A rolling upgrade: ``outage_identity`` is a real running service named ``identity`` that
  lacks a method the gateway calls (an older version).
- A database: ``outage_identity``'s database is a PostgreSQL port where nothing listens.
"""

from __future__ import annotations

import contextlib
import socket
from urllib.parse import urlsplit, urlunsplit

import eventlet
import pytest
from eventlet.green import socket as green_socket
from nameko.dependency_providers import Config
from sqlalchemy import text
from sqlalchemy.orm import DeclarativeBase

from gateway.service import GatewayService
from services.common.db import Database
from services.common.entrypoints import rpc
from services.common.kernel_tables import declare_kernel_tables
from tests.conftest import HttpSession, free_port

FAKE = "FAKE_IDENTITY"
PROBLEM = "application/problem+json"
ME = "/api/v1/users/me"
CHALLENGE = "/api/v1/auth/challenge"
USERS = "/api/v1/users"


class OutageIdentityBase(DeclarativeBase):
    pass


KERNEL_TABLES = declare_kernel_tables(OutageIdentityBase)


class OutageIdentity:
    """identity as far as the gateway's token checks go; ``me`` reads its database, and
    ``list_users`` is missing, as in a version that did not have it yet."""

    name = "identity"
    config = Config()
    db = Database(OutageIdentityBase)

    @rpc
    def token_keys(self) -> dict:
        return self.config[FAKE]["KEYS"]

    @rpc
    def revocations(self) -> list:
        return []

    @rpc
    def challenge(self, data: dict) -> dict:
        return {"challenge_id": "c-1", "positions": [1, 5, 9], "expires_in": 300}

    @rpc
    def me(self, actor: dict) -> dict:
        self.db.session.execute(text("SELECT 1"))
        return {"actor": actor}


class BrokerLine:
    """A TCP relay to the broker that the test can cut: ``cut()`` closes every connection
    through it and refuses new ones, ``restore()`` lets them through again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.sockets: list = []
        self.pool = eventlet.GreenPool()
        self.restore()

    def restore(self) -> None:
        """Let connections through again, on the same port."""
        self.listener = green_socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.acceptor = eventlet.spawn(self._accept)

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            upstream = green_socket.create_connection(self.target)
            self.sockets += [client, upstream]
            self.pool.spawn(self._pump, client, upstream)
            self.pool.spawn(self._pump, upstream, client)

    @staticmethod
    def _pump(source, sink) -> None:
        with contextlib.suppress(OSError, EOFError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.close()

    def cut(self) -> None:
        self.acceptor.kill()
        self.listener.close()
        for end in self.sockets:  # each pump then reads the end and closes both sockets
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


def through(uri: str, port: int) -> str:
    parts = urlsplit(uri)
    credentials = parts.netloc.rsplit("@", 1)[0]
    return urlunsplit((parts.scheme, f"{credentials}@127.0.0.1:{port}", parts.path, "", ""))


@pytest.fixture
def config(service_config, mint) -> dict:
    return {
        **service_config,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "RPC_TIMEOUT": 2,
        "DB_URIS": {"identity": f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/gone"},
        "OUTBOX_SWEEP_SECONDS": 60,
        FAKE: {"KEYS": mint.keys_document()},
    }


@pytest.fixture
def http(config):
    sessions = []

    def session() -> HttpSession:
        web = HttpSession(f"http://{config['WEB_SERVER_ADDRESS']}")
        sessions.append(web)
        return web

    yield session
    for web in sessions:
        web.close()


def assert_retry_later(response) -> dict:
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"] == PROBLEM
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "error.service_unavailable"
    return body


def test_a_service_whose_database_cannot_be_reached_is_a_503_with_retry_after(
    container_factory, config, http, mint
):
    container_factory(OutageIdentity, config).start()
    container_factory(GatewayService, config).start()

    response = http().get(ME, headers={"Authorization": f"Bearer {mint.token()}"})

    body = assert_retry_later(response)
    assert response.headers["Retry-After"] == "5"
    assert body["params"] == {"service": "identity", "retry_after": 5}


def test_a_method_missing_on_the_running_service_is_a_503_with_retry_after(
    container_factory, config, http, mint
):
    container_factory(OutageIdentity, config).start()
    container_factory(GatewayService, config).start()

    response = http().get(USERS, headers={"Authorization": f"Bearer {mint.token()}"})

    body = assert_retry_later(response)
    assert "list_users" in body["detail"]


def assert_served(response) -> None:
    assert response.status_code == 200, response.text


def test_the_broker_cut_off_from_the_gateway_is_a_503_with_retry_after_until_it_is_back(
    container_factory, config, http, eventually
):
    broker = urlsplit(config["AMQP_URI"])
    line = BrokerLine((broker.hostname, broker.port or 5672))
    container_factory(OutageIdentity, config).start()
    container_factory(
        GatewayService, {**config, "AMQP_URI": through(config["AMQP_URI"], line.port)}
    ).start()
    login = {"username": "de7kq2mzx4"}
    assert http().post(CHALLENGE, json=login, timeout=10).status_code == 200  # through the line

    line.cut()
    try:
        assert_retry_later(http().post(CHALLENGE, json=login, timeout=10))
        assert_retry_later(http().post(CHALLENGE, json=login, timeout=10))
    finally:
        line.restore()

    eventually(lambda: assert_served(http().post(CHALLENGE, json=login, timeout=10)), 10)
