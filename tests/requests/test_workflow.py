"""Unit tests of the request life cycle (services/requests/workflow.py): each transition and
each refusal, on plain values, with no fixtures and no I/O."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from services.common.actor import Right
from services.common.errors import Conflict, Forbidden, ValidationFailed
from services.requests.workflow import (
    EVENTS,
    TRANSITIONS,
    Action,
    actions_for,
    apply,
    create_draft,
)
from services.requests.workflow_state import (
    OPEN_STATUSES,
    Reply,
    ReplyKind,
    RequestState,
    Side,
    Status,
)
from tests.requests.workflow_world import (
    ALLOCATING,
    AREA,
    AUSTRIAN,
    HU_COORDINATOR,
    IT_COORDINATOR,
    IT_OTHER,
    OTHER_RESPONDER,
    REQUESTER,
    RESPONDER,
    accepted,
    allocator,
    answered,
    basic_user,
    draft,
    handler,
    lda,
    sent,
    step,
    user,
    with_responder,
)

REQUESTING = handler(REQUESTER)
RESPONDING = handler(RESPONDER)
MAY_1 = datetime.date(2030, 5, 1)
JUNE_1 = datetime.date(2030, 6, 1)


def refusal(error, code, state, action, actor, **inputs):
    with pytest.raises(error) as caught:
        apply(state, action, actor, **inputs)
    assert caught.value.code == code
    return caught.value


# --- The table itself --------------------------------------------------------------------------


def test_every_action_has_at_least_one_row_and_one_event():
    assert {transition.action for transition in TRANSITIONS} == set(Action)
    assert all(transition.event for transition in TRANSITIONS)


def test_no_action_has_two_rows_for_the_same_status():
    for action in Action:
        rows = [transition for transition in TRANSITIONS if transition.action == action]
        for index, row in enumerate(rows):
            for other in rows[index + 1 :]:
                assert not row.sources & other.sources, action


def test_nothing_leaves_a_closed_or_withdrawn_request_but_feedback_on_a_closed_one():
    for transition in TRANSITIONS:
        if Status.WITHDRAWN in transition.sources:
            pytest.fail(f"{transition.action} leaves withdrawn")
        if Status.CLOSED in transition.sources:
            assert transition.action == Action.GIVE_FEEDBACK
            assert transition.target is None


def test_the_events_the_issue_names_are_all_recorded():
    assert {
        "request_created",
        "request_submitted_for_approval",
        "request_approved",
        "request_sent",
        "request_accepted",
        "request_forwarded",
        "request_split",
        "reply_sent",
        "additional_information_requested",
        "additional_information_declined",
        "request_closed",
        "request_referred",
        "referral_opinion_given",
        "request_withdrawn",
        "reply_date_proposed",
        "reply_date_agreed",
    } <= EVENTS


# --- Drafts ------------------------------------------------------------------------------------


def test_a_request_handler_creates_a_draft_of_its_authority():
    outcome = create_draft(
        REQUESTING, "r-7", AREA, REQUESTER, questions=[3, 1], responder=RESPONDER
    )
    assert outcome.new_state.status == Status.DRAFT
    assert outcome.new_state.questions == {1, 3}
    assert outcome.event_name == "request_created"
    assert outcome.event_data == {
        "request_id": "r-7",
        "from_status": None,
        "status": "draft",
        "area": AREA,
        "requesting_authority": REQUESTER.id,
        "responding_authority": RESPONDER.id,
        "questions": [1, 3],
    }


@pytest.mark.parametrize(
    "actor",
    [
        basic_user(REQUESTER),
        lda(REQUESTER),
        allocator(REQUESTER),
        user(REQUESTER, "other-area-handler", Right.REQUEST_HANDLER, area="services"),
        handler(IT_OTHER),
        handler(IT_COORDINATOR),
    ],
)
def test_only_a_request_handler_of_the_requesting_authority_in_the_area_creates_a_draft(actor):
    with pytest.raises(Forbidden) as caught:
        create_draft(actor, "r-7", AREA, REQUESTER)
    assert caught.value.code == "request.not_allowed"


def test_an_authority_cannot_address_a_request_to_itself():
    with pytest.raises(ValidationFailed) as caught:
        create_draft(REQUESTING, "r", AREA, REQUESTER, responder=REQUESTER)
    assert caught.value.code == "request.responder_is_requester"
    assert caught.value.extra["errors"] == {"responder": ["request.responder_is_requester"]}


def test_question_numbers_start_at_one():
    with pytest.raises(ValidationFailed) as caught:
        create_draft(REQUESTING, "r", AREA, REQUESTER, questions=[0, 1])
    assert caught.value.code == "request.question_number_invalid"


def test_any_handler_of_the_requester_edits_the_draft_and_only_the_draft():
    state = draft()
    edited = apply(
        state,
        Action.EDIT_DRAFT,
        handler(REQUESTER, "colleague"),
        questions=[2, 5],
        responder=OTHER_RESPONDER,
    )
    assert edited.new_state.questions == {2, 5}
    assert edited.new_state.responder == OTHER_RESPONDER
    assert edited.event_name == "request_edited"
    refusal(Conflict, "request.wrong_status", sent(), Action.EDIT_DRAFT, REQUESTING)


def test_an_input_the_action_does_not_take_is_a_programming_error():
    with pytest.raises(TypeError):
        apply(draft(), Action.SEND, REQUESTING, questions=[1])
    with pytest.raises(TypeError):
        apply(draft(), Action.CREATE_DRAFT, REQUESTING)


# --- Sending and approval -----------------------------------------------------------------------


def test_sending_a_draft_delivers_it_to_the_responder():
    outcome = apply(draft(), Action.SEND, REQUESTING)
    assert outcome.new_state.status == Status.SENT
    assert outcome.new_state.sent
    assert outcome.event_name == "request_sent"
    assert outcome.event_data["responding_authority"] == RESPONDER.id


def test_a_draft_without_questions_or_without_responder_is_not_sent():
    refusal(Conflict, "request.no_questions", draft(questions=()), Action.SEND, REQUESTING)
    refusal(Conflict, "request.no_responder", draft(responder=None), Action.SEND, REQUESTING)


def test_a_request_that_needs_approval_is_not_sent_directly_but_submitted():
    state = draft(approval_required=True)
    refusal(Conflict, "request.approval_required", state, Action.SEND, REQUESTING)
    outcome = apply(state, Action.SUBMIT_FOR_APPROVAL, REQUESTING)
    assert outcome.new_state.status == Status.AWAITING_APPROVAL
    assert outcome.event_name == "request_submitted_for_approval"
    assert outcome.event_data["request_coordinator"] == IT_COORDINATOR.id
    assert not outcome.new_state.sent


def test_a_request_that_needs_no_approval_is_not_submitted():
    refusal(
        Conflict, "request.approval_not_required", draft(), Action.SUBMIT_FOR_APPROVAL, REQUESTING
    )


def test_submitting_needs_a_request_coordinator():
    state = replace(
        draft(approval_required=True), requester=replace(REQUESTER, coordinator_id=None)
    )
    refusal(
        Conflict, "request.no_request_coordinator", state, Action.SUBMIT_FOR_APPROVAL, REQUESTING
    )


def test_the_requesters_coordinator_approves_and_that_sends_the_request():
    state = step(draft(approval_required=True), Action.SUBMIT_FOR_APPROVAL, REQUESTING)
    refusal(Forbidden, "request.not_allowed", state, Action.APPROVE, REQUESTING)
    refusal(Forbidden, "request.not_allowed", state, Action.APPROVE, handler(HU_COORDINATOR))
    refusal(Forbidden, "request.not_allowed", state, Action.APPROVE, basic_user(IT_COORDINATOR))
    outcome = apply(state, Action.APPROVE, handler(IT_COORDINATOR))
    assert outcome.new_state.status == Status.SENT
    assert outcome.new_state.sent
    assert outcome.event_name == "request_approved"


def test_a_rejection_needs_a_reason_and_returns_the_request_to_draft():
    state = step(draft(approval_required=True), Action.SUBMIT_FOR_APPROVAL, REQUESTING)
    coordinator = handler(IT_COORDINATOR)
    error = refusal(
        ValidationFailed, "request.reason_missing", state, Action.REJECT, coordinator, reason="  "
    )
    assert error.extra["errors"] == {"reason": ["request.reason_missing"]}
    outcome = apply(state, Action.REJECT, coordinator, reason="Question 3 is outside the area.")
    assert outcome.new_state.status == Status.DRAFT
    assert outcome.event_name == "request_rejected"
    assert "Question 3" not in str(outcome.event_data)


# --- Acceptance, allocation, forwarding, split --------------------------------------------------


def test_the_responders_handler_accepts_and_others_may_not():
    state = sent()
    for stranger in (
        REQUESTING,
        basic_user(RESPONDER),
        allocator(RESPONDER),
        handler(AUSTRIAN),
        handler(HU_COORDINATOR),
    ):
        refusal(Forbidden, "request.not_allowed", state, Action.ACCEPT, stranger)
    outcome = apply(state, Action.ACCEPT, RESPONDING)
    assert outcome.new_state.status == Status.ACCEPTED
    assert outcome.new_state.responder_accepted
    assert outcome.event_name == "request_accepted"


def test_a_request_is_accepted_only_once_it_was_sent():
    refusal(Conflict, "request.wrong_status", draft(), Action.ACCEPT, RESPONDING)
    refusal(Conflict, "request.wrong_status", accepted(), Action.ACCEPT, RESPONDING)


def test_with_allocation_only_allocated_handlers_act_and_the_others_are_told_why():
    state = sent(responder=ALLOCATING)
    first, second = handler(ALLOCATING), handler(ALLOCATING, "second")
    refusal(Forbidden, "request.not_allocated", state, Action.ACCEPT, first)
    outcome = apply(state, Action.ALLOCATE, allocator(ALLOCATING), handlers=[first.user_id])
    assert outcome.event_name == "request_allocated"
    assert outcome.event_data["handlers"] == [first.user_id]
    state = outcome.new_state
    refusal(Forbidden, "request.not_allocated", state, Action.ACCEPT, second)
    assert step(state, Action.ACCEPT, first).status == Status.ACCEPTED


def test_allocation_needs_an_authority_that_works_with_it_and_a_handler():
    refusal(
        Conflict,
        "request.allocation_not_used",
        sent(),
        Action.ALLOCATE,
        allocator(RESPONDER),
        handlers=["someone"],
    )
    refusal(
        ValidationFailed,
        "request.handlers_missing",
        sent(responder=ALLOCATING),
        Action.ALLOCATE,
        allocator(ALLOCATING),
        handlers=[],
    )
    refusal(
        Forbidden,
        "request.not_allowed",
        sent(responder=ALLOCATING),
        Action.ALLOCATE,
        handler(ALLOCATING),
        handlers=["x"],
    )


def test_a_forward_hands_the_request_to_another_authority_of_the_same_member_state():
    outcome = apply(sent(), Action.FORWARD, RESPONDING, to=OTHER_RESPONDER)
    state = outcome.new_state
    assert state.status == Status.SENT
    assert state.responder == OTHER_RESPONDER
    assert state.former_responders == {RESPONDER.id}
    assert outcome.event_name == "request_forwarded"
    assert outcome.event_data["from_authority"] == RESPONDER.id
    assert outcome.event_data["to_authority"] == OTHER_RESPONDER.id
    # the forwarder has no part in it any more; the new responder takes it on
    refusal(Forbidden, "request.not_allowed", state, Action.ACCEPT, RESPONDING)
    assert actions_for(RESPONDING, state) == frozenset()
    assert step(state, Action.ACCEPT, handler(OTHER_RESPONDER)).status == Status.ACCEPTED


def test_a_forward_may_go_to_a_coordinator_of_the_member_state():
    state = step(sent(), Action.FORWARD, RESPONDING, to=HU_COORDINATOR)
    assert step(state, Action.ACCEPT, handler(HU_COORDINATOR)).responder_accepted


@pytest.mark.parametrize(
    ("target", "code"),
    [
        (None, "request.forward_target_missing"),
        (AUSTRIAN, "request.forward_other_member_state"),
        (RESPONDER, "request.forward_to_self"),
    ],
)
def test_a_forward_needs_another_authority_of_the_same_member_state(target, code):
    error = refusal(ValidationFailed, code, sent(), Action.FORWARD, RESPONDING, to=target)
    assert error.extra["errors"] == {"to": [code]}


def test_a_request_is_never_forwarded_back_to_a_forwarder_or_to_the_requester():
    state = step(sent(), Action.FORWARD, RESPONDING, to=OTHER_RESPONDER)
    refusal(
        ValidationFailed,
        "request.forward_to_former_party",
        state,
        Action.FORWARD,
        handler(OTHER_RESPONDER),
        to=RESPONDER,
    )
    same_state = sent(responder=IT_OTHER)
    refusal(
        ValidationFailed,
        "request.forward_to_former_party",
        same_state,
        Action.FORWARD,
        handler(IT_OTHER),
        to=REQUESTER,
    )


def test_forwarding_after_acceptance_is_off_by_default_and_a_setting_of_the_area():
    refusal(
        Conflict,
        "request.forwarding_after_acceptance_disabled",
        accepted(),
        Action.FORWARD,
        RESPONDING,
        to=OTHER_RESPONDER,
    )
    state = accepted(forwarding_after_acceptance=True)
    forwarded = step(state, Action.FORWARD, RESPONDING, to=OTHER_RESPONDER)
    assert forwarded.status == Status.SENT
    assert not forwarded.responder_accepted
    refusal(
        Conflict,
        "request.wrong_status",
        step(state, Action.SEND_PARTIAL_REPLY, RESPONDING, questions=[1]),
        Action.FORWARD,
        RESPONDING,
        to=OTHER_RESPONDER,
    )


def test_a_split_accepts_the_kept_questions_and_forwards_the_others_as_a_linked_request():
    outcome = apply(
        sent(),
        Action.SPLIT,
        RESPONDING,
        questions=[3, 4],
        to=OTHER_RESPONDER,
        linked_request_id="request-2",
    )
    kept, linked = outcome.new_state, outcome.linked_request
    assert kept.status == Status.ACCEPTED
    assert kept.responder_accepted
    assert kept.questions == {1, 2}
    assert kept.linked_requests == ("request-2",)
    assert linked.id == "request-2"
    assert linked.questions == {3, 4}
    assert linked.status == Status.SENT
    assert linked.responder == OTHER_RESPONDER
    assert linked.requester == REQUESTER
    assert linked.linked_from == kept.id
    assert linked.sent
    assert not linked.responder_accepted
    assert outcome.event_name == "request_split"
    assert outcome.event_data["forwarded_questions"] == [3, 4]
    assert outcome.event_data["kept_questions"] == [1, 2]


@pytest.mark.parametrize(
    ("questions", "error", "code"),
    [
        ([], ValidationFailed, "request.questions_missing"),
        ([1, 2, 3, 4], ValidationFailed, "request.split_keeps_no_question"),
        ([4, 9], ValidationFailed, "request.question_unknown"),
    ],
)
def test_a_split_forwards_some_but_not_all_of_the_requests_questions(questions, error, code):
    refusal(
        error,
        code,
        sent(),
        Action.SPLIT,
        RESPONDING,
        questions=questions,
        to=OTHER_RESPONDER,
        linked_request_id="request-2",
    )


def test_a_split_goes_to_another_authority_of_the_responders_member_state():
    refusal(
        ValidationFailed,
        "request.forward_other_member_state",
        sent(),
        Action.SPLIT,
        RESPONDING,
        questions=[4],
        to=AUSTRIAN,
        linked_request_id="r2",
    )


# --- Replies ------------------------------------------------------------------------------------


def test_partial_replies_answer_open_questions_and_the_full_reply_the_rest():
    state = accepted()
    outcome = apply(state, Action.SEND_PARTIAL_REPLY, RESPONDING, questions=[1])
    assert outcome.event_name == "reply_sent"
    assert outcome.event_data["kind"] == "partial"
    state = outcome.new_state
    assert state.status == Status.PARTIALLY_ANSWERED
    state = step(state, Action.SEND_PARTIAL_REPLY, RESPONDING, questions=[2])
    outcome = apply(state, Action.SEND_FULL_REPLY, RESPONDING, questions=[3, 4])
    assert outcome.new_state.status == Status.ANSWERED
    assert outcome.event_data["kind"] == "full"
    assert outcome.new_state.replies == (
        Reply(ReplyKind.PARTIAL, frozenset({1})),
        Reply(ReplyKind.PARTIAL, frozenset({2})),
        Reply(ReplyKind.FULL, frozenset({3, 4})),
    )


def test_a_sent_answer_is_never_answered_again():
    state = step(accepted(), Action.SEND_PARTIAL_REPLY, RESPONDING, questions=[1])
    error = refusal(
        Conflict,
        "request.answer_already_sent",
        state,
        Action.SEND_PARTIAL_REPLY,
        RESPONDING,
        questions=[1, 2],
    )
    assert error.extra["questions"] == [1]
    refusal(
        Conflict,
        "request.answer_already_sent",
        state,
        Action.SAVE_REPLY_DRAFT,
        RESPONDING,
        questions=[1],
    )
    refusal(
        Conflict,
        "request.answer_already_sent",
        state,
        Action.SEND_FULL_REPLY,
        RESPONDING,
        questions=[1, 2, 3, 4],
    )


def test_a_partial_reply_that_answers_everything_is_sent_as_the_full_reply():
    refusal(
        Conflict,
        "request.partial_reply_answers_all",
        accepted(),
        Action.SEND_PARTIAL_REPLY,
        RESPONDING,
        questions=[1, 2, 3, 4],
    )


def test_the_full_reply_answers_every_question_and_says_which_are_missing():
    error = refusal(
        Conflict,
        "request.questions_unanswered",
        accepted(),
        Action.SEND_FULL_REPLY,
        RESPONDING,
        questions=[1, 3],
    )
    assert error.extra["questions"] == [2, 4]


def test_the_full_reply_answers_what_the_partial_replies_left_open():
    state = step(accepted(), Action.SEND_PARTIAL_REPLY, RESPONDING, questions=[1, 2, 3])
    state = step(state, Action.SAVE_REPLY_DRAFT, RESPONDING, questions=[4])
    assert step(state, Action.SEND_FULL_REPLY, RESPONDING, questions=[4]).status == Status.ANSWERED


def test_replies_come_only_from_the_responder_after_acceptance():
    refusal(
        Conflict,
        "request.wrong_status",
        sent(),
        Action.SEND_PARTIAL_REPLY,
        RESPONDING,
        questions=[1],
    )
    refusal(
        Forbidden,
        "request.not_allowed",
        accepted(),
        Action.SEND_FULL_REPLY,
        REQUESTING,
        questions=[1, 2, 3, 4],
    )


def test_reply_drafts_are_saved_for_questions_of_the_request_only():
    refusal(
        ValidationFailed,
        "request.question_unknown",
        accepted(),
        Action.SAVE_REPLY_DRAFT,
        RESPONDING,
        questions=[7],
    )
    outcome = apply(accepted(), Action.SAVE_REPLY_DRAFT, RESPONDING, questions=[2])
    assert outcome.event_name == "reply_draft_saved"
    assert outcome.new_state.status == Status.ACCEPTED


# --- Additional information -----------------------------------------------------------------


def test_additional_information_is_requested_with_a_justification_and_numbered_questions():
    state = answered()
    refusal(
        ValidationFailed,
        "request.justification_missing",
        state,
        Action.REQUEST_ADDITIONAL_INFORMATION,
        REQUESTING,
        questions=[2],
    )
    refusal(
        ValidationFailed,
        "request.questions_missing",
        state,
        Action.REQUEST_ADDITIONAL_INFORMATION,
        REQUESTING,
        justification="Unclear.",
    )
    refusal(
        ValidationFailed,
        "request.question_unknown",
        state,
        Action.REQUEST_ADDITIONAL_INFORMATION,
        REQUESTING,
        questions=[9],
        justification="Unclear.",
    )
    outcome = apply(
        state,
        Action.REQUEST_ADDITIONAL_INFORMATION,
        REQUESTING,
        questions=[2],
        justification="The date in answer 2 is not legible.",
    )
    assert outcome.new_state.status == Status.ADDITIONAL_INFORMATION_REQUESTED
    assert outcome.new_state.additional_information_questions == {2}
    assert outcome.event_name == "additional_information_requested"
    assert outcome.event_data["questions"] == [2]
    assert "legible" not in str(outcome.event_data)


def test_additional_information_is_only_asked_of_a_full_reply():
    state = step(accepted(), Action.SEND_PARTIAL_REPLY, RESPONDING, questions=[1])
    refusal(
        Conflict,
        "request.wrong_status",
        state,
        Action.REQUEST_ADDITIONAL_INFORMATION,
        REQUESTING,
        questions=[1],
        justification="More.",
    )


def _asked() -> RequestState:
    return step(
        answered(),
        Action.REQUEST_ADDITIONAL_INFORMATION,
        REQUESTING,
        questions=[2],
        justification="More on 2.",
    )


def test_the_responder_declines_additional_information_with_a_reason():
    refusal(
        ValidationFailed,
        "request.reason_missing",
        _asked(),
        Action.DECLINE_ADDITIONAL_INFORMATION,
        RESPONDING,
    )
    outcome = apply(
        _asked(), Action.DECLINE_ADDITIONAL_INFORMATION, RESPONDING, reason="We hold no more."
    )
    assert outcome.new_state.status == Status.ANSWERED
    assert outcome.new_state.additional_information_questions == frozenset()
    assert outcome.event_name == "additional_information_declined"


def test_additional_information_is_a_new_reply_and_leaves_the_sent_ones_as_they_were():
    before = _asked()
    state = step(before, Action.SAVE_REPLY_DRAFT, RESPONDING, questions=[2])
    outcome = apply(state, Action.PROVIDE_ADDITIONAL_INFORMATION, RESPONDING, questions=[2])
    assert outcome.new_state.status == Status.ANSWERED
    assert outcome.event_name == "additional_information_provided"
    assert outcome.new_state.replies[: len(before.replies)] == before.replies
    assert outcome.new_state.replies[-1] == Reply(ReplyKind.ADDITIONAL, frozenset({2}))


# --- Closing, referral, withdrawal, feedback ----------------------------------------------------


def test_the_requester_accepts_the_reply_and_closes_the_request():
    outcome = apply(answered(), Action.CLOSE, REQUESTING)
    assert outcome.new_state.status == Status.CLOSED
    assert outcome.event_name == "request_closed"
    refusal(Forbidden, "request.not_allowed", answered(), Action.CLOSE, RESPONDING)


def test_nothing_but_feedback_happens_to_a_closed_request():
    state = step(answered(), Action.CLOSE, REQUESTING)
    for action in (Action.WITHDRAW, Action.REQUEST_ADDITIONAL_INFORMATION, Action.REFER):
        refusal(Conflict, "request.wrong_status", state, action, REQUESTING)
    assert actions_for(REQUESTING, state) == {Action.GIVE_FEEDBACK}
    assert actions_for(RESPONDING, state) == {Action.GIVE_FEEDBACK}


def test_referral_needs_the_member_states_setting_a_coordinator_and_a_reason():
    refusal(
        Conflict, "request.referral_disabled", answered(), Action.REFER, REQUESTING, reason="Wrong."
    )
    no_coordinators = replace(
        answered(referral_enabled=True), requester=replace(REQUESTER, coordinator_id=None)
    )
    no_coordinators = with_responder(no_coordinators, coordinator_id=None)
    refusal(
        Conflict,
        "request.no_coordinator",
        no_coordinators,
        Action.REFER,
        REQUESTING,
        reason="Wrong.",
    )
    refusal(
        ValidationFailed,
        "request.reason_missing",
        answered(referral_enabled=True),
        Action.REFER,
        REQUESTING,
    )


def test_a_referred_request_returns_to_answered_with_either_coordinators_opinion():
    outcome = apply(
        answered(referral_enabled=True),
        Action.REFER,
        REQUESTING,
        reason="The answer contradicts the register.",
    )
    state = outcome.new_state
    assert state.status == Status.REFERRED
    assert outcome.event_data["coordinators"] == [HU_COORDINATOR.id, IT_COORDINATOR.id]
    refusal(
        ValidationFailed,
        "request.opinion_missing",
        state,
        Action.GIVE_REFERRAL_OPINION,
        handler(IT_COORDINATOR),
    )
    refusal(
        Forbidden,
        "request.not_allowed",
        state,
        Action.GIVE_REFERRAL_OPINION,
        REQUESTING,
        opinion="Fine.",
    )
    for coordinator in (handler(IT_COORDINATOR), handler(HU_COORDINATOR)):
        opinion = apply(state, Action.GIVE_REFERRAL_OPINION, coordinator, opinion="Fine.")
        assert opinion.new_state.status == Status.ANSWERED
        assert opinion.event_name == "referral_opinion_given"
        assert opinion.event_data["coordinator"] == coordinator.authority_id


def _in_every_open_status():
    state = draft(referral_enabled=True)
    yield state
    yield step(draft(approval_required=True), Action.SUBMIT_FOR_APPROVAL, REQUESTING)
    state = step(state, Action.SEND, REQUESTING)
    yield state
    state = step(state, Action.ACCEPT, RESPONDING)
    yield state
    state = step(state, Action.SEND_PARTIAL_REPLY, RESPONDING, questions=[1])
    yield state
    state = step(state, Action.SEND_FULL_REPLY, RESPONDING, questions=[2, 3, 4])
    yield state
    yield step(
        state,
        Action.REQUEST_ADDITIONAL_INFORMATION,
        REQUESTING,
        questions=[1],
        justification="More.",
    )
    yield step(state, Action.REFER, REQUESTING, reason="Wrong.")


def test_the_requester_withdraws_a_request_in_any_status_before_closure():
    states = list(_in_every_open_status())
    assert {state.status for state in states} == OPEN_STATUSES
    for state in states:
        refusal(Forbidden, "request.not_allowed", state, Action.WITHDRAW, RESPONDING)
        outcome = apply(state, Action.WITHDRAW, REQUESTING)
        assert outcome.new_state.status == Status.WITHDRAWN
        assert outcome.event_name == "request_withdrawn"
        assert actions_for(REQUESTING, outcome.new_state) == frozenset()


def test_feedback_after_closure_once_per_user_with_a_text():
    state = step(answered(), Action.CLOSE, REQUESTING)
    refusal(ValidationFailed, "request.feedback_missing", state, Action.GIVE_FEEDBACK, REQUESTING)
    outcome = apply(state, Action.GIVE_FEEDBACK, REQUESTING, feedback="Quick and clear.")
    assert outcome.event_name == "feedback_given"
    assert outcome.new_state.status == Status.CLOSED
    refusal(
        Conflict,
        "request.feedback_already_given",
        outcome.new_state,
        Action.GIVE_FEEDBACK,
        REQUESTING,
        feedback="Again.",
    )
    assert step(outcome.new_state, Action.GIVE_FEEDBACK, RESPONDING, feedback="Fine.").feedback_from
    refusal(
        Forbidden,
        "request.not_allowed",
        state,
        Action.GIVE_FEEDBACK,
        basic_user(REQUESTER),
        feedback="Hello.",
    )
    refusal(
        Conflict,
        "request.wrong_status",
        answered(),
        Action.GIVE_FEEDBACK,
        REQUESTING,
        feedback="Too early.",
    )


# --- Reply date ---------------------------------------------------------------------------------


def test_the_requester_proposes_a_reply_date_and_the_responder_agrees():
    state = step(draft(), Action.PROPOSE_REPLY_DATE, REQUESTING, date=MAY_1)
    assert state.reply_date.pending_from(Side.REQUESTER)
    state = step(state, Action.SEND, REQUESTING)
    refusal(Conflict, "request.no_reply_date_to_agree", state, Action.AGREE_REPLY_DATE, REQUESTING)
    outcome = apply(state, Action.AGREE_REPLY_DATE, RESPONDING)
    assert outcome.event_name == "reply_date_agreed"
    assert outcome.event_data["date"] == "2030-05-01"
    assert outcome.new_state.reply_date.agreed


def test_the_responder_counter_proposes_and_the_requester_agrees_or_proposes_again():
    state = step(sent(), Action.PROPOSE_REPLY_DATE, REQUESTING, date=MAY_1)
    outcome = apply(state, Action.COUNTER_PROPOSE_REPLY_DATE, RESPONDING, date=JUNE_1)
    assert outcome.event_name == "reply_date_counter_proposed"
    countered = outcome.new_state
    assert countered.reply_date.pending_from(Side.RESPONDER)
    refusal(
        Conflict, "request.no_reply_date_to_agree", countered, Action.AGREE_REPLY_DATE, RESPONDING
    )
    refusal(
        Conflict,
        "request.no_reply_date_proposal",
        countered,
        Action.COUNTER_PROPOSE_REPLY_DATE,
        RESPONDING,
        date=MAY_1,
    )
    agreed = step(countered, Action.AGREE_REPLY_DATE, REQUESTING)
    assert agreed.reply_date.date == JUNE_1
    assert agreed.reply_date.agreed
    again = step(countered, Action.PROPOSE_REPLY_DATE, REQUESTING, date=MAY_1)
    assert again.reply_date.pending_from(Side.REQUESTER)


def test_a_reply_date_needs_a_date_and_a_proposal_to_answer():
    refusal(
        ValidationFailed,
        "request.reply_date_missing",
        sent(),
        Action.PROPOSE_REPLY_DATE,
        REQUESTING,
        date=None,
    )
    refusal(
        Conflict,
        "request.no_reply_date_proposal",
        sent(),
        Action.COUNTER_PROPOSE_REPLY_DATE,
        RESPONDING,
        date=MAY_1,
    )


def test_a_new_responder_starts_from_the_requesters_own_proposal():
    state = step(sent(), Action.PROPOSE_REPLY_DATE, REQUESTING, date=MAY_1)
    state = step(state, Action.COUNTER_PROPOSE_REPLY_DATE, RESPONDING, date=JUNE_1)
    forwarded = step(state, Action.FORWARD, RESPONDING, to=OTHER_RESPONDER)
    assert forwarded.reply_date.date == MAY_1
    assert forwarded.reply_date.pending_from(Side.REQUESTER)


# --- What to offer ------------------------------------------------------------------------------


def test_the_actions_offered_follow_the_status_the_party_and_the_settings():
    assert actions_for(REQUESTING, draft()) == {
        Action.EDIT_DRAFT,
        Action.SEND,
        Action.WITHDRAW,
        Action.PROPOSE_REPLY_DATE,
    }
    assert Action.SUBMIT_FOR_APPROVAL in actions_for(REQUESTING, draft(approval_required=True))
    assert Action.SEND not in actions_for(REQUESTING, draft(approval_required=True))
    assert actions_for(RESPONDING, sent()) == {Action.ACCEPT, Action.FORWARD, Action.SPLIT}
    proposed = step(sent(), Action.PROPOSE_REPLY_DATE, REQUESTING, date=datetime.date(2026, 3, 1))
    assert actions_for(RESPONDING, proposed) >= {
        Action.COUNTER_PROPOSE_REPLY_DATE,
        Action.AGREE_REPLY_DATE,
    }
    assert actions_for(basic_user(RESPONDER), sent()) == frozenset()
    assert actions_for(handler(ALLOCATING), sent(responder=ALLOCATING)) == frozenset()
    assert actions_for(allocator(ALLOCATING), sent(responder=ALLOCATING)) == {Action.ALLOCATE}
