"""Starting the two references, (b) plain nameko and (c) bare kombu, on the run's vhost."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from bench.payload import ECHO_ROUTE
from bench.processes import (
    ProcessGroup,
    StartError,
    free_port,
    nameko_run,
    python_command,
    wait_for_http,
)
from bench.scenario import Context, Target

START_TIMEOUT_SECONDS = 60


def start_nameko_reference(group: ProcessGroup, context: Context) -> Target:
    """(b): two ``nameko run`` processes; the config names only the broker and the port."""
    port = free_port()
    config = context.work_dir / "reference-nameko.yaml"
    config.write_text(
        yaml.safe_dump({"AMQP_URI": context.amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})
    )
    service = group.start("b-echo-service", nameko_run(config, _ref("EchoService")))
    gateway = group.start("b-gateway", nameko_run(config, _ref("ReferenceGateway")))
    url = f"http://127.0.0.1:{port}{ECHO_ROUTE}"
    # 200 only once the echo service's queue exists (before that: UnknownService, a 500).
    wait_for_http(url, [service, gateway], START_TIMEOUT_SECONDS, status=200)
    return Target(context.http_load(url, {}), {"gateway": gateway.pid, "service": service.pid})


def start_kombu_reference(group: ProcessGroup, context: Context) -> Target:
    """(c): a kombu echo server process; the client process is the load generator."""
    server = group.start(
        "c-kombu-server",
        python_command("-m", "bench.reference_kombu", "server", "--uri", context.amqp_uri),
    )
    _wait_for_line(server.log_path, "ready", [server])
    client = python_command("-m", "bench.reference_kombu", "client", "--uri", context.amqp_uri)
    return Target(context.client_load(client, "kombu client"), {"service": server.pid})


def _ref(cls: str) -> str:
    return f"bench.reference_nameko:{cls}"


def _wait_for_line(path: Path, text: str, processes) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while text not in path.read_text(errors="replace"):
        for process in processes:
            process.check_alive()
        if time.monotonic() > deadline:
            raise StartError(f"{path.name}: no {text!r} within {START_TIMEOUT_SECONDS} s")
        time.sleep(0.1)
