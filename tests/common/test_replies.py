"""Replies of services.common.entrypoints' ``@rpc``: the process's one channel survives a
dropped connection, and a result that cannot be encoded reaches the caller as an error."""

from __future__ import annotations

import socket

import pytest
from nameko.exceptions import IncorrectSignature, RemoteError
from nameko.testing.services import entrypoint_hook

from services.common.entrypoints import TransientReplyRpcConsumer, rpc
from tests.signed_rpc import SignedRpcProxy


class ReplyingService:
    name = "kernel_replying"

    @rpc
    def echo(self, value):
        return value

    @rpc
    def unencodable(self):
        return object()


@pytest.fixture
def replying(container_factory, service_config):
    container = container_factory(ReplyingService, service_config)
    container.start()
    return container


def reply_producer(container):
    consumers = [ext for ext in container.extensions if isinstance(ext, TransientReplyRpcConsumer)]
    return consumers[0].replies


def test_replies_of_many_calls_reach_their_own_callers(replying, service_config):
    with SignedRpcProxy(service_config, timeout=10) as cluster:
        calls = [cluster.kernel_replying.echo.call_async(n) for n in range(40)]
        assert [call.result() for call in calls] == list(range(40))


def test_a_reply_after_the_connection_dropped_goes_out_on_a_new_one(replying, service_config):
    with SignedRpcProxy(service_config, timeout=10) as cluster:
        assert cluster.kernel_replying.echo("before") == "before"
        sender = reply_producer(replying)
        sender._connection.connection.transport.sock.shutdown(socket.SHUT_RDWR)

        assert cluster.kernel_replying.echo("after") == "after"


def test_a_result_that_cannot_be_encoded_reaches_the_caller_as_an_error(replying, service_config):
    with (
        SignedRpcProxy(service_config, timeout=10) as cluster,
        pytest.raises(RemoteError) as caught,
    ):
        cluster.kernel_replying.unencodable()

    assert caught.value.exc_type == "UnserializableValueError"


def test_a_call_that_does_not_fit_the_methods_signature_is_refused_as_such(
    replying, service_config
):
    with SignedRpcProxy(service_config, timeout=10) as cluster:
        with pytest.raises(IncorrectSignature, match="too many positional arguments"):
            cluster.kernel_replying.echo(1, 2)
        assert cluster.kernel_replying.echo(value=3) == 3


def test_the_replies_connection_is_closed_with_the_service(replying):
    with entrypoint_hook(replying, "echo", timeout=10) as echo:
        echo(1)
    sender = reply_producer(replying)

    replying.stop()

    assert sender._connection is None
