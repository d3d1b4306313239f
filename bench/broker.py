"""The machine's RabbitMQ: a fresh virtual host per run, and the broker's OS process.

Each run gets its own vhost so that no queue or message of another run (or of the tests)
is in the way, and deleting the vhost at the end removes everything the run declared. The
broker itself is never reconfigured or restarted: only rabbitmqctl's vhost commands are used.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from urllib.parse import quote

from bench.procstat import PROC

RABBITMQCTL_TIMEOUT = 60


class BrokerError(RuntimeError):
    pass


def _rabbitmqctl(*args: str) -> str:
    command = ["rabbitmqctl", "-q", *args]
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise BrokerError("rabbitmqctl needs root (or sudo) on this machine")
        command = ["sudo", "-n", *command]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=RABBITMQCTL_TIMEOUT, check=False
    )
    if result.returncode != 0:
        raise BrokerError(f"{' '.join(args[:2])} failed: {result.stderr.strip()}")
    return result.stdout


def queued_messages(vhost: str) -> int:
    """How many messages wait in the queues of ``vhost``, delivered or not."""
    listed = json.loads(
        _rabbitmqctl("list_queues", "-p", vhost, "messages", "--formatter", "json") or "[]"
    )
    return sum(int(queue.get("messages") or 0) for queue in listed)


@dataclass
class Broker:
    """The local node listening on ``port``, as rabbitmqctl administers it."""

    host: str = "127.0.0.1"
    port: int = 5672
    user: str = "guest"
    password: str = "guest"  # noqa: S105 - RabbitMQ's local default account

    def status(self) -> dict:
        return json.loads(_rabbitmqctl("status", "--formatter", "json"))

    def os_pid(self) -> int:
        """The beam.smp process of the node whose AMQP listener is on our port."""
        status = self.status()
        ports = {listener.get("port") for listener in status.get("listeners", [])}
        if self.port not in ports:
            raise BrokerError(f"the node rabbitmqctl reaches does not listen on {self.port}")
        pid = int(status["pid"])
        comm = (PROC / str(pid) / "comm").read_text().strip()
        if comm != "beam.smp":
            raise BrokerError(f"pid {pid} is {comm!r}, not beam.smp")
        return pid

    def version(self) -> str:
        return str(self.status().get("rabbitmq_version", "?"))

    def create_vhost(self, prefix: str = "imi-bench") -> str:
        name = f"{prefix}-{secrets.token_hex(4)}"
        _rabbitmqctl("add_vhost", name)
        try:
            _rabbitmqctl("set_permissions", "-p", name, self.user, ".*", ".*", ".*")
        except BrokerError:
            self.delete_vhost(name)
            raise
        return name

    def delete_vhost(self, name: str) -> None:
        _rabbitmqctl("delete_vhost", name)

    def amqp_uri(self, vhost: str) -> str:
        return (
            f"pyamqp://{self.user}:{self.password}@{self.host}:{self.port}/{quote(vhost, safe='')}"
        )
