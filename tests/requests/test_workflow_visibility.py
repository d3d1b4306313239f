"""Unit tests of who sees what of a request (services/requests/visibility.py): each kind of
user of each authority, in the statuses where DOMAIN.md section 4 says something of it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.common.actor import Right
from services.requests.visibility import COLUMNS, SHOWS, VISIBILITY, View, view_of
from services.requests.workflow import Action, apply
from services.requests.workflow_parties import Party
from services.requests.workflow_state import Status
from tests.requests.workflow_world import (
    ALLOCATING,
    AUSTRIAN,
    HU_COORDINATOR,
    IT_COORDINATOR,
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
    users_of,
    with_responder,
)

F, W, M, N = View.FULL, View.FULL_WITHOUT_PERSONAL_DATA, View.MONITORING, View.NONE
REQUESTING = handler(REQUESTER)
RESPONDING = handler(RESPONDER)


def test_the_table_has_one_cell_per_party_and_status():
    assert set(VISIBILITY) == set(Party)
    assert set(COLUMNS) == set(Status)
    assert all(len(cells) == len(COLUMNS) for cells in VISIBILITY.values())


def test_only_the_full_view_shows_the_subject_and_each_view_shows_what_narrower_ones_show():
    assert [view for view in View if "subject" in SHOWS[view]] == [View.FULL]
    for narrower, wider in zip(list(View), list(View)[1:], strict=False):
        assert SHOWS[narrower] < SHOWS[wider]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (handler(REQUESTER), F),
        (handler(REQUESTER, "colleague"), F),
        (allocator(REQUESTER), W),
        (basic_user(REQUESTER), M),
        (lda(REQUESTER), M),
        (user(REQUESTER, "other-area", Right.REQUEST_HANDLER, area="services"), M),
        (handler(RESPONDER), N),
        (handler(IT_COORDINATOR), N),
        (handler(AUSTRIAN), N),
    ],
)
def test_a_draft_is_seen_by_its_authority_only(actor, expected):
    assert view_of(actor, draft()) == expected


@pytest.mark.parametrize(
    ("actor", "before", "after"),
    [
        (handler(RESPONDER), W, F),
        (handler(RESPONDER, "colleague"), W, F),
        (allocator(RESPONDER), W, W),
        (basic_user(RESPONDER), M, M),
        (lda(RESPONDER), M, M),
        (handler(HU_COORDINATOR), M, M),
        (basic_user(HU_COORDINATOR), N, N),
        (handler(IT_COORDINATOR), M, M),
        (handler(OTHER_RESPONDER), N, N),
        (handler(AUSTRIAN), N, N),
        (handler(REQUESTER), F, F),
    ],
)
def test_the_responder_sees_the_subject_only_once_it_has_accepted(actor, before, after):
    assert view_of(actor, sent()) == before
    assert view_of(actor, accepted()) == after


def test_unallocated_handlers_read_in_full_what_allocated_ones_act_on():
    state = step(
        sent(responder=ALLOCATING),
        Action.ALLOCATE,
        allocator(ALLOCATING),
        handlers=[handler(ALLOCATING).user_id],
    )
    state = step(state, Action.ACCEPT, handler(ALLOCATING))
    assert view_of(handler(ALLOCATING), state) == F
    assert view_of(handler(ALLOCATING, "second-handler"), state) == F
    assert view_of(allocator(ALLOCATING), state) == W


def test_the_forwarder_loses_sight_of_the_request_for_good():
    state = accepted(forwarding_after_acceptance=True)
    state = step(state, Action.FORWARD, RESPONDING, to=OTHER_RESPONDER)
    for actor in users_of(RESPONDER):
        assert view_of(actor, state) == N
    assert view_of(handler(OTHER_RESPONDER), state) == W
    state = step(state, Action.ACCEPT, handler(OTHER_RESPONDER))
    state = step(state, Action.SEND_FULL_REPLY, handler(OTHER_RESPONDER), questions=[1, 2, 3, 4])
    state = step(state, Action.CLOSE, REQUESTING)
    assert view_of(handler(OTHER_RESPONDER), state) == F
    for actor in users_of(RESPONDER):
        assert view_of(actor, state) == N


def test_the_splitting_authority_sees_nothing_of_the_linked_request():
    outcome = apply(
        sent(), Action.SPLIT, RESPONDING, questions=[4], to=OTHER_RESPONDER,
        linked_request_id="request-2",
    )  # fmt: skip
    original, linked = outcome.new_state, outcome.linked_request
    assert view_of(RESPONDING, original) == F
    assert view_of(RESPONDING, linked) == N
    assert view_of(handler(OTHER_RESPONDER), linked) == W
    assert view_of(handler(OTHER_RESPONDER), original) == N
    assert view_of(REQUESTING, linked) == F


@pytest.mark.parametrize("full_view", [False, True])
def test_the_requesters_coordinator_sees_details_to_approve_only_if_the_authority_allows(
    full_view,
):
    requester = replace(REQUESTER, coordinator_full_view=full_view)
    state = draft(requester=requester, approval_required=True)
    coordinator = handler(IT_COORDINATOR)
    assert view_of(coordinator, state) == N
    state = step(state, Action.SUBMIT_FOR_APPROVAL, handler(requester))
    assert view_of(coordinator, state) == (W if full_view else M)
    state = step(state, Action.APPROVE, coordinator)
    assert view_of(coordinator, state) == M
    assert view_of(basic_user(IT_COORDINATOR), state) == N


@pytest.mark.parametrize(("requester_allows", "responder_allows"), [(False, True), (True, False)])
def test_in_a_referral_each_coordinator_sees_details_as_its_authority_allows(
    requester_allows, responder_allows
):
    state = answered(
        requester=replace(REQUESTER, coordinator_full_view=requester_allows), referral_enabled=True
    )
    state = with_responder(state, coordinator_full_view=responder_allows)
    assert view_of(handler(IT_COORDINATOR), state) == M
    assert view_of(handler(HU_COORDINATOR), state) == M
    state = step(state, Action.REFER, handler(state.requester), reason="We disagree.")
    assert view_of(handler(IT_COORDINATOR), state) == (W if requester_allows else M)
    assert view_of(handler(HU_COORDINATOR), state) == (W if responder_allows else M)


def test_a_request_withdrawn_before_it_was_sent_stays_unseen_by_the_responders_side():
    state = step(draft(), Action.WITHDRAW, REQUESTING)
    for actor in (*users_of(RESPONDER), handler(HU_COORDINATOR), handler(IT_COORDINATOR)):
        assert view_of(actor, state) == N
    assert view_of(REQUESTING, state) == F


@pytest.mark.parametrize(
    ("before", "expected"),
    [(sent, W), (accepted, F)],
)
def test_a_withdrawn_request_shows_the_responder_what_it_saw_before(before, expected):
    state = step(before(), Action.WITHDRAW, REQUESTING)
    assert view_of(RESPONDING, state) == expected
    assert view_of(basic_user(RESPONDER), state) == M
    assert view_of(allocator(RESPONDER), state) == W
    assert view_of(handler(HU_COORDINATOR), state) == M


def test_a_coordinator_that_is_also_the_responder_sees_as_the_responder():
    state = step(sent(), Action.FORWARD, RESPONDING, to=HU_COORDINATOR)
    assert view_of(handler(HU_COORDINATOR), state) == W
    assert (
        view_of(handler(HU_COORDINATOR), step(state, Action.ACCEPT, handler(HU_COORDINATOR))) == F
    )
