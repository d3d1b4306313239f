"""The gateway's /health: the broker, and every configured service's own health answer."""

from __future__ import annotations

import functools

from eventlet import GreenPile
from nameko.extensions import DependencyProvider

from gateway.settings import settings_from_config
from services.common.config import AMQP_URI
from services.common.errors import ImiError
from services.common.observability import broker_reachable
from services.common.rpc import ServiceClient

HEALTH_TIMEOUT_SECONDS = 2.0


class HealthCheck(DependencyProvider):
    """Gives a worker ``check(client)``: asks every service in ``GATEWAY.SERVICES`` at once."""

    def setup(self) -> None:
        self.services = settings_from_config(self.container.config).services
        self.amqp_uri = self.container.config[AMQP_URI]

    def get_dependency(self, worker_ctx):
        return functools.partial(check, self.services, self.amqp_uri)


def check(services: list[str], amqp_uri: str, client: ServiceClient) -> tuple[bool, dict]:
    """Whether everything is healthy, and the report that says what is not."""
    pile = GreenPile()
    for name in services:
        pile.spawn(_ask, client.to(name).using(timeout=HEALTH_TIMEOUT_SECONDS), name)
    broker = "ok" if broker_reachable(amqp_uri, HEALTH_TIMEOUT_SECONDS) else "down"
    answers = dict(zip(services, pile, strict=True))
    healthy = broker == "ok" and all(a.get("status") == "ok" for a in answers.values())
    return healthy, {
        "status": "ok" if healthy else "degraded",
        "broker": broker,
        "services": answers,
    }


def _ask(client: ServiceClient, name: str) -> dict:
    try:
        return client.health()
    except ImiError as exc:
        return {"service": name, "status": "unavailable", "detail": exc.detail}
    except Exception as exc:  # a health probe reports a failure rather than failing
        return {"service": name, "status": "error", "detail": type(exc).__name__}
