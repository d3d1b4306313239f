"""Each user's inbox of notifications: what they were emailed about the work of their
authority, readable in the system too, newest first, with what they have not read yet.
An item names what happened, in the reader's language (the email's subject), and where to
look; like the email, never any content. Account emails (a temporary password, a reset link)
are not kept here."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import func, select, update

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import NotFound
from services.notifications.models import InboxItem

LINKS = {"request": "/requests/{}", "alert": "/alerts/{}"}


def kept_keys(unit: UnitOfWork, keys: list[str]) -> set[str]:
    """Those of ``keys`` that kept items carry: one query for a whole run's keys."""
    if not keys:
        return set()
    found = unit.session.scalars(select(InboxItem.dedupe_key).where(
        InboxItem.dedupe_key.in_(keys)))  # fmt: skip
    return set(found)


def add(unit: UnitOfWork, dedupe_key: str, user_id: str, template: str, params: dict) -> None:
    """An item whose key was found new (``kept_keys``)."""
    unit.session.add(
        InboxItem(
            id=str(uuid.uuid4()),
            dedupe_key=dedupe_key,
            user_id=user_id,
            template=template,
            params=params,
            created_at=unit.now(),
        )
    )


def page(unit: UnitOfWork, actor: Actor, query: dict, subject: Callable[[InboxItem], str]) -> dict:
    """A page of the actor's own items; ``subject`` writes an item's title in the actor's
    language."""
    session = unit.session
    mine = [InboxItem.user_id == actor.user_id]
    unread = session.scalar(
        select(func.count()).select_from(InboxItem).where(*mine, InboxItem.read_at.is_(None))
    )
    if query.get("unread"):
        mine.append(InboxItem.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(InboxItem).where(*mine))
    size = query["page_size"]
    rows = session.scalars(
        select(InboxItem)
        .where(*mine)
        .order_by(InboxItem.created_at.desc(), InboxItem.id)
        .offset((query["page"] - 1) * size)
        .limit(size)
    ).all()
    items = [
        {"id": row.id, "kind": row.template, "title": subject(row), "link": link(row.params),
         "created_at": row.created_at, "read": row.read_at is not None}
        for row in rows
    ]  # fmt: skip
    return {"items": items, "unread": unread, "total": total, "page": query["page"],
            "page_size": size}  # fmt: skip


def mark_read(unit: UnitOfWork, actor: Actor, item_id: str | None) -> int:
    """Mark one of the actor's items read (all of them when ``item_id`` is None); how many
    were unread. Another user's item is not found."""
    criteria = [InboxItem.user_id == actor.user_id, InboxItem.read_at.is_(None)]
    if item_id is not None:
        found = unit.session.get(InboxItem, item_id)
        if found is None or found.user_id != actor.user_id:
            raise NotFound("No notification of yours is known by this id.", "inbox.unknown")
        criteria.append(InboxItem.id == item_id)
    done = unit.session.execute(
        update(InboxItem)
        .where(*criteria)
        .values(read_at=unit.now())
        .execution_options(synchronize_session=False)
    )
    return done.rowcount


def link(params: dict) -> str | None:
    """The path in the system an item points at (the email's link, without the host)."""
    target = params.get("link")
    if not isinstance(target, dict):
        return None
    for kind, pattern in LINKS.items():
        if kind in target:
            return pattern.format(target[kind])
    return target.get("path")
