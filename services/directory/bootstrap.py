"""Making the directory's database ready at every ``services.manage prepare`` (idempotent):
the shipped reference lists, then the demo data unless it is turned off."""

from __future__ import annotations

from typing import TextIO

from services.common.clock import utcnow
from services.common.config import database_uri, demo_allowed
from services.common.db import StandaloneDatabase
from services.directory.demo import load_demo
from services.directory.models import Base
from services.directory.reference_data import load_reference_data

OFF = frozenset({"0", "false", "no", "off"})


def prepare(config: dict, out: TextIO) -> None:
    """The directory's preparation hook (services/manage.py)."""
    uri = database_uri(config, "directory")
    prepare_directory(uri)
    print("directory: reference lists loaded", file=out)
    if demo_allowed(config) and demo_wanted(config):
        added = load_demo(uri)
        print(
            f"directory: demo data ({added.authorities} authorities, {added.registers} "
            f"registers, {added.policies} request policies added;"
            " `prepare --no-demo` or IMI_DEMO_DATA=0 skips it)",
            file=out,
        )


def demo_wanted(config: dict) -> bool:
    """DIRECTORY.DEMO_DATA (IMI_DEMO_DATA), on unless 0, false, no or off."""
    return str(config.get("DIRECTORY", {}).get("DEMO_DATA", True)).lower() not in OFF


def prepare_directory(uri: str, now=None) -> None:
    database = StandaloneDatabase(Base, "directory", uri)
    unit = database.unit_of_work()
    try:
        load_reference_data(unit.session, now or utcnow())
        unit.commit()
    finally:
        unit.close()
        database.dispose()
