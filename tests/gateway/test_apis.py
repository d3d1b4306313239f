"""The services' parts of the HTTP API are found by convention (gateway/apis.py): a service of
deploy/services with a package gateway/<service>/ gets its routes served and documented, its
mixins in GatewayService and an RPC client of its own; one without has no routes."""

from __future__ import annotations

import importlib.machinery
import sys
import types

import pytest

from gateway.apis import SERVICE_APIS, service_apis
from gateway.route import API, Route
from gateway.routes import ROUTES
from gateway.service import GatewayService
from services.common.config import deployed_services
from services.common.rpc import RpcClient


class ProbeApi:
    def probe_hello(self, request):
        return None


@pytest.fixture
def probe_package(monkeypatch):
    """gateway/kernel_probe/ as a new service's package would be."""
    package = types.ModuleType("gateway.kernel_probe")
    package.__spec__ = importlib.machinery.ModuleSpec("gateway.kernel_probe", None)
    package.ROUTES = (
        Route("probe_hello", "GET", f"{API}/probe", "A probe", "probe", remote=False),
    )
    package.MIXINS = (ProbeApi,)
    monkeypatch.setitem(sys.modules, "gateway.kernel_probe", package)
    return package


def test_a_service_with_a_package_gets_its_routes_and_mixins(probe_package):
    (api,) = service_apis(["kernel_probe"])

    assert api.service == "kernel_probe"
    assert api.routes == probe_package.ROUTES
    assert api.mixins == (ProbeApi,)


def test_a_service_without_a_package_has_no_routes():
    assert service_apis(["kernel_without_routes"]) == ()


def test_the_gateway_serves_every_deployed_service_by_its_package():
    assert [api.service for api in SERVICE_APIS] == deployed_services()
    for api in SERVICE_APIS:
        assert isinstance(getattr(GatewayService, api.service), RpcClient)
        assert api.service == getattr(GatewayService, api.service).target_service
        for route in api.routes:
            assert ROUTES[route.name] is route
            assert callable(getattr(GatewayService, route.name))
        assert set(api.mixins) <= set(GatewayService.__mro__)
