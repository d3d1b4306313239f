"""Benchmark: public events fanned out to webhook subscribers on loopback.

    .venv/bin/python -m bench.webhooks_fanout [--events 10000] [--subscribers 3]
        [--subjects 2500] [--replicas 1] [--rate 0] [--quiet-wait 60]

The notifications service runs as ``nameko run`` processes (``--replicas``) on a fresh
RabbitMQ vhost and a fresh PostgreSQL database, with ``--subscribers`` webhook subscriptions
to ``requests.*`` events whose endpoints are asyncio servers in another process
(bench/webhook_receivers.py, which check every delivery's signature). The run publishes
``--events`` events as the requests service would (each subject, a request, gets its events in
order: sent, accepted, reply sent, closed), as fast as one kombu producer goes (or ``--rate``
events a second, to see the latency of a load the service keeps up with), and waits until
every endpoint has every event. It reports the throughput (events fully fanned out per second,
from the first publication to the last arrival), the latency of each delivery from its event's
publication (p50, p99, max), the forged deliveries, repeats and events that arrived before an
earlier one of their subject (all three should be 0), and the CPU each process used: the
services, the receivers, the broker, this process (the publisher) and PostgreSQL's backends
serving the run's database. docs/performance.md ("Webhooks") has the figures.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import yaml
from kombu import Connection
from nameko.standalone.events import get_event_exchange

from bench.broker import Broker
from bench.processes import ProcessGroup, free_port, nameko_run, python_command
from bench.procstat import CpuMeter, wait_until_quiet
from bench.requests_scale import DatabaseCpuMeter
from services.common.actor import Actor, Grant, Right
from services.common.config import AMQP_URI, DB_URIS, SERVICE_HTTP_PORTS, load_config
from services.common.db import StandaloneDatabase
from services.common.envelope import make_envelope
from services.common.migrations import upgrade
from services.notifications import webhooks
from services.notifications.models import Base

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
STEPS = (
    ("request_sent", None, "sent"),
    ("request_accepted", "sent", "accepted"),
    ("reply_sent", "accepted", "answered"),
    ("request_closed", "answered", "closed"),
)
ADMIN = Actor("bench", "bench", "commission", "EU",
              grants=frozenset({Grant(Right.COMMISSION_ADMINISTRATOR)}))  # fmt: skip
DONE_TIMEOUT = 600
PACE_SECONDS = 0.005  # with --rate, the publisher sleeps once this much ahead


def main() -> None:
    args = arguments()
    folder = Path(tempfile.mkdtemp(prefix="imi-bench-webhooks-"))
    broker = Broker()
    vhost = broker.create_vhost("imi-bench-webhooks")
    database = f"imi_bench_webhooks_{uuid.uuid4().hex[:8]}"
    admin("CREATE DATABASE {}", database)
    try:
        run(args, folder, broker, vhost, database)
    finally:
        broker.delete_vhost(vhost)
        admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", database)


def run(args, folder: Path, broker: Broker, vhost: str, database: str) -> None:
    uri = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{database}"
    upgrade("notifications", uri)
    ports = [free_port() for _ in range(args.subscribers)]
    secrets_file = folder / "secrets.json"
    secrets_file.write_text(json.dumps(subscribe(uri, ports)))
    config = copy.deepcopy(load_config())
    config[AMQP_URI] = broker.amqp_uri(vhost)
    config[DB_URIS] = {"notifications": uri}
    config[SERVICE_HTTP_PORTS] = {}
    config["KEYS"] = {"DIR": str(folder / "keys")}
    config["NOTIFICATIONS"] = {
        **(config.get("NOTIFICATIONS") or {}), "WEBHOOK_SECONDS": 0.05,
        "WEBHOOK_LOOPBACK_HTTP": True, "DELIVERY_SECONDS": 60, "ADDRESSING_SECONDS": 60,
    }  # fmt: skip
    config_file = folder / "config.yaml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    arrivals_file = folder / "arrivals.json"
    with ProcessGroup(folder) as group:
        receivers = group.start("receivers", python_command(
            "-m", "bench.webhook_receivers", "--secrets", str(secrets_file),
            "--expect", str(args.events), "--out", str(arrivals_file)))  # fmt: skip
        services = [
            group.start(f"notifications-{n}",
                        nameko_run(config_file, "services.notifications.service"))
            for n in range(args.replicas)
        ]  # fmt: skip
        time.sleep(5)  # the consumers declare their queue and bindings
        for process in (receivers, *services):
            process.check_alive()
        wait_until_quiet(args.quiet_wait)
        meter = DatabaseCpuMeter({"receivers": receivers.pid, "broker": broker.os_pid(),
                                  **{p.name: p.pid for p in services}}, database)  # fmt: skip
        before, own = meter.snapshot(), own_cpu_seconds()
        published = publish(config, args.events, args.subjects, args.rate)
        wait_for(arrivals_file, receivers, services)
        used = CpuMeter.used(before, meter.snapshot())
        used.per_process["publisher"] = own_cpu_seconds() - own
        meter.close()
    report(args, published, json.loads(arrivals_file.read_text()), used)


def subscribe(uri: str, ports: list[int]) -> dict[int, str]:
    """A subscription per port; the signing secret of each port."""
    database = StandaloneDatabase(Base, "notifications", uri)
    unit = database.unit_of_work()
    events = [f"requests.{event}" for event, _before, _after in STEPS]
    secrets = {}
    for number, port in enumerate(ports):
        data = {"name": f"subscriber {number}", "url": f"http://127.0.0.1:{port}/hook",
                "events": events, "personal_data": False}  # fmt: skip
        secrets[port] = webhooks.create(unit, ADMIN, data, allow_loopback_http=True)["secret"]
    unit.commit()
    unit.close()
    database.dispose()
    return secrets


def publish(
    config: dict, count: int, subjects: int, rate: float
) -> dict[str, tuple[float, str, int]]:
    """Publish ``count`` events over ``subjects`` requests, each request's in order, ``rate``
    a second (0: as fast as possible); the moment each was published, its subject and its
    place among the subject's, by event id."""
    requests = [str(uuid.uuid4()) for _ in range(subjects)]
    exchange = get_event_exchange("requests", config)
    published = {}
    with Connection(config[AMQP_URI]) as connection:
        producer = connection.Producer()
        start = time.monotonic()
        for number in range(count):
            ahead = start + number / rate - time.monotonic() if rate else 0
            if ahead > PACE_SECONDS:
                time.sleep(ahead)
            request_id = requests[number % subjects]
            event, before, after = STEPS[(number // subjects) % len(STEPS)]
            data = {"request_id": request_id, "from_status": before, "status": after,
                    "area": "services", "requesting_authority": "it", "responding_authority": "hu",
                    "actor_authority": "it"}  # fmt: skip
            envelope = make_envelope("requests", event, request_id, data, datetime.now(UTC))
            published[envelope["id"]] = (time.time(), request_id, number // subjects)
            producer.publish(envelope, exchange=exchange, routing_key=event,
                             serializer="json", declare=[exchange], retry=True)  # fmt: skip
    return published


def wait_for(arrivals_file: Path, receivers, services) -> None:
    deadline = time.monotonic() + DONE_TIMEOUT
    while not arrivals_file.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the receivers did not get every event in time")
        for process in services:
            process.check_alive()
        time.sleep(0.2)


def report(args, published: dict[str, tuple], found: dict, used) -> None:
    start = min(at for at, _subject, _place in published.values())
    arrivals = {port: taken["arrivals"] for port, taken in found.items()}
    last = max(at for port in arrivals.values() for at in port.values())
    latencies = sorted(
        (at - published[event_id][0]) * 1000
        for port in arrivals.values() for event_id, at in port.items()
    )  # fmt: skip
    deliveries = len(latencies)
    print(f"{args.events} events to {args.subscribers} subscribers over {args.subjects} "
          f"subjects, {args.replicas} replica(s): {deliveries} deliveries; commit {commit()}, "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(
        f"throughput: {args.events / (last - start):.0f} events/s fanned out "
        f"({deliveries / (last - start):.0f} deliveries/s), all in {last - start:.1f} s"
    )
    print(f"publication took {max(at for at, _s, _p in published.values()) - start:.1f} s")
    print(
        f"delivery latency ms: p50 {statistics.median(latencies):.0f}, "
        f"p99 {latencies[int(0.99 * (deliveries - 1))]:.0f}, max {latencies[-1]:.0f}"
    )
    print(
        f"signatures checked: {sum(t['checked'] for t in found.values())}, forged "
        f"{sum(t['forged'] for t in found.values())}; repeats "
        f"{sum(t['repeats'] for t in found.values())}; "
        f"out of order {out_of_order(published, arrivals)}"
    )
    print("CPU s: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in
                                sorted(used.per_process.items()))
          + f"; whole machine {used.machine:.1f}")  # fmt: skip


def out_of_order(published: dict[str, tuple], arrivals: dict[str, dict[str, float]]) -> int:
    """How many events reached an endpoint before an earlier event of their subject did."""
    late = 0
    for port in arrivals.values():
        reached: dict[str, int] = {}  # the latest place of each subject that arrived
        for event_id in port:  # in the order of arrival
            _at, subject, place = published[event_id]
            if place < reached.get(subject, -1):
                late += 1
            reached[subject] = max(place, reached.get(subject, -1))
    return late


def commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                           text=True, check=False, cwd=Path(__file__).parent)  # fmt: skip
    return found.stdout.strip() or "?"


def own_cpu_seconds() -> float:
    """This process's CPU (the publisher's, and its waiting for the arrivals)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def admin(statement: str, name: str) -> None:
    connection = psycopg2.connect(f"{PG_SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement.format(f'"{name}"'))
    connection.close()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--subscribers", type=int, default=3)
    parser.add_argument("--subjects", type=int, default=2500)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0)
    parser.add_argument("--quiet-wait", type=float, default=60)
    return parser.parse_args()


if __name__ == "__main__":
    main()
