"""Our RpcClient: a caller never waits longer than its timeout, and a call nobody waits for is
dropped; an idempotency key goes only where the caller sends it."""

from __future__ import annotations

import socket
import uuid

import eventlet
import pytest
from nameko.extensions import DependencyProvider
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from services.common.entrypoints import ImiRpc
from services.common.errors import Unavailable
from services.common.rpc import RpcClient
from services.common.rpc_channel import RpcChannel
from tests.signed_rpc import SignedRpcProxy

rpc = ImiRpc.decorator  # answers our RpcClient's direct replies, unlike nameko's stock @rpc

SLOW = "kernel_slow"
CALLER_TIMEOUT = 0.5

started_calls: list[str] = []  # tokens of the calls kernel_slow began
finished_calls: list[str] = []  # tokens of the calls kernel_slow ran to the end


class SlowService:
    name = SLOW

    @rpc
    def slow(self, token, seconds):
        started_calls.append(token)
        eventlet.sleep(seconds)
        finished_calls.append(token)
        return token

    @rpc
    def ping(self, token):
        started_calls.append(token)
        return token


class SlowCallerService:
    name = "kernel_slow_caller"

    slow_service = RpcClient(SLOW, timeout=CALLER_TIMEOUT)

    @rpc
    def call_slow(self, token, seconds):
        return self.slow_service.slow(token, seconds)

    @rpc
    def call_slow_with_timeout(self, token, seconds, timeout):
        return self.slow_service.using(timeout=timeout).slow(token, seconds)

    @rpc
    def call_ping(self, token):
        return self.slow_service.ping(token)

    @rpc
    def call_many_pings(self, tokens):
        """Concurrent calls from one worker, over the process's one channel."""
        pile = eventlet.GreenPile()
        for token in tokens:
            pile.spawn(self.slow_service.using(timeout=10).ping, token)
        return list(pile)

    @rpc
    def call_slow_patiently(self, token, seconds):
        return self.slow_service.using(timeout=30).slow(token, seconds)


class IncomingContext(DependencyProvider):
    """The context data (headers) a worker was called with."""

    def get_dependency(self, worker_ctx):
        return dict(worker_ctx.data)


class KeyEchoService:
    name = "kernel_key_echo"

    context = IncomingContext()

    @rpc
    def key(self):
        return self.context.get("idempotency_key")


class KeyForwarderService:
    name = "kernel_key_forwarder"

    echo = RpcClient("kernel_key_echo")

    @rpc
    def forward(self):
        return self.echo.key()

    @rpc
    def forward_with_key(self, key):
        return self.echo.using(idempotency_key=key).key()


def a_token() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def slow(container_factory, service_config):
    container = container_factory(SlowService, service_config)
    container.start()
    return container


@pytest.fixture
def slow_caller(container_factory, service_config):
    container = container_factory(SlowCallerService, service_config)
    container.start()
    return container


def call(container, method, *args):
    with entrypoint_hook(container, method, timeout=10) as hook:
        return hook(*args)


def test_a_slow_service_makes_the_caller_give_up_with_unavailable(slow, slow_caller):
    token = a_token()

    with entrypoint_waiter(slow, "slow", timeout=10):
        with pytest.raises(Unavailable) as caught:
            call(slow_caller, "call_slow", token, 3 * CALLER_TIMEOUT)

        assert caught.value.code == "error.service_unavailable"
        assert caught.value.extra == {"service": SLOW}
        assert "within 0.5 s" in caught.value.detail
        assert token in started_calls
        assert token not in finished_calls  # the caller gave up before the answer came

    assert token in finished_calls


def test_a_timeout_given_for_one_call_wins_over_the_clients(slow, slow_caller):
    token = a_token()

    with entrypoint_waiter(slow, "slow", timeout=10):
        with pytest.raises(Unavailable) as caught:
            call(slow_caller, "call_slow_with_timeout", token, 1.0, 0.2)
        assert token not in finished_calls

    assert "within 0.2 s" in caught.value.detail


def test_a_late_answer_does_not_block_or_confuse_the_callers_next_calls(slow, slow_caller):
    late, meanwhile, afterwards = a_token(), a_token(), a_token()
    with pytest.raises(Unavailable):
        call(slow_caller, "call_slow", late, 3 * CALLER_TIMEOUT)

    assert call(slow_caller, "call_ping", meanwhile) == meanwhile
    assert late not in finished_calls  # the next call was answered while the slow one ran
    with entrypoint_waiter(slow, "slow", timeout=10):
        pass  # now the late answer goes back, to a caller that forgot the call
    assert late in finished_calls
    assert call(slow_caller, "call_ping", afterwards) == afterwards


def test_a_request_whose_caller_gave_up_is_dropped_and_never_runs(
    container_factory, service_config, slow_caller
):
    # the queue of kernel_slow exists, but no instance consumes it (a stopped service)
    stopped = container_factory(SlowService, service_config)
    stopped.start()
    stopped.stop()
    abandoned, fresh = a_token(), a_token()

    with pytest.raises(Unavailable):
        call(slow_caller, "call_ping", abandoned)
    restarted = container_factory(SlowService, service_config)
    restarted.start()
    answer = call(slow_caller, "call_ping", fresh)

    assert answer == fresh
    assert abandoned not in started_calls
    assert fresh in started_calls


@pytest.fixture
def key_echo(container_factory, service_config):
    echo = container_factory(KeyEchoService, service_config)
    echo.start()
    forwarder = container_factory(KeyForwarderService, service_config)
    forwarder.start()
    return forwarder


def test_an_idempotency_key_is_not_passed_on_to_the_calls_a_worker_makes(key_echo, service_config):
    with SignedRpcProxy(
        service_config, context_data={"idempotency_key": "outer-key"}, timeout=5
    ) as cluster:
        assert cluster.kernel_key_forwarder.forward() is None
        assert cluster.kernel_key_forwarder.forward_with_key("inner-key") == "inner-key"


def rpc_channel(container) -> RpcChannel:
    return next(ext for ext in container.extensions if isinstance(ext, RpcChannel))


def test_concurrent_calls_over_one_channel_each_get_their_own_answer(slow, slow_caller):
    tokens = [a_token() for _ in range(40)]

    assert call(slow_caller, "call_many_pings", tokens) == tokens


def test_a_broken_connection_answers_the_waiting_calls_at_once_and_the_next_call_reconnects(
    slow, slow_caller
):
    waiting, afterwards = a_token(), a_token()
    channel = rpc_channel(slow_caller)

    with entrypoint_hook(slow_caller, "call_slow_patiently", timeout=20) as hook:
        caller = eventlet.spawn(hook, waiting, 5.0)
        while waiting not in started_calls:
            eventlet.sleep(0.01)
        channel._connection.connection.transport.sock.shutdown(socket.SHUT_RDWR)
        with pytest.raises(Unavailable) as caught:
            caller.wait()

    assert "connection to the broker broke" in caught.value.detail
    assert waiting not in finished_calls  # answered before the callee could finish
    assert call(slow_caller, "call_ping", afterwards) == afterwards


def test_an_idle_channel_keeps_its_connection_through_heartbeats(
    container_factory, service_config, slow
):
    caller = container_factory(SlowCallerService, {**service_config, "HEARTBEAT": 1})
    caller.start()
    assert call(caller, "call_ping", a_token())
    connection = rpc_channel(caller)._connection

    eventlet.sleep(3.5)  # the broker closes a connection silent for two heartbeats

    assert call(caller, "call_ping", a_token())
    assert rpc_channel(caller)._connection is connection
