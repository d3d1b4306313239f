"""Bundles: every text of some namespaces in one language, in one call.

A service renders a request or a search result from a bundle it keeps, and refreshes it when
a ``texts_changed`` event names its namespace: with ``since_revision`` it gets only the texts
changed after the revision it holds. Plain column reads, no ORM objects: a bundle of a
thousand texts is one query and a dictionary.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.translation.catalogue import current_revision, in_namespaces
from services.translation.domain import check_language, resolve
from services.translation.models import Entry, Translation


def bundle(
    session: Session, language: str, namespaces: list[str], since_revision: int | None
) -> dict:
    check_language(language, "")
    revision = current_revision(session)
    joined = and_(Translation.key == Entry.key, Translation.language == language)
    criteria = [in_namespaces(namespaces)]
    if since_revision is not None:
        criteria.append(or_(Entry.revision > since_revision, Translation.revision > since_revision))
    query = (
        select(
            Entry.key, Entry.source_language, Entry.source_text, Entry.source_version,
            Translation.text, Translation.status, Translation.source_version,
        )
        .outerjoin(Translation, joined)
        .where(*criteria)
    )  # fmt: skip
    texts = {}
    for key, source_language, source_text, source_version, text, status, done in session.execute(
        query
    ):
        found = resolve(
            language, source_language, source_text, source_version,
            None if status is None else (text, status, done),
        )  # fmt: skip
        texts[key] = {
            "text": found.text,
            "status": found.status,
            "fallback": found.fallback,
            "outdated": found.outdated,
        }
    return {
        "language": language,
        "namespaces": sorted(namespaces),
        "revision": revision,
        "since_revision": since_revision,
        "texts": texts,
    }
