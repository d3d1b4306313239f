"""The question set generator: Commission administrators draft, edit and publish versions of
question sets through the API, without programming (DOMAIN.md section 4).

A set has at most one draft; publishing gives it the next number and freezes it. Its texts go
to the translation service's catalogue with ``question_set_published``, so translators can
translate what the document does not ship, and readers read it in their language.
"""

from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.requests import question_sets
from services.requests.models import QuestionSet, QuestionSetVersion
from services.requests.question_sets import VersionStatus

UNKNOWN_SET = "No question set with this key."


def summaries(session: Session) -> list[dict]:
    """Every set with its latest published number and its draft's version, if any."""
    latest = dict(
        session.execute(
            select(QuestionSetVersion.set_key, func.max(QuestionSetVersion.number)).group_by(
                QuestionSetVersion.set_key
            )
        ).all()
    )
    drafts = dict(
        session.execute(
            select(QuestionSetVersion.set_key, QuestionSetVersion.version).where(
                QuestionSetVersion.status == VersionStatus.DRAFT.value
            )
        ).all()
    )
    return [
        {"key": found.key, "area": found.area, "kind": found.kind,
         "published_number": latest.get(found.key), "draft_version": drafts.get(found.key)}
        for found in session.scalars(select(QuestionSet).order_by(QuestionSet.key))
    ]  # fmt: skip


def published(session: Session, set_key: str, number: int | None = None) -> QuestionSetVersion:
    """Version ``number`` of the set, or its latest; NotFound when there is none."""
    found = session.scalars(_published(set_key, number, QuestionSetVersion)).first()
    if found is None:
        raise _unknown(set_key, number)
    return found


@dataclass(frozen=True)
class Published:
    """A published version as requests use it: its number and its document."""

    set_key: str
    number: int
    document: dict


# Published documents by their version's id, read once per process: a published version
# never changes, and every request's action and view needs its set's document (150-250 KB of
# JSON, all languages), which reading each time cost more than the rest of an action.
_DOCUMENTS: dict[str, dict] = {}


# The versions found published, by (set, number), per database: a version once published stays
# so, and its lookup was a tenth of a request's action (docs/performance.md). Kept per engine,
# so that two databases in one process (the tests) never share what they found.
_PUBLISHED: weakref.WeakKeyDictionary[Engine, dict[tuple[str, int], Published]] = (
    weakref.WeakKeyDictionary()
)


def published_version(session: Session, set_key: str, number: int | None = None) -> Published:
    """As ``published``, its document read from the database only the first time; a given
    version (``number``) looked up only the first time."""
    known = _PUBLISHED.setdefault(session.get_bind(), {})
    if number is not None and (set_key, number) in known:
        return known[(set_key, number)]
    found = session.execute(
        _published(set_key, number, QuestionSetVersion.id, QuestionSetVersion.number)
    ).first()
    if found is None:
        raise _unknown(set_key, number)
    version_id, found_number = found
    document = _DOCUMENTS.get(version_id)
    if document is None:
        document = session.scalar(
            select(QuestionSetVersion.document).where(QuestionSetVersion.id == version_id)
        )
        _DOCUMENTS[version_id] = document
    published = Published(set_key, found_number, document)
    known[(set_key, found_number)] = published
    return published


def _published(set_key: str, number: int | None, *columns):
    query = select(*columns).where(
        QuestionSetVersion.set_key == set_key,
        QuestionSetVersion.status == VersionStatus.PUBLISHED.value,
    )
    if number is not None:
        query = query.where(QuestionSetVersion.number == number)
    return query.order_by(QuestionSetVersion.number.desc()).limit(1)


def _unknown(set_key: str, number: int | None) -> NotFound:
    return NotFound(UNKNOWN_SET if number is None else "No such published version.",
                    "question_set.unknown", {"set_key": set_key})  # fmt: skip


def draft(session: Session, set_key: str) -> QuestionSetVersion:
    found = session.scalars(
        select(QuestionSetVersion).where(
            QuestionSetVersion.set_key == set_key,
            QuestionSetVersion.status == VersionStatus.DRAFT.value,
        )
    ).first()
    if found is None:
        raise NotFound("This question set has no draft.", "question_set.no_draft",
                       {"set_key": set_key})  # fmt: skip
    return found


def create_draft(unit: UnitOfWork, actor: Actor | None, document: dict) -> QuestionSetVersion:
    """A new draft: of a new set, or of the next version of an existing one."""
    require_administrator(actor)
    session = unit.session
    existing = session.get(QuestionSet, document["key"])
    if existing is None:
        session.add(QuestionSet(key=document["key"], area=document["area"],
                                kind=document["kind"], created_at=unit.now(),
                                created_by=_id(actor)))  # fmt: skip
    else:
        _same_set(existing, document)
    _check(session, document)
    version = QuestionSetVersion(
        id=str(uuid.uuid4()), set_key=document["key"], status=VersionStatus.DRAFT.value,
        document=document, created_at=unit.now(), created_by=_id(actor),
        updated_at=unit.now(), updated_by=_id(actor),
    )  # fmt: skip
    session.add(version)
    session.flush()
    return version


def update_draft(
    unit: UnitOfWork, actor: Actor, set_key: str, document: dict, expected: int
) -> QuestionSetVersion:
    require_administrator(actor)
    version = draft(unit.session, set_key)
    version.require_version(expected)
    if document["key"] != set_key:
        raise ValidationFailed.from_fields({"key": ["A draft keeps the key of its set."]})
    _same_set(unit.session.get(QuestionSet, set_key), document)
    _check(unit.session, document)
    version.document = document
    version.touch(actor.user_id, unit.now())
    return version


def publish(
    unit: UnitOfWork, actor: Actor | None, set_key: str, expected: int | None
) -> QuestionSetVersion:
    """Freeze the draft as the set's next version and send its texts to the catalogue."""
    require_administrator(actor)
    session = unit.session
    version = draft(session, set_key)
    if expected is not None:
        version.require_version(expected)
    _check(session, version.document)
    last = session.scalar(
        select(func.max(QuestionSetVersion.number)).where(QuestionSetVersion.set_key == set_key)
    )
    version.number = (last or 0) + 1
    version.status = VersionStatus.PUBLISHED.value
    version.published_at, version.published_by = unit.now(), _id(actor)
    version.touch(_id(actor), unit.now())
    unit.record_event("question_set_published", set_key, published_event(version))
    return version


def published_event(version: QuestionSetVersion) -> dict:
    document = version.document
    return {
        "set_key": version.set_key,
        "number": version.number,
        "area": document["area"],
        "kind": document["kind"],
        "entries": [
            {"key": text.key, "namespace": question_sets.namespace(version.set_key),
             "source_language": document["source_language"],
             "source_text": text.texts[document["source_language"]],
             "max_length": text.max_length, "texts": text.texts}
            for text in question_sets.text_keys(document)
        ],
    }  # fmt: skip


def _check(session: Session, document: dict) -> None:
    found = question_sets.problems(document)
    earlier = session.scalars(
        select(QuestionSetVersion.document).where(
            QuestionSetVersion.set_key == document["key"],
            QuestionSetVersion.status == VersionStatus.PUBLISHED.value,
        )
    ).all()
    changed = question_sets.changed_published_texts(document, list(earlier))
    if changed:
        found.setdefault("texts", []).extend(
            f"{key}: published with another text; a changed question needs a new key."
            for key in changed
        )
    if found:
        raise ValidationFailed.from_fields(found)


def _same_set(existing: QuestionSet, document: dict) -> None:
    if (existing.area, existing.kind) != (document["area"], document["kind"]):
        raise Conflict(
            "A question set keeps its legislative area and kind in every version.",
            "question_set.area_changed",
            {"area": existing.area, "kind": existing.kind},
        )


def require_administrator(actor: Actor | None) -> None:
    """None: the system itself, loading the shipped sets at preparation."""
    if actor is not None:
        actor.require(Right.COMMISSION_ADMINISTRATOR)


def _id(actor: Actor | None) -> str | None:
    return actor.user_id if actor is not None else None
