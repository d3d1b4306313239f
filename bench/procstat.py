"""CPU time of processes, read from /proc, so each process is charged only what it used.

Wall-clock throughput alone cannot say which process is the bottleneck on a 2-core machine
where the load generator, the broker and the services all compete for the same cores; CPU
milliseconds per request per process can.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ")".
    return text[text.rindex(")") + 2 :].split()


def own_cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads) plus its reaped children's."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # After the name: state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based overall.
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime + cutime + cstime) / CLOCK_TICKS


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def tree_cpu_seconds(pid: int, children: dict[int, list[int]] | None = None) -> float:
    """CPU of a process and of every live descendant (e.g. the broker's port programs)."""
    children = _children_map() if children is None else children
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        total += own_cpu_seconds(current)
        stack.extend(children.get(current, ()))
    return total


def machine_busy_seconds() -> float:
    """CPU time every core spent on anything but idle and I/O wait, since boot."""
    first = (PROC / "stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def wait_until_quiet(
    max_wait: float, busy_cores: float = 0.3, log: Callable[[str], None] = print
) -> float:
    """Wait (up to ``max_wait`` s) until the machine uses less than ``busy_cores`` cores.

    On a shared machine another tenant's test run takes the cores the benchmark measures;
    waiting for a quiet second before each run makes the figures comparable. Returns the
    load of the last second, in cores.
    """
    deadline = time.monotonic() + max_wait
    waited = False
    while True:
        before, started = machine_busy_seconds(), time.monotonic()
        time.sleep(1.0)
        load = (machine_busy_seconds() - before) / (time.monotonic() - started)
        quiet = load < busy_cores
        if quiet or time.monotonic() >= deadline:
            if waited:
                log(f"machine load {load:.2f} cores" + ("" if quiet else ": measuring anyway"))
            return load
        if not waited:
            log(f"machine busy ({load:.2f} cores used by others): waiting up to {max_wait:g} s")
            waited = True


@dataclass
class CpuSnapshot:
    per_process: dict[str, float]
    machine: float


class CpuMeter:
    """Snapshots named process trees (and the whole machine) before and after a run."""

    def __init__(self, pids: dict[str, int]):
        self.pids = dict(pids)

    def including(self, name: str, pid: int) -> CpuMeter:
        """This meter with one more process (a client started for one run)."""
        extended = copy.copy(self)
        extended.pids = {**self.pids, name: pid}
        return extended

    def snapshot(self) -> CpuSnapshot:
        children = _children_map()
        return CpuSnapshot(
            {name: tree_cpu_seconds(pid, children) for name, pid in self.pids.items()},
            machine_busy_seconds(),
        )

    @staticmethod
    def used(before: CpuSnapshot, after: CpuSnapshot) -> CpuSnapshot:
        return CpuSnapshot(
            {
                name: after.per_process[name] - before.per_process.get(name, 0.0)
                for name in after.per_process
            },
            after.machine - before.machine,
        )
