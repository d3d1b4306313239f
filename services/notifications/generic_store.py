"""Generic notifications in the notifications service's database: the notification types
(each version kept as written), a notification's creation and steps (the rules are
services.notifications.generic), what a reader sees, the lists, and the repositories that
broadcast notifications feed. Every change records its events in the same transaction; the
emails a step causes are queued with it."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.reference import COMMISSION
from services.notifications import directory_view, generic
from services.notifications.generic import Action, Facts, Status
from services.notifications.mail_queue import queue_mailing
from services.notifications.models import (
    GenericComment,
    GenericHistory,
    GenericNotification,
    GenericRecipient,
    NotificationType,
    RepositoryEntry,
)

# --- types ----------------------------------------------------------------------------------


def latest_type(session: Session, key: str) -> NotificationType | None:
    return session.scalar(
        select(NotificationType)
        .where(NotificationType.key == key)
        .order_by(NotificationType.version.desc())
        .limit(1)
    )


def type_version(session: Session, key: str, version: int) -> NotificationType:
    row = session.get(NotificationType, (key, version))
    if row is None:
        raise generic.unknown_type(key)
    return row


def type_out(row: NotificationType) -> dict:
    document = dict(row.document)
    return {**document, "fields_": document.pop("fields"), "version": row.version,
            "created_at": row.created_at}  # fmt: skip


def types(session: Session, area: str | None = None) -> list[dict]:
    """The latest version of every type (of ``area``), by key."""
    latest = (
        select(NotificationType.key, func.max(NotificationType.version).label("version"))
        .group_by(NotificationType.key)
        .subquery()
    )
    query = select(NotificationType).join(
        latest,
        (NotificationType.key == latest.c.key) & (NotificationType.version == latest.c.version),
    )
    if area:
        query = query.where(NotificationType.area == area)
    return [type_out(row) for row in session.scalars(query.order_by(NotificationType.key))]


def read_type(session: Session, key: str) -> dict:
    row = latest_type(session, key)
    if row is None:
        raise generic.unknown_type(key)
    return type_out(row)


def publish_type(
    unit: UnitOfWork, actor: Actor | None, key: str, data: dict, expected: int | None
) -> tuple[NotificationType, bool]:
    """Add the type's next version from ``data`` (a loaded type input, ``fields`` by that
    name), unless it says what the latest says (False then). ``expected`` is the version the
    editor read (None: a new type, or a shipped one loaded by preparation)."""
    session = unit.session
    document = generic.type_document(key, data)
    latest = latest_type(session, key)
    if actor is not None:
        if latest is not None and expected is None:
            raise Conflict(f"The notification type {key!r} exists already.", "generic.type_exists")
        if latest is None and expected is not None:
            raise generic.unknown_type(key)
        if latest is not None and latest.version != expected:
            raise Conflict(
                "The notification type was changed since you read it.",
                "error.stale_version",
                {"current_version": latest.version},
            )
    if latest is not None:
        if latest.area != document["area"]:
            raise ValidationFailed.from_fields({"area": ["A type stays in its area."]})
        if generic.same_document(latest.document, document):
            return latest, False
    repository = document["repository"]
    if repository:
        other = repository_area(session, repository)
        if other is not None and other != document["area"]:
            raise ValidationFailed.from_fields(
                {"repository": [f"The repository belongs to the area {other}."]}
            )
    row = NotificationType(
        key=key, version=(latest.version + 1) if latest else 1, area=document["area"],
        document=document, created_at=unit.now(),
        created_by=actor.user_id if actor else None,
    )  # fmt: skip
    session.add(row)
    entries = generic.catalogue_entries(document)
    unit.record_event(
        "notification_type_published", key,
        {"type_key": key, "version": row.version, "area": row.area,
         "receivers": document["receivers"], "repository": repository,
         "active": document["active"], "text_keys": [entry["key"] for entry in entries]},
    )  # fmt: skip
    unit.record_event(
        "notification_type_texts_published", key,
        {"type_key": key, "version": row.version, "area": row.area, "entries": entries},
    )  # fmt: skip
    return row, True


def define_type(unit: UnitOfWork, actor: Actor, key: str | None, data: dict) -> dict:
    """A Commission administrator creates (``key`` None: it is in ``data``) or edits a type."""
    if not generic.may_define_types(actor):
        raise Forbidden(
            "Only a Commission administrator defines notification types.",
            "generic.type_forbidden",
        )
    data = dict(data)
    data["fields"] = data.pop("fields_")
    expected = data.pop("version", None)
    key = key or data.pop("key")
    row, _changed = publish_type(unit, actor, key, data, expected)
    return type_out(row)


# --- reading notifications ------------------------------------------------------------------


def _recipients(session: Session, notification_id: str) -> list[GenericRecipient]:
    return list(
        session.scalars(
            select(GenericRecipient)
            .where(GenericRecipient.notification_id == notification_id)
            .order_by(GenericRecipient.member_state, GenericRecipient.authority_id)
        )
    )


def facts_of(session: Session, row: GenericNotification, document: dict) -> Facts:
    return Facts(
        status=Status(row.status),
        area=row.area,
        senders=tuple(document["senders"]),
        sender_authority=row.sender_authority,
        recipients=frozenset(item.authority_id for item in _recipients(session, row.id)),
    )


def visible(
    session: Session, actor: Actor, notification_id: str
) -> tuple[GenericNotification, dict, Facts]:
    row = session.get(GenericNotification, notification_id)
    if row is not None:
        document = type_version(session, row.type_key, row.type_version).document
        facts = facts_of(session, row, document)
        if generic.may_read(actor, facts):
            return row, document, facts
    raise NotFound("There is no such notification, or it is not yours to read.", "generic.unknown")


def view(session: Session, actor: Actor, notification_id: str) -> dict:
    row, document, facts = visible(session, actor, notification_id)
    comments = session.scalars(
        select(GenericComment)
        .where(GenericComment.notification_id == row.id)
        .order_by(GenericComment.at, GenericComment.id)
    )
    history = session.scalars(
        select(GenericHistory)
        .where(GenericHistory.notification_id == row.id)
        .order_by(GenericHistory.id)
    )
    return {
        **_summary(row, document), "type_version": row.type_version,
        "member_states": row.member_states, "content": row.content,
        "personal_data_erased": row.personal_data_erased_at is not None,
        "repository": document["repository"], "closed_at": row.closed_at,
        "recipients": [{"authority_id": item.authority_id, "member_state": item.member_state,
                        "added_at": item.added_at} for item in _recipients(session, row.id)],
        "comments": [{"id": item.id, "authority_id": item.authority_id,
                      "user_id": item.user_id, "text": item.text, "at": item.at}
                     for item in comments],
        "history": [{"action": item.action, "status": item.status, "edition": item.edition,
                     "user_id": item.user_id, "authority_id": item.authority_id,
                     "at": item.at} for item in history],
        "actions": generic.actions_for(actor, facts),
    }  # fmt: skip


def _summary(row: GenericNotification, document: dict) -> dict:
    return {
        "id": row.id, "type_key": row.type_key, "type_title_key": document["title_key"],
        "area": row.area, "status": row.status, "version": row.version,
        "edition": row.edition, "sender_authority": row.sender_authority,
        "sender_state": row.sender_state, "created_at": row.created_at,
        "broadcast_at": row.broadcast_at,
    }  # fmt: skip


def listing(session: Session, actor: Actor, query: dict) -> dict:
    """A page of the notifications the actor may read, newest first: its authority's own
    (outgoing), those broadcast to it (incoming), or both."""
    received = select(GenericRecipient.notification_id).where(
        GenericRecipient.authority_id == actor.authority_id
    )
    own = GenericNotification.sender_authority == actor.authority_id
    box = {
        "outgoing": own,
        "incoming": GenericNotification.id.in_(received),
        "all": or_(own, GenericNotification.id.in_(received)),
    }[query["box"]]
    where = [box]
    if "type_key" in query:
        where.append(GenericNotification.type_key == query["type_key"])
    if "status" in query:
        where.append(GenericNotification.status == query["status"])
    rows = session.scalars(
        select(GenericNotification)
        .where(*where)
        .order_by(GenericNotification.created_at.desc(), GenericNotification.id)
    )
    shown = []
    for row in rows:
        document = type_version(session, row.type_key, row.type_version).document
        if generic.may_read(actor, facts_of(session, row, document)):
            shown.append(_summary(row, document))
    size, page = query["page_size"], query["page"]
    return {"items": shown[(page - 1) * size : page * size], "page": page,
            "page_size": size, "total": len(shown)}  # fmt: skip


# --- changing notifications -----------------------------------------------------------------


def _event(row: GenericNotification, actor: Actor, authority_ids) -> dict:
    return {
        "notification_id": row.id, "type_key": row.type_key, "type_version": row.type_version,
        "area": row.area, "status": row.status, "sender_authority": row.sender_authority,
        "sender_state": row.sender_state, "member_states": list(row.member_states),
        "authority_ids": sorted(authority_ids), "actor_authority": actor.authority_id,
        "edition": row.edition, "version": row.version,
    }  # fmt: skip


def _history(unit: UnitOfWork, row: GenericNotification, actor: Actor, action: str) -> None:
    unit.session.add(
        GenericHistory(
            notification_id=row.id, action=action, status=row.status, edition=row.edition,
            user_id=actor.user_id, authority_id=actor.authority_id, at=unit.now(),
        )
    )  # fmt: skip


def create(unit: UnitOfWork, actor: Actor, data: dict) -> GenericNotification:
    """A draft of a type's latest version, by a user holding one of its sending rights in an
    authority taking part in the area's notifications."""
    session = unit.session
    kind = latest_type(session, data["type_key"])
    if kind is None:
        raise generic.unknown_type(data["type_key"])
    document = kind.document
    if not document["active"]:
        raise Conflict(
            "This notification type takes no new notifications.", "generic.type_inactive"
        )
    if not generic.may_send_type(actor, document):
        raise Forbidden(
            "Your rights do not allow sending notifications of this type.",
            "generic.role_missing",
            {"action": "create"},
        )
    if not directory_view.takes_part(session, actor.authority_id, kind.area, (generic.WORKFLOW,)):
        raise Forbidden(
            "Your authority does not take part in this area's notifications.",
            "generic.authority_not_in_notifications",
            {"area": kind.area},
        )
    content = generic.check_content(document, data["content"])
    states = sorted(set(data["member_states"]))
    generic.check_states(document, actor.member_state, states)
    now = unit.now()
    row = GenericNotification(
        id=str(uuid.uuid4()), type_key=kind.key, type_version=kind.version, area=kind.area,
        status=Status.DRAFT.value, sender_authority=actor.authority_id,
        sender_state=actor.member_state, member_states=states, content=content, edition=0,
        created_by=actor.user_id, created_at=now, updated_at=now, updated_by=actor.user_id,
        version=1,
    )  # fmt: skip
    session.add(row)
    session.flush()  # the notification before the rows that refer to it
    _history(unit, row, actor, "create")
    unit.record_event("generic_notification_created", row.id, _event(row, actor, ()))
    return row


def act(
    unit: UnitOfWork, actor: Actor, notification_id: str, action: Action, data: dict
) -> GenericNotification:
    """Take ``action`` on the notification at the version read; its status, history, events,
    repository entry and emails follow."""
    session, now = unit.session, unit.now()
    row, document, facts = visible(session, actor, notification_id)
    generic.check(actor, facts, action)
    row.require_version(data["version"])
    concerned: list[str] = []
    told: list[str] = []
    if action == Action.EDIT_DRAFT:
        if "content" in data:
            row.content = generic.check_content(document, data["content"])
        if "member_states" in data:
            states = sorted(set(data["member_states"]))
            generic.check_states(document, actor.member_state, states)
            row.member_states = states
    elif action == Action.BROADCAST:
        concerned = told = _broadcast(unit, row, document)
    elif action == Action.MODIFY:
        row.content = generic.check_content(document, _needed(data, "content"))
        row.edition += 1
        concerned = told = sorted(facts.recipients)
    elif action == Action.COMMENT:
        session.add(GenericComment(
            id=str(uuid.uuid4()), notification_id=row.id, authority_id=actor.authority_id,
            user_id=actor.user_id, text=_needed(data, "text"), at=now,
        ))  # fmt: skip
        concerned = [actor.authority_id]
    row.status = generic.status_after(facts, action).value
    if action in (Action.WITHDRAW, Action.CLOSE):
        row.closed_at = now
        concerned = sorted(facts.recipients)
        _erase_personal_data(unit, row, document)
    row.touch(actor.user_id, now)
    _history(unit, row, actor, action.value)
    step_event = generic.STEPS[action][2]
    envelope = unit.record_event(step_event, row.id, _event(row, actor, concerned))
    _feed_repository(unit, row, document, action)
    for number, mailing in enumerate(generic.mailings(row.id, document, told)):
        queue_mailing(unit, f"{envelope['id']}:{mailing.template}:{number}", mailing)
    return row


def _needed(data: dict, name: str):
    if data.get(name) in (None, ""):
        raise ValidationFailed.from_fields({name: ["Missing data for required field."]})
    return data[name]


def _broadcast(unit: UnitOfWork, row: GenericNotification, document: dict) -> list[str]:
    """The recipients: the authorities of the receiving states taking part in the area's
    notifications; a receiving state without any is refused, naming it."""
    states = generic.receiving_states(document, row.sender_state, row.member_states)
    found = directory_view.workflow_authorities(unit.session, states, row.area, (generic.WORKFLOW,))
    found.pop(row.sender_authority, None)
    reached = set(found.values())
    missing = [state for state in states if state not in reached and state != COMMISSION]
    if missing and document["receivers"] == generic.Receivers.CHOSEN_STATES:
        raise Conflict(
            "Some receiving member states have no authority taking part in this area's "
            "notifications.",
            "generic.no_recipients",
            {"member_states": missing},
        )
    if not found:
        raise Conflict(
            "No authority takes part in this area's notifications.",
            "generic.no_recipients",
            {"member_states": states},
        )
    now = unit.now()
    row.broadcast_at, row.edition = now, 1
    unit.session.add_all(
        GenericRecipient(notification_id=row.id, authority_id=authority, member_state=state,
                         added_at=now)
        for authority, state in sorted(found.items())
    )  # fmt: skip
    return sorted(found)


def _feed_repository(
    unit: UnitOfWork, row: GenericNotification, document: dict, action: Action
) -> None:
    """Broadcast or modified: the entry is written (or rewritten); closed: it stays, marked
    closed; withdrawn: it goes."""
    repository = document["repository"]
    if not repository or action in (Action.EDIT_DRAFT, Action.COMMENT):
        return
    session, now = unit.session, unit.now()
    entry = session.get(RepositoryEntry, row.id)
    if action == Action.WITHDRAW:
        if entry is None:
            return
        session.execute(delete(RepositoryEntry).where(RepositoryEntry.notification_id == row.id))
        repository_event = "repository_entry_removed"
    elif action == Action.CLOSE:
        if entry is None:
            return
        entry.closed_at = now
        return
    else:
        if entry is None:
            entry = RepositoryEntry(
                notification_id=row.id, repository=repository, area=row.area,
                type_key=row.type_key, authority_id=row.sender_authority,
                member_state=row.sender_state, broadcast_at=row.broadcast_at,
            )  # fmt: skip
            session.add(entry)
        entry.fields = generic.public_content(document, row.content)
        entry.edition, entry.updated_at = row.edition, now
        repository_event = "repository_entry_recorded"
    unit.record_event(
        repository_event, row.id,
        {"repository": repository, "notification_id": row.id, "type_key": row.type_key,
         "area": row.area, "member_state": row.sender_state,
         "authority_id": row.sender_authority, "edition": row.edition},
    )  # fmt: skip


def _erase_personal_data(unit: UnitOfWork, row: GenericNotification, document: dict) -> None:
    """The type's personal-data fields go when the notification is closed or withdrawn."""
    if not generic.has_personal_data(document):
        return
    row.content = generic.public_content(document, row.content)
    row.personal_data_erased_at = unit.now()


# --- repositories -------------------------------------------------------------------------------


def repository_area(session: Session, repository: str) -> str | None:
    for item in types(session):
        if item["repository"] == repository:
            return item["area"]
    return None


def repository_entries(session: Session, actor: Actor, repository: str, query: dict) -> dict:
    """A page of a repository's entries, newest first: for the Commission administrators and
    the users of authorities taking part in its area's notifications or repositories."""
    area = repository_area(session, repository)
    allowed = area is not None and (
        generic.is_commission(actor)
        or directory_view.takes_part(
            session, actor.authority_id, area, generic.REPOSITORY_WORKFLOWS
        )
    )
    if not allowed:
        raise NotFound(
            "There is no such repository, or it is not yours to read.",
            "generic.unknown_repository",
        )
    where = [RepositoryEntry.repository == repository]
    if "member_state" in query:
        where.append(RepositoryEntry.member_state == query["member_state"])
    if "type_key" in query:
        where.append(RepositoryEntry.type_key == query["type_key"])
    size, page = query["page_size"], query["page"]
    total = session.scalar(select(func.count()).select_from(RepositoryEntry).where(*where))
    rows = session.scalars(
        select(RepositoryEntry)
        .where(*where)
        .order_by(RepositoryEntry.broadcast_at.desc(), RepositoryEntry.notification_id)
        .offset((page - 1) * size)
        .limit(size)
    )
    items = [
        {"repository": item.repository, "notification_id": item.notification_id,
         "type_key": item.type_key, "fields_": item.fields, "authority_id": item.authority_id,
         "member_state": item.member_state, "edition": item.edition,
         "broadcast_at": item.broadcast_at, "updated_at": item.updated_at,
         "closed_at": item.closed_at}
        for item in rows
    ]  # fmt: skip
    return {"items": items, "page": page, "page_size": size, "total": total}
