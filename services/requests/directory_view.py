"""The directory as the requests service sees it: a read model kept current by the
directory's events, so that parties and rights are decided without a call per request
(DOMAIN.md sections 1 and 4). Events may come out of order or twice: an authority's carries
the directory's version, and a link's its time; an older one changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.requests.models import (
    AreaSettings,
    CoordinatorLink,
    KnownAuthority,
    KnownUser,
    RequestPolicy,
)
from services.requests.workflow_state import AuthorityFacts, Settings

REQUEST_WORKFLOW = "information_requests"
VALIDATED = "validated"
SENDS, RECEIVES = frozenset({"send", "both"}), frozenset({"receive", "both"})


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
    known.languages = data.get("languages") or [data["official_language"]]
    known.titles = data["titles"]
    known.areas = data["areas"]
    known.settings = data.get("settings") or {}
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


def remember_policy(unit: UnitOfWork, data: dict) -> RequestPolicy:
    """Record a ``request_policy_changed`` event, unless a later one is known."""
    key = (data["member_state"], data["region"] or "", data["area"])
    policy = unit.session.get(RequestPolicy, key)
    if policy is None:
        policy = RequestPolicy(member_state=key[0], region=key[1], area=key[2])
        unit.session.add(policy)
    elif policy.version >= data["version"]:
        return policy
    policy.approval_required = data["approval_required"]
    policy.referral_enabled = data["referral_enabled"]
    policy.deleted = data["deleted"]
    policy.version = data["version"]
    return policy


def settings_for(session: Session, authority: KnownAuthority, area: str) -> Settings:
    """The settings a request of ``authority`` in ``area`` follows: its region's policy, else
    its member state's (none: no approval, no referral), and the area's own setting."""
    rows = session.scalars(
        select(RequestPolicy).where(
            RequestPolicy.member_state == authority.member_state,
            RequestPolicy.area == area,
            RequestPolicy.region.in_(["", authority.region or ""]),
            RequestPolicy.deleted.is_(False),
        )
    ).all()
    policy = max(rows, key=lambda row: row.region != "", default=None)
    area_settings = session.get(AreaSettings, area)
    return Settings(
        approval_required=bool(policy and policy.approval_required),
        referral_enabled=bool(policy and policy.referral_enabled),
        forwarding_after_acceptance=bool(
            area_settings and area_settings.forwarding_after_acceptance
        ),
    )


def party(session: Session, authority_id: str, area: str, receives: bool) -> KnownAuthority:
    """The authority, if it may take part in requests of ``area`` (sending or receiving)."""
    authority = session.get(KnownAuthority, authority_id)
    if authority is None:
        raise NotFound(
            "No authority with this id.",
            "request.unknown_authority",
            {"authority_id": authority_id},
        )
    directions = RECEIVES if receives else SENDS
    takes_part = any(
        item["area"] == area
        and item["workflow"] == REQUEST_WORKFLOW
        and item.get("direction", "both") in directions
        for item in authority.areas
    )
    if authority.status != VALIDATED or not takes_part:
        raise Conflict(
            "This authority does not "
            + ("receive" if receives else "send")
            + " information requests in this legislative area.",
            "request.authority_not_in_area",
            {"authority_id": authority_id, "area": area},
        )
    return authority


def facts(
    session: Session, authority: KnownAuthority, area: str, coordinator_id: str | None = None
) -> AuthorityFacts:
    """What the workflow needs of a party. Its request coordinator: the one linked to it for
    the area, or, where several are, the one its handler chose (``coordinator_id``)."""
    linked = request_coordinators(session, authority.authority_id, area)
    if coordinator_id is not None and coordinator_id not in linked:
        raise ValidationFailed.from_fields(
            {"coordinator_id": ["Not a request coordinator linked to your authority for this "
                                f"area; linked: {', '.join(linked) or 'none'}."]}
        )  # fmt: skip
    if coordinator_id is None and len(linked) > 1:
        raise ValidationFailed.from_fields(
            {"coordinator_id": ["Several request coordinators are linked to your authority "
                                f"for this area; choose one of: {', '.join(linked)}."]}
        )  # fmt: skip
    settings = authority.settings or {}
    return AuthorityFacts(
        id=authority.authority_id,
        member_state=authority.member_state,
        uses_allocation=bool(settings.get("uses_allocation")),
        coordinator_id=coordinator_id or (linked[0] if linked else None),
        coordinator_full_view=bool(settings.get("coordinator_full_view")),
    )


def remember_user(unit: UnitOfWork, data: dict, at: datetime, deleted: bool = False) -> None:
    """Record a user event of identity (created, rights changed, replaced, deleted), unless a
    later one is known."""
    user = unit.session.get(KnownUser, data["user_id"])
    if user is None:
        user = KnownUser(user_id=data["user_id"])
        unit.session.add(user)
    elif user.changed_at > at:
        return
    user.authority_id = data["authority_id"]
    user.grants = data["grants"]
    user.deleted = deleted
    user.changed_at = at


def check_handlers(session: Session, handlers: list[str], authority_id: str, area: str) -> None:
    """Refuse an allocation naming anyone but request handlers of ``authority_id`` in ``area``."""
    known = {
        user.user_id: user
        for user in session.scalars(select(KnownUser).where(KnownUser.user_id.in_(handlers)))
    }
    wrong = [
        handler
        for handler in handlers
        if handler not in known
        or known[handler].deleted
        or known[handler].authority_id != authority_id
        or not any(
            grant["right"] == "request_handler" and grant.get("area") in (None, area)
            for grant in known[handler].grants
        )
    ]
    if wrong:
        raise ValidationFailed.from_fields(
            {"handlers": [f"{handler}: not a request handler of your authority in this area."
                          for handler in wrong]}
        )  # fmt: skip
