"""What every service exposes for operators: /metrics and /health on its own port, a health RPC.

Each service process serves these on its own port (``SERVICE_HTTP_PORTS``), never on the
gateway's: two nameko web servers on one address silently split the traffic (stack.md, pitfall
5). A service missing from that map (in tests) binds a free port.
"""

from __future__ import annotations

import json

from kombu import Connection
from nameko.dependency_providers import Config
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer
from werkzeug.wrappers import Response

from services.common.config import AMQP_URI, SERVICE_HTTP_PORTS
from services.common.entrypoints import rpc
from services.common.logs import CallIdLogging
from services.common.metrics import EntrypointMetrics, exposition
from services.common.runtime import ProcessTuning


class OpsWebServer(WebServer):
    @property
    def bind_addr(self):
        config = self.container.config
        ports = config.get(SERVICE_HTTP_PORTS) or {}
        host = config.get("SERVICE_HTTP_HOST", "127.0.0.1")
        return host, int(ports.get(self.container.service_name, 0))


class OpsHttpHandler(HttpRequestHandler):
    server = OpsWebServer()


ops_http = OpsHttpHandler.decorator


def broker_reachable(amqp_uri: str, timeout: float = 2.0) -> bool:
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:
        return False


class ObservableService:
    """Base of every service class: health, metrics and call-id logging, with no code of its own.

    Subclasses have ``self.db`` (services.common.db.Database).
    """

    config = Config()
    metrics = EntrypointMetrics()
    call_logging = CallIdLogging()
    process_tuning = ProcessTuning()

    @rpc
    def health(self) -> dict:
        """The service's own view of its health, asked for by the gateway's /health."""
        return self._health_report()

    @ops_http("GET", "/health")
    def health_page(self, request):
        report = self._health_report()
        report["broker"] = "ok" if broker_reachable(self.config[AMQP_URI]) else "down"
        healthy = report["database"] == "ok" and report["broker"] == "ok"
        return Response(
            json.dumps(report), status=200 if healthy else 503, mimetype="application/json"
        )

    @ops_http("GET", "/metrics")
    def metrics_page(self, request):
        body, content_type = exposition()
        return Response(body, content_type=content_type)

    def _health_report(self) -> dict:
        report = {"service": self.name, "database": "ok"}
        try:
            report["outbox_backlog"] = self.db.outbox_backlog()
        except Exception as exc:
            report["database"] = f"down: {type(exc).__name__}"
        report["status"] = "ok" if report["database"] == "ok" else "degraded"
        return report
