"""Every kind of user against a request in each main status: the view it gets and the actions
it is offered, written out as DOMAIN.md sections 1 and 4 say, as one table to read down.

The request is an Italian authority's to a Hungarian one in Professional Qualifications, with
no approval, referral or forwarding after acceptance (the defaults); the cells that depend on
those settings follow. What each view shows is checked field by field against the service
in test_service_views.py.
"""

from __future__ import annotations

import pytest

from services.common.actor import Right
from services.requests.visibility import view_of
from services.requests.workflow import actions_for
from tests.requests.workflow_world import (
    ALLOCATING,
    AUSTRIAN,
    HU_COORDINATOR,
    IT_COORDINATOR,
    OTHER_AREA,
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
    user,
)

KINDS = {
    "requesting handler": handler(REQUESTER),
    "requesting allocator": allocator(REQUESTER),
    "requesting basic user": basic_user(REQUESTER),
    "requesting LDA": lda(REQUESTER),
    "requesting handler of another area": user(
        REQUESTER, "other", Right.REQUEST_HANDLER, area=OTHER_AREA
    ),
    "responding handler": handler(RESPONDER),
    "responding allocator": allocator(RESPONDER),
    "responding basic user": basic_user(RESPONDER),
    "responding LDA": lda(RESPONDER),
    "requesting coordinator": handler(IT_COORDINATOR),
    "responding coordinator": handler(HU_COORDINATOR),
    "outsider": handler(AUSTRIAN),
}
NONE, MON, WITHOUT, FULL = "none", "monitoring", "full_without_personal_data", "full"
NOTHING: tuple[str, ...] = ()
ONLOOKERS = {
    "requesting allocator": (WITHOUT, NOTHING),
    "requesting basic user": (MON, NOTHING),
    "requesting LDA": (MON, NOTHING),
    "requesting handler of another area": (MON, NOTHING),
}

# fmt: off
MATRIX = {
    "draft": {
        "requesting handler": (FULL, ("edit_draft", "propose_reply_date", "send", "withdraw")),
        **ONLOOKERS,
        "responding handler": (NONE, NOTHING),
        "responding allocator": (NONE, NOTHING),
        "responding basic user": (NONE, NOTHING),
        "responding LDA": (NONE, NOTHING),
        "requesting coordinator": (NONE, NOTHING),
        "responding coordinator": (NONE, NOTHING),
        "outsider": (NONE, NOTHING),
    },
    "sent": {
        "requesting handler": (FULL, ("propose_reply_date", "withdraw")),
        **ONLOOKERS,
        "responding handler": (WITHOUT, ("accept", "forward", "split")),
        "responding allocator": (WITHOUT, NOTHING),
        "responding basic user": (MON, NOTHING),
        "responding LDA": (MON, NOTHING),
        "requesting coordinator": (MON, NOTHING),
        "responding coordinator": (MON, NOTHING),
        "outsider": (NONE, NOTHING),
    },
    "accepted": {
        "requesting handler": (FULL, ("propose_reply_date", "withdraw")),
        **ONLOOKERS,
        "responding handler": (FULL, ("save_reply_draft", "send_full_reply",
                                      "send_partial_reply")),
        "responding allocator": (WITHOUT, NOTHING),
        "responding basic user": (MON, NOTHING),
        "responding LDA": (MON, NOTHING),
        "requesting coordinator": (MON, NOTHING),
        "responding coordinator": (MON, NOTHING),
        "outsider": (NONE, NOTHING),
    },
    "answered": {
        "requesting handler": (FULL, ("close", "request_additional_information", "withdraw")),
        **ONLOOKERS,
        "responding handler": (FULL, NOTHING),
        "responding allocator": (WITHOUT, NOTHING),
        "responding basic user": (MON, NOTHING),
        "responding LDA": (MON, NOTHING),
        "requesting coordinator": (MON, NOTHING),
        "responding coordinator": (MON, NOTHING),
        "outsider": (NONE, NOTHING),
    },
}
# fmt: on
STATES = {"draft": draft, "sent": sent, "accepted": accepted, "answered": answered}


@pytest.mark.parametrize(
    ("status", "kind"), [(status, kind) for status in MATRIX for kind in KINDS]
)
def test_each_kind_of_user_gets_its_view_and_its_actions(status, kind):
    state = STATES[status]()
    actor = KINDS[kind]
    view, actions = MATRIX[status][kind]

    assert view_of(actor, state).value == view
    assert sorted(action.value for action in actions_for(actor, state)) == sorted(actions)


def test_the_settings_add_the_actions_they_enable():
    requester, responder = KINDS["requesting handler"], KINDS["responding handler"]

    assert {"submit_for_approval"} <= _offered(requester, draft(approval_required=True))
    assert "send" not in _offered(requester, draft(approval_required=True))
    assert "refer" in _offered(requester, answered(referral_enabled=True))
    assert {"forward", "split"} <= _offered(responder, accepted(forwarding_after_acceptance=True))


def test_with_allocation_the_allocator_allocates_and_only_the_allocated_handler_acts():
    state = sent(responder=ALLOCATING)
    assert _offered(allocator(ALLOCATING), state) == {"allocate"}
    assert _offered(handler(ALLOCATING), state) == set()
    assert view_of(handler(ALLOCATING), state).value == WITHOUT


def _offered(actor, state) -> set[str]:
    return {action.value for action in actions_for(actor, state)}
