"""The one error contract: each error raised in a remote worker reaches its caller intact.

Two callers are checked: nameko's SignedRpcProxy (what scripts and the gateway's tests use)
and our RpcClient from inside another service (what services use to call each other). Both
must give back the same type, code, detail and extra, never a RemoteError.
"""

from __future__ import annotations

import pytest
from nameko.exceptions import RemoteError
from nameko.testing.services import entrypoint_hook

from services.common.entrypoints import ImiRpc
from services.common.errors import (
    EXPECTED_ERRORS,
    Conflict,
    Forbidden,
    ImiError,
    NotFound,
    RateLimited,
    StaleVersion,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)
from services.common.rpc import RpcClient
from tests.signed_rpc import SignedRpcProxy

rpc = ImiRpc.decorator  # answers our RpcClient's direct replies, unlike nameko's stock @rpc

# type, detail, code (None: the type's default), extra
ERROR_TABLE = [
    (
        ValidationFailed,
        "The input is not valid.",
        None,
        {
            "errors": {
                "title": ["Missing data for required field."],
                "address": {"city": ["Not a valid string.", "Shorter than minimum length 2."]},
            }
        },
    ),
    (Unauthenticated, "The token has expired.", "error.token_expired", {}),
    (
        Forbidden,
        "The right request_handler is needed for this action.",
        "error.right_missing",
        {"right": "request_handler"},
    ),
    (NotFound, "There is no request r-42.", None, {"request_id": "r-42"}),
    (
        Conflict,
        "The authority is validated already.",
        "authority.already_validated",
        {"status": "validated", "draft": False},
    ),
    (
        StaleVersion,
        "Someone else saved this since you read it.",
        None,
        {"current_version": 4, "changed_by": "u-7", "changed_at": "2026-03-01T09:30:00+00:00"},
    ),
    (RateLimited, "Too many attempts.", None, {"retry_after": 30}),
    (
        Unavailable,
        "The directory service did not answer.",
        "error.service_unavailable",
        {"service": "directory", "timeout": 2.5},
    ),
]
ERRORS = {
    error_type.__name__: (error_type, detail, code, extra)
    for error_type, detail, code, extra in ERROR_TABLE
}


class RaiserService:
    name = "kernel_raiser"

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def fail(self, type_name):
        error_type, detail, code, extra = ERRORS[type_name]
        raise error_type(detail, code, extra)

    @rpc
    def crash(self):
        raise ValueError("a bug, not a contract error")


class RaiserCallerService:
    name = "kernel_raiser_caller"

    raiser = RpcClient("kernel_raiser")

    @rpc
    def fail(self, type_name):
        return self.raiser.fail(type_name)

    @rpc
    def crash(self):
        return self.raiser.crash()


@pytest.fixture
def raiser(container_factory, service_config):
    container = container_factory(RaiserService, service_config)
    container.start()
    return container


@pytest.fixture
def raiser_caller(container_factory, service_config, raiser):
    container = container_factory(RaiserCallerService, service_config)
    container.start()
    return container


@pytest.fixture(params=["cluster_rpc_proxy", "rpc_client"])
def call_raiser(request, service_config, raiser):
    """Call a method of the raiser service the way one of the two callers does."""
    if request.param == "cluster_rpc_proxy":

        def call(method, *args):
            with SignedRpcProxy(service_config, timeout=5) as cluster:
                return getattr(cluster.kernel_raiser, method)(*args)

        return call

    caller = request.getfixturevalue("raiser_caller")

    def call(method, *args):
        with entrypoint_hook(caller, method, timeout=5) as hook:
            return hook(*args)

    return call


@pytest.mark.parametrize(
    ("error_type", "detail", "code", "extra"),
    ERROR_TABLE,
    ids=[error_type.__name__ for error_type, *_ in ERROR_TABLE],
)
def test_an_error_raised_in_a_remote_worker_arrives_as_the_same_type_code_detail_and_extra(
    call_raiser, error_type, detail, code, extra
):
    with pytest.raises(ImiError) as caught:
        call_raiser("fail", error_type.__name__)

    error = caught.value
    assert type(error) is error_type
    assert error.detail == detail
    assert error.code == (code or error_type.default_code)
    assert error.extra == extra
    assert error.to_dict() == {"code": error.code, "detail": detail, **extra}


def test_an_unexpected_error_arrives_as_a_remote_error_naming_its_type(call_raiser):
    with pytest.raises(RemoteError) as caught:
        call_raiser("crash")

    assert caught.value.exc_type == "ValueError"
    assert "a bug, not a contract error" in caught.value.value


def test_every_error_type_has_its_own_status_and_default_code():
    statuses = {error_type: error_type.status for error_type in EXPECTED_ERRORS}

    assert statuses == {
        ValidationFailed: 400,
        Unauthenticated: 401,
        Forbidden: 403,
        NotFound: 404,
        Conflict: 409,
        RateLimited: 429,
        Unavailable: 503,
    }
    assert len({error_type.default_code for error_type in EXPECTED_ERRORS}) == 7


def test_validation_failed_from_fields_carries_the_field_errors():
    error = ValidationFailed.from_fields({"title": ["Too long."]})

    assert error.code == "error.validation"
    assert error.extra == {"errors": {"title": ["Too long."]}}
    assert error.to_dict() == {
        "code": "error.validation",
        "detail": "The input is not valid.",
        "errors": {"title": ["Too long."]},
    }


@pytest.mark.parametrize(
    ("error_type", "detail", "code", "extra"),
    ERROR_TABLE,
    ids=[error_type.__name__ for error_type, *_ in ERROR_TABLE],
)
def test_an_error_rebuilt_from_its_args_is_the_same_error(error_type, detail, code, extra):
    error = error_type(detail, code, extra)

    rebuilt = error_type(*error.args)  # how nameko re-creates it on the caller's side

    assert (rebuilt.detail, rebuilt.code, rebuilt.extra) == (error.detail, error.code, extra)
