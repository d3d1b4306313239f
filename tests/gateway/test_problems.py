"""Every error a request can end in, mapped to its problem+json answer: one table."""

from __future__ import annotations

import pytest
from werkzeug import exceptions as http

from gateway.problems import problem_for
from services.common.errors import (
    EXPECTED_ERRORS,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    StaleVersion,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)

FIELD_ERRORS = {"email": ["Not a valid email address."], "grants": {"1": ["grant.duplicate"]}}
BEARER = 'Bearer realm="imi"'
STALE = {"current_version": 4, "changed_by": "u-7", "changed_at": "2026-03-01T09:30:00+00:00"}

# exception, status, code, headers the answer must carry
TABLE = [
    (ValidationFailed.from_fields(FIELD_ERRORS), 400, "error.validation", {}),
    (Unauthenticated("Wrong credentials.", "login.failed"), 401, "login.failed", {
        "WWW-Authenticate": BEARER,
    }),
    (Unauthenticated("Expired.", "auth.token_expired"), 401, "auth.token_expired", {
        "WWW-Authenticate": f'{BEARER}, error="invalid_token"',
    }),
    (Forbidden("No right.", "error.right_missing", {"right": "allocator"}), 403,
     "error.right_missing", {}),
    (NotFound("No such user."), 404, "error.not_found", {}),
    (Conflict("Validated already.", "authority.already_validated"), 409,
     "authority.already_validated", {}),
    (StaleVersion("Saved meanwhile.", None, STALE), 409, "error.stale_version", {}),
    (RateLimited("Slow down.", None, {"retry_after": 12.2}), 429, "error.rate_limited", {
        "Retry-After": "13",
    }),
    (Unavailable("identity did not answer.", "error.service_unavailable"), 503,
     "error.service_unavailable", {"Retry-After": "5"}),
    (Unavailable("The database refused.", None, {"retry_after": 2.5}), 503,
     "error.service_unavailable", {"Retry-After": "3"}),
    (http.NotFound(), 404, "error.not_found", {}),
    (http.MethodNotAllowed(["GET", "HEAD"]), 405, "error.method_not_allowed", {
        "Allow": "GET, HEAD",
    }),
    (http.RequestEntityTooLarge(), 413, "error.payload_too_large", {}),
    (http.UnsupportedMediaType(), 415, "error.unsupported_media_type", {}),
    (http.BadRequest(), 400, "error.bad_request", {}),
    (RuntimeError("password=hunter2 at db.internal:5432"), 500, "error.internal", {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("exc", "status", "code", "headers"), TABLE, ids=[type(row[0]).__name__ for row in TABLE]
)
def test_each_error_becomes_a_problem_with_its_status_code_and_headers(exc, status, code, headers):
    problem = problem_for(exc, "/api/v1/users/42", "call-1")

    assert problem.status == status
    assert problem.headers == headers
    body = problem.body
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:imi:problem:{code}"
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == "/api/v1/users/42"
    assert body["call_id"] == "call-1"


def test_the_table_covers_every_error_type_of_the_contract():
    assert set(EXPECTED_ERRORS) <= {type(row[0]) for row in TABLE}


def test_field_errors_are_given_with_a_400_only():
    assert (
        problem_for(ValidationFailed.from_fields(FIELD_ERRORS), "/", None).body["errors"]
        == FIELD_ERRORS
    )
    conflict = Conflict("Stale.", None, {"errors": {"x": ["y"]}})
    assert "errors" not in problem_for(conflict, "/", None).body


def test_the_values_of_a_message_travel_as_params():
    forbidden = Forbidden("No right.", "error.right_missing", {"right": "allocator"})

    assert problem_for(forbidden, "/", None).body["params"] == {"right": "allocator"}


def test_the_title_is_the_reason_phrase_of_the_status():
    assert problem_for(NotFound("gone"), "/", None).body["title"] == "Not Found"


def test_an_unexpected_error_reveals_nothing_of_itself():
    body = problem_for(RuntimeError("password=hunter2"), "/x", "call-9").body

    assert "hunter2" not in str(body)
    assert "RuntimeError" not in str(body)
    assert body["call_id"] == "call-9"


def test_a_rate_limit_without_a_delay_still_says_when_to_retry():
    problem = problem_for(RateLimited("Slow down."), "/", None)

    assert int(problem.headers["Retry-After"]) > 0


def test_a_stale_version_tells_the_client_the_version_now_who_saved_it_and_when():
    body = problem_for(StaleVersion("Saved meanwhile.", None, STALE), "/", None).body

    assert (body["status"], body["code"], body["params"]) == (409, "error.stale_version", STALE)


def test_every_503_says_when_to_retry_even_without_a_delay_of_its_own():
    problem = problem_for(Unavailable("Down.", None, {"retry_after": True}), "/", None)

    assert problem.headers["Retry-After"] == "5"
