"""The one route table: the HTTP server routes by it and the OpenAPI document is built from it.

An entry point is bound to its row by its method name (``@api`` in gateway/http.py), so a
route cannot be served without being documented, nor documented without being served. The
gateway's own rows are here; each service's come from its package gateway/<service>/
(gateway/apis.py).
"""

from __future__ import annotations

from types import MappingProxyType

from gateway.apis import SERVICE_APIS
from gateway.route import API, Route
from gateway.schemas import HealthReportSchema, LanguageSchema, MemberStateSchema

_TABLE = (
    Route(
        "member_states", "GET", f"{API}/reference/member-states",
        "EEA countries and the Commission, named in every language", "reference",
        response=MemberStateSchema(many=True), remote=False,
    ),
    Route(
        "languages", "GET", f"{API}/reference/languages",
        "The supported languages, named in every language", "reference",
        response=LanguageSchema(many=True), remote=False,
    ),
    Route(
        "openapi", "GET", f"{API}/openapi.json", "This document", "reference", remote=False,
    ),
    Route(
        "metrics", "GET", "/metrics", "Prometheus metrics of this gateway process",
        "operations", remote=False, content_type="text/plain",
    ),
    Route(
        "health", "GET", "/health", "Whether the broker and every service answer",
        "operations", response=HealthReportSchema, statuses=(200, 503), remote=False,
    ),
)  # fmt: skip

_TABLE += tuple(route for api in SERVICE_APIS for route in api.routes)

ROUTES: MappingProxyType[str, Route] = MappingProxyType({route.name: route for route in _TABLE})
