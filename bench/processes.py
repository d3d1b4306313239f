"""Starting and stopping what the benchmark measures, each in its own OS process.

Every process is started in its own session with its output in a log file of the run's
folder, so a failure can be diagnosed afterwards, and is always stopped (TERM, then KILL)
when the run ends, even on an error or Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
STOP_GRACE_SECONDS = 15


class StartError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def python_command(*args: str) -> list[str]:
    """The venv's interpreter running a module: no reliance on PATH or an activated venv."""
    return [sys.executable, *args]


def nameko_run(config: Path, *services: str, patches: tuple[str, ...] = ()) -> list[str]:
    """``nameko run``; with ``patches``, through bench.patched, which applies them first."""
    runner = ("-m", "bench.patched", ",".join(patches)) if patches else ("-m", "nameko")
    return python_command(*runner, "run", "--config", str(config), *services)


class Process:
    def __init__(self, name: str, command: list[str], log_dir: Path, env: dict | None = None):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        if not self.alive():
            raise StartError(
                f"{self.name} exited with status {self.popen.returncode}; "
                f"the end of its log:\n{self.log_tail()}"
            )

    def stop(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()


class ProcessGroup:
    """The processes of one scenario; stopped in reverse order of start (gateway first)."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.processes: list[Process] = []

    def start(self, name: str, command: list[str], env: dict | None = None) -> Process:
        process = Process(name, command, self.log_dir, env)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def wait_for_http(
    url: str, processes: list[Process], timeout: float = 60.0, status: int | None = None
) -> requests.Response:
    """Until ``url`` answers (with ``status`` when given): the server listens and routes."""
    deadline = time.monotonic() + timeout
    while True:
        for process in processes:
            process.check_alive()
        try:
            response = requests.get(url, timeout=2)
            if status is None or response.status_code == status:
                return response
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise StartError(f"{url} did not answer within {timeout:g} s")
        time.sleep(0.2)
