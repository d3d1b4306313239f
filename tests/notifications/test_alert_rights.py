"""Every kind of user against each step of a Services Directive alert, in the status where the
step applies: ``ok``, 403 (the user sees the alert but its role does not take that step) or
404 (the user may not learn that the alert exists), as docs/alerts.md states it; one table to
read down. The same for the derogation's answer and the Professional Qualifications steps."""

from __future__ import annotations

import pytest

from services.common.errors import Forbidden
from services.notifications.alerts import Action, Kind, check, view_of
from tests.notifications.alert_world import (
    AT_AUTHORITY,
    DE_AUTHORITY,
    DE_MAILBOX,
    EU_MAILBOX,
    IT_COORDINATOR,
    PQ_AREA,
    SENDER,
    authoriser,
    awaiting,
    basic,
    closure_proposed,
    draft,
    handler,
    sent,
)

KINDS = {
    "sender handler": handler(SENDER),
    "sender authoriser": authoriser(SENDER),
    "sender basic user": basic(SENDER),
    "sender handler of another area": handler(SENDER, PQ_AREA),
    "sender's alert coordinator": authoriser(IT_COORDINATOR),
    "handler of the coordinator": handler(IT_COORDINATOR),
    "mailbox coordinator": authoriser(DE_MAILBOX),
    "mailbox handler": handler(DE_MAILBOX),
    "recipient handler": handler(DE_AUTHORITY),
    "recipient basic user": basic(DE_AUTHORITY),
    "Commission coordinator": authoriser(EU_MAILBOX),
    "outsider": handler(AT_AUTHORITY),
}
OK, NO, HIDDEN = "ok", 403, 404
# the users who cannot see a sent alert at all
UNSEEN = {"sender basic user": HIDDEN, "sender handler of another area": HIDDEN,
          "handler of the coordinator": HIDDEN, "recipient basic user": HIDDEN,
          "outsider": HIDDEN}  # fmt: skip
# the users who see a sent alert, none allowed
SEEING = {"sender handler": NO, "sender authoriser": NO, "sender's alert coordinator": NO,
          "mailbox coordinator": NO, "mailbox handler": NO, "recipient handler": NO,
          "Commission coordinator": NO}  # fmt: skip
DRAFT_ONLY_SENDER = {kind: HIDDEN for kind in KINDS} | {
    "sender handler": OK, "sender authoriser": NO,
}  # fmt: skip
APPROVAL = {kind: HIDDEN for kind in KINDS} | {
    "sender handler": NO, "sender authoriser": NO, "sender's alert coordinator": OK,
}  # fmt: skip
RECIPIENTS = ("mailbox coordinator", "mailbox handler", "recipient handler",
              "Commission coordinator")  # fmt: skip

# fmt: off
MATRIX = {
    (Action.EDIT_DRAFT, "draft"): DRAFT_ONLY_SENDER,
    (Action.SEND, "draft"): DRAFT_ONLY_SENDER,
    (Action.WITHDRAW, "draft"): DRAFT_ONLY_SENDER,
    (Action.APPROVE, "awaiting"): APPROVAL,
    (Action.REFUSE_APPROVAL, "awaiting"): APPROVAL,
    (Action.DISSEMINATE, "sent"): UNSEEN | SEEING | {"mailbox coordinator": OK},
    (Action.ACKNOWLEDGE, "sent"): UNSEEN | SEEING | dict.fromkeys(RECIPIENTS, OK),
    (Action.COMMENT, "sent"): UNSEEN | SEEING | dict.fromkeys(RECIPIENTS, OK)
                              | {"sender handler": OK},
    (Action.PROPOSE_CLOSURE, "sent"): UNSEEN | SEEING | {"sender handler": OK},
    (Action.WITHDRAW, "sent"): UNSEEN | SEEING | {"sender handler": OK},
    (Action.MARK_UNJUSTIFIED, "sent"): UNSEEN | SEEING | {"sender handler": OK,
                                                          "sender's alert coordinator": OK},
    (Action.CLOSE, "closure_proposed"): UNSEEN | SEEING | {"sender handler": OK,
                                                           "Commission coordinator": OK},
}
# fmt: on
STATES = {"draft": draft, "awaiting": awaiting, "sent": sent, "closure_proposed": closure_proposed}


def outcome(actor, facts, action) -> str | int:
    if view_of(actor, facts).value == "none":
        return HIDDEN
    try:
        check(actor, facts, action)
    except Forbidden:
        return NO
    return OK


@pytest.mark.parametrize(
    ("action", "status", "kind"),
    [(action, status, kind) for (action, status) in MATRIX for kind in KINDS],
)
def test_each_kind_of_user_may_take_only_its_own_steps(action, status, kind):
    assert outcome(KINDS[kind], STATES[status](), action) == MATRIX[action, status][kind]


def test_the_matrix_covers_every_services_alert_step():
    services_steps = set(Action) - {Action.MODIFY, Action.RECORD_INFORMATION, Action.ANSWER}
    assert {action for action, _status in MATRIX} == services_steps


# Professional Qualifications: only the sender modifies, informs and closes; the mailbox routes.
PQ_KINDS = {
    "sender handler": handler(SENDER, PQ_AREA),
    "sender's alert coordinator": authoriser(IT_COORDINATOR, PQ_AREA),
    "mailbox coordinator": authoriser(DE_MAILBOX, PQ_AREA),
    "recipient handler": handler(DE_AUTHORITY, PQ_AREA),
    "outsider": handler(AT_AUTHORITY, PQ_AREA),
}
# fmt: off
PQ_MATRIX = {
    Action.MODIFY: {"sender handler": OK, "sender's alert coordinator": NO,
                    "mailbox coordinator": NO, "recipient handler": NO, "outsider": HIDDEN},
    Action.RECORD_INFORMATION: {"sender handler": OK, "sender's alert coordinator": NO,
                                "mailbox coordinator": NO, "recipient handler": NO,
                                "outsider": HIDDEN},
    Action.CLOSE: {"sender handler": OK, "sender's alert coordinator": NO,
                   "mailbox coordinator": NO, "recipient handler": NO, "outsider": HIDDEN},
    Action.DISSEMINATE: {"sender handler": NO, "sender's alert coordinator": NO,
                         "mailbox coordinator": OK, "recipient handler": NO, "outsider": HIDDEN},
}
# fmt: on


@pytest.mark.parametrize(
    ("action", "kind"), [(action, kind) for action in PQ_MATRIX for kind in PQ_KINDS]
)
def test_each_kind_of_user_against_a_professional_qualifications_alert(action, kind):
    facts = sent(Kind.PROFESSIONAL_QUALIFICATIONS)
    assert outcome(PQ_KINDS[kind], facts, action) == PQ_MATRIX[action][kind]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("sender handler", NO), ("mailbox coordinator", OK), ("mailbox handler", NO),
     ("Commission coordinator", NO), ("outsider", HIDDEN)],
)  # fmt: skip
def test_only_the_providers_state_answers_a_derogation(kind, expected):
    facts = sent(Kind.DEROGATION)
    assert outcome(KINDS[kind], facts, Action.ANSWER) == expected
