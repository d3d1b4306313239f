"""What a request brings, read before any of it reaches a service (werkzeug requests, no server)."""

from __future__ import annotations

import io
import json

import pytest
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.inputs import client_address, idempotency_key, read_json_object, read_query
from services.common.errors import ValidationFailed
from services.identity.schemas import ChallengeRequestSchema, UserQuerySchema

LIMIT = 65536


def request(
    body: bytes | str = b"",
    content_type: str | None = "application/json",
    path: str = "/api/v1/auth/challenge",
    method: str = "POST",
    **options,
) -> Request:
    builder = EnvironBuilder(
        path=path, method=method, data=body, content_type=content_type, **options
    )
    return Request(builder.get_environ())


def chunked(body: bytes) -> Request:
    """A body sent without Content-Length (the server de-chunks it into wsgi.input)."""
    environ = EnvironBuilder(
        path="/", method="POST", headers={"Transfer-Encoding": "chunked"},
        content_type="application/json",
    ).get_environ()  # fmt: skip
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(body)
    return Request(environ)


def read(req: Request) -> dict:
    return read_json_object(req, ChallengeRequestSchema(), LIMIT)[0]


def validation_error(req: Request) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        read(req)
    return caught.value


def test_a_valid_body_is_passed_on_as_the_client_sent_it():
    assert read(request(b'{"username": "de7kq2mzx4"}')) == {"username": "de7kq2mzx4"}


def test_a_body_that_is_utf_8_json_with_a_charset_is_accepted():
    req = request('{"username": "ελληνικά"}'.encode(), "application/json; charset=UTF-8")

    assert read(req) == {"username": "ελληνικά"}


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_a_body_that_is_not_declared_as_utf_8_json_is_refused(content_type):
    with pytest.raises(UnsupportedMediaType):
        read(request(b'{"username": "x"}', content_type))


def test_a_declared_length_over_the_limit_is_refused_before_reading():
    req = request(b"{}", environ_overrides={"CONTENT_LENGTH": str(LIMIT + 1)})

    with pytest.raises(RequestEntityTooLarge):
        read(req)


def test_a_chunked_body_over_the_limit_is_refused_while_reading():
    body = json.dumps({"username": "x" * LIMIT}).encode()

    with pytest.raises(RequestEntityTooLarge):
        read(chunked(body))


def test_a_chunked_body_within_the_limit_is_read():
    assert read(chunked(b'{"username": "x"}')) == {"username": "x"}


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"username": "x",}',
        b"\xff\xfe{}",
        b'{"username": NaN}',
        b"[" * 30000 + b"]" * 30000,
    ],
    ids=["empty", "truncated", "trailing-comma", "not-utf8", "nan", "deep"],
)
def test_a_body_that_is_not_json_is_a_400_saying_so(body):
    error = validation_error(request(body))

    assert error.code == "error.invalid_json"
    assert error.detail.startswith("The body is not valid JSON")


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null"])
def test_a_json_body_that_is_not_an_object_is_a_400(body):
    error = validation_error(request(body))

    assert error.extra["errors"] == {"_schema": ["An object was expected."]}


def test_an_unknown_field_is_named_in_the_field_errors():
    error = validation_error(request(b'{"username": "x", "is_admin": true}'))

    assert error.extra["errors"] == {"is_admin": ["Unknown field."]}


def test_a_missing_field_and_a_wrong_type_are_named_in_the_field_errors():
    assert validation_error(request(b"{}")).extra["errors"] == {
        "username": ["Missing data for required field."]
    }
    assert validation_error(request(b'{"username": 7}')).extra["errors"] == {
        "username": ["Not a valid string."]
    }


def test_query_parameters_are_converted_to_their_types_with_defaults():
    req = request(method="GET", path="/api/v1/users", query_string="page=2&authority_id=a-1")

    assert read_query(req, UserQuerySchema()) == {"page": 2, "page_size": 25, "authority_id": "a-1"}


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=two", "page"), ("page_size=1000", "page_size"), ("sort=name", "sort"),
     ("page=1&page=2", "page")],
)  # fmt: skip
def test_a_bad_query_parameter_is_a_400_naming_it(query, field):
    req = request(method="GET", path="/api/v1/users", query_string=query)

    with pytest.raises(ValidationFailed) as caught:
        read_query(req, UserQuerySchema())

    assert field in caught.value.extra["errors"]


def test_without_a_client_key_every_call_gets_a_fresh_idempotency_key():
    req = request(b"{}")

    assert idempotency_key(req, "u-1", b"{}") != idempotency_key(req, "u-1", b"{}")


def test_the_same_client_key_gives_the_same_key_for_the_same_caller_and_body():
    req = request(b"{}", headers={"Idempotency-Key": "order-7"})

    assert idempotency_key(req, "u-1", b"{}") == idempotency_key(req, "u-1", b"{}")


def test_a_client_key_never_reaches_another_callers_or_operations_result():
    key = {"Idempotency-Key": "order-7"}
    first = idempotency_key(request(headers=key, path="/api/v1/users/a"), "u-1", b"")

    assert first != idempotency_key(request(headers=key, path="/api/v1/users/a"), "u-2", b"")
    assert first != idempotency_key(request(headers=key, path="/api/v1/users/b"), "u-1", b"")
    assert first != idempotency_key(request(headers=key, path="/api/v1/users/a"), "u-1", b"{}")


@pytest.mark.parametrize("key", ["", "x" * 101, "tab\there", "é"])
def test_a_malformed_client_key_is_a_400(key):
    with pytest.raises(ValidationFailed) as caught:
        idempotency_key(request(headers={"Idempotency-Key": key}), "u-1", b"")

    assert "Idempotency-Key" in caught.value.extra["errors"]


def test_the_client_address_is_the_peer_unless_proxies_are_trusted():
    req = request(
        headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )

    assert client_address(req, 0) == "10.0.0.2"
    assert client_address(req, 1) == "198.51.100.7"
    assert client_address(req, 2) == "203.0.113.9"
    assert client_address(req, 3) == "10.0.0.2"  # fewer hops than trusted: not believed
