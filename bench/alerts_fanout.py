"""Benchmark: an alert fanned out to every member state's incoming alert mailbox, from the send
call to the last mailbox and the last email accepted by a real SMTP server.

    .venv/bin/python -m bench.alerts_fanout [--engine postgresql|sqlite] [--alerts 20]
        [--pq-alerts 5] [--burst 10] [--authorities 3] [--quiet-wait 60] [--keep]

The gateway, identity, directory, translation and notifications run as ``nameko run``
processes with the configuration of deploy/config.yaml (only the vhost, ports, databases,
folders and the mail server replaced: the timers' intervals are the deployed ones), on a fresh
RabbitMQ vhost and fresh databases (PostgreSQL, or SQLite files); the mail server is
bench/smtp_sink.py, an aiosmtpd server in its own process. bench/alerts_network.py builds the
network through the gateway. Then an Italian alert handler sends, one at a time, ``--alerts``
Services Directive alerts to the 29 other states and the Commission (30 mailboxes) and
``--pq-alerts`` Professional Qualifications alerts (29 mailboxes); each is measured from the
moment the send call starts:

- the send call's answer: the alert is in every mailbox's list (``box=mailbox``) once it
  answers, since the recipients are written in its transaction;
- each mailbox user's inbox item (``GET /api/v1/inbox``, the notification a person sees),
  observed by reading the notifications database every POLL_SECONDS: "the last mailbox" is
  the last of the mailboxes to have an item for one of its users, "every user" the last item;
- each email as the SMTP server accepted it (its own timestamp, when it answers 250).

Then ``--burst`` Services Directive alerts are sent back to back, for the throughput. At the
end every mailbox's first user reads its list and its inbox through the API, which must show
every alert. docs/performance.md ("Alerts") has the figures.
"""

from __future__ import annotations

import argparse
import copy
import resource
import shutil
import sys
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from bench import alerts_network
from bench.alerts_network import PQ, SD, Authority, Gateway, Mail
from bench.broker import Broker
from bench.login import log_in_first_time
from bench.measure import percentile
from bench.postgres import DatabaseCpuMeter, drop_database, recreate_database, sqlalchemy_uri
from bench.processes import (
    ProcessGroup,
    StartError,
    free_port,
    nameko_run,
    python_command,
    wait_for_http,
)
from bench.procstat import CpuMeter, wait_until_quiet
from bench.report import markdown
from bench.stack import START_TIMEOUT_SECONDS
from services.common.config import AMQP_URI, DB_URIS, SERVICE_HTTP_PORTS, load_config
from services.common.migrations import upgrade
from services.common.reference import COMMISSION
from services.directory.bootstrap import prepare_directory
from services.identity.bootstrap import create_commission_administrator
from services.notifications import directory_view
from services.notifications.models import InboxItem
from services.translation.bootstrap import prepare_translation

SERVICES = ("identity", "directory", "translation", "notifications")
ROLES = ("gateway", *SERVICES, "broker", "postgres", "smtp")
RECEIVED = "email.alert_received"
POLL_SECONDS = 0.02
ALERT_TIMEOUT_SECONDS = 120
PAUSE_SECONDS = 1.0  # after an alert is all in, before the next: the timers' runs settle
AIM_MAILBOX_MS = 1000.0
AIM_EMAIL_MS = 5000.0
EVENTLET_WARNING = r"\s*Eventlet is deprecated"
SERVICES_ALERT = {
    "title": "Unsafe cosmetic treatments",
    "description": "A clinic chain uses a filler that has been banned.",
    "criteria": {"cause_is_service_activity": True, "risk_exists_now": True, "cross_border": True},
}


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def pq_alert() -> dict:
    decided = date.today().isoformat()
    return {
        "professional": {"name": "Mario Rossi", "birth_date": "1970-03-02",
                         "birth_place": "Bologna"},
        "profession": "Nurse", "deciding_authority": "Ordine delle professioni infermieristiche",
        "decision": "prohibition", "decision_date": decided, "scope": "All nursing activities",
        "restriction_from": decided,
    }  # fmt: skip


# --- the stack --------------------------------------------------------------------------------


@dataclass
class Stack:
    base: str
    config: dict
    pids: dict[str, int]
    mail: Mail
    admin: str  # the Commission administrator's access token


def database_uris(engine: str, folder: Path, databases: list[str]) -> dict[str, str]:
    """Each service's database; PostgreSQL's are made afresh, their names in ``databases``."""
    if engine == "sqlite":
        return {name: f"sqlite:///{folder / f'{name}.db'}" for name in SERVICES}
    suffix = uuid.uuid4().hex[:8]
    uris = {}
    for service in SERVICES:
        name = f"imi_bench_alerts_{service}_{suffix}"
        recreate_database(name)
        databases.append(name)
        uris[service] = sqlalchemy_uri(name)
    return uris


def stack_config(amqp_uri: str, folder: Path, port: int, uris: dict, smtp_port: int) -> dict:
    """deploy/config.yaml with what a run must own replaced; the timers as deployed."""
    config = copy.deepcopy(load_config())
    config[AMQP_URI] = amqp_uri
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{port}"
    config[DB_URIS] = uris
    config[SERVICE_HTTP_PORTS] = {name: free_port() for name in SERVICES}
    config["DEMO_DATA"] = False
    config["GATEWAY"] = {**(config.get("GATEWAY") or {}), "SERVICES": list(SERVICES),
                         "LOGIN_RATE_PER_MINUTE": 100_000}  # fmt: skip
    config["KEYS"] = {"DIR": str(folder / "keys")}
    config["IDENTITY"] = {**(config.get("IDENTITY") or {}), "KEY_DIR": str(folder / "keys"),
                          "ACCESS_TOKEN_SECONDS": 86400}  # fmt: skip
    config["DIRECTORY"] = {**(config.get("DIRECTORY") or {}), "DEMO_DATA": False}
    config["TRANSLATION"] = {**(config.get("TRANSLATION") or {}), "ENGINE": "none"}
    config["NOTIFICATIONS"] = {**(config.get("NOTIFICATIONS") or {}),
                               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port}  # fmt: skip
    return config


def start_stack(group: ProcessGroup, args, amqp_uri: str, folder: Path, databases) -> Stack:
    uris = database_uris(args.engine, folder, databases)
    log(f"preparing the databases ({args.engine})")
    for service, uri in uris.items():
        upgrade(service, uri)
    prepare_directory(uris["directory"])
    prepare_translation(uris["translation"])
    administrator = create_commission_administrator(uris["identity"], str(folder / "keys"))
    port, smtp_port = free_port(), free_port()
    config = stack_config(amqp_uri, folder, port, uris, smtp_port)
    config_file = folder / "config.yaml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))
    mail_file = folder / "mail.jsonl"
    processes = [group.start("smtp", python_command(
        "-m", "bench.smtp_sink", "--port", str(smtp_port), "--out", str(mail_file)))]  # fmt: skip
    for service in SERVICES:
        command = nameko_run(config_file, f"services.{service}.service")
        processes.append(group.start(service, command))
    processes.append(group.start("gateway", nameko_run(config_file, "gateway.service")))
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/health", processes, START_TIMEOUT_SECONDS, status=200)
    token = log_in_first_time(base, *administrator)
    return Stack(base, config, {p.name: p.pid for p in processes}, Mail(mail_file), token)


def notifications_engine(stack: Stack):
    return create_engine(stack.config[DB_URIS]["notifications"], poolclass=NullPool)


def build_network(stack: Stack, args) -> list[Authority]:
    """The network through the API; then the sender and every mailbox's first user log in,
    and the run waits until the notifications service knows every mailbox."""
    network = alerts_network.plan(args.authorities)
    alerts_network.build(Gateway(stack.base, stack.admin), network, stack.mail, log)
    sender = alerts_network.sender_authority(network)
    for person in [sender.first_user, *(a.first_user for a in network if a.mailbox)]:
        alerts_network.activate(stack.base, person, stack.mail)
    log("waiting for the notifications service to know every mailbox")
    engine = notifications_engine(stack)
    states = sorted({a.member_state for a in network})
    wanted = {area: len(alerts_network.mailboxes(network, area)) + 1 for area in (SD, PQ)}

    def known() -> bool:
        with Session(engine) as session:
            return all(
                len(directory_view.mailboxes(session, states, area)) == count
                for area, count in wanted.items()
            ) and bool(directory_view.alert_authorities(session, [sender.id], SD))

    try:
        alerts_network.wait(known, "the notifications service to learn the directory")
    finally:
        engine.dispose()
    return network


# --- following an alert -----------------------------------------------------------------------


@dataclass
class Tracked:
    """One alert sent: who must get an inbox item (user id: mailbox id), how many emails,
    and when each was seen."""

    alert_id: str
    users: dict[str, str]
    emails: int
    version: int
    area: str
    started: float = 0.0
    answered: float = 0.0
    seen: dict[str, float] = field(default_factory=dict)
    accepted: list[float] = field(default_factory=list)

    def done(self) -> bool:
        return len(self.seen) == len(self.users) and len(self.accepted) >= self.emails


@dataclass
class Sample:
    """One alert's figures, in ms from the start of its send call."""

    send_ms: float
    mailbox_ms: float  # the last mailbox to have an inbox item for one of its users
    first_email_ms: float
    last_email_ms: float
    emails: int

    @classmethod
    def of(cls, tracked: Tracked) -> Sample:
        start = tracked.started
        first_seen: dict[str, float] = {}
        for user, at in tracked.seen.items():
            mailbox = tracked.users[user]
            first_seen[mailbox] = min(at, first_seen.get(mailbox, at))
        return cls(
            send_ms=1000 * (tracked.answered - start),
            mailbox_ms=1000 * (max(first_seen.values()) - start),
            first_email_ms=1000 * (min(tracked.accepted) - start),
            last_email_ms=1000 * (max(tracked.accepted) - start),
            emails=len(tracked.accepted),
        )


class Watcher:
    """Sees the inbox items (in the notifications database) and the accepted emails (the
    SMTP sink's lines) of the alerts followed."""

    def __init__(self, stack: Stack, users: list[str]):
        self.engine = notifications_engine(stack)
        self.mail = stack.mail
        self.users = users
        self.mail.read()  # what came before is not any followed alert's

    def follow(self, alerts: list[Tracked], since: datetime) -> None:
        by_id = {tracked.alert_id: tracked for tracked in alerts}
        deadline = time.monotonic() + ALERT_TIMEOUT_SECONDS
        while not all(tracked.done() for tracked in alerts):
            if time.monotonic() > deadline:
                missing = [(t.alert_id, len(t.seen), len(t.accepted))
                           for t in alerts if not t.done()]  # fmt: skip
                raise StartError(f"alerts not all in after {ALERT_TIMEOUT_SECONDS} s: {missing}")
            time.sleep(POLL_SECONDS)
            self.poll(by_id, since)

    def poll(self, by_id: dict[str, Tracked], since: datetime) -> None:
        looked = time.time()  # what this read finds had arrived by then
        query = select(InboxItem.user_id, InboxItem.params).where(
            InboxItem.user_id.in_(self.users),
            InboxItem.template == RECEIVED,
            InboxItem.created_at >= since,
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        for user_id, params in rows:
            tracked = by_id.get(params.get("link", {}).get("alert"))
            if tracked is not None and user_id in tracked.users:
                tracked.seen.setdefault(user_id, looked)
        for line in self.mail.read():
            tracked = by_id.get(line["alert"])
            if tracked is not None:
                tracked.accepted.append(line["at"])

    def close(self) -> None:
        self.engine.dispose()


def expected(network: list[Authority], area: str) -> tuple[dict[str, str], int]:
    """The users an alert of ``area`` reaches in their inbox (the mailboxes' alert
    authorisers), by mailbox, and how many emails it makes (theirs and the mailboxes'
    functional addresses)."""
    users, addresses = {}, set()
    for mailbox in alerts_network.mailboxes(network, area):
        addresses.add(mailbox.email)
        for person in mailbox.people:
            if person.alert_authoriser:
                users[person.id] = mailbox.id
                addresses.add(person.email)
    return users, len(addresses)


class Sender:
    """The Italian alert handler, through the gateway."""

    def __init__(self, stack: Stack, network: list[Authority]):
        person = alerts_network.sender_authority(network).first_user
        self.gateway = Gateway(stack.base, person.token)
        self.network = network
        self.sent: dict[str, set[str]] = {SD: set(), PQ: set()}

    def draft(self, area: str) -> Tracked:
        if area == SD:
            states = [
                a.member_state
                for a in alerts_network.mailboxes(self.network, SD)
                if a.member_state != COMMISSION
            ]  # the Commission's is added: not chosen
            body, kind = {**SERVICES_ALERT, "member_states": states}, "services"
        else:
            body, kind = pq_alert(), "professional-qualifications"
        made = self.gateway.call("POST", f"/alerts/{kind}", 201, json=body)
        users, emails = expected(self.network, area)
        return Tracked(made["id"], users, emails, made["version"], area)

    def send(self, tracked: Tracked) -> None:
        tracked.started = time.time()
        sent = self.gateway.call("POST", f"/alerts/{tracked.alert_id}/actions/send",
                                 json={"version": tracked.version})  # fmt: skip
        tracked.answered = time.time()
        if sent["status"] != "sent":
            raise StartError(f"alert {tracked.alert_id} is {sent['status']} after send")
        self.sent[tracked.area].add(tracked.alert_id)


# --- the runs ---------------------------------------------------------------------------------


KINDS = {SD: "Services Directive alerts", PQ: "Professional Qualifications alerts"}


@dataclass
class Phase:
    name: str
    samples: list[Sample]
    cpu: dict[str, float]  # CPU seconds per process over the phase
    loads: list[float]  # the machine's load (cores used by others) before each measurement
    during: list[float]  # cores used by others during each measurement
    seconds: float | None = None  # a burst: from its first send call to its last email


class Others:
    """The CPU of everything but the run's processes and this one (other tenants' test
    suites on the shared machine), in cores, over a measurement."""

    def __init__(self, meter: CpuMeter):
        self.meter = meter

    def start(self) -> None:
        self.before, self.own, self.at = self.meter.snapshot(), _own_cpu(), time.monotonic()

    def cores(self) -> float:
        used = CpuMeter.used(self.before, self.meter.snapshot())
        ours = sum(used.per_process.values()) + _own_cpu() - self.own
        return max(0.0, used.machine - ours) / (time.monotonic() - self.at)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_at_a_time(args, meter, sender, watcher, area: str, count: int) -> Phase:
    samples, loads, during, others = [], [], [], Others(meter)
    before = meter.snapshot()
    for number in range(count):
        tracked = sender.draft(area)
        loads.append(wait_until_quiet(args.quiet_wait, log=log))
        since = datetime.now(UTC) - timedelta(seconds=5)
        others.start()
        sender.send(tracked)
        watcher.follow([tracked], since)
        during.append(others.cores())
        sample = Sample.of(tracked)
        samples.append(sample)
        log(f"{area} alert {number + 1}/{count}: send {sample.send_ms:.0f} ms, last mailbox "
            f"{sample.mailbox_ms:.0f} ms, last email {sample.last_email_ms:.0f} ms; others "
            f"used {during[-1]:.2f} cores")  # fmt: skip
        time.sleep(PAUSE_SECONDS)
    used = CpuMeter.used(before, meter.snapshot())
    return Phase(f"{KINDS[area]}, one at a time", samples, used.per_process, loads, during)


def burst(args, meter, sender, watcher, count: int) -> Phase:
    drafts = [sender.draft(SD) for _ in range(count)]
    loads = [wait_until_quiet(args.quiet_wait, log=log)]
    since = datetime.now(UTC) - timedelta(seconds=5)
    others = Others(meter)
    others.start()
    before = meter.snapshot()
    for tracked in drafts:
        sender.send(tracked)
    watcher.follow(drafts, since)
    used = CpuMeter.used(before, meter.snapshot())
    during = [others.cores()]
    seconds = max(max(t.accepted) for t in drafts) - drafts[0].started
    log(f"burst of {count}: all in {seconds:.1f} s")
    samples = [Sample.of(tracked) for tracked in drafts]
    name = f"{KINDS[SD]}, {count} back to back"
    return Phase(name, samples, used.per_process, loads, during, seconds)


def check_through_the_api(stack: Stack, network: list[Authority], sent: dict[str, set]) -> str:
    """Every mailbox's first user finds every alert sent to it in its list and its inbox."""
    checked = 0
    for mailbox in network:
        if not mailbox.mailbox:
            continue
        wanted = set().union(*(ids for area, ids in sent.items()
                               if mailbox in alerts_network.mailboxes(network, area)))  # fmt: skip
        gateway = Gateway(stack.base, mailbox.first_user.token)
        listed = _all_pages(gateway, "/alerts", {"box": "mailbox"})
        told = _all_pages(gateway, "/inbox", {})
        listed_ids = {item["id"] for item in listed}
        told_ids = {item["link"].rsplit("/", 1)[-1] for item in told if item.get("link")}
        if not wanted <= listed_ids or not wanted <= told_ids:
            raise StartError(f"{mailbox.member_state}'s mailbox misses alerts through the API")
        checked += 1
    return f"{checked} mailboxes list every alert sent to them and have it in their inbox"


def _all_pages(gateway: Gateway, path: str, query: dict) -> list[dict]:
    items, page = [], 1
    while True:
        found = gateway.call("GET", path, params={**query, "page": page, "page_size": 100})
        items += found["items"]
        if len(items) >= found["total"] or not found["items"]:
            return items
        page += 1


def run(args, folder: Path, broker: Broker, vhost: str, databases: list[str]) -> list[Phase]:
    with ProcessGroup(folder) as group:
        stack = start_stack(group, args, broker.amqp_uri(vhost), folder, databases)
        network = build_network(stack, args)
        pids = {**stack.pids, "broker": broker.os_pid()}
        meter = DatabaseCpuMeter(pids, databases) if databases else CpuMeter(pids)
        users = sorted({user for area in (SD, PQ) for user in expected(network, area)[0]})
        watcher, sender = Watcher(stack, users), Sender(stack, network)
        phases = []
        try:
            for area, count in ((SD, args.alerts), (PQ, args.pq_alerts)):
                if count:
                    phases.append(one_at_a_time(args, meter, sender, watcher, area, count))
            if args.burst:
                phases.append(burst(args, meter, sender, watcher, args.burst))
            for process in group.processes:
                process.check_alive()
        finally:
            watcher.close()
            if databases:
                meter.close()
        print(check_through_the_api(stack, network, sender.sent))
    return phases


# --- the report -------------------------------------------------------------------------------

MEASURES = (
    ("send call (in every mailbox's list)", "send_ms"),
    ("last mailbox's inbox", "mailbox_ms"),
    ("first email accepted", "first_email_ms"),
    ("last email accepted", "last_email_ms"),
)


def latency_table(phase: Phase) -> str:
    lines = [["from the send call's start", "p50 ms", "p99 ms", "max ms"]]
    for label, name in MEASURES:
        values = sorted(getattr(sample, name) for sample in phase.samples)
        lines.append([label, *(f"{v:.0f}" for v in (
            percentile(values, 0.5), percentile(values, 0.99), values[-1]))])  # fmt: skip
    return markdown(lines, left=(0,))


def phase_text(phase: Phase) -> str:
    alerts = len(phase.samples)
    emails = sum(sample.emails for sample in phase.samples)
    cpu = ", ".join(f"{role} {phase.cpu[role] / alerts:.2f}" for role in ROLES if role in phase.cpu)
    head = f"### {phase.name}: {alerts} alerts, {emails // alerts} emails each"
    if phase.seconds is not None:
        head += (f"; all in {phase.seconds:.1f} s: {alerts / phase.seconds:.1f} alerts/s, "
                 f"{emails / phase.seconds:.0f} emails/s")  # fmt: skip
        cpu_note = ""
    else:
        each = sorted(s.emails / (s.last_email_ms / 1000) for s in phase.samples)
        head += f"; emails/s while one fans out: p50 {percentile(each, 0.5):.0f}"
        cpu_note = " (its draft and the pause after it included)"
    return (
        f"{head}\n"
        f"cores used by others: before {min(phase.loads):.2f} to {max(phase.loads):.2f}, "
        f"during {min(phase.during):.2f} to {max(phase.during):.2f}\n"
        f"CPU s per alert{cpu_note}: {cpu}\n\n{latency_table(phase)}"
    )


def aims(phases: list[Phase]) -> str:
    lines = ["Aims (each alert sent alone):"]
    for phase in phases:
        if phase.seconds is not None:  # a burst: its alerts wait for one another
            continue
        for label, name, limit in (("every mailbox", "mailbox_ms", AIM_MAILBOX_MS),
                                   ("every email", "last_email_ms", AIM_EMAIL_MS)):  # fmt: skip
            worst = max(getattr(sample, name) for sample in phase.samples)
            verdict = "holds" if worst < limit else "DOES NOT HOLD"
            lines.append(f"  {phase.name}: {label} < {limit:g} ms: max {worst:.0f}  {verdict}")
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.alerts_fanout",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--engine",
        choices=("postgresql", "sqlite"),
        default="postgresql",
        help="the services' databases",
    )
    parser.add_argument(
        "--alerts", type=int, default=20, help="Services Directive alerts sent one at a time"
    )
    parser.add_argument(
        "--pq-alerts",
        type=int,
        default=5,
        help="Professional Qualifications alerts sent one at a time",
    )
    parser.add_argument(
        "--burst",
        type=int,
        default=10,
        help="Services Directive alerts sent back to back (0: none)",
    )
    parser.add_argument(
        "--authorities", type=int, default=3, help="authorities per state besides its mailbox"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="before each alert, wait this long at most for a quiet machine",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the run's folder (configuration, logs, emails)"
    )
    parser.add_argument("--amqp-port", type=int, default=5672)
    args = parser.parse_args(argv)
    if args.alerts < 1 or min(args.pq_alerts, args.burst, args.authorities) < 0:
        parser.error("--alerts must be at least 1, the other counts at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=EVENTLET_WARNING)
    args = parse_args(argv)
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="imi-bench-alerts-"))
    broker = Broker(port=args.amqp_port)
    vhost = broker.create_vhost("imi-bench-alerts")
    databases: list[str] = []
    try:
        phases = run(args, folder, broker, vhost, databases)
    finally:
        broker.delete_vhost(vhost)
        for name in databases:
            drop_database(name)
        if args.keep:
            log(f"kept the folder {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"engine {args.engine}; network: 30 states and the Commission, each state's mailbox "
          f"and {args.authorities} other authorities; "
          f"total {time.monotonic() - started:.0f} s")  # fmt: skip
    for phase in phases:
        print(f"\n{phase_text(phase)}")
    print(f"\n{aims(phases)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
