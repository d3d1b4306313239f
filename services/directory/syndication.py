"""Public syndication: what outside portals may read without logging in (DOMAIN.md section 2).

Only validated authorities' public contact details and registers whose access is ``public``
leave, built here field by field (never from the internal views), so that users, activity,
status, coordinators and invitations cannot slip out when the internal views grow.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from services.common.db import UnitOfWork
from services.common.errors import NotFound
from services.directory import authorities, authority_views
from services.directory.domain import RegisterAccess, Status
from services.directory.models import Authority, AuthorityArea, Register


def authority_page(unit: UnitOfWork, query: dict) -> tuple[list[dict], int]:
    statement = select(Authority).where(Authority.status == Status.VALIDATED.value)
    if query.get("member_state"):
        statement = statement.where(Authority.member_state == query["member_state"])
    if query.get("area"):
        statement = statement.where(Authority.id.in_(serving(query["area"])))
    if query.get("updated_since"):
        statement = statement.where(Authority.updated_at >= query["updated_since"])
    rows, total = page(unit, statement, (Authority.updated_at, Authority.id), query)
    return [public_authority(row, query.get("language")) for row in rows], total


def authority(unit: UnitOfWork, authority_id: str, language: str | None) -> dict:
    found = authorities.find(unit, authority_id)
    if found.status != Status.VALIDATED.value:
        raise NotFound("No authority is known by this id.", "authority.unknown")
    return public_authority(found, language)


def register_page(unit: UnitOfWork, query: dict) -> tuple[list[dict], int]:
    """Public registers of validated authorities; ``area`` is one of the responsible
    authority's legislative areas."""
    statement = (
        select(Register, Authority.official_name)
        .join(Authority, Authority.id == Register.authority_id)
        .where(
            Register.access == RegisterAccess.PUBLIC.value,
            Authority.status == Status.VALIDATED.value,
        )
    )
    if query.get("member_state"):
        statement = statement.where(Register.member_state == query["member_state"])
    if query.get("area"):
        statement = statement.where(Register.authority_id.in_(serving(query["area"])))
    if query.get("updated_since"):
        statement = statement.where(Register.updated_at >= query["updated_since"])
    rows, total = page(unit, statement, (Register.updated_at, Register.id), query, scalars=False)
    return [public_register(row, name, query.get("language")) for row, name in rows], total


def serving(area: str) -> Select:
    return select(AuthorityArea.authority_id).where(AuthorityArea.area == area)


def page(unit: UnitOfWork, statement: Select, order, query: dict, scalars: bool = True):
    """One page in the order of the last change, so a portal can follow with updated_since."""
    total = unit.session.scalar(select(func.count()).select_from(statement.subquery()))
    paged = (
        statement.order_by(*order)
        .limit(query["page_size"])
        .offset((query["page"] - 1) * query["page_size"])
    )
    result = unit.session.scalars(paged) if scalars else unit.session.execute(paged)
    return result.all(), total


def in_language(items: dict, language: str | None, fallbacks: tuple[str, ...]) -> dict:
    """Every language's entry, or with ``language`` only the best of language and fallbacks."""
    if language is None:
        return items
    for candidate in (language, *fallbacks):
        if candidate in items:
            return {candidate: items[candidate]}
    return {}


def public_authority(authority: Authority, language: str | None) -> dict:
    titles = {title.language: title.text for title in authority.titles}
    return {
        "id": authority.id,
        "official_name": authority.official_name,
        "official_language": authority.official_language,
        "titles": in_language(titles, language, ("en", authority.official_language)),
        "member_state": authority.member_state,
        "address": authority_views.address_of(authority),
        "website": authority.website,
        "email": authority.email,
        "phone": authority.phone,
        "languages": list(authority.languages),
        "areas": sorted(
            ({"area": area.area, "workflow": area.workflow} for area in authority.areas),
            key=lambda item: (item["area"], item["workflow"]),
        ),
        "updated_at": authority.updated_at,
    }


def public_register(register: Register, authority_name: str, language: str | None) -> dict:
    texts = {
        text.language: {
            "name": text.name,
            "nature": text.nature,
            "content": text.content,
            "access_conditions": text.access_conditions,
            "status": text.status,
        }
        for text in register.texts
    }
    return {
        "id": register.id,
        "member_state": register.member_state,
        "authority": {"id": register.authority_id, "official_name": authority_name},
        "url": register.url,
        "source_language": register.source_language,
        "texts": in_language(texts, language, (register.source_language,)),
        "updated_at": register.updated_at,
    }
