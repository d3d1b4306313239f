"""Structured logs: one JSON object per line, carrying the call id across services."""

from __future__ import annotations

import io
import json
import logging

import pytest
from nameko.testing.services import entrypoint_hook

from services.common.entrypoints import ImiRpc
from services.common.logs import CallIdLogging, JsonFormatter
from services.common.rpc import RpcClient

rpc = ImiRpc.decorator  # answers our RpcClient's direct replies, unlike nameko's stock @rpc

log = logging.getLogger("kernel_logged")


class LoggedService:
    name = "kernel_logged"

    call_logging = CallIdLogging()

    @rpc
    def greet(self, who):
        log.info("greeting %s\nacross two lines", who)
        return f"hello {who}"


class LoggedCallerService:
    name = "kernel_logged_caller"

    call_logging = CallIdLogging()
    logged = RpcClient("kernel_logged")

    @rpc
    def greet_through(self, who):
        log.info("asking for a greeting of %s", who)
        return self.logged.greet(who)


@pytest.fixture
def json_lines():
    """What ``log`` writes through the JsonFormatter, as a function returning the lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    previous_level = log.level
    log.setLevel(logging.INFO)
    yield lambda: stream.getvalue().splitlines()
    log.removeHandler(handler)
    log.setLevel(previous_level)


@pytest.fixture
def logged_caller(container_factory, service_config):
    for service_cls in (LoggedService, LoggedCallerService):
        container = container_factory(service_cls, service_config)
        container.start()
    return container


def test_each_line_is_one_json_object_with_the_call_id_of_its_worker_and_of_the_first_call(
    logged_caller, json_lines
):
    with entrypoint_hook(logged_caller, "greet_through", timeout=5) as hook:
        assert hook("Ana") == "hello Ana"

    entries = [json.loads(line) for line in json_lines()]
    caller_entry, callee_entry = entries
    assert caller_entry["message"] == "asking for a greeting of Ana"
    assert callee_entry["message"] == "greeting Ana\nacross two lines"
    assert caller_entry["call_id"].startswith("kernel_logged_caller.greet_through.")
    assert callee_entry["call_id"].startswith("kernel_logged.greet.")
    assert caller_entry["origin_call_id"] == caller_entry["call_id"]
    assert callee_entry["origin_call_id"] == caller_entry["call_id"]
    assert {entry["level"] for entry in entries} == {"INFO"}
    assert {entry["logger"] for entry in entries} == {"kernel_logged"}


def test_a_line_logged_outside_any_worker_carries_no_call_id(logged_caller, json_lines):
    with entrypoint_hook(logged_caller, "greet_through", timeout=5) as hook:
        hook("Ana")
    log.info("after the call")

    entry = json.loads(json_lines()[-1])
    assert entry["message"] == "after the call"
    assert "call_id" not in entry
    assert "origin_call_id" not in entry


def test_an_exception_is_logged_with_its_traceback_inside_the_json(json_lines):
    try:
        raise ValueError("broken")
    except ValueError:
        log.exception("it failed")

    [line] = json_lines()
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["message"] == "it failed"
    assert entry["exception"].startswith("Traceback")
    assert "ValueError: broken" in entry["exception"]
    assert entry["time"].endswith("+00:00")
