"""Operator commands: ``python -m services.manage prepare`` and ``dead-letters``.

``prepare`` makes a fresh or an existing installation ready to start: it applies every
service's migrations, writes the reference data snapshot, creates each service's key pair (the
keyring, services/common/credentials.py), and creates the first Commission
administrator, printing its username and temporary password the one time it is created.
Running it again changes nothing that exists.

``dead-letters list|redrive|discard <service> [id ...]`` shows the events a service's handlers
could not read, publishes them again to the handler that refused them (once it is fixed), or
deletes them (services/common/dead_letters.py; docs/operations.md, "Dead letters").
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from services.common import dead_letters, reference
from services.common.config import AMQP_URI, REPO_ROOT, database_uri, load_config
from services.common.credentials import prepare_service_keys
from services.common.db import create_db_engine, kernel_model, unit_sessions
from services.common.migrations import upgrade
from services.directory.bootstrap import prepare_directory
from services.directory.demo import load_demo
from services.identity.bootstrap import create_commission_administrator, publish_token_keys
from services.translation.bootstrap import prepare_translation

SERVICES_FILE = REPO_ROOT / "deploy" / "services"
REFERENCE_DIR = REPO_ROOT / "var" / "reference"
OFF = frozenset({"0", "false", "no", "off"})


def deployed_services() -> list[str]:
    lines = SERVICES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def demo_wanted(config: dict) -> bool:
    """DIRECTORY.DEMO_DATA (IMI_DEMO_DATA), on unless 0, false, no or off."""
    return str(config.get("DIRECTORY", {}).get("DEMO_DATA", True)).lower() not in OFF


def prepare(config: dict, out=sys.stdout, demo: bool = True) -> None:
    for service in deployed_services():
        upgrade(service, database_uri(config, service))
        print(f"database of {service}: migrated", file=out)
    if "directory" in deployed_services():
        prepare_directory(database_uri(config, "directory"))
        print("directory: reference lists loaded", file=out)
        if demo and demo_wanted(config):
            authorities, registers = load_demo(database_uri(config, "directory"))
            print(
                f"directory: demo data ({authorities} authorities, {registers} registers added;"
                " `prepare --no-demo` or IMI_DEMO_DATA=0 skips it)",
                file=out,
            )
    if "translation" in deployed_services():
        written = prepare_translation(database_uri(config, "translation"))
        print(f"translation: shipped texts loaded ({written} translations written)", file=out)
    reference.export(REFERENCE_DIR)
    print(f"reference data: {REFERENCE_DIR.relative_to(REPO_ROOT)}/", file=out)
    keyring = prepare_service_keys(config, deployed_services())
    if "identity" in deployed_services():
        publish_token_keys(config)
    print(f"keys: each service's key pair, public halves in {shown(keyring)}/", file=out)
    created = create_commission_administrator(
        database_uri(config, "identity"), config["IDENTITY"]["KEY_DIR"]
    )
    if created:
        username, password = created
        print(
            "\nFirst Commission administrator (shown once; change the password at first login):"
            f"\n  username:           {username}\n  temporary password: {password}\n",
            file=out,
        )


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
    for command in (preparing, letters):  # also accepted after the command
        command.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    config = load_config(args.config)
    if args.command == "prepare":
        prepare(config, demo=not args.no_demo)
    else:
        dead_letter_command(config, args.action, args.service, args.ids)


if __name__ == "__main__":
    main()
