"""The notifications service's read model of the directory, fed by its events: the names an
email gives an authority, the coordinators an authority's requests and alerts go to, and the
authorities' roles per area and workflow (which is a member state's incoming alert mailbox,
which take part in an area's alerts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.notifications.models import AuthorityRole, CoordinatorLink, KnownAuthority

REQUEST_WORKFLOW = "information_requests"
ALERT_WORKFLOW = "alerts"
MAILBOX_ROLE = "incoming_alert_mailbox"
NIMIC = "NIMIC"  # the directory's coordinator_kind of a national coordinator


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
    known.coordinator_kind = data.get("coordinator_kind")
    unit.session.execute(delete(AuthorityRole).where(AuthorityRole.authority_id == known.id))
    roles = {
        (item["area"], item["workflow"], role)
        for item in data.get("areas") or () for role in item["roles"]
    }  # fmt: skip
    unit.session.add_all(
        AuthorityRole(authority_id=known.id, area=area, workflow=workflow, role=role,
                      member_state=known.member_state)
        for area, workflow, role in sorted(roles)
    )  # fmt: skip


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


def request_coordinators(
    session: Session, authority_ids: list[str], area: str, workflow: str = REQUEST_WORKFLOW
) -> list[str]:
    """The coordinators linked to the authorities for ``workflow`` (requests) in ``area``."""
    return sorted(
        set(
            session.scalars(
                select(CoordinatorLink.coordinator_id).where(
                    CoordinatorLink.authority_id.in_(authority_ids),
                    CoordinatorLink.area == area,
                    CoordinatorLink.workflow == workflow,
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


def alert_coordinators(session: Session, authority_id: str, area: str) -> frozenset[str]:
    """The coordinators linked to an authority for alerts in ``area``: who approves its
    outgoing alerts where its member state requires it."""
    return frozenset(request_coordinators(session, [authority_id], area, ALERT_WORKFLOW))


def mailboxes(session: Session, states: list[str], area: str) -> dict[str, str]:
    """Each member state's incoming alert mailbox for ``area`` (the first by id if the
    directory names several); a state without one is missing from the answer."""
    rows = session.execute(
        select(AuthorityRole.member_state, AuthorityRole.authority_id)
        .where(
            AuthorityRole.area == area,
            AuthorityRole.workflow == ALERT_WORKFLOW,
            AuthorityRole.role == MAILBOX_ROLE,
            AuthorityRole.member_state.in_(states),
        )
        .order_by(AuthorityRole.authority_id.desc())
    )
    return dict(rows.tuples().all())


def alert_authorities(session: Session, authority_ids: list[str], area: str) -> dict[str, str]:
    """Of ``authority_ids``, those taking part in ``area``'s alerts, with their member state."""
    rows = session.execute(
        select(AuthorityRole.authority_id, AuthorityRole.member_state).where(
            AuthorityRole.authority_id.in_(authority_ids),
            AuthorityRole.area == area,
            AuthorityRole.workflow == ALERT_WORKFLOW,
        )
    )
    return dict(rows.tuples().all())


def authority(session: Session, authority_id: str) -> KnownAuthority | None:
    return session.get(KnownAuthority, authority_id)


def workflow_authorities(
    session: Session, states: list[str], area: str, workflows: tuple[str, ...]
) -> dict[str, str]:
    """The authorities of ``states`` with any role in one of ``area``'s ``workflows``, with
    their member state."""
    rows = session.execute(
        select(AuthorityRole.authority_id, AuthorityRole.member_state).where(
            AuthorityRole.member_state.in_(states),
            AuthorityRole.area == area,
            AuthorityRole.workflow.in_(workflows),
        )
    )
    return dict(rows.tuples().all())


def takes_part(session: Session, authority_id: str, area: str, workflows: tuple[str, ...]) -> bool:
    """Whether the authority has any role in one of ``area``'s ``workflows``."""
    found = session.scalar(
        select(AuthorityRole.authority_id)
        .where(
            AuthorityRole.authority_id == authority_id,
            AuthorityRole.area == area,
            AuthorityRole.workflow.in_(workflows),
        )
        .limit(1)
    )
    return found is not None
