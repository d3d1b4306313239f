"""Benchmark: the directory's search through the gateway, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.directory_search [--authorities 500,100000]
        [--engine sqlite,postgresql] [--seconds 10] [--warmup 2] [--concurrency 1,16]

For each engine and size: a fresh database (a SQLite file in the run's folder, or a database
on the local PostgreSQL server, dropped afterwards) migrated to d0001, filled with a generated
directory (bench/directory_data.py) by bulk inserts, then migrated to head, so that d0002
builds the search indexes over the documents already there; then identity, directory and the
gateway as ``nameko run`` processes with a config written from deploy/config.yaml, and the
Commission administrator logged in through the API (bench/stack.py). wrk drives
GET /api/v1/search/authorities with a Lua script going round a set of queries of one mix:

- ``text+2``: free text (English, German, Greek, French, Polish, a typo, a transliteration)
  with two filters (member state and area, region, profession, keyword…);
- ``filters``: two filters and no text.

docs/performance.md ("Directory search") reports the figures and how to read them.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sys
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
import requests
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bench.broker import Broker
from bench.directory_data import demo_region, load_directory
from bench.login import HTTP_TIMEOUT_SECONDS, log_in_first_time
from bench.measure import WRK_SCRIPT, RunResult, WrkLoad, find_or_install_wrk
from bench.processes import ProcessGroup, StartError, free_port, nameko_run, wait_for_http
from bench.procstat import CpuMeter, wait_until_quiet
from bench.scenario import Context
from bench.stack import START_TIMEOUT_SECONDS
from services.common.config import AMQP_URI, DB_URIS, SERVICE_HTTP_PORTS, load_config
from services.common.migrations import upgrade
from services.directory.bootstrap import prepare_directory
from services.directory.demo import load_demo
from services.identity.bootstrap import create_commission_administrator

SEARCH = "/api/v1/search/authorities"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
EVENTLET_WARNING = r"\s*Eventlet is deprecated"
PQ = "professional_qualifications"

DEMO = "demo"
# Queries for services/directory/demo.py's data (titles in English, French and German,
# official names in each country's language).
DEMO_MIXES = {
    "text+2": [
        {"text": "Chamber of Commerce", "member_state": "DE", "area": "services"},
        {"text": "Handelskammer", "member_state": "AT", "workflow": "alerts"},
        {"text": "Εμπορικό Επιμελητήριο", "member_state": "EL", "area": "services"},
        {"text": "register of doctors", "member_state": "FR", "area": PQ},
        {"text": "labour inspectorat", "member_state": "BE", "area": "posting_of_workers"},
        {"text": "registre des architectes", "member_state": "IT", "area": PQ},
    ],
    "filters": [
        {"member_state": "DE", "area": PQ},
        {"member_state": "FR", "workflow": "alerts"},
        {"area": "solvit", "workflow": "information_requests"},
    ],
}
MIXES = {
    "text+2": [
        {"text": "Chamber of Doctors", "member_state": "DE", "area": PQ},
        {"text": "Kammer Architekten", "member_state": "AT", "area": "services"},
        {"text": "Επιμελητήριο Ιατρών", "member_state": "FR", "area": PQ},
        {"text": "Iatron Epimelitirio", "member_state": "EL", "region": demo_region("EL")},
        {"text": "Conseil des pharmaciens", "member_state": "BE", "area": PQ},
        {"text": "Izba Lekarzy", "member_state": "PL", "keyword": "kw_07"},
        {"text": "asociacion abogadso", "member_state": "ES", "area": "services"},
        {"text": "register of notaries", "member_state": "IT", "profession": "prof_042"},
    ],
    "filters": [
        {"member_state": "DE", "area": PQ},
        {"member_state": "FR", "region": demo_region("FR")},
        {"member_state": "PL", "keyword": "kw_12"},
        {"area": "solvit", "policy_area": "policy_03"},
    ],
}


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.directory_search", description=__doc__)
    parser.add_argument(
        "--authorities",
        default="demo,100000",
        help="comma-separated: 'demo' (services/directory/demo.py) or a generated size",
    )
    parser.add_argument("--engine", default="sqlite,postgresql", help="sqlite and/or postgresql")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up before each run")
    parser.add_argument("--concurrency", default="1,16", help="comma-separated client counts")
    parser.add_argument("--mixes", default="text+2,filters", help="query mixes to run")
    parser.add_argument("--quiet-wait", type=float, default=30.0, help="wait for a quiet machine")
    parser.add_argument("--amqp-port", type=int, default=5672, help="the local broker's port")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder")
    args = parser.parse_args(argv)
    args.sizes = [
        size.strip() if size.strip() == DEMO else int(size)
        for size in args.authorities.split(",")
        if size.strip()
    ]
    args.engines = [engine.strip() for engine in args.engine.split(",") if engine.strip()]
    args.levels = [int(level) for level in args.concurrency.split(",") if level.strip()]
    args.mix_names = [mix.strip() for mix in args.mixes.split(",") if mix.strip()]
    if set(args.engines) - {"sqlite", "postgresql"} or set(args.mix_names) - set(MIXES):
        parser.error("unknown --engine or --mixes")
    return args


# --- databases ------------------------------------------------------------------------------


class PostgresDatabase:
    """A database of its own on the local server, dropped when the run ends."""

    def __init__(self) -> None:
        self.name = f"imi_bench_search_{uuid.uuid4().hex[:10]}"
        self.uri = f"{PG_SERVER.replace('postgresql', 'postgresql+psycopg2')}/{self.name}"
        self._admin("CREATE DATABASE {}")

    def _admin(self, statement: str) -> None:
        connection = psycopg2.connect(f"{PG_SERVER}/postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement.format(f'"{self.name}"'))
        connection.close()

    def server_pid(self) -> int | None:
        """The postmaster, whose process tree runs every backend (CPU is charged to it)."""
        engine = create_engine(self.uri, poolclass=NullPool)
        with engine.connect() as connection:
            backend = connection.scalar(text("SELECT pg_backend_pid()"))
        engine.dispose()
        try:
            return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None

    def drop(self) -> None:
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def fill(uri: str, size: int | str) -> float:
    """The demo data through the service's own code (migrations to head first), or: the
    migrations to d0001, the generated directory, then d0002, which builds the search indexes
    over the loaded documents. Then fresh statistics. Seconds taken."""
    started = time.monotonic()
    engine = create_engine(uri, poolclass=NullPool)
    if size == DEMO:
        upgrade("directory", uri)
        prepare_directory(uri)
        load_demo(uri)
    else:
        upgrade("directory", uri, "d0001")
        prepare_directory(uri)
        load_directory(engine, size, log)
        upgrade("directory", uri)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return time.monotonic() - started


# --- the stack ------------------------------------------------------------------------------


@dataclass
class Stack:
    base: str
    token: str
    pids: dict[str, int]


def start_stack(group: ProcessGroup, context: Context, folder: Path, directory_uri: str) -> Stack:
    port = free_port()
    config = copy.deepcopy(load_config())
    config[AMQP_URI] = context.amqp_uri
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{port}"
    config[DB_URIS] = {"identity": f"sqlite:///{folder / 'identity.db'}",
                       "directory": directory_uri}  # fmt: skip
    config[SERVICE_HTTP_PORTS] = {"identity": free_port(), "directory": free_port()}
    # /health (the start signal) asks only the services this run starts
    config["GATEWAY"] = {**(config.get("GATEWAY") or {}), "SERVICES": ["identity", "directory"]}
    config["KEYS"] = {"DIR": str(folder / "keys")}
    config["IDENTITY"] = {**(config.get("IDENTITY") or {}), "KEY_DIR": str(folder / "keys"),
                          "ACCESS_TOKEN_SECONDS": context.access_token_seconds}  # fmt: skip
    config_file = folder / "config.yaml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    upgrade("identity", config[DB_URIS]["identity"])
    created = create_commission_administrator(
        config[DB_URIS]["identity"], config["IDENTITY"]["KEY_DIR"]
    )
    if created is None:
        raise StartError("the fresh identity database already had an administrator")
    processes = [
        group.start(name, nameko_run(config_file, module))
        for name, module in (("identity", "services.identity.service:IdentityService"),
                             ("directory", "services.directory.service:DirectoryService"),
                             ("gateway", "gateway.service:GatewayService"))
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/health", processes, START_TIMEOUT_SECONDS, status=200)
    token = log_in_first_time(base, *created)
    return Stack(base, token, {process.name: process.pid for process in processes})


def paths(mix: str, size: int | str) -> list[str]:
    queries = DEMO_MIXES if size == DEMO else MIXES
    return [f"{SEARCH}?{urlencode(query)}" for query in queries[mix]]


def check_queries(stack: Stack, mix: str, size: int | str) -> list[int]:
    """Each query answers 200 before it is measured; how many authorities each finds."""
    totals = []
    for path in paths(mix, size):
        response = requests.get(
            stack.base + path,
            headers={"Authorization": f"Bearer {stack.token}"},
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        if response.status_code != 200:
            raise StartError(f"GET {path}: {response.status_code} {response.text}")
        totals.append(response.json()["total"])
    return totals


def wrk_load(context: Context, stack: Stack, mix: str, size: int | str) -> WrkLoad:
    """wrk going round the mix's queries (the benchmark's done() hook reports)."""
    load = WrkLoad(context.wrk, stack.base + SEARCH, {"Authorization": f"Bearer {stack.token}"},
                   context.work_dir)  # fmt: skip
    listed = ",\n".join(f'  "{path}"' for path in paths(mix, size))
    load.script = context.work_dir / f"search-{mix.replace('+', '')}.lua"
    load.script.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal counter = 0\n"
        "request = function()\n  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter % #paths) + 1])\nend\n' + WRK_SCRIPT
    )
    return load


# --- runs -----------------------------------------------------------------------------------


@dataclass
class Row:
    engine: str
    size: int | str
    mix: str
    result: RunResult
    found: str


def run_one(engine: str, size: int | str, context: Context, args, broker_pid: int) -> list[Row]:
    folder = context.work_dir / f"{engine}-{size}"
    folder.mkdir()
    database = PostgresDatabase() if engine == "postgresql" else None
    uri = database.uri if database else f"sqlite:///{folder / 'directory.db'}"
    rows = []
    try:
        log(f"{engine}, {size} authorities: generating")
        log(f"{engine}, {size} authorities: ready in {fill(uri, size):.0f} s")
        if size == DEMO:
            with create_engine(uri, poolclass=NullPool).connect() as connection:
                count = connection.scalar(text("SELECT count(*) FROM authorities"))
            log(f"{engine}: the demo data holds {count} authorities")
        with ProcessGroup(context.work_dir / "logs") as group:
            stack = start_stack(group, context, folder, uri)
            pids = {**stack.pids, "broker": broker_pid}
            server = database.server_pid() if database else None
            if server:
                pids["postgres"] = server
            meter = CpuMeter(pids)
            for mix in args.mix_names:
                found = "/".join(str(total) for total in check_queries(stack, mix, size))
                load = wrk_load(context, stack, mix, size)
                for concurrency in args.levels:
                    wait_until_quiet(args.quiet_wait, log=log)
                    result = load.run(concurrency, args.warmup, args.seconds, meter)
                    for process in group.processes:
                        process.check_alive()
                    log(f"{engine} {size} {mix} x{concurrency}: {result.rps:.0f} req/s, "
                        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                        f"errors {result.errors}")  # fmt: skip
                    rows.append(Row(engine, size, mix, result, found))
    finally:
        if database:
            database.drop()
    return rows


ROLES = ("gateway", "directory", "identity", "broker", "postgres", "load")


def table(rows: list[Row]) -> str:
    header = ["engine", "authorities", "mix", "conc", "req/s", "p50 ms", "p99 ms", "errors"]
    header += [f"cpu {role}" for role in ROLES] + ["cpu other"]
    lines = [header]
    for row in rows:
        result = row.result
        cpu = [result.cpu_ms_per_request(role) for role in ROLES]
        lines.append(
            [row.engine, str(row.size), row.mix, str(result.concurrency), f"{result.rps:.0f}",
             f"{result.p50_ms:.1f}", f"{result.p99_ms:.1f}", str(result.errors),
             *("-" if value is None else f"{value:.2f}" for value in cpu),
             f"{result.other_cpu_ms_per_request() or 0.0:.2f}"]
        )  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for number, line in enumerate(lines):
        cells = [cell.ljust(width) if index < 3 else cell.rjust(width)
                 for index, (cell, width) in enumerate(zip(line, widths, strict=True))]  # fmt: skip
        out.append("| " + " | ".join(cells) + " |")
        if number == 0:
            out.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(out)


def found_text(rows: list[Row]) -> str:
    seen = {}
    for row in rows:
        seen.setdefault((row.engine, row.size, row.mix), row.found)
    return "\n".join(f"  {engine} {size} {mix}: totals per query {found}"
                     for (engine, size, mix), found in seen.items())  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=EVENTLET_WARNING)
    args = parse_args(argv)
    broker = Broker(port=args.amqp_port)
    broker_pid = broker.os_pid()
    wrk = find_or_install_wrk(log)
    if not wrk:
        log("this benchmark needs wrk")
        return 2
    work_dir = Path(tempfile.mkdtemp(prefix="imi-bench-search-"))
    (work_dir / "logs").mkdir()
    vhost = broker.create_vhost()
    rows: list[Row] = []
    started = time.monotonic()
    try:
        context = Context(amqp_uri=broker.amqp_uri(vhost), work_dir=work_dir, wrk=wrk,
                          access_token_seconds=86400)  # fmt: skip
        for engine in args.engines:
            for size in args.sizes:
                rows += run_one(engine, size, context, args, broker_pid)
    finally:
        broker.delete_vhost(vhost)
        if args.keep:
            log(f"kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(f"each run: {args.warmup:g} s warm-up, then {args.seconds:g} s measured; CPU columns: "
          f"CPU ms per request; total {time.monotonic() - started:.0f} s\n")  # fmt: skip
    print(table(rows))
    print("\nauthorities found by each query of the mix (before measuring):")
    print(found_text(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
