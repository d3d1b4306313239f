"""The directory's demo authorities in the notifications service's read model (docs/demo.md),
written by its preparation when demo data is on, so that a demo user can send an alert from the
first second: which demo authority is each member state's incoming alert mailbox, which take
part in alerts, the names emails give them, and the coordinators they are linked to.

From the directory's own plan of its demo data (services.directory.demo), read as data, through
the functions that take in the directory's events (services.notifications.directory_view), and
marked older than anything the directory publishes: the authorities at version 0, the links
dated ``PROVISIONAL``. The directory's events, which come once the services run, overwrite
them with the same facts; a row an event brought is never touched, so a second preparation
changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.common.db import StandaloneDatabase, UnitOfWork
from services.directory import demo as directory_demo  # the directory's plan, as data
from services.notifications import directory_view
from services.notifications.models import Base, KnownAuthority

PROVISIONAL = datetime(2000, 1, 1, tzinfo=UTC)


def load_demo_directory(uri: str) -> int:
    """Write what is missing, in one transaction; how many authorities were."""
    database = StandaloneDatabase(Base, "notifications", uri)
    unit = database.unit_of_work()
    try:
        added = add_demo_directory(unit)
        unit.commit()
        return added
    finally:
        unit.close()
        database.dispose()


def add_demo_directory(unit: UnitOfWork) -> int:
    planned = directory_demo.plan_authorities()
    places = directory_demo.coordinator_places(planned)
    added = 0
    for entry in planned:
        added += unit.session.get(KnownAuthority, entry["id"]) is None
        directory_view.remember_authority(unit, provisional_authority(entry))
        registrar = directory_demo.validating_coordinator(entry, places)
        for item in entry["areas"] if registrar else ():
            link = {"authority_id": entry["id"], "area": item["area"], "linked": True,
                    "workflow": item["workflow"], "coordinator_id": registrar}  # fmt: skip
            directory_view.remember_link(unit, link, PROVISIONAL)
    return added


def provisional_authority(entry: dict) -> dict:
    """What the directory's ``authority_registered`` will say of a planned authority, as far
    as the read model keeps it."""
    return {
        "authority_id": entry["id"],
        "member_state": entry["member_state"],
        "official_name": entry["official_name"],
        "titles": dict(entry["titles"]),
        "version": 0,
        "coordinator_kind": entry.get("coordinator_kind"),
        "areas": entry["areas"],
    }
