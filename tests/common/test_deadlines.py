"""Timeouts nest: a call's deadline reaches the calls it makes, which wait no longer.

``kernel_deadline_caller`` calls ``kernel_deadline_front`` with a 1 s timeout; the front calls
``kernel_deadline_back`` with its own 5 s timeout, which must shrink to what its caller has
left; the back reports the time left it was given.
"""

from __future__ import annotations

import time

import eventlet
import pytest
from nameko.extensions import DependencyProvider
from nameko.testing.services import entrypoint_hook

from services.common.deadlines import DEADLINE
from services.common.entrypoints import rpc
from services.common.errors import Unavailable
from services.common.rpc import RpcClient


class WorkerContextData(DependencyProvider):
    """The context data the call arrived with (the deadline travels there)."""

    def get_dependency(self, worker_ctx) -> dict:
        return worker_ctx.data


BACK_CALLS: list[float] = []


class BackService:
    name = "kernel_deadline_back"
    context = WorkerContextData()

    @rpc
    def time_left(self) -> float | None:
        BACK_CALLS.append(time.time())
        deadline = self.context.get(DEADLINE)
        return None if deadline is None else deadline - time.time()


class FrontService:
    name = "kernel_deadline_front"
    back = RpcClient("kernel_deadline_back", timeout=5)

    @rpc
    def ask_back(self, pause: float = 0) -> float | None:
        eventlet.sleep(pause)
        return self.back.time_left()


class CallerService:
    name = "kernel_deadline_caller"
    front = RpcClient("kernel_deadline_front", timeout=1)

    @rpc
    def ask(self, pause: float = 0) -> float | None:
        return self.front.ask_back(pause)


@pytest.fixture
def caller(container_factory, service_config):
    for service in (BackService, FrontService):
        container_factory(service, service_config).start()
    container = container_factory(CallerService, service_config)
    container.start()
    return container


def test_a_nested_call_waits_no_longer_than_its_caller_has_left(caller):
    with entrypoint_hook(caller, "ask") as ask:
        left = ask()

    assert left is not None
    assert 0 < left <= 1.0


def test_a_nested_call_after_the_callers_deadline_is_not_made(caller):
    BACK_CALLS.clear()
    with entrypoint_hook(caller, "ask") as ask, pytest.raises(Unavailable):
        ask(1.2)  # the caller gives up after 1 s; the front calls the back after 1.2 s

    eventlet.sleep(0.6)  # the front has woken up and decided by now
    assert BACK_CALLS == []
