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
from services.identity.bootstrap import create_commission_administrator

SERVICES_FILE = REPO_ROOT / "deploy" / "services"
REFERENCE_DIR = REPO_ROOT / "var" / "reference"


def deployed_services() -> list[str]:
    lines = SERVICES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def prepare(config: dict, out=sys.stdout) -> None:
    for service in deployed_services():
        upgrade(service, database_uri(config, service))
        print(f"database of {service}: migrated", file=out)
    if "directory" in deployed_services():
        prepare_directory(database_uri(config, "directory"))
        print("directory: reference lists loaded", file=out)
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
    args = parser.parse_args(argv)
    prepare(load_config(args.config))


if __name__ == "__main__":
    main()
