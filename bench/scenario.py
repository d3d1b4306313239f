"""What every scenario gets to start with, and what it hands back to be measured."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bench.measure import ClientProcessLoad, RunResult, WrkLoad
from bench.processes import REPO_ROOT, python_command
from bench.procstat import CpuMeter


class Load(Protocol):
    def run(
        self, concurrency: int, warmup: float, seconds: float, meter: CpuMeter
    ) -> RunResult: ...


@dataclass
class Target:
    """A started scenario: how to load it, and its processes by role (gateway, service)."""

    load: Load
    pids: dict[str, int]


@dataclass
class Context:
    amqp_uri: str
    work_dir: Path
    wrk: str | None
    access_token_seconds: int
    patches: tuple[str, ...] = ()

    def http_load(self, url: str, headers: dict[str, str]) -> Load:
        """wrk when we have it; otherwise the (costlier) Python client."""
        if self.wrk:
            return WrkLoad(self.wrk, url, headers, self.work_dir)
        command = python_command("-m", "bench.http_client", url)
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        return ClientProcessLoad(command, "python http client", REPO_ROOT)

    def client_load(self, command: list[str], generator: str) -> Load:
        return ClientProcessLoad(command, generator, REPO_ROOT)
