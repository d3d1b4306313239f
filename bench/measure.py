"""One measured run: warm up, snapshot CPU, load for a fixed time, snapshot CPU again.

Two kinds of load generator are driven the same way:

- ``wrk`` (C, one thread, keep-alive connections): a warm-up invocation, then a measured one;
  its own CPU comes from the kernel's accounting of the reaped child (``RUSAGE_CHILDREN``);
- a Python client process (the kombu RPC client, or the HTTP fallback when wrk is missing)
  that warms up and measures in one go and prints a line at each boundary of its measured
  window (then its figures), so the CPU snapshots bracket that window.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.procstat import CpuMeter, CpuSnapshot

WARMUP_DONE = "warmup-done"
MEASURE_DONE = "measure-done"
MEASURED = "measured"
LOAD = "load"


@dataclass
class RunResult:
    """What one (scenario, concurrency) run produced."""

    concurrency: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    machine_cpu_seconds: float = 0.0
    generator: str = ""
    details: dict = field(default_factory=dict)  # a client's own further figures

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def cpu_ms_per_request(self, name: str) -> float | None:
        if name not in self.cpu_seconds or not self.requests:
            return None
        return 1000.0 * self.cpu_seconds[name] / self.requests

    def other_cpu_ms_per_request(self) -> float | None:
        """Machine CPU not charged to a measured process: other tenants, the kernel's softirqs
        for loopback traffic, this orchestrator. Large values mean a noisy run."""
        if not self.requests:
            return None
        unaccounted = self.machine_cpu_seconds - sum(self.cpu_seconds.values())
        return 1000.0 * unaccounted / self.requests


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


# --- wrk ----------------------------------------------------------------------------------

WRK_SCRIPT = """
-- Written by bench/measure.py: prints the figures the benchmark parses, in ms.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %.4f %.4f %d\\n",
    summary.requests, summary.duration,
    latency:percentile(50) / 1000.0, latency:percentile(99) / 1000.0,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def find_or_install_wrk(log) -> str | None:
    """wrk's path; installs Debian's package when missing and we are root, else None."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return found
    log("wrk is missing: installing the Debian package wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"]
    for attempt in (install, ["apt-get", "update", "-qq"], install):
        subprocess.run(attempt, env=env, capture_output=True, check=False, timeout=600)
        if attempt is install and shutil.which("wrk"):
            break
    return shutil.which("wrk")


class WrkLoad:
    timeout_seconds = 10  # a request not answered by then counts as an error

    def __init__(self, wrk: str, url: str, headers: dict[str, str], work_dir: Path):
        self.wrk = wrk
        self.url = url
        self.headers = headers
        self.script = work_dir / "bench.lua"
        self.script.write_text(WRK_SCRIPT)

    def _command(self, concurrency: int, seconds: float) -> list[str]:
        command = [self.wrk, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s"]
        command += ["--timeout", f"{self.timeout_seconds:g}s", "-s", str(self.script)]
        for name, value in self.headers.items():
            command += ["-H", f"{name}: {value}"]
        return [*command, self.url]

    def _wrk(self, concurrency: int, seconds: float) -> tuple[str, float]:
        """wrk's output and the CPU seconds it used (it is our only child reaped here)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            self._command(concurrency, seconds),
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return done.stdout, cpu

    def run(self, concurrency: int, warmup: float, seconds: float, meter: CpuMeter) -> RunResult:
        if warmup > 0:
            self._wrk(concurrency, warmup)
        before = meter.snapshot()
        output, wrk_cpu = self._wrk(concurrency, seconds)
        used = CpuMeter.used(before, meter.snapshot())
        line = next(line for line in output.splitlines() if line.startswith("BENCH "))
        requests, duration_us, p50, p99, errors = line.split()[1:]
        return RunResult(
            concurrency=concurrency,
            requests=int(requests),
            seconds=int(duration_us) / 1e6,
            p50_ms=float(p50),
            p99_ms=float(p99),
            errors=int(errors),
            cpu_seconds={**used.per_process, LOAD: wrk_cpu},
            machine_cpu_seconds=used.machine,
            generator="wrk",
        )


# --- Python client processes ----------------------------------------------------------------


class ClientProcessLoad:
    """A client process that takes --concurrency, --warmup and --seconds and prints
    ``warmup_done``, ``measure_done`` and ``report`` lines."""

    def __init__(self, command: list[str], generator: str, cwd: Path):
        self.command = command
        self.generator = generator
        self.cwd = cwd

    def run(self, concurrency: int, warmup: float, seconds: float, meter: CpuMeter) -> RunResult:
        command = [*self.command, "--concurrency", str(concurrency)]
        command += ["--warmup", str(warmup), "--seconds", str(seconds)]
        with subprocess.Popen(
            command, cwd=self.cwd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
        ) as client:
            assert client.stdout is not None
            client_meter = meter.including(LOAD, client.pid)
            before: CpuSnapshot | None = None
            after: CpuSnapshot | None = None
            for line in client.stdout:
                if line.startswith(WARMUP_DONE):
                    before = client_meter.snapshot()
                elif line.startswith(MEASURE_DONE):
                    after = client_meter.snapshot()
                elif line.startswith(MEASURED):
                    if before is None or after is None:
                        raise RuntimeError(f"{self.generator}: figures before the phase lines")
                    used = CpuMeter.used(before, after)
                    figures = json.loads(line[len(MEASURED) :])
                    break
            else:
                client.wait()
                raise RuntimeError(f"{self.generator} client exited ({client.returncode})")
            client.wait(timeout=60)
        return RunResult(
            concurrency=concurrency,
            requests=figures["requests"],
            seconds=figures["seconds"],
            p50_ms=figures["p50_ms"],
            p99_ms=figures["p99_ms"],
            errors=figures["errors"],
            cpu_seconds=used.per_process,
            machine_cpu_seconds=used.machine,
            generator=self.generator,
            details=figures.get("details", {}),
        )


def warmup_done(stream) -> None:
    stream.write(f"{WARMUP_DONE}\n")
    stream.flush()


def measure_done(stream) -> None:
    stream.write(f"{MEASURE_DONE}\n")
    stream.flush()


def report(stream, latencies_s: list[float], errors: int, seconds: float) -> None:
    """The client's last line: its figures for the measured window."""
    latencies = sorted(latencies_s)
    figures = {
        "requests": len(latencies),
        "seconds": seconds,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "errors": errors,
    }
    stream.write(f"{MEASURED} {json.dumps(figures)}\n")
    stream.flush()
