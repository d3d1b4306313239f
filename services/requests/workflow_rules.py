"""What a transition requires besides the right party and status: each requirement named, with
the text the documentation shows, the refusal a user reads and the error it raises.

Conditions on the request itself are a ``Conflict`` (409): the request has to change first.
Missing or unusable input is a ``ValidationFailed`` (400) naming the input field.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from services.common.actor import Actor
from services.common.errors import Conflict, ImiError, ValidationFailed
from services.requests.workflow_parties import Party, side_of
from services.requests.workflow_state import AuthorityFacts, RequestState, Side


@dataclass(frozen=True)
class Attempt:
    """One actor trying one action on one request, with the inputs it gave."""

    state: RequestState
    actor: Actor
    parties: frozenset[Party]
    inputs: Mapping[str, Any]

    def questions(self) -> frozenset[int]:
        return frozenset(self.inputs.get("questions") or ())

    def text(self, name: str) -> str:
        value = self.inputs.get(name)
        return value.strip() if isinstance(value, str) else ""

    def target(self) -> AuthorityFacts | None:
        target = self.inputs.get("to")
        return target if isinstance(target, AuthorityFacts) else None


Problem = Callable[[Attempt], dict | None]  # None when the requirement is met, else details


@dataclass(frozen=True)
class Requirement:
    code: str
    text: str
    refusal: str
    error: type[ImiError]
    problem: Problem
    field: str | None = None

    def check(self, attempt: Attempt) -> None:
        details = self.problem(attempt)
        if details is None:
            return
        if self.field is not None:
            details = {**details, "errors": {self.field: [self.code]}}
        raise self.error(self.refusal, self.code, details)


def _unless(condition: bool, **details: Any) -> dict | None:
    return None if condition else details


def _given(field: str, code: str, what: str) -> Requirement:
    return Requirement(
        code,
        f"{what} (`{field}`)",
        f"{what[0].upper()}{what[1:]} is needed for this action.",
        ValidationFailed,
        lambda attempt: _unless(bool(attempt.text(field))),
        field,
    )


JUSTIFICATION_GIVEN = _given("justification", "request.justification_missing", "a justification")
REASON_GIVEN = _given("reason", "request.reason_missing", "a reason")
OPINION_GIVEN = _given("opinion", "request.opinion_missing", "an opinion")
FEEDBACK_GIVEN = _given("feedback", "request.feedback_missing", "a feedback text")

QUESTIONS_GIVEN = Requirement(
    "request.questions_missing",
    "at least one numbered question (`questions`)",
    "Name at least one numbered question.",
    ValidationFailed,
    lambda attempt: _unless(bool(attempt.questions())),
    "questions",
)
QUESTIONS_OF_THE_REQUEST = Requirement(
    "request.question_unknown",
    "every question named is one of this request's questions",
    "Some of the questions named are not questions of this request.",
    ValidationFailed,
    lambda attempt: _unless(
        attempt.questions() <= attempt.state.questions,
        unknown=sorted(attempt.questions() - attempt.state.questions),
    ),
    "questions",
)
QUESTIONS_NUMBERED = Requirement(
    "request.question_number_invalid",
    "questions are numbered from 1",
    "Questions are numbered from 1.",
    ValidationFailed,
    lambda attempt: _unless(
        all(isinstance(number, int) and number >= 1 for number in attempt.questions())
    ),
    "questions",
)
DATE_GIVEN = Requirement(
    "request.reply_date_missing",
    "a date (`date`)",
    "A reply date is needed for this action.",
    ValidationFailed,
    lambda attempt: _unless(isinstance(attempt.inputs.get("date"), datetime.date)),
    "date",
)
HANDLERS_GIVEN = Requirement(
    "request.handlers_missing",
    "at least one request handler to allocate it to (`handlers`)",
    "Name at least one request handler to allocate the request to.",
    ValidationFailed,
    lambda attempt: _unless(bool(attempt.inputs.get("handlers"))),
    "handlers",
)
RESPONDER_NOT_REQUESTER = Requirement(
    "request.responder_is_requester",
    "the responding authority (`responder`), if given, is not the requesting one",
    "An authority cannot send a request to itself.",
    ValidationFailed,
    lambda attempt: _unless(
        not isinstance(attempt.inputs.get("responder"), AuthorityFacts)
        or attempt.inputs["responder"].id != attempt.state.requester.id
    ),
    "responder",
)


# --- Forwarding and splitting: to whom -----------------------------------------------------------


def _target_is(condition: Callable[[AuthorityFacts, RequestState], bool]) -> Problem:
    def problem(attempt: Attempt) -> dict | None:
        target = attempt.target()
        return None if target is None else _unless(condition(target, attempt.state))

    return problem


TARGET_GIVEN = Requirement(
    "request.forward_target_missing",
    "an authority to forward to (`to`)",
    "Choose the authority to forward the request to.",
    ValidationFailed,
    lambda attempt: _unless(attempt.target() is not None),
    "to",
)
TARGET_OF_THE_SAME_MEMBER_STATE = Requirement(
    "request.forward_other_member_state",
    "it is of the responding authority's member state",
    "A request is forwarded only to an authority of the responding authority's member state.",
    ValidationFailed,
    _target_is(lambda target, state: target.member_state == state.responder.member_state),
    "to",
)
TARGET_ANOTHER_AUTHORITY = Requirement(
    "request.forward_to_self",
    "it is not the responding authority itself",
    "The request is already with this authority: choose another one.",
    ValidationFailed,
    _target_is(lambda target, state: target.id != state.responder.id),
    "to",
)
TARGET_NOT_A_FORMER_PARTY = Requirement(
    "request.forward_to_former_party",
    "it is neither the requesting authority nor one that forwarded the request before",
    "The request cannot go to the requesting authority or back to one that forwarded it.",
    ValidationFailed,
    _target_is(
        lambda target, state: (
            target.id != state.requester.id and target.id not in state.former_responders
        )
    ),
    "to",
)
FORWARD_TARGET = (
    TARGET_GIVEN,
    TARGET_OF_THE_SAME_MEMBER_STATE,
    TARGET_ANOTHER_AUTHORITY,
    TARGET_NOT_A_FORMER_PARTY,
)
SPLIT_KEEPS_A_QUESTION = Requirement(
    "request.split_keeps_no_question",
    "at least one question stays with the responding authority",
    "A split keeps at least one question; to hand on every question, forward the request.",
    ValidationFailed,
    lambda attempt: _unless(bool(attempt.state.questions - attempt.questions())),
    "questions",
)


# --- Conditions on the request -----------------------------------------------------------------

HAS_QUESTIONS = Requirement(
    "request.no_questions",
    "the request has at least one question",
    "Choose at least one question before sending the request.",
    Conflict,
    lambda attempt: _unless(bool(attempt.state.questions)),
)
HAS_RESPONDER = Requirement(
    "request.no_responder",
    "the request names a responding authority",
    "Choose the responding authority before sending the request.",
    Conflict,
    lambda attempt: _unless(attempt.state.responder is not None),
)
APPROVAL_NOT_REQUIRED = Requirement(
    "request.approval_required",
    "no coordinator approval is required",
    "Outgoing requests in this area need a coordinator's approval: submit it for approval.",
    Conflict,
    lambda attempt: _unless(not attempt.state.settings.approval_required),
)
APPROVAL_REQUIRED = Requirement(
    "request.approval_not_required",
    "coordinator approval is required (member state, region and area setting)",
    "Outgoing requests in this area need no approval: send it directly.",
    Conflict,
    lambda attempt: _unless(attempt.state.settings.approval_required),
)
HAS_REQUEST_COORDINATOR = Requirement(
    "request.no_request_coordinator",
    "the requesting authority has a request coordinator for it",
    "No request coordinator is chosen for this request.",
    Conflict,
    lambda attempt: _unless(attempt.state.requester.coordinator_id is not None),
)
FORWARDING_AFTER_ACCEPTANCE = Requirement(
    "request.forwarding_after_acceptance_disabled",
    "forwarding after acceptance is enabled in the area (off by default)",
    "In this legislative area a request cannot be forwarded once it is accepted.",
    Conflict,
    lambda attempt: _unless(attempt.state.settings.forwarding_after_acceptance),
)
NOT_ANSWERED_YET = Requirement(
    "request.answer_already_sent",
    "no question named was answered in a sent reply",
    "Some of these questions were answered in a sent reply, which cannot be changed.",
    Conflict,
    lambda attempt: _unless(
        not attempt.questions() & attempt.state.answered_questions,
        questions=sorted(attempt.questions() & attempt.state.answered_questions),
    ),
)
LEAVES_A_QUESTION_OPEN = Requirement(
    "request.partial_reply_answers_all",
    "at least one question stays unanswered",
    "This reply answers every question: send it as the full reply.",
    Conflict,
    lambda attempt: _unless(bool(attempt.state.open_questions - attempt.questions())),
)
EVERY_QUESTION_ANSWERED = Requirement(
    "request.questions_unanswered",
    'every question answered or marked "cannot be provided", in this or an earlier reply',
    'A full reply needs every question answered or marked "cannot be provided".',
    Conflict,
    lambda attempt: _unless(
        attempt.state.open_questions <= attempt.questions(),
        questions=sorted(attempt.state.open_questions - attempt.questions()),
    ),
)
REFERRAL_ENABLED = Requirement(
    "request.referral_disabled",
    "referral is enabled by the member state",
    "Referral to the coordinators is not enabled for this request.",
    Conflict,
    lambda attempt: _unless(attempt.state.settings.referral_enabled),
)
HAS_A_COORDINATOR = Requirement(
    "request.no_coordinator",
    "either authority has a request coordinator",
    "Neither authority has a request coordinator to refer the request to.",
    Conflict,
    lambda attempt: _unless(
        attempt.state.requester.coordinator_id is not None
        or (
            attempt.state.responder is not None
            and attempt.state.responder.coordinator_id is not None
        )
    ),
)
ALLOCATION_USED = Requirement(
    "request.allocation_not_used",
    "the responding authority works with allocation",
    "The responding authority does not work with allocation.",
    Conflict,
    lambda attempt: _unless(
        attempt.state.responder is not None and attempt.state.responder.uses_allocation
    ),
)


def _other_side(side: Side | None) -> Side | None:
    return {Side.REQUESTER: Side.RESPONDER, Side.RESPONDER: Side.REQUESTER}.get(side)


REQUESTER_PROPOSAL_PENDING = Requirement(
    "request.no_reply_date_proposal",
    "a reply date proposed by the requester, not yet agreed",
    "There is no reply date proposal to answer.",
    Conflict,
    lambda attempt: _unless(
        attempt.state.reply_date is not None
        and attempt.state.reply_date.pending_from(Side.REQUESTER)
    ),
)
OTHER_SIDE_PROPOSAL_PENDING = Requirement(
    "request.no_reply_date_to_agree",
    "a reply date proposed by the other side, not yet agreed",
    "There is no reply date proposal from the other authority to agree to.",
    Conflict,
    lambda attempt: _unless(
        attempt.state.reply_date is not None
        and attempt.state.reply_date.pending_from(_other_side(side_of(attempt.parties)))
    ),
)
FEEDBACK_ONCE = Requirement(
    "request.feedback_already_given",
    "the user has not given feedback on this request yet",
    "You have already given feedback on this request.",
    Conflict,
    lambda attempt: _unless(attempt.actor.user_id not in attempt.state.feedback_from),
)

# Requirements that depend on the request, its settings and the actor only, never on what the
# action is given: the actions offered to an actor leave out any that one of these refuses
# (no "submit for approval" where none is required, no "refer" where referral is off).
STANDING = frozenset({
    APPROVAL_NOT_REQUIRED, APPROVAL_REQUIRED, HAS_REQUEST_COORDINATOR,
    FORWARDING_AFTER_ACCEPTANCE, REFERRAL_ENABLED, HAS_A_COORDINATOR, ALLOCATION_USED,
    REQUESTER_PROPOSAL_PENDING, OTHER_SIDE_PROPOSAL_PENDING, FEEDBACK_ONCE,
})  # fmt: skip
