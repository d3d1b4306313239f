"""The directory of registers: registers of service providers or professionals that any
authority may describe (nature, content, access conditions, link), translated and searchable.

A register belongs to its responsible authority and takes that authority's member state. Its
texts are kept per language: the source language's are ``original``; a translation is
``translated``, and becomes ``outdated`` (still shown, marked) when the source text changes.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.directory import authorities, authority_views
from services.directory.domain import (
    RegisterChange,
    RegisterTextStatus,
    Status,
    may_keep_register,
    may_translate_register,
    text_language,
)
from services.directory.models import Authority, Register, RegisterText
from services.directory.search import fold

TEXT_FIELDS = ("name", "nature", "content", "access_conditions")
MAX_SEARCH_WORDS = 8


# --- reading --------------------------------------------------------------------------------


def find(unit: UnitOfWork, register_id: str) -> Register:
    if not isinstance(register_id, str) or not 1 <= len(register_id) <= 64:
        raise ValidationFailed.from_fields({"register_id": ["Not a valid register id."]})
    register = unit.session.get(Register, register_id)
    if register is None:
        raise NotFound("No register is known by this id.", "register.unknown")
    return register


def view(unit: UnitOfWork, register: Register, language: str) -> dict:
    """The register in ``language``, else in its source language; ``text.language`` says
    which the reader got."""
    texts = {text.language: text for text in register.texts}
    chosen = texts[text_language(set(texts), language, register.source_language)]
    authority = unit.session.get(Authority, register.authority_id)
    return {
        "id": register.id,
        "member_state": register.member_state,
        "authority": {
            "id": authority.id,
            "official_name": authority.official_name,
            "title": authority_views.best_title(authority, language),
        },
        "url": register.url,
        "access": register.access,
        "source_language": register.source_language,
        "requested_language": language,
        "text": {"language": chosen.language, "status": chosen.status,
                 **{name: getattr(chosen, name) for name in TEXT_FIELDS}},
        "translations": {text.language: text.status for text in register.texts},
        "created_at": register.created_at,
        "updated_at": register.updated_at,
        "version": register.version,
    }  # fmt: skip


def search(unit: UnitOfWork, query: dict) -> tuple[list[Register], int]:
    """Registers whose names, natures or contents hold every word of ``q`` (in any language,
    folded), filtered by member state, responsible authority and access; a page at a time."""
    statement = select(Register)
    words = fold(query.get("text") or "").split()
    if query.get("text") and not words:
        raise ValidationFailed.from_fields({"text": ["Give at least one letter or digit."]})
    if len(words) > MAX_SEARCH_WORDS:
        raise ValidationFailed.from_fields(
            {"text": [f"At most {MAX_SEARCH_WORDS} words are searched for."]}
        )
    for word in words:
        statement = statement.where(Register.folded.contains(word, autoescape=True))
    for name in ("member_state", "authority_id", "access"):
        if query.get(name):
            statement = statement.where(getattr(Register, name) == query[name])
    total = unit.session.scalar(select(func.count()).select_from(statement.subquery()))
    registers = unit.session.scalars(
        statement.order_by(Register.member_state, Register.id)
        .limit(query["page_size"])
        .offset((query["page"] - 1) * query["page_size"])
    ).all()
    return list(registers), total


# --- changes --------------------------------------------------------------------------------


def responsible(unit: UnitOfWork, authority_id: str) -> Authority:
    authority = authorities.find(unit, authority_id)
    if authority.status != Status.VALIDATED.value:
        raise NotFound("No authority is known by this id.", "authority.unknown")
    return authority


def require_keeper(unit: UnitOfWork, actor: Actor, authority: Authority) -> None:
    if not may_keep_register(actor, authorities.own_place(unit, actor),
                             authorities.place_of(authority)):  # fmt: skip
        raise Forbidden(
            "Only the responsible authority's local data administrators, its coordinators or "
            "the Commission keep its registers.",
            "register.not_keeper",
        )


def create(unit: UnitOfWork, actor: Actor, request: dict) -> Register:
    authority = responsible(unit, request["authority_id"])
    require_keeper(unit, actor, authority)
    return add(unit, authority, request, str(uuid.uuid4()), actor.user_id)


def add(
    unit: UnitOfWork,
    authority: Authority,
    request: dict,
    register_id: str,
    user_id: str | None,
    translations: dict[str, dict] | None = None,
) -> Register:
    """A new register with its source texts (and, from the demo data, translations)."""
    now = unit.now()
    register = Register(
        id=register_id,
        member_state=authority.member_state,
        authority_id=authority.id,
        url=request.get("url"),
        access=request["access"],
        source_language=request["source_language"],
        created_at=now,
        updated_at=now,
        updated_by=user_id,
        version=1,
    )
    register.texts = [
        RegisterText(language=request["source_language"],
                     status=RegisterTextStatus.ORIGINAL.value, **clean(request["texts"]))
    ] + [
        RegisterText(language=language, status=RegisterTextStatus.TRANSLATED.value,
                     **clean(texts))
        for language, texts in (translations or {}).items()
    ]  # fmt: skip
    unit.session.add(register)
    changed(unit, register, RegisterChange.CREATED)
    return register


def update(unit: UnitOfWork, actor: Actor, register_id: str, request: dict) -> Register:
    """A new source text keeps the translations, marked outdated until translated again."""
    register = find(unit, register_id)
    require_keeper(unit, actor, unit.session.get(Authority, register.authority_id))
    register.require_version(request["version"])
    touched = False
    for name in ("url", "access"):
        if name in request and getattr(register, name) != request[name]:
            setattr(register, name, request[name])
            touched = True
    if "texts" in request:
        source = next(t for t in register.texts if t.language == register.source_language)
        new = clean(request["texts"])
        if any(getattr(source, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(source, name, value)
            for text in register.texts:
                if text is not source:
                    text.status = RegisterTextStatus.OUTDATED.value
            touched = True
    if touched:
        touch(unit, actor, register)
        changed(unit, register, RegisterChange.UPDATED)
    return register


def translate(
    unit: UnitOfWork, actor: Actor, register_id: str, language: str, request: dict
) -> Register:
    register = find(unit, register_id)
    authority = unit.session.get(Authority, register.authority_id)
    own = authorities.own_place(unit, actor)
    if not may_translate_register(actor, own, authorities.place_of(authority)):
        raise Forbidden(
            "Only the register's keepers or the Commission's translators translate it.",
            "register.not_translator",
        )
    register.require_version(request["version"])
    if language == register.source_language:
        raise ValidationFailed.from_fields(
            {"language": ["This is the register's source language: change its texts instead."]}
        )
    texts = clean({name: request[name] for name in TEXT_FIELDS})
    current = next((t for t in register.texts if t.language == language), None)
    if current is None:
        register.texts.append(
            RegisterText(language=language, status=RegisterTextStatus.TRANSLATED.value, **texts)
        )
    else:
        for name, value in texts.items():
            setattr(current, name, value)
        current.status = RegisterTextStatus.TRANSLATED.value
    touch(unit, actor, register)
    changed(unit, register, RegisterChange.TRANSLATED, language)
    return register


def delete(unit: UnitOfWork, actor: Actor, register_id: str) -> None:
    register = find(unit, register_id)
    require_keeper(unit, actor, unit.session.get(Authority, register.authority_id))
    touch(unit, actor, register)
    record_change(unit, register, RegisterChange.DELETED, None)
    unit.session.delete(register)


def clean(texts: dict) -> dict:
    stripped = {name: texts[name].strip() for name in TEXT_FIELDS}
    empty = [name for name, value in stripped.items() if not value]
    if empty:
        raise ValidationFailed.from_fields({name: ["Must not be blank."] for name in empty})
    return stripped


def touch(unit: UnitOfWork, actor: Actor, register: Register) -> None:
    register.touch(actor.user_id, unit.now())


def index(register: Register) -> None:
    """Refresh the folded search text from every language's texts."""
    parts = (
        fold(getattr(text, name))
        for text in sorted(register.texts, key=lambda t: t.language)
        for name in ("name", "nature", "content")
    )
    register.folded = " | ".join(dict.fromkeys(part for part in parts if part))


def changed(
    unit: UnitOfWork, register: Register, change: RegisterChange, language: str | None = None
) -> None:
    index(register)
    record_change(unit, register, change, language)


def record_change(
    unit: UnitOfWork, register: Register, change: RegisterChange, language: str | None
) -> None:
    unit.record_event(
        "register_changed",
        register.id,
        {
            "register_id": register.id,
            "authority_id": register.authority_id,
            "member_state": register.member_state,
            "access": register.access,
            "change": change.value,
            "language": language,
            "languages": sorted(text.language for text in register.texts),
            "version": register.version,
        },
    )
