"""The OpenAPI document: valid 3.1, and in step with the route table and the entry points."""

from __future__ import annotations

import inspect

import pytest
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from openapi_spec_validator import validate

from gateway.http import ApiHandler
from gateway.openapi import openapi_document
from gateway.routes import ROUTES
from gateway.schemas import ProblemSchema
from gateway.service import GatewayService
from gateway.web.page import PageHandler
from services.common.models import stale_version
from services.identity.domain import AuditAction

METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi_document()


def operations(document: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def served_routes() -> set[str]:
    """The names of GatewayService's methods that have an @api entry point."""
    return {
        name
        for name, method in inspect.getmembers(GatewayService, inspect.isfunction)
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ())
        if isinstance(entrypoint, ApiHandler) and not isinstance(entrypoint, PageHandler)
    }


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_route_of_the_table_is_documented_under_its_name(document):
    documented = {key: op["operationId"] for key, op in operations(document).items()}

    assert documented == {(r.method, r.path): r.name for r in ROUTES.values()}


def test_every_route_of_the_table_is_served_and_nothing_else_is():
    assert served_routes() == set(ROUTES)


def test_authenticated_operations_ask_for_a_bearer_token_and_public_ones_do_not(document):
    for route in ROUTES.values():
        operation = operations(document)[(route.method, route.path)]
        assert ("security" in operation) == route.authenticated, route.name
        if route.authenticated:
            assert "401" in operation["responses"], route.name


def test_every_error_answer_is_a_problem(document):
    responses = document["components"]["responses"]
    for operation in operations(document).values():
        for status, response in operation["responses"].items():
            if int(status) >= 400 and "$ref" in response:
                name = response["$ref"].rsplit("/", 1)[-1]
                content = responses[name]["content"]["application/problem+json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_request_bodies_and_query_parameters_come_from_the_services_schemas(document):
    users = document["paths"]["/api/v1/users"]
    body = users["post"]["requestBody"]["content"]["application/json"]["schema"]
    query = {p["name"] for p in users["get"]["parameters"] if p.get("in") == "query"}

    assert body == {"$ref": "#/components/schemas/NewUser"}
    assert document["components"]["schemas"]["NewUser"]["additionalProperties"] is False
    assert query == {"authority_id", "page", "page_size"}


def test_the_audit_trail_documents_its_period_and_kinds_of_entry(document):
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/audit"]["get"]["parameters"]}

    assert set(parameters) >= {"authority_id", "user_id", "since", "until", "kind"}
    for name in ("since", "until"):
        assert parameters[name]["schema"] == {"type": "string", "format": "date"}, name
    kind = parameters["kind"]
    assert (kind["style"], kind["explode"]) == ("form", False)  # ?kind=a,b
    assert kind["schema"]["type"] == "array"
    assert set(kind["schema"]["items"]["enum"]) == {action.value for action in AuditAction}


def test_every_operation_declares_its_path_parameters_with_what_they_take(document):
    """Per operation, not per path: a parameter may take less in one of them (the lists the
    Commission may edit are fewer than those anyone may read)."""
    for (_, path), operation in operations(document).items():
        declared = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"]
        assert declared == ROUTES[operation["operationId"]].parameters, path
    user_id = operations(document)[("GET", "/api/v1/users/{user_id}")]["parameters"][0]
    assert user_id == {
        "in": "path",
        "name": "user_id",
        "required": True,
        "schema": {"type": "string", "format": "uuid", "description": "A UUID"},
    }


def test_login_routes_document_the_rate_limit_with_retry_after(document):
    login = operations(document)[("POST", "/api/v1/auth/login")]
    too_many = document["components"]["responses"]["TooManyRequests"]

    assert "429" in login["responses"]
    assert "Retry-After" in too_many["headers"]


def test_a_conflict_documents_the_one_stale_version_problem_every_service_answers(document):
    route = ROUTES["update_user"]
    update_user = operations(document)[(route.method, route.path)]
    conflict = document["components"]["responses"]["Conflict"]
    example = conflict["content"]["application/problem+json"]["example"]

    assert "409" in update_user["responses"]
    assert "error.stale_version" in conflict["description"]
    assert ProblemSchema().validate(example) == {}
    assert example["code"] == "error.stale_version"
    assert set(example["params"]) == set(stale_version(None).extra)


def test_remote_routes_document_503_with_retry_after(document):
    me = operations(document)[("GET", "/api/v1/users/me")]
    unavailable = document["components"]["responses"]["ServiceUnavailable"]

    assert me["responses"]["503"] == {"$ref": "#/components/responses/ServiceUnavailable"}
    assert "Retry-After" in unavailable["headers"]
