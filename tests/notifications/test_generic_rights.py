"""Every kind of user against each step of a generic notification, in the status where the
step applies: ``ok``, 403 (the user reads the notification but may not take the step) or 404
(the user may not learn that it exists), as docs/generic-notifications.md states it; one table
to read down. Then the pure rules of a type's content and receivers."""

from __future__ import annotations

import pytest

from services.common.actor import Actor, Grant, Right
from services.common.errors import Conflict, Forbidden, ValidationFailed
from services.notifications.generic import (
    Action,
    Facts,
    Status,
    actions_for,
    check,
    check_content,
    may_read,
    receiving_states,
    type_document,
)

AREA, OTHER_AREA = "services", "professional_qualifications"
SENDER, SENDER_TWIN, RECIPIENT, OUTSIDER, COMMISSION = "it", "it-2", "de", "at", "eu"
STATES = {SENDER: "IT", SENDER_TWIN: "IT", RECIPIENT: "DE", OUTSIDER: "AT", COMMISSION: "EU"}


def user(authority: str, right: Right, area: str | None = AREA) -> Actor:
    grants = frozenset({Grant(right, area)})
    return Actor(f"{authority}/{right}", right.value, authority, STATES[authority], "en", grants)


KINDS = {
    "sender": user(SENDER, Right.REQUEST_HANDLER),
    "sender's basic user": user(SENDER, Right.BASIC_USER),
    "sender's alert handler": user(SENDER, Right.ALERT_HANDLER),
    "sender of another area": user(SENDER, Right.REQUEST_HANDLER, OTHER_AREA),
    "other authority of the sender's state": user(SENDER_TWIN, Right.REQUEST_HANDLER),
    "recipient": user(RECIPIENT, Right.REQUEST_HANDLER),
    "recipient's basic user": user(RECIPIENT, Right.BASIC_USER),
    "outsider": user(OUTSIDER, Right.REQUEST_HANDLER),
    "Commission administrator": user(COMMISSION, Right.COMMISSION_ADMINISTRATOR, None),
}
OK, NO, HIDDEN = "ok", 403, 404
NOBODY = dict.fromkeys(KINDS, HIDDEN)
READERS = {"sender": NO, "recipient": NO, "Commission administrator": NO}
SENDER_ONLY = NOBODY | READERS | {"sender": OK}
# fmt: off
MATRIX = {
    (Action.EDIT_DRAFT, Status.DRAFT): NOBODY | {"sender": OK},
    (Action.BROADCAST, Status.DRAFT): NOBODY | {"sender": OK},
    (Action.WITHDRAW, Status.DRAFT): NOBODY | {"sender": OK},
    (Action.MODIFY, Status.BROADCAST): SENDER_ONLY,
    (Action.COMMENT, Status.BROADCAST): SENDER_ONLY | {"recipient": OK},
    (Action.WITHDRAW, Status.BROADCAST): SENDER_ONLY,
    (Action.CLOSE, Status.BROADCAST): SENDER_ONLY,
}
# fmt: on


def facts(status: Status) -> Facts:
    recipients = frozenset() if status == Status.DRAFT else frozenset({RECIPIENT, COMMISSION})
    return Facts(status, AREA, ("request_handler",), SENDER, recipients)


def outcome(actor: Actor, action: Action, status: Status):
    known = facts(status)
    if not may_read(actor, known):
        return HIDDEN
    try:
        check(actor, known, action)
    except Forbidden:
        return NO
    return OK


CASES = [
    (action, status, kind, expected)
    for (action, status), row in MATRIX.items()
    for kind, expected in row.items()
]


@pytest.mark.parametrize(
    ("action", "status", "kind", "expected"),
    CASES,
    ids=[f"{a.value}-{s.value}-{k}" for a, s, k, _ in CASES],
)
def test_who_may_take_each_step(action, status, kind, expected):
    assert outcome(KINDS[kind], action, status) == expected


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.CLOSED])
def test_a_finished_notification_takes_no_step_but_stays_readable(status):
    sender = KINDS["sender"]

    assert actions_for(sender, facts(status)) == []
    assert may_read(KINDS["recipient"], facts(status))
    with pytest.raises(Conflict):
        check(sender, facts(status), Action.COMMENT)


def test_a_broadcast_notification_offers_its_sender_and_recipients_their_steps():
    assert actions_for(KINDS["sender"], facts(Status.BROADCAST)) == [
        "modify", "comment", "withdraw", "close"]  # fmt: skip
    assert actions_for(KINDS["recipient"], facts(Status.BROADCAST)) == ["comment"]


DOCUMENT = type_document("t", {
    "area": AREA, "title": "T", "senders": ["request_handler"], "receivers": "chosen_states",
    "repository": None, "active": True,
    "fields": [
        {"name": "a", "label": "A", "kind": "text", "required": True, "personal_data": False},
        {"name": "n", "label": "N", "kind": "number", "required": False, "personal_data": False},
        {"name": "c", "label": "C", "kind": "choice", "required": False, "personal_data": False,
         "options": ["x", "y"], "option_labels": {"x": "Ex"}},
    ],
})  # fmt: skip


def test_a_type_document_carries_the_catalogue_key_of_each_text_next_to_its_source():
    choice = DOCUMENT["fields"][2]

    assert DOCUMENT["title_key"] == "notification_type.t.title"
    assert choice["label_key"] == "notification_type.t.field_c"
    assert choice["options"][0] == {
        "value": "x", "label": "Ex", "label_key": "notification_type.t.option_c_x"}  # fmt: skip


def test_content_takes_numbers_and_choices_and_leaves_out_empty_optional_fields():
    assert check_content(DOCUMENT, {"a": "text", "n": 3, "c": ""}) == {"a": "text", "n": 3}
    with pytest.raises(ValidationFailed) as refused:
        check_content(DOCUMENT, {"a": 3, "n": float("inf"), "c": "z"})
    assert sorted(refused.value.extra["errors"]) == ["content.a", "content.c", "content.n"]


def test_receivers_are_the_chosen_or_all_other_states_and_always_the_commission():
    all_states = {**DOCUMENT, "receivers": "all_states"}

    assert receiving_states(DOCUMENT, "IT", ["DE", "IT"]) == ["DE", "EU"]
    assert len(receiving_states(all_states, "IT", [])) == 30
    assert "IT" not in receiving_states(all_states, "IT", [])
    assert receiving_states({**DOCUMENT, "receivers": "commission"}, "IT", []) == ["EU"]
