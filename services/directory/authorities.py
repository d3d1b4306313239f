"""Authorities: registration by a coordinator, who may read one, editing, roles, coordinator
links and validation. How an authority reads is in authority_views.py, the coordinators' lists
in coordinated.py, the read model of identity's users in known_users.py.

Every operation reads the actor's own authority (its place in the coordinator hierarchy) from
this database and asks services.directory.domain whether the actor may act; the gateway's
check is never the only one.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.reference import COMMISSION
from services.directory import search, terms
from services.directory.addresses import take_address
from services.directory.authority_views import area_view, settings_view
from services.directory.domain import (
    AUTHORITY_SETTINGS,
    CompetenceKind,
    CoordinatorKind,
    Place,
    Status,
    TermKind,
    TitleStatus,
    may_change_official_name,
    may_change_settings,
    may_edit,
    may_register,
    may_set_roles,
    may_validate,
)
from services.directory.models import (
    Authority,
    AuthorityArea,
    AuthorityTitle,
    Competence,
    CoordinatorLink,
)

CONTACT_FIELDS = (
    "region", "street", "postcode", "city", "website", "email", "phone", "languages",
    "other_professions", "official_language",
)  # fmt: skip


# --- places: what the rules need to know ----------------------------------------------------


def place_of(authority: Authority) -> Place:
    kind = authority.coordinator_kind
    return Place(
        id=authority.id,
        member_state=authority.member_state,
        region=authority.region,
        coordinator_kind=CoordinatorKind(kind) if kind else None,
        coordinated_region=authority.coordinated_region,
        coordinated_areas=frozenset(authority.coordinated_areas or ()),
        validating_coordinator_id=authority.validating_coordinator_id,
        linked_coordinator_ids=frozenset(link.coordinator_id for link in authority.links),
        areas=frozenset(area.area for area in authority.areas),
    )


def own_place(unit: UnitOfWork, actor: Actor) -> Place | None:
    """The actor's own authority, if the directory knows it (the Commission's may not be)."""
    own = unit.session.get(Authority, actor.authority_id)
    return place_of(own) if own is not None else None


def find(unit: UnitOfWork, authority_id: str) -> Authority:
    if not isinstance(authority_id, str) or not 1 <= len(authority_id) <= 64:
        raise ValidationFailed.from_fields({"authority_id": ["Not a valid authority id."]})
    authority = unit.session.get(Authority, authority_id)
    if authority is None:
        raise NotFound("No authority is known by this id.", "authority.unknown")
    return authority


def forbidden(detail: str, code: str) -> Forbidden:
    return Forbidden(detail, code)


# --- registration ---------------------------------------------------------------------------


def check_references(unit: UnitOfWork, request: dict) -> None:
    """Codes of areas, workflows and competences must exist in the directory's lists."""
    if "areas" in request:
        pairs = {(item["area"], item["workflow"].value) for item in request["areas"]}
        terms.require_workflows(unit, pairs, "areas")
    if request.get("links"):
        pairs = {(item["area"], item["workflow"].value) for item in request["links"]}
        terms.require_workflows(unit, pairs, "links")
    if request.get("coordinated_areas"):
        terms.require_codes(
            unit, TermKind.LEGISLATIVE_AREA, request["coordinated_areas"], "coordinated_areas"
        )
    for kind in CompetenceKind:
        codes = (request.get("competences") or {}).get(kind.value) or ()
        terms.require_codes(unit, TermKind(kind.value), codes, f"competences.{kind.value}")


def check_coordinator_fields(request: dict) -> None:
    kind = request.get("coordinator_kind")
    if kind is None and (request.get("coordinated_region") or request.get("coordinated_areas")):
        raise ValidationFailed.from_fields(
            {"coordinator_kind": ["A coordinated scope is given for an authority that is not "
                                  "a coordinator."]}
        )  # fmt: skip
    if kind == CoordinatorKind.SDIMIC and not request.get("coordinated_region"):
        raise ValidationFailed.from_fields(
            {"coordinated_region": ["An SDIMIC coordinates a region: name it."]}
        )
    if kind == CoordinatorKind.LIMIC and len(request.get("coordinated_areas") or ()) != 1:
        raise ValidationFailed.from_fields(
            {"coordinated_areas": ["A LIMIC coordinates exactly one legislative area."]}
        )
    if kind == CoordinatorKind.DIMIC and not (
        request.get("coordinated_region") or request.get("coordinated_areas")
    ):
        raise ValidationFailed.from_fields(
            {"coordinated_areas": ["A DIMIC is delegated for an area, a region or both."]}
        )
    if kind == CoordinatorKind.NIMIC and (
        request.get("coordinated_region") or request.get("coordinated_areas")
    ):
        raise ValidationFailed.from_fields(
            {"coordinated_areas": ["A NIMIC coordinates its whole country, every area."]}
        )


def register(unit: UnitOfWork, actor: Actor, request: dict) -> Authority:
    """An authority and its first user at once, registered (hence validated) by a coordinator;
    the registering coordinator is linked for every area and workflow."""
    own = own_place(unit, actor)
    kind = request.get("coordinator_kind")
    areas = frozenset(item["area"] for item in request["areas"])
    check_coordinator_fields(request)
    if not may_register(actor, own, kind, request["member_state"], request.get("region"), areas):
        raise forbidden(
            "Only a coordinator whose scope covers this member state, region and these areas, "
            "and whose rank may register this kind of authority, may register it.",
            "authority.not_registrar",
        )
    check_references(unit, request)
    if kind == CoordinatorKind.NIMIC:
        require_no_nimic(unit, request["member_state"])
    registrar = own.id if own is not None and actor.member_state != COMMISSION else None
    authority = new_authority(unit, actor, request, Status.VALIDATED, registrar)
    if registrar is not None:
        for item in request["areas"]:
            add_link(unit, actor, authority, item["area"], item["workflow"].value, registrar)
    for link in request.get("links") or ():
        add_link(unit, actor, authority, link["area"], link["workflow"].value,
                 link["coordinator_id"])  # fmt: skip
    unit.session.flush()
    search.index_authority(unit, authority)
    record_authority_event(unit, "authority_registered", authority, changed=[])
    request_first_user(unit, authority, request["first_user"], password_now=True)
    return authority


def require_no_nimic(unit: UnitOfWork, member_state: str) -> None:
    exists = unit.session.scalar(
        select(Authority.id).where(
            Authority.member_state == member_state,
            Authority.coordinator_kind == CoordinatorKind.NIMIC.value,
        )
    )
    if exists is not None:
        raise Conflict(
            f"{member_state} has its national IMI coordinator already: there is one per "
            "member state.",
            "authority.nimic_exists",
            {"authority_id": exists},
        )


def new_authority(
    unit: UnitOfWork, actor: Actor, request: dict, status: Status, registrar: str | None
) -> Authority:
    now = unit.now()
    kind = request.get("coordinator_kind")
    authority = Authority(
        id=str(uuid.uuid4()),
        official_name=request["official_name"].strip(),
        official_language=request["official_language"],
        member_state=request["member_state"],
        status=status.value,
        coordinator_kind=kind.value if kind else None,
        coordinated_region=request.get("coordinated_region"),
        coordinated_areas=sorted(set(request.get("coordinated_areas") or ())),
        validating_coordinator_id=registrar,
        registered_by=actor.user_id if actor else None,
        languages=[],
        other_professions=[],
        uses_allocation=False,
        coordinator_full_view=False,
        created_at=now,
        updated_at=now,
        updated_by=actor.user_id if actor else None,
        version=1,
    )
    apply_fields(authority, request)
    take_address(unit, authority, actor.user_id if actor else None)
    unit.session.add(authority)
    set_titles(authority, request.get("titles") or {})
    set_competences(authority, request.get("competences") or {})
    authority.areas = [
        AuthorityArea(
            area=item["area"],
            workflow=item["workflow"].value,
            roles=sorted({role.value for role in item["roles"]}),
            direction=item["direction"].value,
        )
        for item in request["areas"]
    ]
    return authority


def apply_fields(authority: Authority, request: dict) -> list[str]:
    """Copy the contact fields present in ``request``; the names of those that changed."""
    changed = []
    for name in CONTACT_FIELDS:
        if name in request and getattr(authority, name) != request[name]:
            setattr(authority, name, request[name])
            changed.append(name)
    return changed


def set_titles(authority: Authority, titles: dict[str, str]) -> bool:
    """Informal titles typed by a person: ``original`` in the authority's own language,
    ``translated`` in the others. A human title replaces a machine one."""
    changed = False
    current = {title.language: title for title in authority.titles}
    for language, text in titles.items():
        status = (
            TitleStatus.ORIGINAL
            if language == authority.official_language
            else TitleStatus.TRANSLATED
        )
        title = current.get(language)
        if title is None:
            authority.titles.append(
                AuthorityTitle(language=language, text=text.strip(), status=status.value)
            )
            changed = True
        elif title.text != text.strip() or title.status != status.value:
            title.text, title.status = text.strip(), status.value
            changed = True
    return changed


def set_competences(authority: Authority, competences: dict[str, list[str]]) -> bool:
    before = {(item.kind, item.code) for item in authority.competences}
    after = {
        (item.kind, item.code) for item in authority.competences if item.kind not in competences
    }
    for kind, codes in competences.items():
        after |= {(kind, code) for code in codes}
    if before == after:
        return False
    authority.competences = [Competence(kind=kind, code=code) for kind, code in sorted(after)]
    return True


def add_link(
    unit: UnitOfWork,
    actor: Actor | None,
    authority: Authority,
    area: str,
    workflow: str,
    coordinator_id: str,
) -> None:
    if any(
        (link.area, link.workflow, link.coordinator_id) == (area, workflow, coordinator_id)
        for link in authority.links
    ):
        return
    coordinator = unit.session.get(Authority, coordinator_id)
    if coordinator is None or coordinator.coordinator_kind is None:
        raise ValidationFailed.from_fields({"links": [f"{coordinator_id} is not a coordinator."]})
    if coordinator.member_state != authority.member_state:
        raise ValidationFailed.from_fields(
            {"links": ["A coordinator of another member state cannot be linked."]}
        )
    attach_link(unit, actor, authority, area, workflow, coordinator_id)


def attach_link(
    unit: UnitOfWork,
    actor: Actor | None,
    authority: Authority,
    area: str,
    workflow: str,
    coordinator_id: str,
) -> None:
    """The link and its ``coordinator_linked`` event, for a coordinator the caller checked is
    one of the authority's member state (add_link; the demo data's plan)."""
    authority.links.append(
        CoordinatorLink(
            area=area, workflow=workflow, coordinator_id=coordinator_id,
            linked_at=unit.now(), linked_by=actor.user_id if actor else None,
        )
    )  # fmt: skip
    unit.record_event(
        "coordinator_linked",
        authority.id,
        {"authority_id": authority.id, "area": area, "workflow": workflow,
         "coordinator_id": coordinator_id, "linked": True},
    )  # fmt: skip


def request_first_user(
    unit: UnitOfWork, authority: Authority, first_user: dict, password_now: bool, username=None
) -> None:
    """The identity service creates the account from this event; it is sensitive (a name and
    an email) and leaves the outbox once sent."""
    unit.record_event(
        "first_user_requested",
        authority.id,
        {
            "authority_id": authority.id,
            "member_state": authority.member_state,
            "full_name": first_user["full_name"],
            "email": first_user["email"],
            "phone": first_user.get("phone"),
            "language": first_user["language"],
            "username": username,
            "password_now": password_now,
        },
        sensitive=True,
    )


def record_authority_event(
    unit: UnitOfWork, event: str, authority: Authority, changed: list[str]
) -> None:
    unit.record_event(
        event,
        authority.id,
        {
            "authority_id": authority.id,
            "member_state": authority.member_state,
            "region": authority.region,
            "status": authority.status,
            "coordinator_kind": authority.coordinator_kind,
            "validating_coordinator_id": authority.validating_coordinator_id,
            "official_name": authority.official_name,
            "official_language": authority.official_language,
            "languages": list(authority.languages or []),
            "titles": {title.language: title.text for title in authority.titles},
            "areas": [area_view(area) for area in authority.areas],
            "settings": settings_view(authority),
            "changed": changed,
            "version": authority.version,
        },
    )


def visible(unit: UnitOfWork, actor: Actor, authority_id: str) -> Authority:
    """Any user reads a validated authority; one pending validation is seen only by those
    who may validate or edit it."""
    authority = find(unit, authority_id)
    if authority.status != Status.VALIDATED.value:
        own = own_place(unit, actor)
        place = place_of(authority)
        if not (may_validate(actor, own, place) or may_edit(actor, own, place)):
            raise NotFound("No authority is known by this id.", "authority.unknown")
    return authority


# --- editing --------------------------------------------------------------------------------


def touch(unit: UnitOfWork, actor: Actor, authority: Authority) -> None:
    authority.touch(actor.user_id, unit.now())
    authority.updated_by_username = actor.username


def update(unit: UnitOfWork, actor: Actor, authority_id: str, request: dict) -> Authority:
    authority = find(unit, authority_id)
    own = own_place(unit, actor)
    place = place_of(authority)
    if not may_edit(actor, own, place):
        raise forbidden(
            "Only the authority's local data administrators or the data administrators of a "
            "coordinator of it may edit it.",
            "authority.not_editor",
        )
    new_name = request.get("official_name")
    renamed = new_name is not None and new_name.strip() != authority.official_name
    if renamed and not may_change_official_name(actor, own, place):
        raise forbidden(
            "Only the validating coordinator (the Commission for a national coordinator) "
            "may change the official name.",
            "authority.not_name_owner",
        )
    authority.require_version(request["version"])
    check_references(unit, request)
    changed = apply_fields(authority, request)
    if "email" in changed:
        take_address(unit, authority, actor.user_id)
    if renamed:
        authority.official_name = new_name.strip()
        changed.append("official_name")
    if set_titles(authority, request.get("titles") or {}):
        changed.append("titles")
    if "competences" in request and set_competences(authority, request["competences"]):
        changed.append("competences")
    if changed:
        touch(unit, actor, authority)
        unit.session.flush()
        search.index_authority(unit, authority)
        record_authority_event(unit, "authority_updated", authority, changed=sorted(changed))
    return authority


def set_roles(unit: UnitOfWork, actor: Actor, authority_id: str, request: dict) -> Authority:
    authority = find(unit, authority_id)
    if not may_set_roles(actor, own_place(unit, actor), place_of(authority)):
        raise forbidden(
            "Roles per legislative area are set by the authority's coordinators.",
            "authority.not_role_setter",
        )
    authority.require_version(request["version"])
    check_references(unit, {"areas": request["areas"]})
    wanted = {
        (item["area"], item["workflow"].value): (
            sorted({role.value for role in item["roles"]}), item["direction"].value
        )
        for item in request["areas"]
    }  # fmt: skip
    current = {
        (area.area, area.workflow): (list(area.roles), area.direction) for area in authority.areas
    }
    if wanted != current:
        authority.areas = [
            AuthorityArea(area=area, workflow=workflow, roles=roles, direction=direction)
            for (area, workflow), (roles, direction) in sorted(wanted.items())
        ]
        touch(unit, actor, authority)
        unit.session.flush()
        search.index_authority(unit, authority)
        record_authority_event(unit, "authority_updated", authority, changed=["areas"])
    return authority


def set_links(unit: UnitOfWork, actor: Actor, authority_id: str, request: dict) -> Authority:
    """The coordinators linked per area and workflow, replaced as a whole; the validating
    coordinator's own links stay (it remains responsible for the authority)."""
    authority = find(unit, authority_id)
    if not may_edit(actor, own_place(unit, actor), place_of(authority)):
        raise forbidden(
            "Only the authority's local data administrators or its coordinators may link "
            "coordinators.",
            "authority.not_editor",
        )
    authority.require_version(request["version"])
    pairs = {(link["area"], link["workflow"].value) for link in request["links"]}
    terms.require_workflows(unit, pairs, "links")
    served = {(area.area, area.workflow) for area in authority.areas}
    if not pairs <= served:
        raise ValidationFailed.from_fields(
            {"links": ["A coordinator can only be linked for an area and workflow the "
                       "authority works in."]}
        )  # fmt: skip
    wanted = {
        (item["area"], item["workflow"].value, item["coordinator_id"]) for item in request["links"]
    }
    kept = {
        (link.area, link.workflow, link.coordinator_id)
        for link in authority.links
        if link.coordinator_id == authority.validating_coordinator_id
    }
    current = {(link.area, link.workflow, link.coordinator_id) for link in authority.links}
    removed = current - wanted - kept
    dropped = [
        item
        for item in authority.links
        if (item.area, item.workflow, item.coordinator_id) in removed
    ]
    for link in dropped:
        authority.links.remove(link)
        unit.record_event(
            "coordinator_linked",
            authority.id,
            {"authority_id": authority.id, "area": link.area, "workflow": link.workflow,
             "coordinator_id": link.coordinator_id, "linked": False},
        )  # fmt: skip
    for area, workflow, coordinator_id in sorted(wanted - current):
        add_link(unit, actor, authority, area, workflow, coordinator_id)
    if removed or wanted - current:
        touch(unit, actor, authority)
        unit.session.flush()
        search.index_authority(unit, authority)
    return authority


def set_settings(unit: UnitOfWork, actor: Actor, authority_id: str, request: dict) -> Authority:
    """The authority's settings for information requests (allocation, the coordinator's full
    view), replaced as a whole; a change is a new version, published as ``authority_updated``
    with ``changed: ["settings"]``."""
    authority = find(unit, authority_id)
    if not may_change_settings(actor, own_place(unit, actor), place_of(authority)):
        raise forbidden(
            "Only the authority's local data administrators or the data administrators of a "
            "coordinator of it may change its settings.",
            "authority.not_editor",
        )
    authority.require_version(request["version"])
    changed = [name for name in AUTHORITY_SETTINGS if getattr(authority, name) != request[name]]
    if changed:
        for name in changed:
            setattr(authority, name, request[name])
        touch(unit, actor, authority)
        record_authority_event(unit, "authority_updated", authority, changed=["settings"])
    return authority


def validate(unit: UnitOfWork, actor: Actor, authority_id: str) -> Authority:
    """A self-registered authority becomes part of the directory; identity then sends its
    first user the temporary password."""
    authority = find(unit, authority_id)
    if not may_validate(actor, own_place(unit, actor), place_of(authority)):
        raise forbidden(
            "Only the coordinator that invited the authority may validate it.",
            "authority.not_validator",
        )
    if authority.status == Status.VALIDATED.value:
        raise Conflict("The authority is validated already.", "authority.already_validated")
    authority.status = Status.VALIDATED.value
    touch(unit, actor, authority)
    unit.session.flush()
    search.index_authority(unit, authority)
    record_authority_event(unit, "authority_validated", authority, changed=["status"])
    return authority


def confirm_data(unit: UnitOfWork, actor: Actor, authority_id: str, version: int) -> Authority:
    """The authority's own administrators confirm its details are right: what the first
    user's first login asks of them (DOMAIN.md section 2), since a coordinator typed them."""
    authority = find(unit, authority_id)
    own_lda = actor.authority_id == authority.id and actor.has_right(Right.LOCAL_DATA_ADMINISTRATOR)
    if not own_lda:
        raise forbidden(
            "Only the authority's own local data administrators confirm its details.",
            "authority.not_own_administrator",
        )
    authority.require_version(version)
    if authority.data_confirmed_at is None:
        authority.data_confirmed_at = unit.now()
        touch(unit, actor, authority)
        record_authority_event(unit, "authority_updated", authority, changed=["data_confirmed"])
    return authority
