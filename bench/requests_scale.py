"""Benchmark: the requests service at the scale of the network, through the gateway.

    .venv/bin/python -m bench.requests_scale [--requests 1000000] [--authorities 7000]
        [--seconds 10] [--warmup 2] [--concurrency 1,16] [--scenarios NAME,...]
        [--replicas 1] [--reuse] [--keep] [--quiet-wait 60]

A PostgreSQL database ``imi_bench_requests`` (on the local server) holds a generated network
and its requests (bench/requests_data.py); ``--reuse`` takes one a previous run kept
(``--keep``) when it was built for the same numbers, else it is built again. Identity and
translation run on SQLite files of the run's folder; identity gets the users the benchmark logs
in with, each its authority's first user as in the network (same id, authority and username);
the requests service (``--replicas`` processes), translation, identity and the gateway start
as ``nameko run`` processes on a fresh RabbitMQ vhost with the configuration of
deploy/config.yaml (only vhost, ports, databases and folders replaced), as bench/auth_read.py
and bench/directory_search.py do.

The scenarios are a table of named HTTP calls (SCENARIOS), each made once first (it must answer
200; a route or box this build does not have is skipped with the reason) and then driven by wrk
at each concurrency; the life cycle is driven by bench/requests_lifecycle.py, one pair of
handlers per client. Each run reads every process's CPU from /proc (bench/procstat.py) and
waits first for a quiet machine. docs/performance.md ("Requests at scale") reports the figures.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import pstats
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bench import requests_data
from bench.broker import Broker
from bench.login import (
    HTTP_TIMEOUT_SECONDS,
    log_in,
    log_in_first_time,
    new_password,
    new_security_code,
)
from bench.measure import RunResult, WrkLoad, find_or_install_wrk
from bench.postgres import (
    DatabaseCpuMeter,
    database_exists,
    drop_database,
    recreate_database,
    sqlalchemy_uri,
)
from bench.processes import ProcessGroup, StartError, free_port, nameko_run, wait_for_http
from bench.procstat import CpuMeter, wait_until_quiet
from bench.report import markdown
from bench.requests_data import SERVICES, Network, Place, User
from bench.requests_lifecycle import STEPS
from bench.requests_names import NAMES
from bench.scenario import Context
from bench.stack import START_TIMEOUT_SECONDS
from services.common.clock import utcnow
from services.common.config import AMQP_URI, DB_URIS, SERVICE_HTTP_PORTS, load_config
from services.common.db import StandaloneDatabase
from services.common.migrations import revisions, upgrade
from services.identity import accounts
from services.identity.authentication import own_credentials, take_own_credentials
from services.identity.bootstrap import create_commission_administrator
from services.identity.domain import AuthorityView
from services.identity.models import Base as IdentityBase
from services.identity.settings import settings_from_config
from services.identity.usernames import reserve_given_username
from services.translation.bootstrap import prepare_translation

API = "/api/v1"
DATABASE = "imi_bench_requests"
EVENTLET_WARNING = r"\s*Eventlet is deprecated"
LIFE_CYCLE = "life cycle"
# the life cycle's variants: the actions answered with the request's view, or without it
# (``Prefer: return=minimal``, a client that reads the request when it shows it)
LIFE_CYCLES = {LIFE_CYCLE: [], "minimal life cycle": ["--minimal"]}
AIM_CONCURRENCY = 16
AIM_LIST_P99_MS = 100.0
AIM_STATISTIC_MS = 1000.0
AIM_LIFE_CYCLES = 100.0
STATISTIC_TIMEOUT_SECONDS = 120
ROLES = ("gateway", "requests", "identity", "translation", "broker", "postgres", "load")


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- the scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One named HTTP call of the benchmark: a GET as ``user`` (a role of Actors)."""

    name: str
    kind: str  # list, search, statistic
    path: str
    user: str = "handler"


@dataclass
class Actors:
    """Who the benchmark acts as, chosen from the generated network, and what they look for."""

    busy: Place  # the authority with the most incoming requests
    handler: User
    subject: str  # the name of the subject of its latest incoming request
    question: str  # a question key its area's requests ask
    pairs: list[tuple[Place, Place]]  # requester and responder of each life cycle client
    administrator: tuple[str, str] | None = None  # the Commission's (username, password)
    tokens: dict[str, str] = field(default_factory=dict)


def scenarios(actors: Actors) -> list[Call]:
    """Lists and searches as a request handler of the busiest authority; the statistics as a
    Commission administrator (section 7: the network's figures)."""
    requests_list = f"{API}/requests"
    return [
        Call("action list", "list", f"{requests_list}?box=actions"),
        Call("incoming list", "list", f"{requests_list}?box=incoming"),
        Call("urgency list", "list", f"{requests_list}?box=urgent"),
        Call(
            "search by subject",
            "search",
            f"{requests_list}?{urlencode({'subject': actors.subject})}",
        ),
        Call(
            "search by question",
            "search",
            f"{requests_list}?{urlencode({'question': actors.question})}",
        ),
        *statistics_calls(),
    ]


def statistics_calls() -> list[Call]:
    """The statistics: all figures in one call, then each figure of the service's list on
    its own (none while the statistics are not in this build)."""
    try:
        figures = importlib.import_module("services.requests.statistics").FIGURES
    except (ImportError, AttributeError):
        figures = ()
    path = f"{API}/request-statistics"
    return [
        Call("statistics, all figures", "statistic", path, "administrator"),
        *(
            Call(f"statistic {name}", "statistic", f"{path}?{urlencode({'figures': name})}",
                 "administrator")
            for name in figures
        ),
    ]  # fmt: skip


# --- the database -------------------------------------------------------------------------------


def ready_database(args) -> requests_data.BuildFacts:
    """The database of the run: the kept one if it was built for these numbers (migrated to
    the service's head, and analysed again when that changed it), else a new build."""
    uri = sqlalchemy_uri(args.database)
    if args.reuse and database_exists(args.database):
        facts = requests_data.database_comment(uri)
        if facts and (facts.requests, facts.authorities) == (args.requests, args.authorities):
            log(f"reusing {args.database}, built {facts.built_at} in {facts.seconds:.0f} s")
            migrate_kept(uri)
            return facts
        log(f"{args.database} was built for other numbers: building it again")
    recreate_database(args.database)
    log(f"building {args.requests} requests among {args.authorities} authorities")
    return requests_data.build(uri, args.requests, args.authorities, log)


def migrate_kept(uri: str) -> None:
    """The kept database at the service's head (a newer index, say), vacuumed and analysed as
    autovacuum would have left it: earlier runs' life cycles added requests, whose subjects
    wait in the trigram index's pending list until a vacuum (a search by subject read it
    linearly, three to five times as slow, until then)."""
    before = revisions("requests", uri)
    upgrade("requests", uri)
    if revisions("requests", uri) != before:
        log(f"migrated from {before}")
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()


def choose_actors(uri: str, network: Network, concurrency: int) -> Actors:
    """The busiest responder and its first handler; the subject's name of its latest incoming
    request and the most asked question of its first area; for the life cycles, pairs of
    Services authorities of two member states that need no approval, the responder working
    without allocation (the busiest excluded, so that its lists stay as built)."""
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            busy_id = connection.scalar(
                text(
                    "SELECT responder_id FROM requests GROUP BY responder_id "
                    "ORDER BY count(*) DESC LIMIT 1"
                )
            )
            busy = network.by_id[busy_id]
            question = connection.scalar(
                text(
                    "SELECT q.question_key FROM request_questions q JOIN requests r "
                    "ON r.id = q.request_id WHERE r.area = :area "
                    "GROUP BY q.question_key ORDER BY count(*) DESC LIMIT 1"
                ),
                {"area": busy.areas[0]},
            )
            subject = connection.scalar(
                text(
                    "SELECT subject ->> 'full_name' FROM requests WHERE responder_id = :busy "
                    "AND subject_search <> '' ORDER BY updated_at DESC LIMIT 1"
                ),
                {"busy": busy.id},
            )
    finally:
        engine.dispose()
    candidates = [
        place
        for place in network.authorities()
        if SERVICES in place.areas
        and not place.uses_allocation
        and place is not busy
        and (place.member_state, SERVICES) not in APPROVAL
    ][:400]
    pairs = []
    requesters, responders = candidates[::2], candidates[1::2]
    for requester in requesters:
        responder = next(p for p in responders if p.member_state != requester.member_state)
        responders.remove(responder)
        pairs.append((requester, responder))
        if len(pairs) == concurrency:
            break
    return Actors(busy, busy.handlers[0], subject, question, pairs)


APPROVAL = {key for key, (approval, _) in requests_data.POLICIES.items() if approval}


# --- the stack ----------------------------------------------------------------------------------


@dataclass
class Stack:
    base: str
    tokens: dict[str, str]
    pids: dict[str, int]

    def get(self, call: Call) -> requests.Response:
        return requests.get(
            self.base + call.path, headers=self.headers(call.user), timeout=HTTP_TIMEOUT_SECONDS
        )

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


@dataclass
class Person:
    user: User
    place: Place
    password: str
    code: str


def prepare_identity(uri: str, key_dir: str, people: list[Person]) -> tuple[str, str]:
    """Identity's database: migrated, the Commission's first administrator, and each person
    of the network the benchmark logs in as, past its first login with its own secrets (as
    identity's demo users are made, services/identity/demo.py). The administrator's username
    and temporary password."""
    upgrade("identity", uri)
    administrator = create_commission_administrator(uri, key_dir)
    if administrator is None:
        raise StartError("the fresh identity database already had an administrator")
    settings = settings_from_config({"IDENTITY": {"KEY_DIR": key_dir}})
    database = StandaloneDatabase(IdentityBase, "identity", uri)
    unit = database.unit_of_work()
    try:
        for person in people:
            place = person.place
            accounts.remember_authority(
                unit,
                {
                    "authority_id": place.id,
                    "member_state": place.member_state,
                    "validating_coordinator_id": None,
                    "status": "validated",
                },
                utcnow(),
            )
            if not reserve_given_username(unit, person.user.username, place.member_state):
                raise StartError(f"username {person.user.username} taken twice")
            created = accounts.create_user(
                unit,
                settings,
                None,
                {
                    "full_name": f"Handler {person.user.username}",
                    "email": f"{person.user.username}@bench.invalid",
                    "language": place.language,
                    "grants": [],
                },
                AuthorityView(place.id, place.member_state, None),
                username=person.user.username,
                user_id=person.user.id,
            )
            credentials = own_credentials(settings, created.id, person.password, person.code)
            take_own_credentials(unit, created, credentials)
        unit.commit()
    finally:
        unit.close()
        database.dispose()
    return administrator


def stack_config(context: Context, folder: Path, port: int, requests_uri: str) -> dict:
    config = copy.deepcopy(load_config())
    config[AMQP_URI] = context.amqp_uri
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{port}"
    config[DB_URIS] = {
        "identity": f"sqlite:///{folder / 'identity.db'}",
        "translation": f"sqlite:///{folder / 'translation.db'}",
        "requests": requests_uri,
    }
    config[SERVICE_HTTP_PORTS] = {name: free_port() for name in config[DB_URIS]}
    config["GATEWAY"] = {
        **(config.get("GATEWAY") or {}),
        "SERVICES": list(config[DB_URIS]),
        "LOGIN_RATE_PER_MINUTE": 100_000,
    }
    config["KEYS"] = {"DIR": str(folder / "keys")}
    config["IDENTITY"] = {
        **(config.get("IDENTITY") or {}),
        "KEY_DIR": str(folder / "keys"),
        "ACCESS_TOKEN_SECONDS": context.access_token_seconds,
    }
    config["ATTACHMENTS"] = {
        **(config.get("ATTACHMENTS") or {}),
        "DIR": str(folder / "attachments"),
    }
    config["TRANSLATION"] = {**(config.get("TRANSLATION") or {}), "ENGINE": "none"}
    return config


def start_stack(
    group: ProcessGroup,
    context: Context,
    folder: Path,
    requests_uri: str,
    actors: Actors,
    replicas: int,
    profile: Path | None = None,
) -> Stack:
    port = free_port()
    config = stack_config(context, folder, port, requests_uri)
    config_file = folder / "config.yaml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    people = [
        Person(
            actors.handler, actors.busy, new_password(actors.handler.username), new_security_code()
        )
    ]
    for requester, responder in actors.pairs:
        for place in (requester, responder):
            user = place.handlers[0]
            people.append(Person(user, place, new_password(user.username), new_security_code()))
    administrator = prepare_identity(config[DB_URIS]["identity"], str(folder / "keys"), people)
    log("translation: loading the shipped catalogue")
    upgrade("translation", config[DB_URIS]["translation"])
    prepare_translation(config[DB_URIS]["translation"])
    processes = [
        group.start("identity", nameko_run(config_file, "services.identity.service")),
        group.start("translation", nameko_run(config_file, "services.translation.service")),
    ]
    for replica in range(replicas):
        replica_file = config_file
        if replica:
            replica_config = {
                **config,
                SERVICE_HTTP_PORTS: {**config[SERVICE_HTTP_PORTS], "requests": free_port()},
            }
            replica_file = folder / f"config-requests-{replica}.yaml"
            replica_file.write_text(yaml.safe_dump(replica_config, sort_keys=False))
        name = "requests" if not replica else f"requests-{replica}"
        command = nameko_run(replica_file, "services.requests.service")
        if profile and not replica:  # cProfile's file is written when the process stops
            command = [command[0], "-m", "cProfile", "-o", str(profile), *command[1:]]
        processes.append(group.start(name, command))
    processes.append(group.start("gateway", nameko_run(config_file, "gateway.service")))
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/health", processes, START_TIMEOUT_SECONDS, status=200)
    tokens = {"handler": log_in(base, people[0].user.username, people[0].password, people[0].code)}
    for person in people[1:]:
        tokens[person.user.id] = log_in(base, person.user.username, person.password, person.code)
    tokens["administrator"] = log_in_first_time(base, *administrator)
    pids = {process.name: process.pid for process in processes}
    return Stack(base, tokens, pids)


# --- the runs -----------------------------------------------------------------------------------

LIFE_CYCLE_REQUEST = {
    "set_key": "services",
    "questions": ["1.1", "1.4", "2.4"],
    "description": "Service provider active in our territory: verification of its establishment.",
    "language": "en",
}
LIFE_CYCLE_ANSWERS = [
    {"question": "1.1", "value": True},
    {"question": "1.4", "value": "private_limited_company"},
    {"question": "2.4", "value": "Building renovation since 2019.", "language": "en"},
]


def pairs_file(folder: Path, stack: Stack, actors: Actors) -> Path:
    """What each life cycle client needs: two tokens, the responder, the request."""
    pairs = []
    for number, (requester, responder) in enumerate(actors.pairs):
        subject = {
            "full_name": f"{NAMES['de'][0][number % 8]} {NAMES['de'][1][number % 10]}",
            "business_name": f"Bench {number} GmbH",
            "nationality": responder.member_state,
        }
        pairs.append(
            {
                "requester_token": stack.tokens[requester.handlers[0].id],
                "responder_token": stack.tokens[responder.handlers[0].id],
                "request": {**LIFE_CYCLE_REQUEST, "responder_id": responder.id, "subject": subject},
                "answers": LIFE_CYCLE_ANSWERS,
            }
        )
    path = folder / "pairs.json"
    path.write_text(json.dumps(pairs))
    return path


@dataclass
class Row:
    name: str
    kind: str
    result: RunResult | None
    found: str


def check(stack: Stack, call: Call) -> str | None:
    """What the call finds, or None when this build does not have its route or box (it is
    skipped); any other answer but 200 stops the run."""
    response = stack.get(call)
    if response.status_code == 200:
        body = response.json()
        if isinstance(body.get("items"), list):
            more = " and more" if body.get("next_cursor") else ""
            return f"{len(body['items'])} items{more}"
        return f"{len(response.content)} bytes"
    if response.status_code in (400, 404) and call.kind != "search":
        return None
    raise StartError(f"GET {call.path}: {response.status_code} {response.text[:300]}")


def wrk_load(context: Context, stack: Stack, call: Call) -> WrkLoad:
    return WrkLoad(context.wrk, stack.base + call.path, stack.headers(call.user), context.work_dir)


def measure(
    load, concurrency: int, args, meter: CpuMeter, group: ProcessGroup, seconds: float
) -> RunResult:
    wait_until_quiet(args.quiet_wait, log=log)
    result = load.run(concurrency, args.warmup, seconds, meter)
    for process in group.processes:
        process.check_alive()
    return result


def run_all(context: Context, args, broker_pid: int, uri: str, actors: Actors) -> list[Row]:
    rows: list[Row] = []
    with ProcessGroup(context.work_dir / "logs") as group:
        stack = start_stack(
            group, context, context.work_dir, uri, actors, args.replicas, args.profile
        )
        pids = {**stack.pids, "broker": broker_pid}
        meter = DatabaseCpuMeter(pids, [args.database])
        for call in scenarios(actors):
            if args.only and call.name not in args.only and call.kind not in args.only:
                continue
            found = check(stack, call)
            if found is None:
                log(f"{call.name}: GET {call.path} is not in this build: skipped")
                rows.append(Row(call.name, call.kind, None, "not in this build"))
                continue
            load = wrk_load(context, stack, call)
            levels, seconds = args.levels, args.seconds
            if call.kind == "statistic":  # seconds each: a longer window, a longer wait
                levels, seconds = args.statistics_levels, args.statistics_seconds
                load.timeout_seconds = STATISTIC_TIMEOUT_SECONDS
            for concurrency in levels:
                result = measure(load, concurrency, args, meter, group, seconds)
                log(
                    f"{call.name} x{concurrency}: {result.rps:.0f} req/s, "
                    f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                    f"errors {result.errors}"
                )
                rows.append(Row(call.name, call.kind, result, found))
        for name, options in LIFE_CYCLES.items():
            if args.only and not {name, LIFE_CYCLE} & set(args.only):
                continue
            command = [
                sys.executable,
                "-m",
                "bench.requests_lifecycle",
                stack.base,
                str(pairs_file(context.work_dir, stack, actors)),
                *options,
            ]
            load = context.client_load(command, "life cycle client")
            for concurrency in args.life_cycle_levels:
                result = measure(load, concurrency, args, meter, group, args.seconds)
                log(
                    f"{name} x{concurrency}: {result.rps:.1f} life cycles/s, "
                    f"p50 {result.p50_ms:.0f} ms, p99 {result.p99_ms:.0f} ms, "
                    f"errors {result.errors}"
                )
                rows.append(Row(name, LIFE_CYCLE, result, "6 calls each"))
        meter.close()
    return rows


# --- the report ---------------------------------------------------------------------------------


def cpu_of(result: RunResult, role: str) -> float | None:
    """CPU ms per request (per life cycle) of a role; the requests replicas together."""
    if not result.requests:
        return None
    names = [
        name
        for name in result.cpu_seconds
        if name == role or (role == "requests" and name.startswith("requests-"))
    ]
    if not names:
        return None
    return 1000.0 * sum(result.cpu_seconds[name] for name in names) / result.requests


def table(rows: list[Row]) -> str:
    header = ["scenario", "conc", "req/s", "p50 ms", "p99 ms", "errors"]
    header += [f"cpu {role}" for role in ROLES] + ["cpu other", "found"]
    lines = [header]
    for row in rows:
        result = row.result
        if result is None:
            lines.append([row.name, "-", "-", "-", "-", "-", *("-" for _ in ROLES), "-", row.found])
            continue
        cpu = [cpu_of(result, role) for role in ROLES]
        rate = f"{result.rps:.1f}" if row.kind == LIFE_CYCLE else f"{result.rps:.0f}"
        lines.append(
            [
                row.name,
                str(result.concurrency),
                rate,
                f"{result.p50_ms:.1f}",
                f"{result.p99_ms:.1f}",
                str(result.errors),
                *("-" if value is None else f"{value:.2f}" for value in cpu),
                f"{result.other_cpu_ms_per_request() or 0.0:.2f}",
                row.found,
            ]
        )
    return markdown(lines, left=(0, len(header) - 1))


def steps_table(rows: list[Row]) -> str:
    lines = [["life cycle", "clients", "life cycles/s", *(f"{step} p50/p99 ms" for step in STEPS)]]
    for row in rows:
        if row.kind != LIFE_CYCLE or row.result is None:
            continue
        details = row.result.details
        lines.append(
            [
                row.name,
                str(row.result.concurrency),
                f"{row.result.rps:.1f}",
                *(
                    f"{details[step]['p50_ms']:.0f} / {details[step]['p99_ms']:.0f}"
                    for step in STEPS
                ),
            ]
        )
    return markdown(lines, left=(0,))


def aims(rows: list[Row]) -> str:
    lines = [f"Aims ({AIM_CONCURRENCY} concurrent clients for lists and searches):"]
    for row in rows:
        result = row.result
        if result is None:
            lines.append(f"  {row.name:<34} not measured ({row.found})")
        elif row.kind in ("list", "search") and result.concurrency == AIM_CONCURRENCY:
            verdict = "holds" if result.p99_ms < AIM_LIST_P99_MS else "DOES NOT HOLD"
            lines.append(
                f"  {row.name:<34} p99 {result.p99_ms:8.1f} ms < {AIM_LIST_P99_MS:g}  {verdict}"
            )
        elif row.kind == "statistic" and result.concurrency == 1:
            verdict = "holds" if result.p99_ms < AIM_STATISTIC_MS else "DOES NOT HOLD"
            lines.append(
                f"  {row.name:<34} p99 {result.p99_ms:8.1f} ms < {AIM_STATISTIC_MS:g}  {verdict}"
            )
    cycles = [row.result.rps for row in rows if row.kind == LIFE_CYCLE and row.result]
    if cycles:
        best = max(cycles)
        verdict = "holds" if best >= AIM_LIFE_CYCLES else "DOES NOT HOLD"
        lines.append(
            f"  {'life cycles/s (best)':<34} {best:8.1f}    >= {AIM_LIFE_CYCLES:g}  {verdict}"
        )
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.requests_scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--authorities", type=int, default=7000)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up before each run")
    parser.add_argument("--concurrency", default="1,16", help="clients of lists and searches")
    parser.add_argument(
        "--life-cycles", default="1,16", help="clients each going round full life cycles"
    )
    parser.add_argument("--statistics-concurrency", default="1", help="clients of each statistic")
    parser.add_argument(
        "--statistics-seconds", type=float, default=30.0, help="measured time per statistic"
    )
    parser.add_argument(
        "--scenarios",
        default="",
        help="only these scenario names or kinds (list, search, statistic, "
        "'life cycle'), comma-separated",
    )
    parser.add_argument("--replicas", type=int, default=1, help="requests service processes")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument(
        "--reuse", action="store_true", help="take the kept database if built for these numbers"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and the run's folder"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="before each run, wait up to this long for a quiet machine",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the (first) requests process under cProfile, its statistics to this file",
    )
    parser.add_argument("--amqp-port", type=int, default=5672)
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.concurrency.split(",") if level.strip()]
    args.life_cycle_levels = [int(level) for level in args.life_cycles.split(",") if level.strip()]
    args.statistics_levels = [
        int(level) for level in args.statistics_concurrency.split(",") if level.strip()
    ]
    args.only = {name.strip() for name in args.scenarios.split(",") if name.strip()}
    if not args.levels or min(args.levels + args.life_cycle_levels) < 1 or args.replicas < 1:
        parser.error("bad --concurrency, --life-cycles or --replicas")
    return args


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=EVENTLET_WARNING)
    args = parse_args(argv)
    broker = Broker(port=args.amqp_port)
    broker_pid = broker.os_pid()
    wrk = find_or_install_wrk(log)
    if not wrk:
        log("this benchmark needs wrk")
        return 2
    started = time.monotonic()
    uri = sqlalchemy_uri(args.database)
    work_dir = Path(tempfile.mkdtemp(prefix="imi-bench-requests-"))
    (work_dir / "logs").mkdir()
    vhost = None
    try:
        facts = ready_database(args)
        network = requests_data.build_network(facts.authorities, facts.seed)
        actors = choose_actors(uri, network, max(args.life_cycle_levels))
        vhost = broker.create_vhost()
        context = Context(
            amqp_uri=broker.amqp_uri(vhost), work_dir=work_dir, wrk=wrk, access_token_seconds=86400
        )
        rows = run_all(context, args, broker_pid, uri, actors)
    finally:
        if vhost:
            broker.delete_vhost(vhost)
        if args.keep:
            log(f"kept the database {args.database} and the folder {work_dir}")
        else:
            drop_database(args.database)
            shutil.rmtree(work_dir, ignore_errors=True)
    print(
        f"data: {facts.requests} requests among {facts.authorities} authorities, built "
        f"{facts.built_at} in {facts.seconds:.0f} s; statuses {facts.statuses}; rows "
        f"{facts.rows}"
    )
    print(
        f"as: a request handler of {actors.busy.id} ({actors.busy.member_state}, "
        f"{', '.join(actors.busy.areas)}), the busiest responder; subject "
        f"{actors.subject!r}, question {actors.question!r}; {args.replicas} requests "
        "process(es)"
    )
    print(
        f"each run: {args.warmup:g} s warm-up, then {args.seconds:g} s measured; CPU columns: "
        f"CPU ms per request (per life cycle); total {time.monotonic() - started:.0f} s\n"
    )
    print(table(rows))
    print()
    print(steps_table(rows))
    print()
    print(aims(rows))
    if args.profile and args.profile.exists():
        print(f"\nthe requests process's profile, {args.profile}, by own time:")
        pstats.Stats(str(args.profile), stream=sys.stdout).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
