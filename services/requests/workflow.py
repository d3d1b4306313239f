"""The life cycle of an information request (DOMAIN.md section 4) as one table.

Each row of ``TRANSITIONS`` says which action, from which statuses, by which parties
(services.requests.workflow_parties), under which requirements
(services.requests.workflow_rules), leads to which status and records which event. The service
calls two functions and stores what they return:

    outcome = apply(state, Action.ACCEPT, actor)            # or create_draft(actor, ...)
    outcome.new_state, outcome.event_name, outcome.event_data, outcome.linked_request

A refusal is a ``Forbidden`` (not this party's action), a ``Conflict`` (not in this status, or
the request does not meet a requirement) or a ``ValidationFailed`` (an input is missing or
unusable), each with a ``request.*`` code. Event data carry numbers and ids only, never free
text or the subject's data. docs/requests-workflow.md shows the table, rendered from this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden
from services.requests import workflow_rules as rules
from services.requests.workflow_parties import (
    ACTING_RESPONDERS,
    RESPONDING_HANDLERS,
    Party,
    parties_of,
)
from services.requests.workflow_rules import Attempt, Requirement
from services.requests.workflow_state import (
    OPEN_STATUSES,
    AuthorityFacts,
    Reply,
    ReplyDate,
    ReplyKind,
    RequestState,
    Settings,
    Side,
    Status,
)


class Action(StrEnum):
    CREATE_DRAFT = "create_draft"
    EDIT_DRAFT = "edit_draft"
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    APPROVE = "approve"
    REJECT = "reject"
    SEND = "send"
    ACCEPT = "accept"
    FORWARD = "forward"
    SPLIT = "split"
    SAVE_REPLY_DRAFT = "save_reply_draft"
    SEND_PARTIAL_REPLY = "send_partial_reply"
    SEND_FULL_REPLY = "send_full_reply"
    REQUEST_ADDITIONAL_INFORMATION = "request_additional_information"
    DECLINE_ADDITIONAL_INFORMATION = "decline_additional_information"
    PROVIDE_ADDITIONAL_INFORMATION = "provide_additional_information"
    CLOSE = "close"
    REFER = "refer"
    GIVE_REFERRAL_OPINION = "give_referral_opinion"
    WITHDRAW = "withdraw"
    PROPOSE_REPLY_DATE = "propose_reply_date"
    COUNTER_PROPOSE_REPLY_DATE = "counter_propose_reply_date"
    AGREE_REPLY_DATE = "agree_reply_date"
    ALLOCATE = "allocate"
    GIVE_FEEDBACK = "give_feedback"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]  # empty only for creating a draft
    who: frozenset[Party]
    target: Status | None  # None: the status stays as it is
    event: str
    requires: tuple[Requirement, ...] = ()
    inputs: tuple[str, ...] = ()


def _row(
    action: Action,
    sources: Iterable[Status],
    who: Iterable[Party],
    target: Status | None,
    event: str,
    requires: Iterable[Requirement] = (),
    inputs: Iterable[str] = (),
) -> Transition:
    return Transition(
        action, frozenset(sources), frozenset(who), target, event, tuple(requires), tuple(inputs)
    )


S = Status
REQUESTER = {Party.REQUESTING_HANDLER}
RESPONDER = ACTING_RESPONDERS
COORDINATORS = {Party.REQUESTING_COORDINATOR, Party.RESPONDING_COORDINATOR}
BEFORE_FULL_REPLY = {S.ACCEPTED, S.PARTIALLY_ANSWERED}
REPLY_DATE_OPEN = {S.SENT, S.ACCEPTED, S.PARTIALLY_ANSWERED, S.ADDITIONAL_INFORMATION_REQUESTED}
WITH_THE_RESPONDER = OPEN_STATUSES - {S.DRAFT, S.AWAITING_APPROVAL}
QUESTIONS = (rules.QUESTIONS_GIVEN, rules.QUESTIONS_OF_THE_REQUEST)
SPLIT = (*QUESTIONS, rules.SPLIT_KEEPS_A_QUESTION, *rules.FORWARD_TARGET)
READY_TO_GO = (rules.HAS_QUESTIONS, rules.HAS_RESPONDER)

# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    _row(Action.CREATE_DRAFT, (), REQUESTER, S.DRAFT, "request_created",
         (rules.QUESTIONS_NUMBERED, rules.RESPONDER_NOT_REQUESTER), ("questions", "responder")),
    _row(Action.EDIT_DRAFT, {S.DRAFT}, REQUESTER, None, "request_edited",
         (rules.QUESTIONS_NUMBERED, rules.RESPONDER_NOT_REQUESTER), ("questions", "responder")),
    _row(Action.SUBMIT_FOR_APPROVAL, {S.DRAFT}, REQUESTER, S.AWAITING_APPROVAL,
         "request_submitted_for_approval",
         (*READY_TO_GO, rules.APPROVAL_REQUIRED, rules.HAS_REQUEST_COORDINATOR)),
    _row(Action.APPROVE, {S.AWAITING_APPROVAL}, {Party.REQUESTING_COORDINATOR}, S.SENT,
         "request_approved"),
    _row(Action.REJECT, {S.AWAITING_APPROVAL}, {Party.REQUESTING_COORDINATOR}, S.DRAFT,
         "request_rejected", (rules.REASON_GIVEN,), ("reason",)),
    _row(Action.SEND, {S.DRAFT}, REQUESTER, S.SENT, "request_sent",
         (*READY_TO_GO, rules.APPROVAL_NOT_REQUIRED)),
    _row(Action.ACCEPT, {S.SENT}, RESPONDER, S.ACCEPTED, "request_accepted"),
    _row(Action.FORWARD, {S.SENT}, RESPONDER, S.SENT, "request_forwarded",
         rules.FORWARD_TARGET, ("to",)),
    _row(Action.FORWARD, {S.ACCEPTED}, RESPONDER, S.SENT, "request_forwarded",
         (rules.FORWARDING_AFTER_ACCEPTANCE, *rules.FORWARD_TARGET), ("to",)),
    _row(Action.SPLIT, {S.SENT}, RESPONDER, S.ACCEPTED, "request_split",
         SPLIT, ("questions", "to", "linked_request_id")),
    _row(Action.SPLIT, {S.ACCEPTED}, RESPONDER, S.ACCEPTED, "request_split",
         (rules.FORWARDING_AFTER_ACCEPTANCE, *SPLIT), ("questions", "to", "linked_request_id")),
    _row(Action.SAVE_REPLY_DRAFT, BEFORE_FULL_REPLY, RESPONDER, None, "reply_draft_saved",
         (*QUESTIONS, rules.NOT_ANSWERED_YET), ("questions",)),
    _row(Action.SAVE_REPLY_DRAFT, {S.ADDITIONAL_INFORMATION_REQUESTED}, RESPONDER, None,
         "reply_draft_saved", QUESTIONS, ("questions",)),
    _row(Action.SEND_PARTIAL_REPLY, BEFORE_FULL_REPLY, RESPONDER, S.PARTIALLY_ANSWERED,
         "reply_sent", (*QUESTIONS, rules.NOT_ANSWERED_YET, rules.LEAVES_A_QUESTION_OPEN),
         ("questions",)),
    _row(Action.SEND_FULL_REPLY, BEFORE_FULL_REPLY, RESPONDER, S.ANSWERED, "reply_sent",
         (rules.QUESTIONS_OF_THE_REQUEST, rules.NOT_ANSWERED_YET, rules.EVERY_QUESTION_ANSWERED),
         ("questions",)),
    _row(Action.REQUEST_ADDITIONAL_INFORMATION, {S.ANSWERED}, REQUESTER,
         S.ADDITIONAL_INFORMATION_REQUESTED, "additional_information_requested",
         (*QUESTIONS, rules.JUSTIFICATION_GIVEN), ("questions", "justification")),
    _row(Action.DECLINE_ADDITIONAL_INFORMATION, {S.ADDITIONAL_INFORMATION_REQUESTED}, RESPONDER,
         S.ANSWERED, "additional_information_declined", (rules.REASON_GIVEN,), ("reason",)),
    _row(Action.PROVIDE_ADDITIONAL_INFORMATION, {S.ADDITIONAL_INFORMATION_REQUESTED}, RESPONDER,
         S.ANSWERED, "additional_information_provided", (rules.QUESTIONS_OF_THE_REQUEST,),
         ("questions",)),
    _row(Action.CLOSE, {S.ANSWERED}, REQUESTER, S.CLOSED, "request_closed"),
    _row(Action.REFER, {S.ANSWERED}, REQUESTER, S.REFERRED, "request_referred",
         (rules.REFERRAL_ENABLED, rules.HAS_A_COORDINATOR, rules.REASON_GIVEN), ("reason",)),
    _row(Action.GIVE_REFERRAL_OPINION, {S.REFERRED}, COORDINATORS, S.ANSWERED,
         "referral_opinion_given", (rules.OPINION_GIVEN,), ("opinion",)),
    _row(Action.WITHDRAW, OPEN_STATUSES, REQUESTER, S.WITHDRAWN, "request_withdrawn",
         (), ("reason",)),
    _row(Action.PROPOSE_REPLY_DATE, {S.DRAFT, *REPLY_DATE_OPEN}, REQUESTER, None,
         "reply_date_proposed", (rules.DATE_GIVEN,), ("date",)),
    _row(Action.COUNTER_PROPOSE_REPLY_DATE, REPLY_DATE_OPEN, RESPONDER, None,
         "reply_date_counter_proposed", (rules.DATE_GIVEN, rules.REQUESTER_PROPOSAL_PENDING),
         ("date",)),
    _row(Action.AGREE_REPLY_DATE, REPLY_DATE_OPEN, {*REQUESTER, *RESPONDER}, None,
         "reply_date_agreed", (rules.OTHER_SIDE_PROPOSAL_PENDING,)),
    _row(Action.ALLOCATE, WITH_THE_RESPONDER, {Party.RESPONDING_ALLOCATOR}, None,
         "request_allocated", (rules.ALLOCATION_USED, rules.HANDLERS_GIVEN), ("handlers",)),
    _row(Action.GIVE_FEEDBACK, {S.CLOSED}, {*REQUESTER, *RESPONDING_HANDLERS}, None,
         "feedback_given", (rules.FEEDBACK_GIVEN, rules.FEEDBACK_ONCE), ("feedback",)),
)
# fmt: on

EVENTS = frozenset(transition.event for transition in TRANSITIONS)
# The transitions out of each status, in TRANSITIONS' order: what a list asks of every row.
FROM_STATUS: dict[S, tuple[Transition, ...]] = {
    status: tuple(transition for transition in TRANSITIONS if status in transition.sources)
    for status in S
}


@dataclass(frozen=True)
class Outcome:
    """What one applied action did: the new state, the one event it records and, for a split,
    the new linked request holding the forwarded questions."""

    new_state: RequestState
    event_name: str
    event_data: dict[str, Any]
    linked_request: RequestState | None = None


def create_draft(
    actor: Actor,
    request_id: str,
    area: str,
    requester: AuthorityFacts,
    settings: Settings | None = None,
    **inputs: Any,
) -> Outcome:
    """A new draft of ``requester``, created by one of its request handlers in ``area``."""
    blank = RequestState(request_id, area, requester, settings=settings or Settings())
    (transition,) = rows_of(Action.CREATE_DRAFT)
    parties = parties_of(actor, blank)
    if not parties & transition.who:
        raise _not_allowed(transition.action, transition.who)
    return _carry_out(transition, Attempt(blank, actor, parties, inputs), from_status=None)


def apply(state: RequestState, action: Action, actor: Actor, **inputs: Any) -> Outcome:
    """Take ``action`` on the request in ``state`` as ``actor``, or raise why not."""
    if action == Action.CREATE_DRAFT:
        raise TypeError("A draft is created with create_draft(), not apply().")
    parties = parties_of(actor, state)
    transition = _transition(action, state.status, parties)
    return _carry_out(transition, Attempt(state, actor, parties, inputs), state.status)


def actions_for(actor: Actor, state: RequestState) -> frozenset[Action]:
    """The actions the actor's parties may take in the request's status (what to offer it),
    but those its settings rule out (``rules.STANDING``); the requirements on what an action
    is given are checked when it is taken."""
    parties = parties_of(actor, state)
    attempt = Attempt(state, actor, parties, {})
    return frozenset(
        transition.action
        for transition in FROM_STATUS[state.status]
        if parties & transition.who
        and not any(
            requirement.problem(attempt) is not None
            for requirement in transition.requires
            if requirement in rules.STANDING
        )
    )


def rows_of(action: Action) -> tuple[Transition, ...]:
    return tuple(transition for transition in TRANSITIONS if transition.action == action)


def transition_for(action: Action, status: Status) -> Transition | None:
    return next((row for row in rows_of(action) if status in row.sources), None)


def _transition(action: Action, status: Status, parties: frozenset[Party]) -> Transition:
    """The row for ``action`` in ``status`` if one of ``parties`` may take it. An unallocated
    handler is checked as if allocated first, so that it is told the request is not its own
    rather than that handlers may not act."""
    as_if_allocated = parties | (
        {Party.ALLOCATED_HANDLER} if Party.UNALLOCATED_HANDLER in parties else set()
    )
    anyone = frozenset().union(*(row.who for row in rows_of(action)))
    if not as_if_allocated & anyone:
        raise _not_allowed(action, anyone)
    transition = transition_for(action, status)
    if transition is None:
        raise Conflict(
            f"The action {action.value} is not possible while the request is {status.value}.",
            "request.wrong_status",
            {"action": action.value, "status": status.value},
        )
    if not parties & transition.who:
        if as_if_allocated & transition.who:
            raise Forbidden(
                "The request is allocated to other request handlers of your authority: you may "
                "read it but not act on it.",
                "request.not_allocated",
                {"action": action.value},
            )
        raise _not_allowed(action, transition.who)
    return transition


def _not_allowed(action: Action, who: frozenset[Party]) -> Forbidden:
    allowed = sorted(party.value for party in who)
    return Forbidden(
        f"The action {action.value} is for: {', '.join(allowed)}.",
        "request.not_allowed",
        {"action": action.value, "allowed": allowed},
    )


def _carry_out(transition: Transition, attempt: Attempt, from_status: Status | None) -> Outcome:
    unexpected = set(attempt.inputs) - set(transition.inputs)
    if unexpected:
        raise TypeError(f"{transition.action.value} takes no input {sorted(unexpected)}.")
    for requirement in transition.requires:
        requirement.check(attempt)
    new_state, data, linked = EFFECTS[transition.action](attempt)
    if transition.target is not None:
        new_state = replace(new_state, status=transition.target)
    event_data = {
        "request_id": new_state.id,
        "from_status": from_status and from_status.value,
        "status": new_state.status.value,
        **data,
    }
    return Outcome(new_state, transition.event, event_data, linked)


# --- What each action changes ---------------------------------------------------------------------

Effect = tuple[RequestState, dict[str, Any], RequestState | None]


def _numbers(questions: Iterable[int]) -> list[int]:
    return sorted(questions)


def _responder_id(state: RequestState) -> str | None:
    return state.responder.id if state.responder else None


def _edit(attempt: Attempt) -> Effect:
    state, inputs = attempt.state, attempt.inputs
    changes: dict[str, Any] = {}
    if "questions" in inputs:
        changes["questions"] = attempt.questions()
    if "responder" in inputs:
        changes["responder"] = inputs["responder"]
    state = replace(state, **changes)
    return (
        state,
        {
            "area": state.area,
            "requesting_authority": state.requester.id,
            "responding_authority": _responder_id(state),
            "questions": _numbers(state.questions),
        },
        None,
    )


def _no_change(attempt: Attempt) -> Effect:
    return attempt.state, {}, None


def _deliver(attempt: Attempt) -> Effect:
    state = replace(attempt.state, sent=True)
    return state, {"responding_authority": _responder_id(state)}, None


def _submit(attempt: Attempt) -> Effect:
    return attempt.state, {"request_coordinator": attempt.state.requester.coordinator_id}, None


def _accept(attempt: Attempt) -> Effect:
    state = replace(attempt.state, responder_accepted=True)
    return state, {"responding_authority": _responder_id(state)}, None


def _fresh_reply_date(reply_date: ReplyDate | None) -> ReplyDate | None:
    """A new responder starts from the requester's own proposal, agreed by no one yet."""
    if reply_date is None:
        return None
    return ReplyDate(reply_date.requested, Side.REQUESTER, reply_date.requested)


def _forward(attempt: Attempt) -> Effect:
    state, target = attempt.state, attempt.target()
    assert state.responder is not None
    assert target is not None
    forwarded = replace(
        state,
        responder=target,
        former_responders=state.former_responders | {state.responder.id},
        responder_accepted=False,
        allocated_handlers=frozenset(),
        reply_date=_fresh_reply_date(state.reply_date),
    )
    return forwarded, {"from_authority": state.responder.id, "to_authority": target.id}, None


def _split(attempt: Attempt) -> Effect:
    state, target, forwarded = attempt.state, attempt.target(), attempt.questions()
    linked_id = attempt.inputs.get("linked_request_id")
    if not linked_id:
        raise TypeError("A split needs the id of the new linked request (linked_request_id).")
    assert target is not None
    kept = replace(
        state,
        questions=state.questions - forwarded,
        responder_accepted=True,
        linked_requests=(*state.linked_requests, linked_id),
    )
    linked = RequestState(
        linked_id,
        state.area,
        state.requester,
        responder=target,
        status=Status.SENT,
        questions=forwarded,
        settings=state.settings,
        sent=True,
        reply_date=_fresh_reply_date(state.reply_date),
        linked_from=state.id,
    )
    data = {
        "linked_request_id": linked_id,
        "to_authority": target.id,
        "forwarded_questions": _numbers(forwarded),
        "kept_questions": _numbers(kept.questions),
    }
    return kept, data, linked


def _questions_named(attempt: Attempt) -> Effect:
    return attempt.state, {"questions": _numbers(attempt.questions())}, None


def _reply(kind: ReplyKind) -> Callable[[Attempt], Effect]:
    def effect(attempt: Attempt) -> Effect:
        state = attempt.state
        reply = Reply(kind, attempt.questions())
        state = replace(
            state, replies=(*state.replies, reply), additional_information_questions=frozenset()
        )
        return state, {"kind": kind.value, "questions": _numbers(reply.questions)}, None

    return effect


def _request_additional_information(attempt: Attempt) -> Effect:
    questions = attempt.questions()
    state = replace(attempt.state, additional_information_questions=questions)
    return state, {"questions": _numbers(questions)}, None


def _decline_additional_information(attempt: Attempt) -> Effect:
    return replace(attempt.state, additional_information_questions=frozenset()), {}, None


def _refer(attempt: Attempt) -> Effect:
    state = attempt.state
    ids = {state.requester.coordinator_id, state.responder and state.responder.coordinator_id}
    return state, {"coordinators": sorted(ident for ident in ids if ident)}, None


def _opinion(attempt: Attempt) -> Effect:
    return attempt.state, {"coordinator": attempt.actor.authority_id}, None


def _propose(proposer: Side) -> Callable[[Attempt], Effect]:
    def effect(attempt: Attempt) -> Effect:
        state, day = attempt.state, attempt.inputs["date"]
        requested = day if proposer == Side.REQUESTER else state.reply_date.requested
        state = replace(state, reply_date=ReplyDate(day, proposer, requested))
        return state, {"date": day.isoformat()}, None

    return effect


def _agree(attempt: Attempt) -> Effect:
    state = attempt.state
    assert state.reply_date is not None
    state = replace(state, reply_date=replace(state.reply_date, agreed=True))
    return state, {"date": state.reply_date.date.isoformat()}, None


def _allocate(attempt: Attempt) -> Effect:
    handlers = frozenset(attempt.inputs["handlers"])
    state = replace(attempt.state, allocated_handlers=handlers)
    return state, {"handlers": sorted(handlers)}, None


def _feedback(attempt: Attempt) -> Effect:
    state = attempt.state
    state = replace(state, feedback_from=state.feedback_from | {attempt.actor.user_id})
    return state, {}, None


EFFECTS: dict[Action, Callable[[Attempt], Effect]] = {
    Action.CREATE_DRAFT: _edit,
    Action.EDIT_DRAFT: _edit,
    Action.SUBMIT_FOR_APPROVAL: _submit,
    Action.APPROVE: _deliver,
    Action.REJECT: _no_change,
    Action.SEND: _deliver,
    Action.ACCEPT: _accept,
    Action.FORWARD: _forward,
    Action.SPLIT: _split,
    Action.SAVE_REPLY_DRAFT: _questions_named,
    Action.SEND_PARTIAL_REPLY: _reply(ReplyKind.PARTIAL),
    Action.SEND_FULL_REPLY: _reply(ReplyKind.FULL),
    Action.REQUEST_ADDITIONAL_INFORMATION: _request_additional_information,
    Action.DECLINE_ADDITIONAL_INFORMATION: _decline_additional_information,
    Action.PROVIDE_ADDITIONAL_INFORMATION: _reply(ReplyKind.ADDITIONAL),
    Action.CLOSE: _no_change,
    Action.REFER: _refer,
    Action.GIVE_REFERRAL_OPINION: _opinion,
    Action.WITHDRAW: _no_change,
    Action.PROPOSE_REPLY_DATE: _propose(Side.REQUESTER),
    Action.COUNTER_PROPOSE_REPLY_DATE: _propose(Side.RESPONDER),
    Action.AGREE_REPLY_DATE: _agree,
    Action.ALLOCATE: _allocate,
    Action.GIVE_FEEDBACK: _feedback,
}
