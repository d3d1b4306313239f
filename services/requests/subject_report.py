"""A data subject's report (DOMAIN.md section 8): what the system holds about one person, for a
Commission administrator answering the person's request under the data protection rules.

The person is found by full name and date of birth together, or by an identity number. A name
matches the subject's full name or one of its other names in any case, with or without
accents; an identity number matches without regard to case, spaces, dots or dashes. The report
lists each request found with its parties, dates, status and retention marks, the personal data
it holds (the subject, the answers to questions marked as personal data, the attachments'
names) and its audit trail; finding a request for the report is itself recorded in the trail.
A request whose personal data was deleted holds nothing about the person any more, so it is
not found.
"""

from __future__ import annotations

import re

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.folding import fold
from services.requests import audit, generator, protection
from services.requests.answers import Questions
from services.requests.audit import Operation
from services.requests.models import Answer, Attachment, Request

# The most requests one report reads; beyond, the report says it is not complete.
MOST_REQUESTS = 500
NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def report(unit: UnitOfWork, actor: Actor, query: dict) -> dict:
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    session = unit.session
    now = unit.now()
    candidates = _candidates(session, query)
    complete = len(candidates) <= MOST_REQUESTS
    found = [row for row in candidates[:MOST_REQUESTS] if _matches(row.subject, query)]
    for row in found:
        audit.record(session, row, Operation.SUBJECT_REPORT, now, actor)
    session.flush()
    return {
        "generated_at": now,
        "complete": complete,
        "requests": [_held(session, row) for row in found],
    }


def _candidates(session: Session, query: dict) -> list[Request]:
    """The requests whose stored text may name the person (checked exactly after)."""
    statement = select(Request).where(Request.erased_at.is_(None))
    subject_text = cast(Request.subject, Text)
    if query.get("identity_number"):
        longest = max(NOT_ALPHANUMERIC.split(query["identity_number"].lower()), key=len)
        statement = statement.where(subject_text.icontains(longest, autoescape=True))
    else:
        statement = statement.where(
            Request.subject_search.contains(fold(query["full_name"]), autoescape=True),
            subject_text.contains(query["date_of_birth"].isoformat()),
        )
    return list(
        session.scalars(statement.order_by(Request.created_at, Request.id).limit(MOST_REQUESTS + 1))
    )


def _matches(subject: dict, query: dict) -> bool:
    if query.get("identity_number"):
        wanted = _plain_number(query["identity_number"])
        return any(
            _plain_number(number.get("value") or "") == wanted
            for number in subject.get("identity_numbers") or ()
        )
    names = [subject.get("full_name") or "", *(subject.get("other_names") or ())]
    return subject.get("date_of_birth") == query["date_of_birth"].isoformat() and fold(
        query["full_name"]
    ) in {fold(name) for name in names}


def _plain_number(value: str) -> str:
    return NOT_ALPHANUMERIC.sub("", value.lower())


def _held(session: Session, row: Request) -> dict:
    questions = Questions.of(generator.published(session, row.set_key, row.set_number).document)
    personal = questions.personal()
    answers = session.scalars(
        select(Answer)
        .where(Answer.request_id == row.id, Answer.question.in_(sorted(personal)))
        .order_by(Answer.question, Answer.reply)
    )
    attachments = session.scalars(
        select(Attachment)
        .where(Attachment.request_id == row.id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    return {
        **protection.state(row),
        "area": row.area,
        "status": row.status,
        "requester_id": row.requester_id,
        "responder_id": row.responder_id,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
        "subject": row.subject,
        "personal_answers": [
            {"question": questions.number(answer.question), "reply": answer.reply,
             "value": answer.value["value"] if answer.value else None,
             "cannot_provide": answer.cannot_provide, "text": answer.text,
             "language": answer.language, "saved_at": answer.saved_at}
            for answer in answers
        ],
        "attachments": [
            {"id": item.id, "name": item.name, "media_type": item.media_type,
             "size": item.size, "language": item.language, "uploaded_at": item.uploaded_at}
            for item in attachments
        ],
        "audit": protection.trail(session, row.id),
    }  # fmt: skip
