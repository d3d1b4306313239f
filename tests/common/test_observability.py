"""What a service shows operators: the health RPC, and /health and /metrics on its own port."""

from __future__ import annotations

import pytest
from nameko.testing.services import entrypoint_waiter
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool

from services.common.config import DB_URIS, SERVICE_HTTP_PORTS
from services.common.db import Database
from services.common.kernel_tables import declare_kernel_tables
from services.common.observability import ObservableService, broker_reachable
from tests.conftest import HttpSession, free_port
from tests.signed_rpc import SignedRpcProxy

OBSERVED = "kernel_observed"


class ObservedBase(DeclarativeBase):
    pass


KERNEL_TABLES = declare_kernel_tables(ObservedBase)


class ObservedService(ObservableService):
    name = OBSERVED

    db = Database(ObservedBase)


def start_observed(container_factory, service_config, db_uri):
    port = free_port()
    config = {
        **service_config,
        DB_URIS: {OBSERVED: db_uri},
        SERVICE_HTTP_PORTS: {OBSERVED: port},
    }
    container = container_factory(ObservedService, config)
    container.start()
    return container, HttpSession(f"http://127.0.0.1:{port}")


@pytest.fixture
def observed(container_factory, service_config, sqlite_uri):
    engine = create_engine(sqlite_uri, poolclass=NullPool)
    ObservedBase.metadata.create_all(engine)
    engine.dispose()
    return start_observed(container_factory, service_config, sqlite_uri)


@pytest.fixture
def observed_without_database(container_factory, service_config, tmp_path):
    return start_observed(
        container_factory, service_config, f"sqlite:///{tmp_path}/no/such/folder/service.db"
    )


def health_rpc(service_config) -> dict:
    with SignedRpcProxy(service_config, timeout=5) as cluster:
        return cluster.kernel_observed.health()


def test_the_health_rpc_reports_the_database_ok(observed, service_config):
    assert health_rpc(service_config) == {
        "service": OBSERVED,
        "database": "ok",
        "outbox_backlog": 0,
        "status": "ok",
    }


def test_the_health_page_reports_database_and_broker_ok(observed):
    _, http = observed

    response = http.get("/health")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    report = response.json()
    assert report["database"] == "ok"
    assert report["broker"] == "ok"
    assert report["status"] == "ok"


def test_the_metrics_page_times_each_entrypoint_that_was_called(observed, service_config):
    container, http = observed
    labels = {"service": OBSERVED, "entrypoint": "health", "kind": "rpc"}
    before = REGISTRY.get_sample_value("imi_entrypoint_seconds_count", labels) or 0

    with entrypoint_waiter(container, "health", timeout=5):
        health_rpc(service_config)
    response = http.get("/metrics")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    counts = [
        sample.value
        for sample in families["imi_entrypoint_seconds"].samples
        if sample.name == "imi_entrypoint_seconds_count" and sample.labels == labels
    ]
    assert counts == [before + 1]


def test_a_service_that_cannot_open_its_database_is_degraded_and_its_page_says_503(
    observed_without_database, service_config
):
    _, http = observed_without_database

    report = health_rpc(service_config)
    response = http.get("/health")

    assert report["database"] == "down: OperationalError"
    assert report["status"] == "degraded"
    assert response.status_code == 503
    assert response.json()["broker"] == "ok"


def test_a_broker_nobody_answers_on_is_reported_unreachable():
    assert not broker_reachable(f"pyamqp://guest:guest@127.0.0.1:{free_port()}/", timeout=1)
