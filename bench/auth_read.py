"""Benchmark: an authenticated read through the whole stack, against two references.

    .venv/bin/python -m bench.auth_read [--seconds 10] [--warmup 2] [--concurrency 1,16,64]

Scenarios, each started by this program in its own processes on a fresh RabbitMQ vhost:

- (a) the real stack: identity + gateway (``nameko run``), GET /api/v1/users/me with a Bearer
  token obtained through the HTTP login flow: token check in the gateway, one identity RPC,
  one database read;
- (b) plain nameko with its defaults: an ``@http`` gateway making one ``RpcProxy`` call to an
  echo service (bench/reference_nameko.py);
- (c) a bare kombu RPC echo (bench/reference_kombu.py): the floor for one round trip.

Each is driven at each concurrency for a fixed time after a warm-up, and every process's CPU
time is read from /proc before and after, so the table shows where the time goes as well as
how fast it went. docs/performance.md explains how to read it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench import report
from bench.broker import Broker
from bench.measure import RunResult, find_or_install_wrk
from bench.patches import available
from bench.processes import ProcessGroup
from bench.procstat import CpuMeter, wait_until_quiet
from bench.scenario import Context

# Imported when run: (a) imports the services, and with them eventlet and its warning.
SCENARIOS = {
    "a": "bench.stack:start_stack",
    "b": "bench.references:start_nameko_reference",
    "c": "bench.references:start_kombu_reference",
}
EVENTLET_WARNING = r"\s*Eventlet is deprecated"


def scenario_starter(key: str):
    module, function = SCENARIOS[key].split(":")
    return getattr(importlib.import_module(module), function)


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.auth_read", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up before each run")
    parser.add_argument("--concurrency", default="1,16,64", help="comma-separated client counts")
    parser.add_argument("--scenarios", default="a,b,c", help="which of a,b,c to run")
    parser.add_argument(
        "--python-client", action="store_true", help="drive HTTP with the Python client, not wrk"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the run's folder (config, databases, logs)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per scenario and concurrency; the table keeps the fastest (least disturbed)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="before each run, wait up to this long for other processes to go quiet",
    )
    parser.add_argument("--amqp-port", type=int, default=5672, help="the local broker's port")
    parser.add_argument(
        "--patch",
        action="append",
        default=[],
        choices=available(),
        help="run (a) with an experimental change of bench/patches/ (repeatable)",
    )
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.concurrency.split(",") if level.strip()]
    args.keys = [key.strip() for key in args.scenarios.split(",") if key.strip()]
    unknown = set(args.keys) - set(SCENARIOS)
    if unknown or not args.levels or min(args.levels) < 1 or args.repeat < 1:
        parser.error(f"bad --scenarios or --concurrency ({', '.join(sorted(unknown))})")
    return args


def machine_description(broker: Broker, wrk: str | None) -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    wrk_version = "none (Python client)"
    if wrk:
        banner = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
        wrk_version = (banner.stdout or banner.stderr).split("[")[0].strip()
    return (
        f"machine: {model}, {os.cpu_count()} cores, {memory_kb // 1024} MiB, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; "
        f"RabbitMQ {broker.version()}; load generator: {wrk_version}"
    )


def run_scenario(key, context, broker_pid, args) -> dict[tuple[str, int], RunResult]:
    results = {}
    with ProcessGroup(context.work_dir / "logs") as group:
        log(f"starting {report.scenario_name(key, context.patches)}")
        target = scenario_starter(key)(group, context)
        meter = CpuMeter({**target.pids, "broker": broker_pid})
        for concurrency in args.levels:
            for _ in range(args.repeat):
                wait_until_quiet(args.quiet_wait, log=log)
                result = target.load.run(concurrency, args.warmup, args.seconds, meter)
                for process in group.processes:
                    process.check_alive()
                log(
                    f"{key} x{concurrency}: {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                    f"p99 {result.p99_ms:.2f} ms, errors {result.errors}, "
                    f"others' CPU {result.other_cpu_ms_per_request() or 0.0:.2f} ms/request"
                )
                best = results.get((key, concurrency))
                if best is None or result.rps > best.rps:
                    results[(key, concurrency)] = result
    return results


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=EVENTLET_WARNING)
    args = parse_args(argv)
    broker = Broker(port=args.amqp_port)
    broker_pid = broker.os_pid()
    wrk = None if args.python_client else find_or_install_wrk(log)
    if not wrk:
        reason = "as asked" if args.python_client else "wrk is not available"
        log(f"the Python HTTP client drives (a) and (b) ({reason})")
    planned = len(args.keys) * len(args.levels) * args.repeat * (args.seconds + args.warmup)
    work_dir = Path(tempfile.mkdtemp(prefix="imi-bench-"))
    (work_dir / "logs").mkdir()
    vhost = broker.create_vhost()
    log(f"vhost {vhost}, run folder {work_dir}, about {planned:.0f} s of load")
    results: dict[tuple[str, int], RunResult] = {}
    started = time.monotonic()
    try:
        context = Context(
            amqp_uri=broker.amqp_uri(vhost),
            work_dir=work_dir,
            wrk=wrk,
            access_token_seconds=int(max(3600, 4 * planned)),
            patches=tuple(args.patch),
        )
        for key in args.keys:
            results.update(run_scenario(key, context, broker_pid, args))
    finally:
        broker.delete_vhost(vhost)
        if args.keep:
            log(f"kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(machine_description(broker, wrk))
    print(
        f"each run: {args.warmup:g} s warm-up, then {args.seconds:g} s measured"
        + (f", best of {args.repeat}" if args.repeat > 1 else "")
        + f"; CPU columns: CPU ms per request; total {time.monotonic() - started:.0f} s\n"
    )
    print(report.table(results, tuple(args.patch)))
    print()
    print(report.ratios(results, args.levels))
    print()
    print(report.aims_text(report.aims(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
