"""Operator commands: ``python -m services.manage prepare`` and ``dead-letters``.

``prepare`` makes a fresh or an existing installation ready to start: it applies every
deployed service's migrations (deploy/services; the kernel's history first in each database,
services/common/migrations.py), runs each service's preparation hook, writes the reference
data snapshot, creates each service's key pair (the keyring, services/common/credentials.py),
and last shows what a hook asked the operator to note (the first Commission administrator's
username and temporary password, the one time it is created). Running it again changes
nothing that exists.

A service's preparation hook, found by convention, is ``prepare(config, out)`` in its
``services/<name>/bootstrap.py``: it loads what the service ships (idempotently), may print
lines to ``out``, and may return a notice to show once everything is prepared. A service
without one is only migrated. ``--no-demo`` (``DEMO_DATA`` false in the configuration the
hooks get) tells them to load no demo data.

``dead-letters list|redrive|discard <service> [id ...]`` shows the events a service's handlers
could not read, publishes them again to the handler that refused them (once it is fixed), or
deletes them (services/common/dead_letters.py; docs/operations.md, "Dead letters").

``subscriber add NAME --events ... [--personal-data] [--host HOST]|list|remove NAME|sync``
manages the broker accounts of outside systems reading the public events exchange: ``add``
prints the account's AMQP URI (its password, shown once), the exchange and the queue names it
may use; ``sync`` makes the public exchange follow the catalogue (services/notifications/
public_events.py, public_exchange.py, subscribers.py; docs/subscriptions.md).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from services.common import dead_letters, reference
from services.common.config import (
    AMQP_URI,
    DEMO_DATA,
    REPO_ROOT,
    database_uri,
    deployed_services,
    load_config,
)
from services.common.credentials import prepare_service_keys
from services.common.db import create_db_engine, kernel_model, unit_sessions
from services.common.migrations import upgrade

REFERENCE_DIR = REPO_ROOT / "var" / "reference"

PreparationHook = Callable[[dict, TextIO], str | None]


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def preparation_hook(service: str) -> PreparationHook | None:
    """``prepare`` of ``services/<service>/bootstrap.py``, if the service has one."""
    if importlib.util.find_spec(f"services.{service}.bootstrap") is None:
        return None
    return getattr(importlib.import_module(f"services.{service}.bootstrap"), "prepare", None)


def prepare(
    config: dict, out=sys.stdout, demo: bool = True, services: list[str] | None = None
) -> None:
    services = deployed_services() if services is None else services
    if not demo:
        config = {**config, DEMO_DATA: False}
    for service in services:
        upgrade(service, database_uri(config, service))
        print(f"database of {service}: migrated", file=out)
    notices = []
    try:
        for service in services:
            hook = preparation_hook(service)
            notice = hook(config, out) if hook is not None else None
            if notice:
                notices.append(notice)
        reference.export(REFERENCE_DIR)
        print(f"reference data: {REFERENCE_DIR.relative_to(REPO_ROOT)}/", file=out)
        keyring = prepare_service_keys(config, services)
        print(f"keys: each service's key pair, public halves in {shown(keyring)}/", file=out)
    finally:  # a secret shown once is shown even if a later step fails
        for notice in notices:
            print(notice, file=out)


def dead_letter_command(config: dict, action: str, service: str, ids: list[int], out=sys.stdout):
    """List, re-drive or discard ``service``'s dead letters (all of them, or those of ``ids``)."""
    base = importlib.import_module(f"services.{service}.models").Base
    model = kernel_model(base, dead_letters.DeadLetterMixin)
    engine = create_db_engine(database_uri(config, service))
    sessions = unit_sessions(engine)
    try:
        if action == "list":
            with sessions() as session:
                letters = dead_letters.waiting(session, model, ids)
            for letter in letters:
                print(
                    f"{letter.id}\t{letter.dead_at.isoformat()}\t{letter.handler}\t"
                    f"{letter.source_service}.{letter.event_type}\t{json.dumps(letter.reason)}",
                    file=out,
                )
            print(f"{len(letters)} dead letter(s) in {service}", file=out)
        elif action == "redrive":
            done = dead_letters.redrive(sessions, model, config[AMQP_URI], ids)
            print(f"{len(done)} dead letter(s) of {service} re-driven", file=out)
        else:
            if not ids:
                raise SystemExit("discard needs the ids of the dead letters to delete")
            done = dead_letters.discard(sessions, model, ids)
            print(f"{len(done)} dead letter(s) of {service} discarded", file=out)
    finally:
        engine.dispose()


def subscriber_command(config: dict, args: argparse.Namespace, out=sys.stdout) -> None:
    """Create, list or remove an outside system's account; sync the public exchange."""
    from services.notifications import public_events, public_exchange, subscribers

    try:
        if args.action in ("add", "sync"):
            counts = public_exchange.sync(config, deployed_services())
            print(
                f"{public_events.PUBLIC_EXCHANGE}: {counts['bindings']} public event(s) bound, "
                f"{counts['streams']} replay stream(s)",
                file=out,
            )
        if args.action == "add":
            events = public_events.entitlement(args.events, personal_data=args.personal_data)
            account = subscribers.add(config, args.name, events, host=args.host)
            sub = account.subscriber
            print(f"subscriber {sub.name}: account {sub.user}", file=out)
            print(f"AMQP URI (shown once): {account.uri}", file=out)
            print(f"exchange: {public_events.PUBLIC_EXCHANGE} (topic)", file=out)
            print(f"queues: {sub.queue_prefix}* (its own, durable)", file=out)
            print(f"routing keys: {' '.join(e.event for e in sub.events)}", file=out)
            print(f"replay streams: {' '.join(sub.replay) or 'none'}", file=out)
        elif args.action == "list":
            found = subscribers.listed(config)
            for sub in found:
                personal = any(e.personal_data for e in sub.events)
                print(
                    f"{sub.name}\t{sub.user}\t{len(sub.events)} event(s)"
                    f"{' with personal data' if personal else ''}\t"
                    f"replay: {','.join(sub.replay) or '-'}\t"
                    f"{' '.join(e.key for e in sub.events)}",
                    file=out,
                )
            print(f"{len(found)} subscriber(s)", file=out)
        elif args.action == "remove":
            subscribers.remove(config, args.name)
            print(f"subscriber {args.name}: account deleted (its queues stay)", file=out)
    except (public_events.EntitlementError, subscribers.SubscriberError) as exc:
        raise SystemExit(str(exc)) from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.manage")
    parser.add_argument("--config", type=Path, default=None)
    commands = parser.add_subparsers(dest="command", required=True)
    preparing = commands.add_parser("prepare", help="migrate and load what a start needs")
    preparing.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    letters = commands.add_parser("dead-letters", help="events a service could not read")
    letters.add_argument("action", choices=["list", "redrive", "discard"])
    letters.add_argument("service", choices=deployed_services())
    letters.add_argument("ids", nargs="*", type=int, help="only these (all when none)")
    subscriber = commands.add_parser("subscriber", help="outside systems' broker accounts")
    actions = subscriber.add_subparsers(dest="action", required=True)
    adding = actions.add_parser("add", help="create an account; prints its AMQP URI")
    adding.add_argument("name", help="a-z, 0-9 and -; the account is sub.NAME")
    adding.add_argument(
        "--events", nargs="+", required=True,
        help="public events: all, SERVICE.*, SERVICE.EVENT (docs/events.md, Public events)",
    )  # fmt: skip
    adding.add_argument("--personal-data", action="store_true", help="entitled to personal data")
    adding.add_argument("--host", help="the broker's host name as the outside system reaches it")
    actions.add_parser("list", help="the accounts and their entitlements")
    removing = actions.add_parser("remove", help="delete an account")
    removing.add_argument("name")
    actions.add_parser("sync", help="make the public exchange follow the catalogue")
    for command in (preparing, letters, subscriber):  # also accepted after the command
        command.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    config = load_config(args.config)
    if args.command == "prepare":
        prepare(config, demo=not args.no_demo)
    elif args.command == "subscriber":
        subscriber_command(config, args)
    else:
        dead_letter_command(config, args.action, args.service, args.ids)


if __name__ == "__main__":
    main()
