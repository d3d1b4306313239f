"""A request as one reader sees it: the fields of its view (services.requests.visibility),
its questions and structured answers in the reader's language, free texts with the language
they were written in, and who else is working on it.

Personal data are the subject's block and the answers to questions marked as personal data;
a view without them shows that they exist (``withheld``) but not what they say. Once the
personal data is blocked (services/requests/blocking.py), no view has them, and the
attachments, which may hold personal data, are no longer listed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.requests import exchange, question_sets, shared_lists, workflow
from services.requests.answers import CANNOT_PROVIDE_REASONS
from services.requests.exchange import DRAFT_REPLY, Loaded
from services.requests.models import Answer, Attachment, Comment, HistoryEntry, KnownAuthority
from services.requests.visibility import SHOWS, View
from services.requests.workflow_parties import RESPONDING_HANDLERS, Party, parties_of
from services.requests.workflow_state import AuthorityFacts

# Who sees the reply draft: those who write it, and the responder's allocators.
DRAFT_READERS = RESPONDING_HANDLERS | {Party.RESPONDING_ALLOCATOR}


def namespaces(set_key: str) -> list[str]:
    """The catalogue namespaces a request's view reads its texts from."""
    return [
        question_sets.namespace(set_key),
        shared_lists.namespace(CANNOT_PROVIDE_REASONS),
        shared_lists.namespace(shared_lists.HISTORY_ACTIONS),
        shared_lists.namespace(shared_lists.REQUEST_STATUSES),
    ]


def render(
    session: Session,
    actor: Actor,
    loaded: Loaded,
    language: str,
    catalogue: dict[str, dict],
    now: datetime,
) -> dict:
    row, state, view = loaded.row, loaded.state, loaded.view
    shows = SHOWS[view]
    found = {
        "id": row.id, "area": row.area, "set_key": row.set_key, "set_number": row.set_number,
        "pq_type": row.pq_type, "profession": row.profession, "sector": row.sector,
        "status": row.status,
        "status_label": shared_lists.label(
            session, shared_lists.REQUEST_STATUSES, row.status, catalogue),
        "view": view.value,
        "version": row.version, "language": language,
        "requester": _party(session, state.requester),
        "responder": state.responder and _party(session, state.responder),
        "created_at": row.created_at, "sent_at": row.sent_at, "closed_at": row.closed_at,
        "blocked_at": row.blocked_at, "erased_at": row.erased_at,
        "contested": row.contested_at is not None,
        "updated_at": row.updated_at, "updated_by": row.updated_by,
        "updated_by_username": row.updated_by_username,
        "linked_from": state.linked_from, "linked_requests": list(state.linked_requests),
        "actions": sorted(action.value for action in workflow.actions_for(actor, state)),
        "being_edited_by": [
            {"user_id": item.user_id, "username": item.username, "since": item.since}
            for item in exchange.others_editing(session, actor, row.id, now)
        ],
    }  # fmt: skip
    if "questions" not in shows:
        return found
    personal = view == View.FULL
    found["questions"] = _questions(session, actor, loaded, language, catalogue, personal)
    found["description"] = row.description and {
        "text": row.description,
        "language": row.description_language,
    }
    found["reply_date"] = state.reply_date and {
        "date": state.reply_date.date, "proposed_by": state.reply_date.proposed_by.value,
        "agreed": state.reply_date.agreed,
    }  # fmt: skip
    found["additional_information_questions"] = loaded.questions.numbers(
        state.additional_information_questions
    )
    found["allocated_handlers"] = sorted(state.allocated_handlers)
    found["comments"] = comments(session, loaded)
    found["attachments"] = [] if row.blocked_at else session.scalars(
        select(Attachment).where(Attachment.request_id == row.id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    ).all()  # fmt: skip
    found["history"] = _history(session, loaded, catalogue)
    found["subject"] = row.subject if personal else None
    found["subject_withheld"] = not personal
    return found


def _party(session: Session, facts: AuthorityFacts) -> dict:
    """A party as readers see it, with the languages it understands (as the directory says
    now), which a reader writing a free text for it wants to know."""
    known = session.get(KnownAuthority, facts.id)
    return {
        "authority_id": facts.id,
        "member_state": facts.member_state,
        "coordinator_id": facts.coordinator_id,
        "languages": (known.languages or [known.official_language]) if known else [],
    }


def _questions(
    session: Session,
    actor: Actor,
    loaded: Loaded,
    language: str,
    catalogue: dict[str, dict],
    personal: bool,
) -> list[dict]:
    row, state = loaded.row, loaded.state
    localised = question_sets.localised(loaded.document, row.set_number, language, catalogue)
    draft_reader = bool(parties_of(actor, state) & DRAFT_READERS)
    answers: dict[int, list[Answer]] = {}
    for answer in session.scalars(
        select(Answer).where(Answer.request_id == row.id).order_by(Answer.reply)
    ):
        if answer.reply != DRAFT_REPLY or draft_reader:
            answers.setdefault(answer.question, []).append(answer)
    personal_questions = loaded.questions.personal()
    shown = []
    ordinal = 0
    for group in localised["groups"]:
        for question in group["questions"]:
            ordinal += 1
            if ordinal not in state.questions:
                continue
            withheld = ordinal in personal_questions and not personal
            shown.append({
                **question,
                "group": group["title"],
                "answered": ordinal in state.answered_questions,
                "answers": [
                    _answer(answer, language, catalogue, withheld)
                    for answer in answers.get(ordinal, [])
                ],
            })  # fmt: skip
    return shown


def _answer(answer: Answer, language: str, catalogue: dict[str, dict], withheld: bool) -> dict:
    reason = answer.cannot_provide
    reason_key = reason and f"{shared_lists.namespace(CANNOT_PROVIDE_REASONS)}.{reason}"
    found = catalogue.get(reason_key) if reason_key else None
    return {
        "id": answer.id,
        "reply": answer.reply,
        "draft": answer.reply == DRAFT_REPLY,
        "withheld": withheld,
        "value": None if withheld or answer.value is None else answer.value["value"],
        "cannot_provide": reason and {
            "key": reason,
            "text": found["text"] if found else reason,
            "fallback": bool(found is None or found.get("fallback")),
        },
        "text": None if withheld or not answer.text
        else {"text": answer.text, "language": answer.language},
        "saved_at": answer.saved_at,
    }  # fmt: skip


def comments(session: Session, loaded: Loaded) -> list[dict]:
    return [
        {"id": comment.id,
         "question": comment.question and loaded.questions.number(comment.question),
         "side": comment.side, "authority_id": comment.authority_id,
         "username": comment.username, "created_at": comment.created_at,
         "text": {"text": comment.text, "language": comment.language}}
        for comment in session.scalars(
            select(Comment).where(Comment.request_id == loaded.row.id)
            .order_by(Comment.created_at, Comment.id)
        )
    ]  # fmt: skip


def _history(session: Session, loaded: Loaded, catalogue: dict[str, dict]) -> list[dict]:
    return [
        {"id": entry.id, "action": entry.action,
         "label": shared_lists.label(
             session, shared_lists.HISTORY_ACTIONS, entry.action, catalogue),
         "status": entry.status, "at": entry.at,
         "username": entry.username, "authority_id": entry.authority_id, "data": entry.data,
         "text": entry.text and {"text": entry.text, "language": entry.language}}
        for entry in session.scalars(
            select(HistoryEntry).where(HistoryEntry.request_id == loaded.row.id)
            .order_by(HistoryEntry.id)
        )
    ]  # fmt: skip
