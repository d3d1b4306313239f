"""A small network for the requests service's tests, written into its read model of the
directory: an Italian requesting authority, Hungarian responders (one working with
allocation), a Hungarian authority of another area, the two national coordinators (Budapest lets
its coordinator see details to intervene), Italy's policy enabling referral in Services, and users
with each right in Services, the area of the shipped Services question set."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.common.actor import Actor, Grant, Right, dump_actor
from services.requests.models import CoordinatorLink, KnownAuthority, RequestPolicy

AREA = "services"
SET_KEY = "services"
WORKFLOW = "information_requests"
AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Place:
    id: str
    member_state: str
    language: str
    uses_allocation: bool = False
    full_view: bool = False
    areas: tuple[str, ...] = (AREA,)


def _id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"imi-test/{name}"))


IT_COORDINATOR = Place(_id("it-coordinator"), "IT", "it")
LAZIO_COORDINATOR = Place(_id("lazio-coordinator"), "IT", "it")  # Roma's second
HU_COORDINATOR = Place(_id("hu-coordinator"), "HU", "hu")
ROMA = Place(_id("roma"), "IT", "it")
BUDAPEST = Place(_id("budapest"), "HU", "hu", full_view=True)
DEBRECEN = Place(_id("debrecen"), "HU", "hu", uses_allocation=True)
SZEGED = Place(_id("szeged"), "HU", "hu", areas=("posting_of_workers",))
PLACES = (IT_COORDINATOR, LAZIO_COORDINATOR, HU_COORDINATOR, ROMA, BUDAPEST, DEBRECEN, SZEGED)
COORDINATOR_OF = {"IT": IT_COORDINATOR, "HU": HU_COORDINATOR}


def seed(uri: str) -> None:
    """Write the network into the requests database at ``uri``."""
    engine = create_engine(uri)
    with Session(engine) as session, session.begin():
        session.add(
            RequestPolicy(member_state="IT", region="", area=AREA, approval_required=False,
                          referral_enabled=True, deleted=False, version=1)
        )  # fmt: skip
        for place in PLACES:
            session.add(
                KnownAuthority(
                    authority_id=place.id, member_state=place.member_state, region=None,
                    status="validated", coordinator_kind=None, official_name=place.id,
                    official_language=place.language, languages=[place.language, "en"],
                    titles={},
                    areas=[{"area": area, "workflow": WORKFLOW, "roles": ["authority"],
                            "direction": "both"} for area in place.areas],
                    settings={"uses_allocation": place.uses_allocation,
                              "coordinator_full_view": place.full_view},
                    version=1, updated_at=AT,
                )
            )  # fmt: skip
            coordinators = [COORDINATOR_OF[place.member_state]]
            coordinators += [LAZIO_COORDINATOR] if place is ROMA else []
            for coordinator in coordinators:
                if place in (IT_COORDINATOR, LAZIO_COORDINATOR, HU_COORDINATOR):
                    continue
                for area in place.areas:
                    session.add(
                        CoordinatorLink(
                            authority_id=place.id, area=area, workflow=WORKFLOW,
                            coordinator_id=coordinator.id, linked=True, changed_at=AT,
                        )
                    )  # fmt: skip
    engine.dispose()


def user(place: Place, name: str, *rights: Right, area: str | None = AREA) -> dict:
    return dump_actor(
        Actor(
            user_id=_id(f"{place.id}/{name}"),
            username=name,
            authority_id=place.id,
            member_state=place.member_state,
            language=place.language,
            grants=frozenset(Grant(right, area) for right in rights),
        )
    )


def handler(place: Place, name: str = "handler") -> dict:
    return user(place, f"{name}-{place.member_state.lower()}-{place.id[:4]}", Right.REQUEST_HANDLER)
