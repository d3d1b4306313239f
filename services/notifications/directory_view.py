"""The notifications service's read model of the directory, fed by its events: the names an
email gives an authority, and the coordinators an authority's requests are escalated to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.notifications.models import CoordinatorLink, KnownAuthority

REQUEST_WORKFLOW = "information_requests"


def remember_authority(unit: UnitOfWork, data: dict) -> None:
    """An authority event, unless a later version is known already."""
    known = unit.session.get(KnownAuthority, data["authority_id"])
    if known is None:
        known = KnownAuthority(id=data["authority_id"])
        unit.session.add(known)
    elif known.version >= data["version"]:
        return
    known.member_state = data["member_state"]
    known.official_name = data["official_name"]
    known.titles = data["titles"]
    known.version = data["version"]


def remember_link(unit: UnitOfWork, data: dict, at: datetime) -> None:
    """A ``coordinator_linked`` event (linked or unlinked), unless a later one is known."""
    key = (data["authority_id"], data["area"], data["workflow"], data["coordinator_id"])
    link = unit.session.get(CoordinatorLink, key)
    if link is None:
        link = CoordinatorLink(
            authority_id=key[0], area=key[1], workflow=key[2], coordinator_id=key[3]
        )
        unit.session.add(link)
    elif link.changed_at > at:
        return
    link.linked, link.changed_at = data["linked"], at


def request_coordinators(session: Session, authority_ids: list[str], area: str) -> list[str]:
    """The coordinators linked to the authorities for requests in ``area``."""
    return sorted(
        set(
            session.scalars(
                select(CoordinatorLink.coordinator_id).where(
                    CoordinatorLink.authority_id.in_(authority_ids),
                    CoordinatorLink.area == area,
                    CoordinatorLink.workflow == REQUEST_WORKFLOW,
                    CoordinatorLink.linked.is_(True),
                )
            )
        )
    )


def title(session: Session, authority_id: str, language: str) -> str | None:
    """The authority's informal title in ``language``, else its official name; None when
    the directory has not announced it."""
    known = session.get(KnownAuthority, authority_id)
    if known is None:
        return None
    return known.titles.get(language) or known.official_name
