"""Logging in and administering users through the gateway, against the real identity service."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.routes import ROUTES, Route
from tests.e2e.stack import API, NEW_PASSWORD, SECURITY_CODE, Stack

ME = f"{API}/users/me"


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def admin(stack: Stack):
    """The first Commission administrator, past their first login."""
    return stack.activate(stack.admin)


def test_the_first_administrator_sets_a_password_and_code_then_sees_their_account(stack):
    admin = stack.admin

    started = stack.login(admin)
    assert started.status_code == 200
    assert started.json()["status"] == "password_change_required"
    setup_token = started.json()["setup_token"]

    weak = stack.web.post(
        f"{API}/auth/first-login",
        json={"setup_token": setup_token, "new_password": "short", "security_code": "1111"},
    )
    errors = assert_problem(weak, 400, "error.validation")["errors"]
    assert "password.too_short" in errors["new_password"]
    assert "security_code.not_12_digits" in errors["security_code"]

    done = stack.web.post(
        f"{API}/auth/first-login",
        json={
            "setup_token": setup_token,
            "new_password": NEW_PASSWORD,
            "security_code": SECURITY_CODE,
        },
    )
    assert done.status_code == 200
    tokens = done.json()
    assert tokens["status"] == "authenticated"
    assert tokens["token_type"] == "Bearer"

    me = stack.web.get(ME, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == admin.username
    assert me.json()["status"] == "active"


def test_the_administrator_logs_in_again_with_password_and_digits_and_refreshes(stack, admin):
    login = stack.login(admin)
    assert login.json()["status"] == "authenticated"

    refreshed = stack.web.post(
        f"{API}/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )

    assert refreshed.status_code == 200
    token = refreshed.json()["access_token"]
    assert stack.web.get(ME, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_three_failed_logins_block_a_new_user_until_an_administrator_resets_it(stack, admin):
    user = stack.create_user(admin)
    assert user.username.startswith("eu")

    failures = [stack.login(user, password="Wrong-password-123") for _ in range(3)]
    assert [r.status_code for r in failures] == [401, 401, 401]
    assert [r.json()["code"] for r in failures] == [
        "login.failed",
        "login.failed",
        "login.account_blocked",
    ]
    assert failures[0].headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(stack.login(user), 401, "login.account_blocked")  # even the right password

    reset = stack.web.post(f"{API}/users/{user.id}/password-reset", headers=admin.auth)
    assert reset.status_code == 200
    assert reset.json()["status"] == "pending_first_login"

    user.password = stack.mailbox.temporary_password(user.email, count=2)
    assert stack.login(user).json()["status"] == "password_change_required"
    stack.activate(user)
    assert stack.web.get(ME, headers=user.auth).json()["id"] == user.id


def test_an_administrator_of_another_authority_may_not_reset_a_user(stack, admin):
    commission_user = stack.create_user(admin)
    authority_id = stack.register_authority("DE")
    local_admin = stack.activate(stack.create_user(admin, authority_id=authority_id))

    response = stack.web.post(
        f"{API}/users/{commission_user.id}/password-reset", headers=local_admin.auth
    )

    assert_problem(response, 403)
    assert stack.login(commission_user).json()["status"] == "password_change_required"


def test_a_deleted_users_token_is_refused_at_once(stack, admin, eventually):
    user = stack.activate(stack.create_user(admin))
    assert stack.web.get(ME, headers=user.auth).status_code == 200

    deleted = stack.web.delete(f"{API}/users/{user.id}", headers=admin.auth)

    assert deleted.status_code == 204
    assert deleted.content == b""
    eventually(
        lambda: assert_problem(stack.web.get(ME, headers=user.auth), 401, "auth.token_revoked")
    )


def test_a_users_token_is_refused_once_failed_logins_block_the_account(stack, admin, eventually):
    user = stack.activate(stack.create_user(admin))
    assert stack.web.get(ME, headers=user.auth).status_code == 200

    for _ in range(3):
        stack.login(user, password="Someone-guessing-1")

    eventually(
        lambda: assert_problem(stack.web.get(ME, headers=user.auth), 401, "auth.token_revoked")
    )
    assert stack.web.get(ME, headers=admin.auth).status_code == 200


def test_a_logged_out_session_is_refused_and_other_sessions_live_on(stack, admin, eventually):
    other = stack.login(admin).json()["access_token"]

    logout = stack.web.post(f"{API}/auth/logout", headers=admin.auth)

    assert logout.status_code == 204
    eventually(
        lambda: assert_problem(stack.web.get(ME, headers=admin.auth), 401, "auth.token_revoked")
    )
    assert stack.web.get(ME, headers={"Authorization": f"Bearer {other}"}).status_code == 200


HOSTILE_LOGINS = [
    ({}, 400),
    ({"username": 42, "password": ["x"], "challenge_id": None}, 400),
    ({"username": "x", "password": "y", "challenge_id": "c", "is_admin": True}, 400),
    ({"username": "' OR '1'='1' --", "password": "x", "challenge_id": "c"}, 401),
    ({"username": "admin'; DROP TABLE users; --", "password": "x", "challenge_id": "c"}, 401),
]


def test_hostile_inputs_are_clear_client_errors_and_change_nothing(stack, admin):
    before = stack.user_ids(admin)

    for body, status in HOSTILE_LOGINS:
        response = stack.web.post(f"{API}/auth/login", json=body)
        assert_problem(response, status)
    assert_problem(
        stack.web.post(f"{API}/users", data=b"{" * 1_000_000, headers=admin.auth_json), 413
    )
    assert_problem(
        stack.web.post(f"{API}/users", json={"full_name": "Eve"}, headers=admin.auth), 400
    )
    assert_problem(
        stack.web.post(
            f"{API}/users",
            json={"full_name": "Eve", "email": "eve@x.eu", "language": "de", "grants": "all"},
            headers=admin.auth,
        ),
        400,
    )
    assert_problem(
        stack.web.post(
            f"{API}/users",
            json={"full_name": "Eve", "email": "eve@x.eu", "language": "de", "admin": True},
            headers=admin.auth,
        ),
        400,
    )
    assert_problem(
        stack.web.get(f"{API}/users", params={"authority_id": "' OR 1=1 --"}, headers=admin.auth),
        404,
    )
    assert_problem(stack.web.get(f"{API}/users/' OR 1=1 --", headers=admin.auth), 404)

    assert stack.user_ids(admin) == before


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
BODY_ROUTES = [route for route in ROUTES.values() if route.body]


@st.composite
def requests_with_bodies(draw) -> tuple[Route, dict]:
    """A route taking a body, and an object mostly made of that route's own field names."""
    route = draw(st.sampled_from(BODY_ROUTES))
    names = st.sampled_from(sorted(route.body().fields)) | st.text(max_size=8)
    return route, draw(st.dictionaries(names, JSON_VALUES, max_size=6))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(request=requests_with_bodies())
def test_no_random_body_makes_the_api_answer_with_a_server_error(stack, admin, request):
    route, body = request
    # unknown ids: a valid body gets a 404
    path = route.path.format(**{name: uuid.uuid4() for name in route.parameters})

    response = stack.web.request(route.method, path, json=body, headers=admin.auth)

    assert response.status_code < 500, (route.name, body, response.text)
    if response.status_code >= 400:
        assert response.headers["Content-Type"] == "application/problem+json"
