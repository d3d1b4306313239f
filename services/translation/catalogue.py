"""The catalogue's operations on the service's database: source entries, translations, the
translators' lists and counts, and the events every change publishes.

Every change raises the catalogue revision and records, besides its own event, one
``texts_changed`` per namespace touched, so services holding a bundle know what to refresh.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.errors import NotFound
from services.common.models import stale_version
from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.domain import (
    State,
    Status,
    check_key,
    check_language,
    check_review,
    check_text,
    is_outdated,
    resolve,
)
from services.translation.models import CatalogueRevision, Entry, Translation

CONTENT_AUTHOR = "content"


# --- revisions and change notices ------------------------------------------------------------


def next_revision(session: Session) -> int:
    """Raise the catalogue revision by one (the row lock orders concurrent changes)."""
    raised = session.execute(
        update(CatalogueRevision).where(CatalogueRevision.id == 1)
        .values(value=CatalogueRevision.value + 1).returning(CatalogueRevision.value)
    ).scalar()  # fmt: skip
    if raised is None:
        session.add(CatalogueRevision(id=1, value=1))
        session.flush()
        return 1
    return raised


def current_revision(session: Session) -> int:
    return session.scalar(select(CatalogueRevision.value).where(CatalogueRevision.id == 1)) or 0


class Changes:
    """What one transaction changed, announced once per namespace when it ends."""

    def __init__(self, unit: UnitOfWork):
        self.unit = unit
        self._revision: int | None = None
        self._keys: dict[str, set[str]] = defaultdict(set)
        self._languages: dict[str, set[str]] = defaultdict(set)

    @property
    def revision(self) -> int:
        if self._revision is None:
            self._revision = next_revision(self.unit.session)
        return self._revision

    def touch(self, entry: Entry, languages: Iterable[str]) -> None:
        self._keys[entry.namespace].add(entry.key)
        self._languages[entry.namespace].update(languages)

    def announce(self) -> None:
        for namespace, keys in sorted(self._keys.items()):
            self.unit.record_event(
                "texts_changed",
                namespace,
                {
                    "namespace": namespace,
                    "keys": sorted(keys),
                    "languages": sorted(self._languages[namespace]),
                    "revision": self.revision,
                },
            )


# --- views -----------------------------------------------------------------------------------


def text_view(entry: Entry, translation: Translation | None, language: str) -> dict:
    found = resolve(
        language, entry.source_language, entry.source_text, entry.source_version,
        _triple(translation),
    )  # fmt: skip
    return {
        "key": entry.key,
        "language": language,
        "text": found.text,
        "status": found.status,
        "fallback": found.fallback,
        "outdated": found.outdated,
    }


def entry_view(entry: Entry, translation: Translation | None, language: str) -> dict:
    """An entry as a translator works on it in ``language``."""
    status = translation.status if translation else Status.MISSING.value
    translated_version = translation.source_version if translation else 0
    return {
        "key": entry.key,
        "namespace": entry.namespace,
        "language": language,
        "source_language": entry.source_language,
        "source_text": entry.source_text,
        "source_version": entry.source_version,
        "description": entry.description,
        "max_length": entry.max_length,
        "text": translation.text if translation else None,
        "status": status,
        "translated_source_version": translated_version,
        "outdated": is_outdated(status, translated_version, entry.source_version),
        "translated_by": translation.translated_by if translation else None,
        "reviewed_by": translation.reviewed_by if translation else None,
        "rejected_by": translation.rejected_by if translation else None,
        "rejection_reason": translation.rejection_reason if translation else None,
        "updated_at": translation.updated_at if translation else None,
        "version": translation.version if translation else 0,
    }


def _triple(translation: Translation | None) -> tuple[str | None, str, int] | None:
    if translation is None:
        return None
    return translation.text, translation.status, translation.source_version


# --- reading -----------------------------------------------------------------------------------


def entry_of(session: Session, key: str) -> Entry:
    entry = session.get(Entry, key)
    if entry is None:
        raise NotFound(f"No entry {key!r} in the catalogue.", "translation.unknown_key")
    return entry


def read_text(session: Session, key: str, language: str) -> dict:
    check_language(language, "")
    entry = entry_of(session, key)
    return text_view(entry, session.get(Translation, (key, language)), language)


def in_namespaces(namespaces: Iterable[str]):
    """Entries of these namespaces or of namespaces below them (``directory`` covers
    ``directory.legislative_area``)."""
    wanted = list(namespaces)
    if not wanted:
        return True
    return or_(
        *(or_(Entry.namespace == name, Entry.namespace.startswith(name + ".")) for name in wanted)
    )


def entries_with_translation(session: Session, language: str, *criteria, page=None):
    """(entry, translation or None) pairs in key order; ``page`` is (offset, limit)."""
    joined = and_(Translation.key == Entry.key, Translation.language == language)
    query = (
        select(Entry, Translation).outerjoin(Translation, joined).where(*criteria)
        .order_by(Entry.key)
    )  # fmt: skip
    if page is not None:
        query = query.offset(page[0]).limit(page[1])
    return session.execute(query).tuples()


def _state_criterion(state: State):
    outdated = and_(
        Translation.status != Status.MISSING.value,
        Translation.source_version < Entry.source_version,
    )
    if state == State.ALL:
        return True
    if state == State.OUTDATED:
        return outdated
    if state == State.MISSING:
        return or_(Translation.status.is_(None), Translation.status == Status.MISSING.value)
    return Translation.status == state.value


def list_entries(session: Session, language: str, query: dict) -> tuple[list[dict], int]:
    """A page of the entries of one language, filtered by state and namespace."""
    check_language(language, "")
    criteria = [
        Entry.source_language != language,
        in_namespaces([query["namespace"]] if query.get("namespace") else []),
        _state_criterion(State(query["state"])),
    ]
    joined = and_(Translation.key == Entry.key, Translation.language == language)
    total = session.scalar(
        select(func.count()).select_from(Entry).outerjoin(Translation, joined).where(*criteria)
    )
    page, size = query["page"], query["page_size"]
    rows = entries_with_translation(session, language, *criteria, page=((page - 1) * size, size))
    return [entry_view(entry, translation, language) for entry, translation in rows], total or 0


def status_counts(session: Session) -> list[dict]:
    """Per supported language: how many entries it has to translate and where they stand."""
    totals = dict(
        session.execute(
            select(Entry.source_language, func.count()).group_by(Entry.source_language)
        ).all()
    )
    everything = sum(totals.values())
    outdated = case((Translation.source_version < Entry.source_version, 1), else_=0)
    counted = session.execute(
        select(Translation.language, Translation.status, func.count(), func.sum(outdated))
        .join(Entry, Entry.key == Translation.key)
        .where(Translation.language != Entry.source_language)
        .group_by(Translation.language, Translation.status)
    ).tuples()  # fmt: skip
    per_language: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for language, status, count, stale in counted:
        per_language[language][status] += count
        if status != Status.MISSING:
            per_language[language]["outdated"] += stale or 0
    report = []
    for language in SUPPORTED_LANGUAGES:
        counts = per_language[language]
        total = everything - totals.get(language, 0)
        present = sum(counts[s.value] for s in (Status.MACHINE, Status.TRANSLATED, Status.REVIEWED))
        report.append(
            {
                "language": language,
                "total": total,
                "missing": total - present,
                "machine": counts[Status.MACHINE.value],
                "translated": counts[Status.TRANSLATED.value],
                "reviewed": counts[Status.REVIEWED.value],
                "outdated": counts["outdated"],
            }
        )
    return report


# --- source entries ---------------------------------------------------------------------------


def register_entries(unit: UnitOfWork, actor: Actor, entries: list[dict]) -> list[Entry]:
    """Add entries or change their source texts: the Commission administrator's (the shipped
    content goes through ``upsert_entry`` at installation, see bootstrap.py)."""
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    changes = Changes(unit)
    stored = [upsert_entry(unit, changes, data, actor.user_id) for data in entries]
    changes.announce()
    return stored


def upsert_entry(
    unit: UnitOfWork, changes: Changes, data: dict, actor_id: str | None = None
) -> Entry:
    """Add or change one entry; ``actor_id`` is None for the shipped content."""
    session, now = unit.session, unit.now()
    check_key(data["key"], data["namespace"])
    entry = session.get(Entry, data["key"])
    details = (data.get("description"), data.get("max_length"))
    if entry is None:
        entry = Entry(
            key=data["key"], namespace=data["namespace"],
            source_language=data.get("source_language", "en"), source_text=data["source_text"],
            source_version=1, owner=data.get("owner", "catalogue"), created_at=now,
            updated_at=now, updated_by=actor_id, revision=changes.revision, version=1,
        )  # fmt: skip
        entry.description, entry.max_length = details
        session.add(entry)
        session.flush()
        changes.touch(entry, SUPPORTED_LANGUAGES)
        unit.record_event("entry_registered", entry.key, _entry_event(entry))
        return entry
    source_changed = entry.source_text != data["source_text"]
    if not source_changed and (entry.description, entry.max_length) == details:
        return entry
    entry.description, entry.max_length = details
    entry.touch(actor_id, now)
    if source_changed:
        entry.source_text = data["source_text"]
        entry.source_version += 1
        entry.revision = changes.revision
        changes.touch(entry, SUPPORTED_LANGUAGES)
        unit.record_event("entry_source_changed", entry.key, _entry_event(entry))
    return entry


def _entry_event(entry: Entry) -> dict:
    return {
        "key": entry.key,
        "namespace": entry.namespace,
        "source_language": entry.source_language,
        "source_version": entry.source_version,
    }


# --- translations ------------------------------------------------------------------------------


def write_translation(
    unit: UnitOfWork,
    changes: Changes,
    entry: Entry,
    language: str,
    text: str,
    status: Status,
    author: str,
    known_rows: dict[tuple[str, str], Translation] | None = None,
) -> tuple[Translation, bool]:
    """Store a checked text for the entry's current source; False when nothing changed.

    ``known_rows``: every stored translation of the entries being written, by (key,
    language), when the caller has read them first (loading thousands of texts), so that a
    missing one costs no query."""
    check_language(language, entry.source_language)
    check_text(text, entry.source_text, entry.max_length)
    session = unit.session
    if known_rows is None:
        row = session.get(Translation, (entry.key, language))
    else:
        row = known_rows.get((entry.key, language))
    if (
        row is not None
        and (row.text, row.source_version) == (text, entry.source_version)
        and row.status in (status.value, Status.REVIEWED.value)
    ):
        return row, False
    revision = changes.revision  # before adding a row: raising it flushes the session
    if row is None:
        row = Translation(key=entry.key, language=language, version=0)
        session.add(row)
        if known_rows is not None:
            known_rows[entry.key, language] = row
    row.text, row.status = text, status.value
    row.source_version = entry.source_version
    row.translated_by, row.reviewed_by = author, None
    row.rejected_by, row.rejection_reason = None, None
    row.touch(None if author == CONTENT_AUTHOR else author, unit.now())
    row.revision = revision
    changes.touch(entry, [language])
    return row, True


def submit(unit: UnitOfWork, actor: Actor, key: str, language: str, data: dict) -> dict:
    """A translator gives the text of ``key`` in ``language``."""
    actor.require(Right.COMMISSION_TRANSLATOR)
    entry = entry_of(unit.session, key)
    check_language(language, entry.source_language)
    row = unit.session.get(Translation, (key, language))
    if row is not None:
        row.require_version(data["version"])
    elif data["version"] != 0:
        raise stale_version(None)
    changes = Changes(unit)
    row, changed = write_translation(
        unit, changes, entry, language, data["text"], Status.TRANSLATED, actor.user_id
    )
    if changed:
        unit.record_event("translation_submitted", key, _translation_event(row))
        changes.announce()
    return entry_view(entry, row, language)


def review(unit: UnitOfWork, actor: Actor, key: str, language: str, data: dict) -> dict:
    """Another translator approves a current translation."""
    entry, row = _reviewable(unit, actor, key, language, data["version"])
    row.status, row.reviewed_by = Status.REVIEWED.value, actor.user_id
    changes = _decided(unit, actor, entry, row)
    unit.record_event("translation_reviewed", key, _translation_event(row))
    changes.announce()
    return entry_view(entry, row, language)


def reject(unit: UnitOfWork, actor: Actor, key: str, language: str, data: dict) -> dict:
    """Another translator sends a current translation back with the reason: it is ``missing``
    again (readers get the source), its text kept for the next attempt to start from."""
    entry, row = _reviewable(unit, actor, key, language, data["version"])
    row.status, row.reviewed_by = Status.MISSING.value, None
    row.rejected_by, row.rejection_reason = actor.user_id, data["reason"]
    changes = _decided(unit, actor, entry, row)
    unit.record_event("translation_rejected", key, _translation_event(row))
    changes.announce()
    return entry_view(entry, row, language)


def _reviewable(
    unit: UnitOfWork, actor: Actor, key: str, language: str, version: int
) -> tuple[Entry, Translation]:
    """The translation a reviewer decides on, as read at ``version``: the same rights and
    rules for approving and rejecting."""
    actor.require(Right.COMMISSION_TRANSLATOR)
    entry = entry_of(unit.session, key)
    check_language(language, entry.source_language)
    row = unit.session.get(Translation, (key, language))
    if row is None:
        raise NotFound(f"No {language} text of {key!r} to review.", "translation.nothing_to_review")
    row.require_version(version)
    check_review(
        row.status, is_outdated(row.status, row.source_version, entry.source_version),
        row.translated_by, actor.user_id,
    )  # fmt: skip
    return entry, row


def _decided(unit: UnitOfWork, actor: Actor, entry: Entry, row: Translation) -> Changes:
    """A reviewer's decision as a new version (the compare-and-set on the version read decides
    between two reviewers), its changes to announce once its event is recorded."""
    changes = Changes(unit)
    row.touch(actor.user_id, unit.now())
    row.revision = changes.revision
    changes.touch(entry, [row.language])
    return changes


def _translation_event(row: Translation) -> dict:
    return {
        "key": row.key,
        "language": row.language,
        "status": row.status,
        "source_version": row.source_version,
        "version": row.version,
    }
