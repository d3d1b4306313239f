"""The OpenAPI 3.1 document, built from the route table and the services' own schemas.

Nothing here is written by hand per operation: request bodies, query parameters and answers
come from the marshmallow schemas the gateway validates with, and each operation lists the
problems it can answer, derived from what the route does (takes a body, needs a token...).
"""

from __future__ import annotations

import functools
from itertools import groupby

from apispec import APISpec
from werkzeug.http import HTTP_STATUS_CODES

from gateway.inputs import (
    FORM,
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY_PATTERN,
    PREFER_HEADER,
    PREFERENCE_APPLIED_HEADER,
    RETURN_MINIMAL,
)
from gateway.openapi_fields import ContractPlugin
from gateway.problems import CONTENT_TYPE as PROBLEM
from gateway.route import JSON, Route
from gateway.routes import ROUTES
from gateway.schemas import ProblemSchema

TITLE = "IMI: Internal Market Information System"
VERSION = "1.0.0"
DESCRIPTION = "The HTTP API of IMI. Errors are RFC 9457 problems; see docs/api.md."
BEARER = "bearerAuth"
_TAGS = {
    "authentication": "Logging in (challenge, password and three digits), tokens, logging out",
    "users": "User accounts and their rights, administered by the authority's administrators",
    "audit": "Who did what to which account",
    "reference": "Member states, languages, and this document",
    "operations": "For operators: metrics and health (keep them off the public network)",
}
_ERROR_HEADERS = {
    401: {"WWW-Authenticate": 'Bearer realm="imi", with error="invalid_token" if refused'},
    429: {"Retry-After": "Seconds to wait before trying again"},
    503: {"Retry-After": "Seconds to wait before trying again (with the same Idempotency-Key)"},
}
_CONFLICT_DESCRIPTION = (
    "Conflict. A duplicate or a transition the object's state does not allow has its own "
    "code; a save on a version someone else changed meanwhile is `error.stale_version`, in "
    "every service, with `params` `current_version`, `changed_by` (a user id, null for the "
    "system) and `changed_at`: read the object again and redo the change"
)
_ERROR_EXAMPLES = {
    409: {
        "type": "urn:imi:problem:error.stale_version",
        "title": "Conflict",
        "status": 409,
        "detail": "Someone else saved this since you read it; read it again and redo your change.",
        "code": "error.stale_version",
        "params": {
            "current_version": 4,
            "changed_by": "5f0c2e1a-7d3b-4c9e-9a61-2b8f4e6d1c07",
            "changed_at": "2026-03-01T09:30:00+00:00",
        },
        "instance": "/api/v1/users/0b6e3c52-1f7a-4d8e-a2c4-93d5e7f1b260",
        "call_id": "c1d2e3f4",
    },
}


@functools.cache
def openapi_document() -> dict:
    plugin = ContractPlugin()
    spec = APISpec(
        TITLE, VERSION, "3.1.0", plugins=[plugin],
        info={"description": DESCRIPTION},
        tags=[{"name": name, "description": text} for name, text in _TAGS.items()],
    )  # fmt: skip
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.security_scheme(
        BEARER, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    spec.components.parameter(
        "IdempotencyKey", "header",
        {
            "name": IDEMPOTENCY_HEADER,
            "description": "Repeat a state change safely: the same key, caller and body act once",
            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
        },
    )  # fmt: skip
    spec.components.parameter(
        "PreferReturn", "header",
        {
            "name": PREFER_HEADER,
            "description": "return=minimal (RFC 7240): the outcome or a reference, without "
            "the resource's view",
            "schema": {"type": "string", "enum": [RETURN_MINIMAL]},
        },
    )  # fmt: skip
    for status in sorted({s for route in ROUTES.values() for s in _error_statuses(route)}):
        spec.components.response(_problem_name(status), _problem_response(status))
    by_path = sorted(ROUTES.values(), key=lambda route: route.path)
    for path, routes in groupby(by_path, key=lambda route: route.path):
        spec.path(
            path=path,
            operations={
                route.method.lower(): _operation(route, plugin.converter.field2property)
                for route in routes
            },
        )
    return _comma_separated_lists(spec.to_dict())


def _comma_separated_lists(document: dict) -> dict:
    """A list in the query is one comma-separated parameter (``?namespaces=a,b``), as the
    schemas read it, not the parameter repeated: the gateway refuses a repeated one."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter.get("explode"):
                    parameter["explode"] = False
    return document


def _operation(route: Route, field2property) -> dict:
    operation: dict = {
        "operationId": route.name,
        "summary": route.summary,
        "tags": [route.tag],
        "responses": {
            **{str(status): _success(route, status) for status in route.statuses},
            **{str(status): _problem_name(status) for status in _error_statuses(route)},
        },
    }
    parameters: list = [
        {"in": "path", "name": name, "required": True,
         "schema": field2property(route.path_field(name))}
        for name in route.parameters
    ]  # fmt: skip
    if route.query:
        parameters.append({"in": "query", "schema": route.query})
    if route.state_changing:
        parameters.append("IdempotencyKey")
    if route.prefer_minimal:
        parameters.append("PreferReturn")
    if parameters:
        operation["parameters"] = parameters
    if route.body:
        media_types = (JSON, FORM) if route.form_body else (JSON,)
        operation["requestBody"] = {
            "required": True,
            "content": {media_type: {"schema": route.body} for media_type in media_types},
        }
    if route.authenticated:
        operation["security"] = [{BEARER: []}]
    return operation


def _success(route: Route, status: int) -> dict:
    answer: dict = {"description": HTTP_STATUS_CODES[status]}
    if status == 204:
        return answer
    schema = route.response or {"type": "string" if route.content_type != JSON else "object"}
    if route.minimal_response:
        schema = {"oneOf": [schema, route.minimal_response]}
    answer["content"] = {route.content_type: {"schema": schema}}
    if route.location:
        answer["headers"] = {
            "Location": {"description": "The new resource", "schema": {"type": "string"}}
        }
    if route.prefer_minimal:
        answer.setdefault("headers", {})[PREFERENCE_APPLIED_HEADER] = {
            "description": "return=minimal when the answer left the view out",
            "schema": {"type": "string"},
        }
    return answer


def _error_statuses(route: Route) -> list[int]:
    statuses = {*route.errors, 500}
    if route.body or route.query or route.state_changing:
        statuses.add(400)
    if route.body:
        statuses |= {413, 415}
    if route.parameters:
        statuses.add(404)
    if route.authenticated:
        statuses.add(401)
    if route.rate_limited:
        statuses.add(429)
    if route.remote:
        statuses.add(503)
    return sorted(statuses - set(route.statuses))


def _problem_name(status: int) -> str:
    return HTTP_STATUS_CODES[status].title().replace(" ", "").replace("-", "")


def _problem_response(status: int) -> dict:
    response: dict = {
        "description": _CONFLICT_DESCRIPTION if status == 409 else HTTP_STATUS_CODES[status],
        "content": {PROBLEM: {"schema": "Problem"}},
    }
    if status in _ERROR_EXAMPLES:
        response["content"][PROBLEM]["example"] = _ERROR_EXAMPLES[status]
    headers = _ERROR_HEADERS.get(status)
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return response
