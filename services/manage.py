"""Operator commands: ``python -m services.manage prepare``.

``prepare`` makes a fresh or an existing installation ready to start: it applies every
service's migrations, writes the reference data snapshot, and creates the first Commission
administrator, printing its username and temporary password the one time it is created.
Running it again changes nothing that exists.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.common import reference
from services.common.config import REPO_ROOT, database_uri, load_config
from services.common.migrations import upgrade
from services.directory.bootstrap import prepare_directory
from services.directory.demo import load_demo
from services.identity.bootstrap import create_commission_administrator
from services.translation.bootstrap import prepare_translation

SERVICES_FILE = REPO_ROOT / "deploy" / "services"
REFERENCE_DIR = REPO_ROOT / "var" / "reference"
OFF = frozenset({"0", "false", "no", "off"})


def deployed_services() -> list[str]:
    lines = SERVICES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.manage")
    parser.add_argument("command", choices=["prepare"])
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    args = parser.parse_args(argv)
    prepare(load_config(args.config), demo=not args.no_demo)


if __name__ == "__main__":
    main()
