"""The services' parts of the HTTP API, found by convention.

A service of deploy/services may have a package ``gateway/<service>/`` whose ``__init__``
names its ``ROUTES`` (its rows of the route table) and ``MIXINS`` (the GatewayService mixins
holding their entry points). The gateway serves and documents them, and calls the service
through ``self.<service>``; a service without such a package has no HTTP routes.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from gateway.route import Route
from services.common.config import deployed_services


@dataclass(frozen=True)
class ServiceApi:
    service: str
    routes: tuple[Route, ...]
    mixins: tuple[type, ...]


def service_apis(services: list[str] | None = None) -> tuple[ServiceApi, ...]:
    """The API packages of ``services`` (those of deploy/services when None), in their order."""
    apis = []
    for service in deployed_services() if services is None else services:
        if importlib.util.find_spec(f"gateway.{service}") is None:
            continue
        package = importlib.import_module(f"gateway.{service}")
        apis.append(ServiceApi(service, tuple(package.ROUTES), tuple(package.MIXINS)))
    return tuple(apis)


SERVICE_APIS = service_apis()
