"""Attachments of a request (DOMAIN.md section 4): added one at a time by a request handler of
either side while the request is open, read by those whose view shows the request's content.
The bytes were checked (services/requests/attachment_content.py) and stored
(services/requests/file_store.py) before the row is recorded here; the service deletes the
file again when recording fails, and a sweep deletes the file of a worker killed between the
two, so a failed upload leaves nothing behind."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Forbidden, NotFound
from services.requests.attachment_content import AcceptedContent
from services.requests.exchange import Loaded, load
from services.requests.file_store import FileStore, StoredFile
from services.requests.models import Attachment
from services.requests.visibility import SHOWS
from services.requests.workflow_parties import parties_of, side_of
from services.requests.workflow_state import FINAL_STATUSES


def may_add(session: Session, actor: Actor, request_id: str) -> Loaded:
    """The request, if the actor may attach a file to it now; else why not."""
    loaded = load(session, actor, request_id)
    if side_of(parties_of(actor, loaded.state)) is None or loaded.state.status in FINAL_STATUSES:
        raise Forbidden(
            "Only the request handlers of the two authorities attach files, until the request "
            "is closed.",
            "request.attachment_not_allowed",
        )
    return loaded


def record(
    unit: UnitOfWork, actor: Actor, loaded: Loaded, accepted: AcceptedContent, stored: StoredFile
) -> Attachment:
    side = side_of(parties_of(actor, loaded.state))
    attachment = Attachment(
        id=str(uuid.uuid4()), request_id=loaded.row.id, store_key=stored.key,
        sha256=stored.sha256, size=stored.size, media_type=accepted.media_type,
        name=accepted.name, language=accepted.language, side=side.value,
        uploaded_by=actor.user_id, uploaded_at=unit.now(),
    )  # fmt: skip
    unit.session.add(attachment)
    unit.record_event(
        "attachment_added",
        loaded.row.id,
        {"request_id": loaded.row.id, "attachment_id": attachment.id, "side": side.value,
         "media_type": attachment.media_type, "size": attachment.size,
         "area": loaded.row.area, "requesting_authority": loaded.row.requester_id,
         "responding_authority": loaded.row.responder_id,
         "actor_authority": actor.authority_id},
    )  # fmt: skip
    return attachment


def readable(session: Session, actor: Actor, request_id: str) -> list[Attachment]:
    """The request's attachments, for a reader whose view shows its content (else none);
    none once the request's personal data is blocked, as a file may hold some."""
    loaded = load(session, actor, request_id)
    if "attachments" not in SHOWS[loaded.view] or loaded.row.blocked_at is not None:
        return []
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.request_id == request_id)
            .order_by(Attachment.uploaded_at, Attachment.id)
        )
    )


def one(session: Session, actor: Actor, request_id: str, attachment_id: str) -> Attachment:
    found = next(
        (item for item in readable(session, actor, request_id) if item.id == attachment_id), None
    )
    if found is None:
        raise NotFound(
            "This request has no such attachment, or not one you may read.",
            "request.unknown_attachment",
            {"attachment_id": attachment_id},
        )
    return found


# A stored file no row names after this long was left by a worker that died between storing it
# and committing its row (an upload takes seconds).
ORPHAN_AFTER_SECONDS = 3600


def sweep_orphans(session: Session, store: FileStore) -> int:
    """Delete the stored files that no attachment names and that are old enough to be orphans;
    how many. Safe with several replicas: deleting a file twice is harmless."""
    old = set(store.keys(older_than_seconds=ORPHAN_AFTER_SECONDS))
    if not old:
        return 0
    named = set(session.scalars(select(Attachment.store_key).where(Attachment.store_key.in_(old))))
    orphans = old - named
    for key in orphans:
        store.delete(key)
    return len(orphans)
