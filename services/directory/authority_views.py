"""How an authority reads: its record in the reader's language, its best title, its address,
its coordinators. Views only: who may read what is decided in services.directory.authorities."""

from __future__ import annotations

from services.common.db import UnitOfWork
from services.common.reference import FALLBACK_LANGUAGE
from services.directory.domain import (
    AUTHORITY_SETTINGS,
    CompetenceKind,
)
from services.directory.models import (
    Authority,
    AuthorityArea,
    AuthorityTitle,
)


def best_title(authority: Authority, language: str) -> dict | None:
    """The informal title in ``language``, else in English, else in the official language,
    else any: its ``language`` tells the reader which one they got."""
    titles = {title.language: title for title in authority.titles}
    for candidate in (language, FALLBACK_LANGUAGE, authority.official_language):
        if candidate in titles:
            return title_view(titles[candidate])
    return title_view(min(authority.titles, key=lambda t: t.language)) if titles else None


def address_of(authority: Authority) -> dict:
    return {"street": authority.street, "postcode": authority.postcode, "city": authority.city,
            "region": authority.region}  # fmt: skip


def title_view(title: AuthorityTitle) -> dict:
    return {"text": title.text, "language": title.language, "status": title.status}


def area_view(area: AuthorityArea) -> dict:
    return {"area": area.area, "workflow": area.workflow, "roles": list(area.roles),
            "direction": area.direction}  # fmt: skip


def settings_view(authority: Authority) -> dict:
    """Its settings for information requests (services.directory.domain.AUTHORITY_SETTINGS)."""
    return {name: bool(getattr(authority, name)) for name in AUTHORITY_SETTINGS}


def coordinator_ref(unit: UnitOfWork, coordinator_id: str | None) -> dict | None:
    if coordinator_id is None:
        return None
    coordinator = unit.session.get(Authority, coordinator_id)
    if coordinator is None:
        return None
    return {"id": coordinator.id, "official_name": coordinator.official_name,
            "coordinator_kind": coordinator.coordinator_kind}  # fmt: skip


def view(unit: UnitOfWork, authority: Authority, language: str) -> dict:
    competences: dict[str, list[str]] = {kind.value: [] for kind in CompetenceKind}
    for item in authority.competences:
        competences.setdefault(item.kind, []).append(item.code)
    return {
        "id": authority.id,
        "official_name": authority.official_name,
        "official_language": authority.official_language,
        "title": best_title(authority, language),
        "titles": {title.language: title_view(title) for title in authority.titles},
        "member_state": authority.member_state,
        "address": address_of(authority),
        "website": authority.website,
        "email": authority.email,
        "phone": authority.phone,
        "languages": list(authority.languages),
        "areas": [area_view(area) for area in authority.areas],
        "links": [
            {
                "area": link.area,
                "workflow": link.workflow,
                "coordinator": coordinator_ref(unit, link.coordinator_id),
            }
            for link in sorted(authority.links, key=lambda item: (item.area, item.workflow))
        ],
        "competences": competences,
        "other_professions": list(authority.other_professions),
        "status": authority.status,
        "coordinator_kind": authority.coordinator_kind,
        "coordinated_region": authority.coordinated_region,
        "coordinated_areas": list(authority.coordinated_areas),
        "validating_coordinator": coordinator_ref(unit, authority.validating_coordinator_id),
        "active": authority.first_active_at is not None,
        "data_confirmed": authority.data_confirmed_at is not None,
        "settings": settings_view(authority),
        "created_at": authority.created_at,
        "updated_at": authority.updated_at,
        "version": authority.version,
    }
