"""The directory as the requests service sees it: a read model kept current by the
directory's events, so that parties and rights are decided without a call per request
(DOMAIN.md sections 1 and 4). Events may come out of order or twice: an authority's carries
the directory's version, and a link's its time; an older one changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.requests.models import CoordinatorLink, KnownAuthority

REQUEST_WORKFLOW = "information_requests"


def remember_authority(unit: UnitOfWork, data: dict, at: datetime) -> KnownAuthority:
    """Upsert the authority an ``authority_*`` event describes, unless it knows a later one."""
    known = unit.session.get(KnownAuthority, data["authority_id"])
    if known is None:
        known = KnownAuthority(authority_id=data["authority_id"])
        unit.session.add(known)
    elif known.version >= data["version"]:
        return known
    known.member_state = data["member_state"]
    known.region = data["region"]
    known.status = data["status"]
    known.coordinator_kind = data["coordinator_kind"]
    known.official_name = data["official_name"]
    known.official_language = data["official_language"]
    known.titles = data["titles"]
    known.areas = data["areas"]
    known.version = data["version"]
    known.updated_at = at
    return known


def remember_link(unit: UnitOfWork, data: dict, at: datetime) -> CoordinatorLink:
    """Record a ``coordinator_linked`` event (linked or unlinked), unless a later one is known."""
    key = (data["authority_id"], data["area"], data["workflow"], data["coordinator_id"])
    link = unit.session.get(CoordinatorLink, key)
    if link is None:
        link = CoordinatorLink(
            authority_id=key[0], area=key[1], workflow=key[2], coordinator_id=key[3]
        )
        unit.session.add(link)
    elif link.changed_at > at:
        return link
    link.linked = data["linked"]
    link.changed_at = at
    return link


def request_coordinators(session: Session, authority_id: str, area: str) -> list[str]:
    """The coordinators linked to the authority for requests in ``area``."""
    return list(
        session.scalars(
            select(CoordinatorLink.coordinator_id)
            .where(
                CoordinatorLink.authority_id == authority_id,
                CoordinatorLink.area == area,
                CoordinatorLink.workflow == REQUEST_WORKFLOW,
                CoordinatorLink.linked.is_(True),
            )
            .order_by(CoordinatorLink.coordinator_id)
        )
    )


def handles_requests(authority: KnownAuthority, area: str) -> bool:
    """Whether the authority takes part in information requests in ``area``."""
    return any(
        item["area"] == area and item["workflow"] == REQUEST_WORKFLOW for item in authority.areas
    )
