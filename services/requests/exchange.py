"""The exchange of one request: creating it from a question set version, editing its draft,
taking the workflow's actions, saving and sending replies, commenting, and telling colleagues
who is working on it (DOMAIN.md section 4).

Each operation loads the request, asks services.requests.workflow whether the actor may do
it and what it changes, and stores the new state, one history entry and the transition's
event in the same transaction. Every save of a request is a compare-and-set on its version
(the ``Versioned`` mixin): of two handlers saving what they read, the second gets a 409
naming who saved first and when, and nothing is overwritten.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, ImiError, NotFound, ValidationFailed
from services.common.folding import fold
from services.requests import (
    audit,
    blocking,
    directory_view,
    generator,
    reference_lists,
    sent_counts,
    urgency,
    workflow,
)
from services.requests.answers import (
    CANNOT_PROVIDE_REASONS,
    DECLINE_REASONS,
    Questions,
    check_answers,
)
from services.requests.audit import Operation
from services.requests.models import (
    Answer,
    Attachment,
    Comment,
    Editing,
    HistoryEntry,
    Request,
    RequestQuestion,
    SharedList,
)
from services.requests.question_sets import PROFESSIONAL_QUALIFICATIONS
from services.requests.request_codec import from_document, to_document
from services.requests.schemas.requests import ACTIONS
from services.requests.visibility import View, view_of
from services.requests.workflow import Action, Outcome
from services.requests.workflow_parties import Party, parties_of, side_of
from services.requests.workflow_state import RequestState, Status

DRAFT_REPLY = 0
EDITING_TIMEOUT = datetime.timedelta(minutes=10)
REPLIES = {Action.SEND_PARTIAL_REPLY, Action.SEND_FULL_REPLY, Action.PROVIDE_ADDITIONAL_INFORMATION}
# Free texts an action keeps in its history entry, by input name.
TEXT_INPUTS = ("reason", "justification", "opinion", "feedback")
# Event fields holding question ordinals, published as the questions' numbers.
QUESTION_FIELDS = ("questions", "forwarded_questions", "kept_questions")
ERROR_QUESTION_FIELDS = ("questions", "unknown")
# What a request is counted under in the statistics (services/requests/reference_lists.py).
CLASSIFICATION = ("profession", "sector")
# What each of its questions repeats of it, for the statistics (models.RequestQuestion).
QUESTION_COUNTED = ("set_key", "area", "sent_at", "requester_state", "responder_state")


@dataclass(frozen=True)
class Loaded:
    """A request as one actor finds it: its row, state, questions and the actor's view."""

    row: Request
    state: RequestState
    document: dict  # the question set version's
    questions: Questions
    view: View


def load(session: Session, actor: Actor, request_id: str) -> Loaded:
    """The request, if the actor may see it at all; else the same 404 as an unknown id, so
    that ids of other authorities' requests tell nothing."""
    row = session.get(Request, request_id)
    if row is None:
        raise _unknown(request_id)
    state = from_document(row.state)
    view = blocking.capped(view_of(actor, state), row)
    if view == View.NONE:
        raise _unknown(request_id)
    document = _version(session, row).document
    return Loaded(row, state, document, Questions.of(document), view)


def _unknown(request_id: str) -> NotFound:
    return NotFound("No request with this id.", "request.unknown", {"request_id": request_id})


def _version(session: Session, row: Request) -> generator.Published:
    return generator.published_version(session, row.set_key, row.set_number)


def shared_list(session: Session, name: str) -> frozenset[str]:
    stored = session.get(SharedList, name)
    return frozenset(item["key"] for item in stored.items) if stored else frozenset()


# --- creating and editing a draft -------------------------------------------------------------


def create(unit: UnitOfWork, actor: Actor, data: dict) -> Request:
    """A new draft of the actor's authority from a published question set version."""
    session = unit.session
    version = generator.published_version(session, data["set_key"], data.get("set_number"))
    document = version.document
    area = document["area"]
    pq_type = _pq_type(area, data.get("pq_type"))
    questions = Questions.of(document)
    asked = _asked(questions, data["questions"], pq_type)
    requester = directory_view.party(session, actor.authority_id, area, receives=False)
    requester_facts = directory_view.facts(session, requester, area, data.get("coordinator_id"))
    inputs: dict[str, Any] = {"questions": asked}
    if data.get("responder_id"):
        inputs["responder"] = _responder(session, data["responder_id"], area)
    outcome = workflow.create_draft(
        actor,
        str(uuid.uuid4()),
        area,
        requester_facts,
        directory_view.settings_for(session, requester, area),
        **inputs,
    )
    now = unit.now()
    row = Request(
        id=outcome.new_state.id, area=area, set_key=version.set_key, set_number=version.number,
        pq_type=pq_type, created_at=now, created_by=actor.user_id, updated_at=now,
        updated_by=actor.user_id, updated_by_username=actor.username,
    )  # fmt: skip
    _write_subject(row, data, actor)
    _write_classification(row, data)
    session.add(row)
    _store(unit, actor, row, questions, Action.CREATE_DRAFT, outcome, data)
    audit.record(session, row, Operation.CREATED, now, actor)
    return row


def edit_draft(unit: UnitOfWork, actor: Actor, request_id: str, data: dict) -> Request:
    """Change a draft's questions, responder, subject or description."""
    loaded = load(unit.session, actor, request_id)
    row = loaded.row
    row.require_version(data["version"])
    inputs: dict[str, Any] = {}
    if "questions" in data:
        inputs["questions"] = _asked(loaded.questions, data["questions"], row.pq_type)
    if data.get("responder_id"):
        inputs["responder"] = _responder(unit.session, data["responder_id"], row.area)
    outcome = apply(loaded, Action.EDIT_DRAFT, actor, **inputs)
    _write_subject(row, data, actor)
    _write_classification(row, data)
    _store(unit, actor, row, loaded.questions, Action.EDIT_DRAFT, outcome, data)
    if "subject" in data:
        audit.record(unit.session, row, Operation.EDITED, unit.now(), actor)
    return row


def copy(unit: UnitOfWork, actor: Actor, request_id: str, data: dict) -> Request:
    """A new draft from the chosen elements of a request the actor may read in full."""
    loaded = load(unit.session, actor, request_id)
    row, elements = loaded.row, set(data["elements"])
    if Party.REQUESTING_HANDLER not in parties_of(actor, loaded.state):
        raise Forbidden(
            "Only request handlers of the requesting authority copy a request.",
            "request.copy_not_allowed",
        )
    new = {
        "set_key": row.set_key,
        "set_number": row.set_number,
        "pq_type": row.pq_type,
        "questions": loaded.questions.numbers(loaded.state.questions)
        if "questions" in elements
        else [],
        **{name: getattr(row, name) for name in CLASSIFICATION if getattr(row, name)},
    }
    if "responder" in elements and row.responder_id:
        new["responder_id"] = row.responder_id
    if loaded.state.requester.coordinator_id:
        new["coordinator_id"] = loaded.state.requester.coordinator_id
    if "subject" in elements:
        blocking.refuse_if_blocked(row)
        new["subject"] = row.subject
        audit.record(unit.session, row, Operation.COPIED, unit.now(), actor)
    if "description" in elements and row.description:
        new["description"], new["language"] = row.description, row.description_language
    return create(unit, actor, new)


def _pq_type(area: str, pq_type: str | None) -> str | None:
    if area == PROFESSIONAL_QUALIFICATIONS and pq_type is None:
        raise ValidationFailed.from_fields(
            {"pq_type": ["A Professional Qualifications request needs its type."]}
        )
    if area != PROFESSIONAL_QUALIFICATIONS and pq_type is not None:
        raise ValidationFailed.from_fields(
            {"pq_type": ["Only Professional Qualifications requests have a type."]}
        )
    return pq_type


def _asked(questions: Questions, numbers: list[str], pq_type: str | None) -> frozenset[int]:
    asked = questions.ordinals(numbers)
    other_type = sorted(asked - questions.for_type(pq_type))
    if other_type:
        raise ValidationFailed.from_fields(
            {"questions": [f"Question {questions.number(n)} is not asked in requests of this "
                           "type." for n in other_type]}
        )  # fmt: skip
    return asked


def _responder(session: Session, authority_id: str, area: str):
    authority = directory_view.party(session, authority_id, area, receives=True)
    return directory_view.facts(session, authority, area)


def _write_classification(row: Request, data: dict) -> None:
    """The profession and sector the statistics count the request under, those given (None
    clears one), each a code of its reference list."""
    given = {name: data[name] for name in CLASSIFICATION if name in data}
    reference_lists.check(
        given.get("profession"), given.get("sector"), row.area == PROFESSIONAL_QUALIFICATIONS
    )
    for name, value in given.items():
        setattr(row, name, value)


def _write_subject(row: Request, data: dict, actor: Actor) -> None:
    if "subject" in data:
        subject = {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in (data["subject"] or {}).items()
        }
        row.subject = subject
        names = [subject.get("full_name") or "", *(subject.get("other_names") or [])]
        row.subject_search = fold(" ".join(names))[:600]
    elif row.subject is None:
        row.subject, row.subject_search = {}, ""
    if "description" in data:
        row.description = data["description"]
        row.description_language = data.get("language") or actor.language


# --- the workflow's actions -------------------------------------------------------------------


def action_named(name: str) -> Action:
    if name not in ACTIONS:
        raise NotFound(
            "No such action on a request.", "request.unknown_action",
            {"action": name, "actions": list(ACTIONS)},
        )  # fmt: skip
    return Action(name)


def act(unit: UnitOfWork, actor: Actor, request_id: str, action: Action, data: dict) -> Request:
    """Take one action of the workflow on the request, at the version the actor read."""
    session = unit.session
    loaded = load(session, actor, request_id)
    row, _state, questions = loaded.row, loaded.state, loaded.questions
    row.require_version(data["version"])
    inputs = _inputs(session, actor, loaded, action, data)
    outcome = apply(loaded, action, actor, **inputs)
    if action in REPLIES:
        _send_drafted(session, row, outcome.new_state, inputs["questions"], unit.now())
    if outcome.linked_request is not None:
        _create_linked(unit, actor, row, questions, outcome)
    _store(unit, actor, row, questions, action, outcome, data)
    return row


def apply(loaded: Loaded, action: Action, actor: Actor, **inputs: Any) -> Outcome:
    """The workflow's ``apply``, its refusals naming questions by number, as readers do."""
    try:
        return workflow.apply(loaded.state, action, actor, **inputs)
    except ImiError as refusal:
        extra = {
            name: loaded.questions.numbers(value)
            if name in ERROR_QUESTION_FIELDS and isinstance(value, list)
            else value
            for name, value in refusal.extra.items()
        }
        raise type(refusal)(refusal.detail, refusal.code, extra) from refusal


def _inputs(
    session: Session, actor: Actor, loaded: Loaded, action: Action, data: dict
) -> dict[str, Any]:
    """The workflow's inputs of ``action`` from the caller's data: question numbers to
    ordinals, an authority id to its facts, a list key checked against its list."""
    transition = workflow.transition_for(action, loaded.state.status)
    wanted = transition.inputs if transition else ()
    inputs: dict[str, Any] = {}
    if "questions" in wanted:
        inputs["questions"] = (
            loaded.questions.ordinals(data["questions"])
            if data.get("questions") is not None
            else _drafted(session, loaded.row.id)
            if action in REPLIES
            else frozenset()
        )
    if "to" in wanted and data.get("to"):
        inputs["to"] = _responder(session, data["to"], loaded.row.area)
    if "linked_request_id" in wanted:
        inputs["linked_request_id"] = str(uuid.uuid4())
    if "handlers" in wanted:
        inputs["handlers"] = data.get("handlers") or []
        if inputs["handlers"] and loaded.state.responder is not None:
            directory_view.check_handlers(
                session, inputs["handlers"], loaded.state.responder.id, loaded.row.area
            )
    if "date" in wanted and data.get("date") is not None:
        inputs["date"] = data["date"]
    for name in TEXT_INPUTS:
        if name in wanted and data.get(name) is not None:
            inputs[name] = data[name]
    if action == Action.DECLINE_ADDITIONAL_INFORMATION and data.get("reason_key") is not None:
        if data["reason_key"] not in shared_list(session, DECLINE_REASONS):
            raise ValidationFailed.from_fields({"reason_key": ["Not a reason of the list."]})
        inputs["reason"] = data["reason_key"]
    return inputs


def _drafted(session: Session, request_id: str) -> frozenset[int]:
    return frozenset(
        session.scalars(
            select(Answer.question).where(
                Answer.request_id == request_id, Answer.reply == DRAFT_REPLY
            )
        )
    )


def _send_drafted(
    session: Session, row: Request, state: RequestState, sent: frozenset[int], now
) -> None:
    """Turn the draft answers of the sent questions into reply number N, for good; a sent
    question without a draft answer is refused."""
    drafts = {
        answer.question: answer
        for answer in session.scalars(
            select(Answer).where(Answer.request_id == row.id, Answer.reply == DRAFT_REPLY)
        )
    }
    missing = sorted(sent - set(drafts))
    if missing:
        questions = Questions.of(_version(session, row).document)
        raise Conflict(
            "Every question a reply answers needs an answer in the reply draft.",
            "request.answer_missing",
            {"questions": questions.numbers(missing)},
        )
    number = len(state.replies)
    for ordinal in sent:
        drafts[ordinal].reply = number
        drafts[ordinal].saved_at = now


def _create_linked(
    unit: UnitOfWork, actor: Actor, row: Request, questions: Questions, outcome: Outcome
) -> None:
    """The new request a split forwards its questions in, sent to the other authority."""
    linked = outcome.linked_request
    now = unit.now()
    copy_row = Request(
        id=linked.id, area=row.area, set_key=row.set_key, set_number=row.set_number,
        pq_type=row.pq_type, subject=row.subject, subject_search=row.subject_search,
        description=row.description, description_language=row.description_language,
        profession=row.profession, sector=row.sector,
        created_at=now, created_by=actor.user_id, sent_at=now, received_at=now, updated_at=now,
        updated_by=actor.user_id, updated_by_username=actor.username,
    )  # fmt: skip
    unit.session.add(copy_row)
    _write_state(copy_row, linked, questions)
    _write_asked(unit.session, copy_row, Asked.NONE, Asked.of(copy_row, questions))
    unit.session.flush()
    audit.record(unit.session, row, Operation.COPIED, now, actor)
    audit.record(unit.session, copy_row, Operation.CREATED, now, actor)
    _history(unit, actor, copy_row.id, Action.SPLIT, linked.status, {"linked_from": row.id}, {})


def _store(
    unit: UnitOfWork,
    actor: Actor,
    row: Request,
    questions: Questions,
    action: Action,
    outcome: Outcome,
    data: dict,
) -> None:
    """Write the new state, one history entry and the event, and count one more version."""
    session = unit.session
    now = unit.now()
    state = outcome.new_state
    asked = Asked.of(row, questions)
    if state.sent and row.sent_at is None:
        row.sent_at = now
    if state.sent and (row.received_at is None or row.responder_id != state.responder.id):
        # a new responder: its own days to accept, its own escalations (urgency.py)
        row.received_at = now
        row.unaccepted_escalated_at = row.overdue_escalated_at = None
    if state.status in (Status.CLOSED, Status.WITHDRAWN):
        row.closed_at = now
    if state.responder_accepted and row.accepted_at is None:
        row.accepted_at = now
    if state.status == Status.ANSWERED and row.answered_at is None:
        row.answered_at = now
    _write_state(row, state, questions)
    if action not in (Action.CREATE_DRAFT, Action.SAVE_REPLY_DRAFT):
        _touch(row, actor, now)
    # after the touch: reading the question rows flushes the request, in one UPDATE
    _write_asked(session, row, asked, Asked.of(row, questions))
    session.flush()
    published = _published_data(questions, outcome.event_data)
    _history(unit, actor, row.id, action, state.status, published, data)
    unit.record_event(outcome.event_name, row.id, _event(row, actor, published))


def _touch(row: Request, actor: Actor, now: datetime.datetime) -> None:
    row.touch(actor.user_id, now)
    row.updated_by_username = actor.username


def _write_state(row: Request, state: RequestState, questions: Questions) -> None:
    row.state = to_document(state)
    row.status = state.status.value
    row.requester_id = state.requester.id
    row.requester_coordinator_id = state.requester.coordinator_id
    row.responder_id = state.responder.id if state.responder else None
    row.responder_coordinator_id = state.responder.coordinator_id if state.responder else None
    row.requester_state = state.requester.member_state
    row.responder_state = state.responder.member_state if state.responder else None
    row.reply_due = state.reply_date.date if state.reply_date else None
    row.reply_due_agreed = bool(state.reply_date and state.reply_date.agreed)
    row.reply_deadline = urgency.reply_deadline(state.reply_date)
    row.linked_from = state.linked_from


@dataclass(frozen=True)
class Asked:
    """What a request's question rows (models.RequestQuestion) and the monthly counters of
    sent requests (sent_counts.py) hold of it: its questions' keys and the columns each
    repeats. Read from the request's own columns and state, so that a step that changes
    neither (most do) reads and writes no question row."""

    keys: frozenset[str]
    columns: tuple

    NONE: ClassVar[Asked]

    @classmethod
    def of(cls, row: Request, questions: Questions) -> Asked:
        ordinals = row.state["questions"] if row.state else ()
        keys = frozenset(questions.question(ordinal)["key"] for ordinal in ordinals)
        return cls(keys, tuple(getattr(row, name) for name in QUESTION_COUNTED))

    def counted(self) -> sent_counts.Sent | None:
        repeated = dict(zip(QUESTION_COUNTED, self.columns, strict=True))
        return sent_counts.sent(
            repeated["sent_at"], repeated["set_key"], repeated["area"], self.keys
        )


Asked.NONE = Asked(frozenset(), (None,) * len(QUESTION_COUNTED))


def _write_asked(session: Session, row: Request, before: Asked, after: Asked) -> None:
    """The request's question rows and the counters, when what they hold of it changed."""
    if after == before:
        return
    repeated = dict(zip(QUESTION_COUNTED, after.columns, strict=True))
    row.asked = [RequestQuestion(request_id=row.id, question_key=key, **repeated)
                 for key in sorted(after.keys)]  # fmt: skip
    sent_counts.change(session, before.counted(), after.counted())


def _published_data(questions: Questions, data: dict) -> dict:
    return {
        name: questions.numbers(value) if name in QUESTION_FIELDS else value
        for name, value in data.items()
    }


def _event(row: Request, actor: Actor, data: dict) -> dict:
    return {
        **data,
        "area": row.area,
        "requesting_authority": row.requester_id,
        "responding_authority": row.responder_id,
        "actor_authority": actor.authority_id,
    }


def _history(
    unit: UnitOfWork,
    actor: Actor,
    request_id: str,
    action: Action,
    status: Status,
    published: dict,
    data: dict,
) -> None:
    text_name = next((name for name in TEXT_INPUTS if data.get(name)), None)
    recorded = {
        name: value for name, value in published.items()
        if name not in ("request_id", "status", "from_status")
    }  # fmt: skip
    if data.get("reason_key"):
        recorded["reason_key"] = data["reason_key"]
    if data.get("rating") is not None:
        recorded["rating"] = data["rating"]
    unit.session.add(
        HistoryEntry(
            request_id=request_id, action=action.value, status=status.value, at=unit.now(),
            user_id=actor.user_id, username=actor.username, authority_id=actor.authority_id,
            data=recorded, text=data.get(text_name) if text_name else None,
            language=(data.get("language") or actor.language) if text_name else None,
        )
    )  # fmt: skip


# --- the reply draft, comments and who is editing --------------------------------------------


def save_reply_draft(unit: UnitOfWork, actor: Actor, request_id: str, data: dict) -> Request:
    """Save answers in the reply draft: any acting handler of the responder may, at the
    version it read; answers already sent stay as they were sent."""
    session = unit.session
    loaded = load(session, actor, request_id)
    row = loaded.row
    row.require_version(data["version"])
    checked = check_answers(
        loaded.questions,
        loaded.state.questions,
        data["answers"],
        shared_list(session, CANNOT_PROVIDE_REASONS),
        frozenset(session.scalars(select(Attachment.id).where(Attachment.request_id == row.id))),
        actor.language,
    )
    ordinals = frozenset(answer.question for answer in checked)
    outcome = apply(loaded, Action.SAVE_REPLY_DRAFT, actor, questions=ordinals)
    now = unit.now()
    # The compare-and-set on the request first: of two handlers saving at once, the second
    # waits on the row, finds a newer version and is told who saved first.
    _touch(row, actor, now)
    session.flush()
    drafts = {
        answer.question: answer
        for answer in session.scalars(
            select(Answer).where(Answer.request_id == row.id, Answer.reply == DRAFT_REPLY)
        )
    }
    for answer in checked:
        stored = drafts.get(answer.question)
        if stored is None:
            stored = Answer(request_id=row.id, question=answer.question, reply=DRAFT_REPLY)
            session.add(stored)
        stored.value, stored.cannot_provide = answer.value, answer.cannot_provide
        stored.text, stored.language = answer.text, answer.language
        stored.saved_at, stored.saved_by = now, actor.user_id
    _store(unit, actor, row, loaded.questions, Action.SAVE_REPLY_DRAFT, outcome, data)
    return row


def add_comment(unit: UnitOfWork, actor: Actor, request_id: str, data: dict) -> Comment:
    """A comment by a handler of either side, on the request or one of its questions."""
    loaded = load(unit.session, actor, request_id)
    side = side_of(parties_of(actor, loaded.state))
    if side is None or loaded.state.status in (Status.CLOSED, Status.WITHDRAWN):
        raise Forbidden(
            "Only the request handlers of the two authorities comment, until it is closed.",
            "request.comment_not_allowed",
        )
    question = None
    if data.get("question") is not None:
        (question,) = loaded.questions.ordinals([data["question"]], "question")
        if question not in loaded.state.questions:
            raise ValidationFailed.from_fields(
                {"question": ["This request does not ask this question."]}
            )
    comment = Comment(
        id=str(uuid.uuid4()), request_id=request_id, question=question, side=side.value,
        authority_id=actor.authority_id, user_id=actor.user_id, username=actor.username,
        text=data["text"], language=data.get("language") or actor.language,
        created_at=unit.now(),
    )  # fmt: skip
    unit.session.add(comment)
    unit.record_event(
        "comment_added",
        request_id,
        {"request_id": request_id, "comment_id": comment.id, "side": side.value,
         "area": loaded.row.area, "requesting_authority": loaded.row.requester_id,
         "responding_authority": loaded.row.responder_id,
         "actor_authority": actor.authority_id},
    )  # fmt: skip
    return comment


def start_editing(unit: UnitOfWork, actor: Actor, request_id: str) -> list[Editing]:
    """Say that the actor works on the request now (again, while it keeps it open); answer
    the colleagues working on it too."""
    loaded = load(unit.session, actor, request_id)
    if not workflow.actions_for(actor, loaded.state):
        raise Forbidden(
            "You may read this request but not work on it.", "request.editing_not_allowed"
        )
    now = unit.now()
    mine = unit.session.get(Editing, (request_id, actor.user_id))
    if mine is None or mine.seen_at < now - EDITING_TIMEOUT:
        if mine is not None:
            unit.session.delete(mine)
            unit.session.flush()
        mine = Editing(request_id=request_id, user_id=actor.user_id,
                       username=actor.username, since=now)  # fmt: skip
        unit.session.add(mine)
    mine.seen_at = now
    return others_editing(unit.session, actor, request_id, now)


def stop_editing(unit: UnitOfWork, actor: Actor, request_id: str) -> None:
    load(unit.session, actor, request_id)
    unit.session.execute(
        delete(Editing).where(Editing.request_id == request_id, Editing.user_id == actor.user_id)
    )


def others_editing(session: Session, actor: Actor, request_id: str, now) -> list[Editing]:
    return list(
        session.scalars(
            select(Editing)
            .where(
                Editing.request_id == request_id,
                Editing.user_id != actor.user_id,
                Editing.seen_at >= now - EDITING_TIMEOUT,
            )
            .order_by(Editing.since)
        )
    )
