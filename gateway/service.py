"""The gateway service: one entry point per row of the route table, each a few lines.

Each admits its request through the gate (rate, token, input), calls one service method, and
returns the answer as is; gateway/http.py turns results and errors into HTTP.
"""

from __future__ import annotations

from nameko.events import BROADCAST, event_handler
from nameko.timer import timer
from werkzeug.wrappers import Request, Response

from gateway.apis import SERVICE_APIS
from gateway.documents import openapi_response, reference_response
from gateway.gate import Gatekeeper
from gateway.health import HealthCheck
from gateway.http import JsonResponse, api, json_response
from gateway.web.live_texts import LIVE_TEXTS
from gateway.web.site import MIXINS as WEB_PAGES
from gateway.web.visit import WebSite
from services.common import reference
from services.common.logs import CallIdLogging
from services.common.metrics import EntrypointMetrics, exposition
from services.common.rpc import RpcClient
from services.common.runtime import ProcessTuning

REVOCATIONS_RESYNC_SECONDS = 60
WEB_TEXTS_RESYNC_SECONDS = 60
WEB_TEXTS_REFRESH_SECONDS = 3


class GatewayService(*(mixin for api in SERVICE_APIS for mixin in api.mixins), *WEB_PAGES):
    """The HTTP API and the web pages. Each service's entry points come from the mixins of its
    folder gateway/<service>/ (gateway/apis.py), and reach it as ``self.<service>``; the pages'
    from gateway/web/site.py; here are the gateway's own."""

    name = "gateway"

    gate = Gatekeeper()
    web = WebSite()
    health_check = HealthCheck()
    call_logging = CallIdLogging()
    entrypoint_metrics = EntrypointMetrics()
    process_tuning = ProcessTuning()

    # --- revoked tokens, known to every gateway process --------------------------------------

    @event_handler("identity", "tokens_revoked", handler_type=BROADCAST, reliable_delivery=False)
    def on_tokens_revoked(self, payload: dict) -> None:
        self.gate.revoke(payload)

    @timer(interval=REVOCATIONS_RESYNC_SECONDS)
    def resync_revocations(self) -> None:
        self.gate.resync()

    # --- the pages' texts as the catalogue has them now (gateway/web/live_texts.py) ----------

    @event_handler("translation", "texts_changed", handler_type=BROADCAST, reliable_delivery=False)
    def on_texts_changed(self, payload: dict) -> None:
        LIVE_TEXTS.note(payload.get("data", payload))

    @timer(interval=WEB_TEXTS_REFRESH_SECONDS)
    def refresh_noted_web_texts(self) -> None:
        LIVE_TEXTS.refresh_noted(self.translation.service_texts)

    @timer(interval=WEB_TEXTS_RESYNC_SECONDS)
    def resync_web_texts(self) -> None:
        LIVE_TEXTS.refresh(self.translation.service_texts)

    # --- reference data and this API's description ------------------------------------------

    @api
    def member_states(self, request: Request) -> Response:
        return reference_response(reference.member_states)

    @api
    def languages(self, request: Request) -> Response:
        return reference_response(reference.languages)

    @api
    def openapi(self, request: Request) -> Response:
        return openapi_response()

    # --- operations -------------------------------------------------------------------------

    @api
    def metrics(self, request: Request) -> Response:
        body, content_type = exposition()
        return Response(body, content_type=content_type)

    @api
    def health(self, request: Request) -> JsonResponse:
        healthy, report = self.health_check(self.identity)
        return json_response(report, 200 if healthy else 503)


for _api in SERVICE_APIS:  # self.identity, self.directory… for the mixins of each service
    setattr(GatewayService, _api.service, RpcClient(_api.service))
