"""The real gateway container over HTTP, beside fake_identity: a small nameko service named
``identity`` that answers from the test's data (its token keys are the test mint's) and echoes
what the gateway passed on, so each test sees both what a client gets and what a service got.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import eventlet
import pytest
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from nameko.standalone.events import event_dispatcher

from gateway.http import api
from gateway.service import GatewayService
from services.common.entrypoints import rpc
from services.common.envelope import make_envelope
from services.common.errors import Forbidden, NotFound
from tests.conftest import HttpSession, free_port

FAKE = "FAKE_IDENTITY"
SLOW_USERNAME = "slowpoke"
PROBLEM = "application/problem+json"
ME = "/api/v1/users/me"
CHALLENGE = "/api/v1/auth/challenge"


class WorkerContextData(DependencyProvider):
    """The context data a call arrived with (the idempotency key travels there)."""

    def get_dependency(self, worker_ctx) -> dict:
        return worker_ctx.data


class FakeIdentity:
    """fake_identity: what the gateway asks of identity, answered without a database."""

    name = "identity"
    config = Config()
    context = WorkerContextData()

    @rpc
    def token_keys(self) -> dict:
        return self.config[FAKE]["KEYS"]

    @rpc
    def revocations(self) -> list:
        return self.config[FAKE]["REVOKED"]

    @rpc
    def challenge(self, data: dict) -> dict:
        if data["username"] == SLOW_USERNAME:
            eventlet.sleep(self.config["RPC_TIMEOUT"] * 3)
        return {"challenge_id": "c-1", "positions": [1, 5, 9], "expires_in": 300}

    @rpc
    def me(self, actor: dict) -> dict:
        return {"actor": actor}

    @rpc
    def list_users(self, actor: dict, query: dict) -> dict:
        return {"query": query}

    @rpc
    def audit(self, actor: dict, query: dict) -> dict:
        return {"query": query}

    @rpc
    def create_user(self, actor: dict, data: dict) -> dict:
        return {"id": "u-new", "data": data, "key": self.context.get("idempotency_key")}

    @rpc
    def get_user(self, actor: dict, user_id: str) -> dict:
        if user_id == "boom":
            raise RuntimeError("password=hunter2 at db.internal:5432")
        if user_id == "elsewhere":
            raise Forbidden("Not your authority.", "user.not_administered")
        raise NotFound("No such user.", "user.not_found")

    @rpc
    def delete_user(self, actor: dict, user_id: str) -> dict:
        return {}

    @rpc
    def health(self) -> dict:
        return {"service": "identity", "status": "ok", "database": "ok", "outbox_backlog": 0}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def config(service_config, mint) -> dict:
    return {
        **service_config,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "RPC_TIMEOUT": 1,
        # only fake_identity runs: /health asks it alone, not every service of deploy/services
        "GATEWAY": {"MAX_BODY_BYTES": 4096, "LOGIN_RATE_PER_MINUTE": 5, "SERVICES": ["identity"]},
        FAKE: {"KEYS": mint.keys_document(), "REVOKED": []},
    }


@pytest.fixture
def serve(container_factory, config):
    """Start fake_identity (unless told not to) and the gateway; a client of the gateway."""
    sessions = []

    def start(with_identity: bool = True) -> HttpSession:
        if with_identity:
            container_factory(FakeIdentity, config).start()
        container_factory(GatewayService, config).start()
        session = HttpSession(f"http://{config['WEB_SERVER_ADDRESS']}")
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.close()


@pytest.fixture
def web(serve) -> HttpSession:
    return serve()


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code
    return body


# --- authentication ----------------------------------------------------------------------------


def test_fake_identity_a_request_without_a_token_is_401_with_a_bearer_challenge(web):
    response = web.get(ME)

    body = assert_problem(response, 401, "auth.token_missing")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="imi"'
    assert body["instance"] == ME


def test_fake_identity_a_forged_token_is_401_asking_for_a_new_one(web, mint):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = mint.token(key=Ed25519PrivateKey.generate())

    response = web.get(ME, headers=bearer(forged))

    assert_problem(response, 401, "auth.token_invalid")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_fake_identity_gets_the_actor_built_from_the_token(web, mint):
    token = mint.token(sub="u-1", sid="s-1", usr="de7kq2mzx4", aut="a-1", ms="DE", lng="de")

    response = web.get(ME, headers=bearer(token))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Call-Id"].startswith("gateway.me.")
    assert response.json()["actor"] == {
        "user_id": "u-1",
        "session_id": "s-1",
        "username": "de7kq2mzx4",
        "authority_id": "a-1",
        "member_state": "DE",
        "language": "de",
        "grants": [{"right": "local_data_administrator", "area": None}],
    }


def test_fake_identity_a_head_request_gets_the_get_answers_headers_without_its_body(web, mint):
    token = mint.token()
    got = web.get(ME, headers=bearer(token))

    head = web.head(ME, headers=bearer(token))

    assert head.status_code == 200
    assert head.headers["Content-Length"] == got.headers["Content-Length"] != "0"
    assert head.content == b""


def test_fake_identity_revocations_known_at_start_are_applied(serve, config, mint):
    config[FAKE]["REVOKED"] = [
        {"user_id": "u-gone", "session_id": None, "not_before": datetime.now(UTC).isoformat()}
    ]
    web = serve()

    assert_problem(web.get(ME, headers=bearer(mint.token(sub="u-gone"))), 401, "auth.token_revoked")
    assert web.get(ME, headers=bearer(mint.token(sub="u-here"))).status_code == 200


def test_fake_identity_a_published_tokens_revoked_event_refuses_the_token_at_once(
    web, config, mint, eventually
):
    token = mint.token(sub="u-revoked")
    assert web.get(ME, headers=bearer(token)).status_code == 200
    now = datetime.now(UTC)
    data = {"user_id": "u-revoked", "session_id": None, "not_before": now.isoformat()}

    event_dispatcher(config)(
        "identity",
        "tokens_revoked",
        make_envelope("identity", "tokens_revoked", "u-revoked", data, now),
    )

    eventually(
        lambda: assert_problem(web.get(ME, headers=bearer(token)), 401, "auth.token_revoked")
    )


# --- input ---------------------------------------------------------------------------------


def test_fake_identity_a_body_that_is_not_json_is_415(web):
    response = web.post(CHALLENGE, data="username=x", headers={"Content-Type": "text/plain"})

    assert_problem(response, 415, "error.unsupported_media_type")


def test_fake_identity_a_body_over_the_limit_is_413(web):
    response = web.post(CHALLENGE, json={"username": "x" * 5000})

    assert_problem(response, 413, "error.payload_too_large")


def test_fake_identity_a_chunked_body_over_the_limit_is_413_and_one_within_it_passes(web):
    json_type = {"Content-Type": "application/json"}
    too_big = iter([b'{"username": "', b"x" * 5000, b'"}'])
    small = iter([b'{"username": ', b'"x"}'])

    assert_problem(web.post(CHALLENGE, data=too_big, headers=json_type), 413)
    assert web.post(CHALLENGE, data=small, headers=json_type).status_code == 200


def test_fake_identity_malformed_json_is_400_saying_so(web):
    response = web.post(
        CHALLENGE, data='{"username": ', headers={"Content-Type": "application/json"}
    )

    body = assert_problem(response, 400, "error.invalid_json")
    assert body["detail"].startswith("The body is not valid JSON")


def test_fake_identity_a_json_array_is_400(web):
    body = assert_problem(web.post(CHALLENGE, json=["x"]), 400)

    assert body["errors"] == {"_schema": ["An object was expected."]}


def test_fake_identity_an_unknown_field_is_400_with_field_errors(web):
    response = web.post(CHALLENGE, json={"username": "x", "password": "guess"})

    body = assert_problem(response, 400, "error.validation")
    assert body["errors"] == {"password": ["Unknown field."]}


def test_fake_identity_query_parameters_arrive_converted(web, mint):
    token = mint.token()

    response = web.get("/api/v1/users?page=2&page_size=10", headers=bearer(token))

    assert response.json() == {"query": {"page": 2, "page_size": 10}}
    bad = web.get("/api/v1/users?page=two", headers=bearer(token))
    assert assert_problem(bad, 400)["errors"] == {"page": ["Not a valid integer."]}


def test_fake_identity_the_audit_trail_s_period_and_kinds_arrive_converted(web, mint):
    headers = bearer(mint.token())
    narrowed = "since=2026-03-01&until=2026-03-31&kind=login_failed,account_blocked"

    response = web.get(f"/api/v1/audit?{narrowed}", headers=headers)
    unknown = web.get("/api/v1/audit?kind=login_failed,coffee_break", headers=headers)
    backwards = web.get("/api/v1/audit?since=2026-03-02&until=2026-03-01", headers=headers)

    assert response.json() == {"query": {
        "page": 1, "page_size": 25, "since": "2026-03-01", "until": "2026-03-31",
        "kind": ["login_failed", "account_blocked"],
    }}  # fmt: skip
    assert list(assert_problem(unknown, 400)["errors"]["kind"]) == ["1"]  # the second kind
    assert assert_problem(backwards, 400)["errors"] == {
        "until": ["The period ends before it starts."]
    }


def test_fake_identity_gets_the_same_idempotency_key_for_a_repeated_request(web, mint):
    headers = {**bearer(mint.token(sub="u-admin")), "Idempotency-Key": "create-ada"}
    new_user = {"full_name": "Ada", "email": "ada@example.eu", "language": "de"}

    first = web.post("/api/v1/users", json=new_user, headers=headers)
    again = web.post("/api/v1/users", json=new_user, headers=headers)
    unkeyed = web.post("/api/v1/users", json=new_user, headers=bearer(mint.token(sub="u-admin")))

    assert first.status_code == 201
    assert first.headers["Location"] == "/api/v1/users/u-new"
    assert first.json()["data"] == new_user
    assert first.json()["key"] == again.json()["key"]
    assert unkeyed.json()["key"] not in (None, first.json()["key"])


def test_fake_identity_a_delete_answers_204_without_a_body(web, mint):
    response = web.delete("/api/v1/users/u-1", headers=bearer(mint.token()))

    assert response.status_code == 204
    assert response.content == b""


# --- errors ----------------------------------------------------------------------------------


def test_fake_identity_errors_reach_the_client_as_problems(web, mint):
    token = mint.token()

    assert_problem(web.get("/api/v1/users/nobody", headers=bearer(token)), 404, "user.not_found")
    assert_problem(
        web.get("/api/v1/users/elsewhere", headers=bearer(token)), 403, "user.not_administered"
    )
    # the route matched for each path is remembered: the same path again, the same answer
    assert_problem(web.get("/api/v1/users/nobody", headers=bearer(token)), 404, "user.not_found")


def test_fake_identity_an_unexpected_error_is_a_500_that_reveals_nothing(web, mint):
    response = web.get("/api/v1/users/boom", headers=bearer(mint.token()))

    body = assert_problem(response, 500, "error.internal")
    assert "hunter2" not in response.text
    assert body["call_id"] == response.headers["X-Call-Id"]


def test_fake_identity_an_unknown_route_is_a_404_problem(web):
    assert_problem(web.get("/api/v1/nothing-here"), 404, "error.not_found")


def test_fake_identity_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(web):
    response = web.put(CHALLENGE, json={})

    assert_problem(response, 405, "error.method_not_allowed")
    assert response.headers["Allow"] == "POST"


def test_fake_identity_a_method_another_template_has_is_405_on_a_path_with_fixed_text(web, mint):
    """/users/me is its own path (GET only), not /users/{user_id} for a user called "me"."""
    for method in ("PATCH", "DELETE", "OPTIONS"):
        response = web.request(method, ME, headers=bearer(mint.token()))

        assert_problem(response, 405, "error.method_not_allowed")
        assert response.headers["Allow"] == "GET, HEAD"


def test_fake_identity_a_405_names_exactly_the_methods_of_the_path_template(web, mint):
    user = "/api/v1/users/0b6e3c52-1f7a-4d8e-a2c4-93d5e7f1b260"

    response = web.options(user, headers=bearer(mint.token()))

    assert_problem(response, 405, "error.method_not_allowed")
    assert response.headers["Allow"] == "DELETE, GET, HEAD, PATCH"
    assert web.delete(user, headers=bearer(mint.token())).status_code == 204


def test_fake_identity_an_over_long_path_parameter_is_404(web, mint):
    response = web.get("/api/v1/users/" + "x" * 65, headers=bearer(mint.token()))

    assert_problem(response, 404, "error.not_found")


def test_fake_identity_that_does_not_answer_makes_a_503(web):
    response = web.post(CHALLENGE, json={"username": SLOW_USERNAME})

    body = assert_problem(response, 503, "error.service_unavailable")
    assert body["params"] == {"service": "identity"}


def test_fake_identity_login_routes_are_429_beyond_the_rate_with_retry_after(web):
    answers = [web.post(CHALLENGE, json={"username": "x"}).status_code for _ in range(6)]

    assert answers == [200] * 5 + [429]
    refused = web.post(CHALLENGE, json={"username": "x"})
    assert_problem(refused, 429, "error.rate_limited")
    assert int(refused.headers["Retry-After"]) > 0


# --- public documents and operations -------------------------------------------------------------


def test_fake_identity_reference_data_and_the_openapi_document_are_public(web):
    states = web.get("/api/v1/reference/member-states")
    languages = web.get("/api/v1/reference/languages")
    document = web.get("/api/v1/openapi.json")

    assert {"EL", "EU"} <= {state["code"] for state in states.json()}
    assert states.headers["Cache-Control"] == "public, max-age=3600"
    assert "mt" in {language["code"] for language in languages.json()}
    assert document.json()["openapi"] == "3.1.0"


def test_fake_identity_metrics_count_requests_by_route_not_by_path(web, mint):
    web.get("/api/v1/users/nobody", headers=bearer(mint.token()))
    web.get("/no/such/path")

    metrics = web.get("/metrics")

    assert metrics.headers["Content-Type"].startswith("text/plain")
    assert 'route="/api/v1/users/{user_id}",status="404"' in metrics.text
    assert 'route="unmatched",status="404"' in metrics.text
    assert "/api/v1/users/nobody" not in metrics.text


def test_fake_identity_health_is_200_when_the_broker_and_every_service_answer(web):
    response = web.get("/health")

    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert report["broker"] == "ok"
    assert report["services"]["identity"]["status"] == "ok"


def test_fake_identity_health_is_503_when_a_configured_service_does_not_answer(serve, config):
    config["GATEWAY"]["SERVICES"] = ["identity", "ghost"]
    web = serve()

    response = web.get("/health")

    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "degraded"
    assert report["services"]["identity"]["status"] == "ok"
    assert report["services"]["ghost"]["status"] == "unavailable"
    assert json.loads(response.text) == report


class MisfitGateway:
    """An entry point whose method does not take its route's path variable (user_id)."""

    name = "misfit_gateway"

    @api
    def get_user(self, request):
        return {}


def test_an_entry_point_that_does_not_fit_its_route_stops_the_gateway_at_start(
    container_factory, config
):
    with pytest.raises(TypeError, match="get_user does not fit"):
        container_factory(MisfitGateway, config).start()
