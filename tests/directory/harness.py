"""The directory test harness: what a test does with a running directory service.

A listener recording the directory's events, read access to its database, actors as the
gateway would pass them, and the usual flows (the Commission registers a NIMIC, a coordinator
registers an authority). No fixtures here: tests/directory/conftest.py builds them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.actor import Actor, Grant, Right, dump_actor
from services.directory.models import Authority, Base, Outbox
from tests.events import EventLog, listener_for
from tests.store import ServiceStore

DIRECTORY_EVENTS = (
    "authority_registered",
    "authority_updated",
    "authority_validated",
    "authority_activated",
    "coordinator_linked",
    "first_user_requested",
    "invitation_created",
    "invitation_held",
    "invitation_released",
    "invitation_expiring",
    "invitation_expired",
    "register_changed",
    "request_policy_changed",
    "terms_changed",
)
COMMISSION_AUTHORITY_ID = "00000000-0000-4000-8000-00000000e0e0"


def directory_listener(name: str, log: EventLog) -> type:
    """A small nameko service that records every directory event in ``log``."""
    return listener_for("directory", DIRECTORY_EVENTS, name, log)


def actor(
    authority_id: str, member_state: str, *rights: Right, language: str = "en", area=None
) -> dict:
    """The actor the gateway would pass for a user of ``authority_id`` with ``rights``."""
    return dump_actor(
        Actor(
            user_id=str(uuid.uuid4()),
            username=f"u{uuid.uuid4().hex[:8]}",
            authority_id=authority_id,
            member_state=member_state,
            language=language,
            grants=frozenset(Grant(right, area) for right in rights),
        )
    )


COMMISSION = actor(COMMISSION_AUTHORITY_ID, "EU", Right.COMMISSION_ADMINISTRATOR)


def authority_data(member_state: str = "DE", **changes) -> dict:
    """A valid registration body; ``changes`` replace or add fields."""
    data = {
        "official_name": f"Landesamt {uuid.uuid4().hex[:6]}",
        "official_language": "de",
        "member_state": member_state,
        "region": "Bayern",
        "city": "München",
        "email": "poststelle@example.de",
        "languages": ["de", "en"],
        "titles": {
            "de": "Anerkennungsstelle für Heilberufe",
            "en": "Recognition of health professions",
        },
        "areas": [{"area": "professional_qualifications", "workflow": "information_requests"}],
        "first_user": {"full_name": "Erika Mustermann", "email": "erika@example.de",
                       "language": "de"},
    }  # fmt: skip
    data.update(changes)
    return data


@dataclass
class Coordinator:
    """A coordinator as a test knows it: its record and a data administrator's actor."""

    record: dict
    admin: dict = field(repr=False)

    @property
    def id(self) -> str:
        return self.record["id"]


class Store(ServiceStore):
    """Read access to the service's database file, one short transaction per question."""

    base = Base
    outbox = Outbox

    def authority(self, authority_id: str) -> Authority | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(Authority, authority_id)

    def count(self, model, *where) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))

    def outbox_types(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.scalars(select(Outbox.event_type).order_by(Outbox.seq)))


class Directory:
    """The RPC proxy plus the usual flows."""

    def __init__(self, rpc, events: EventLog, store: Store, clock, container=None):
        self.rpc = rpc
        self.events = events
        self.store = store
        self.clock = clock
        self.container = container

    def register(self, who: dict, member_state: str = "DE", **changes) -> dict:
        return self.rpc.register_authority(who, authority_data(member_state, **changes))

    def nimic(self, member_state: str = "DE") -> Coordinator:
        name = f"NIMIC {member_state} {uuid.uuid4().hex[:4]}"
        record = self.register(
            COMMISSION, member_state, coordinator_kind="NIMIC", region=None, official_name=name
        )
        return Coordinator(record, self.admin_of(record))

    def coordinator(self, parent: Coordinator, kind: str, **changes) -> Coordinator:
        record = self.register(parent.admin, parent.record["member_state"],
                               coordinator_kind=kind, **changes)  # fmt: skip
        return Coordinator(record, self.admin_of(record))

    @staticmethod
    def admin_of(record: dict, *rights: Right) -> dict:
        """A data administrator (and LDA) of the authority ``record``."""
        return actor(
            record["id"], record["member_state"],
            *(rights or (Right.DATA_ADMINISTRATOR, Right.LOCAL_DATA_ADMINISTRATOR)),
        )  # fmt: skip

    @staticmethod
    def lda_of(record: dict) -> dict:
        return actor(record["id"], record["member_state"], Right.LOCAL_DATA_ADMINISTRATOR)

    @staticmethod
    def user_of(record: dict, language: str = "en") -> dict:
        return actor(record["id"], record["member_state"], Right.BASIC_USER, language=language)
