"""Data protection of requests through the broker (DOMAIN.md section 8): the audit trail says who
processed the subject's personal data, when and how, and is read by Commission administrators
and the two authorities' request handlers only; a data subject's report finds a person's
requests by name and date of birth or by identity number, and nobody else's; blocked data is
marked contested, and the mark taken off, once each."""

from __future__ import annotations

import pytest
from nameko.testing.services import entrypoint_hook

from services.common.actor import Right
from services.requests.schemas import EVENTS
from tests.events import EventLog, listener_for, listening
from tests.requests import network
from tests.requests.exchange_harness import (
    BUDAPEST_HANDLER,
    ROMA_HANDLER,
    act,
    new_request,
    refused,
)
from tests.requests.network import BUDAPEST, ROMA, SZEGED

ADMINISTRATOR = network.user(SZEGED, "commission", Right.COMMISSION_ADMINISTRATOR, area=None)
ROSSI = {"full_name": "Mario Rossi", "other_names": ["Mario Giuseppe Rossi"],
         "date_of_birth": "1980-05-03", "nationality": "IT",
         "identity_numbers": [{"kind": "national_id", "value": "CA12345AB"}]}  # fmt: skip
NAMESAKE = {"full_name": "Mario Rossi", "date_of_birth": "1975-11-20", "nationality": "IT"}
OTHER = {"full_name": "Anna Bianchi", "date_of_birth": "1980-05-03",
         "identity_numbers": [{"kind": "passport", "value": "YA7654321"}]}  # fmt: skip
# Every event of the service has a queue here (tests/requests/test_retention.py says why).
EVERY_EVENT = tuple(sorted(EVENTS))


@pytest.fixture
def requests_config(network_requests_config) -> dict:
    return network_requests_config


@pytest.fixture(autouse=True)
def published(request, container_factory, requests_config) -> EventLog:
    """Every event of the service, from the start of each test."""
    return listening(
        container_factory,
        requests_config,
        lambda name, log: listener_for("requests", EVERY_EVENT, name, log),
        f"published_{request.node.name[:40]}",
    )


def trail(proxy, actor: dict, request_id: str) -> list[tuple]:
    found = proxy.requests.personal_data_audit(actor, request_id)
    return [(item["operation"], item["username"], item["authority_id"], item["at"])
            for item in found["items"]]  # fmt: skip


def blocked_request(proxy, container, clock) -> dict:
    """Roma's request to Budapest, withdrawn, and blocked by the sweep seven months later."""
    draft = new_request(proxy, subject=ROSSI)
    withdrawn = act(proxy, ROMA_HANDLER, act(proxy, ROMA_HANDLER, draft, "send"), "withdraw",
                    reason="Non più necessaria.")  # fmt: skip
    clock.advance(days=210)
    with entrypoint_hook(container, "sweep_personal_data") as fire:
        fire()
    return withdrawn


def test_the_audit_trail_says_who_processed_the_personal_data_when_and_how(proxy, frozen_clock):
    created_at = frozen_clock().isoformat()
    draft = new_request(proxy)
    frozen_clock.advance(hours=1)
    edited_at = frozen_clock().isoformat()
    edited = proxy.requests.edit_request_draft(
        ROMA_HANDLER, draft["id"], {"version": draft["version"], "subject": ROSSI}
    )
    frozen_clock.advance(hours=1)
    sent = act(proxy, ROMA_HANDLER, edited, "send")
    proxy.requests.request(BUDAPEST_HANDLER, draft["id"], {})  # no personal data before accepting
    frozen_clock.advance(hours=1)
    accepted_at = frozen_clock().isoformat()
    act(proxy, BUDAPEST_HANDLER, sent, "accept")
    proxy.requests.request(network.user(BUDAPEST, "alloc", Right.ALLOCATOR), draft["id"], {})
    copy = proxy.requests.copy_request(
        ROMA_HANDLER, draft["id"], {"elements": ["questions", "subject"]}
    )

    found = trail(proxy, ROMA_HANDLER, draft["id"])

    roma, budapest = ROMA_HANDLER["username"], BUDAPEST_HANDLER["username"]
    assert [(operation, who) for operation, who, *_ in found] == [
        ("created", roma), ("viewed", roma), ("edited", roma), ("viewed", roma),
        ("viewed", roma), ("viewed", budapest), ("copied", roma),
    ]  # fmt: skip
    assert found[0][2:] == (ROMA.id, created_at)
    assert found[2][3] == edited_at
    assert found[5][2:] == (BUDAPEST.id, accepted_at)
    assert [operation for operation, *_ in trail(proxy, ROMA_HANDLER, copy["id"])] == [
        "created",
        "viewed",
    ]
    assert trail(proxy, BUDAPEST_HANDLER, draft["id"]) == found
    assert trail(proxy, ADMINISTRATOR, draft["id"]) == found


def test_only_administrators_and_the_two_authorities_handlers_read_the_audit_trail(proxy):
    draft = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    allocator = network.user(ROMA, "alloc", Right.ALLOCATOR)
    by_allocator = refused(lambda: proxy.requests.personal_data_audit(allocator, draft["id"]))
    by_outsider = refused(lambda: proxy.requests.personal_data_audit(
        network.handler(SZEGED), draft["id"]))  # fmt: skip
    unknown = refused(lambda: proxy.requests.personal_data_audit(
        ADMINISTRATOR, "00000000-0000-4000-8000-000000000000"))  # fmt: skip

    assert "personal_data.not_allowed" in by_allocator["text"]
    assert "request.unknown" in by_outsider["text"]
    assert "request.unknown" in unknown["text"]


def test_a_data_subject_report_finds_the_persons_requests_and_nobody_elses(
    proxy, requests_container, frozen_clock
):
    blocked = blocked_request(proxy, requests_container, frozen_clock)
    open_one = new_request(proxy, subject={**ROSSI, "full_name": "ROSSI Mario",
                                           "other_names": ["Mário Rossi"]})  # fmt: skip
    answered = act(proxy, ROMA_HANDLER, new_request(proxy, subject=ROSSI, questions=["3.2"]),
                   "send")  # fmt: skip
    accepted = act(proxy, BUDAPEST_HANDLER, answered, "accept")
    proxy.requests.save_reply_draft(BUDAPEST_HANDLER, answered["id"], {
        "version": accepted["version"],
        "answers": [{"question": "3.2", "value": ["administrative_fine"], "text": "Nel 2024."}],
    })  # fmt: skip
    new_request(proxy, subject=NAMESAKE)
    new_request(proxy, subject=OTHER)

    by_name = proxy.requests.data_subject_report(
        ADMINISTRATOR, {"full_name": "mario rossi", "date_of_birth": "1980-05-03"}
    )
    by_number = proxy.requests.data_subject_report(
        ADMINISTRATOR, {"identity_number": "ca-12345 ab"}
    )

    found = {item["request_id"]: item for item in by_name["requests"]}
    # "ROSSI Mario" is found by its other name, accents folded; the namesake born on another
    # day, and the other person born on the same day, are not.
    assert sorted(found) == sorted([blocked["id"], open_one["id"], answered["id"]])
    assert sorted(item["request_id"] for item in by_number["requests"]) == sorted(
        [blocked["id"], open_one["id"], answered["id"]]
    )
    assert by_name["complete"] is True
    assert found[blocked["id"]]["blocked_at"] is not None
    assert found[blocked["id"]]["subject"]["identity_numbers"] == ROSSI["identity_numbers"]
    assert found[answered["id"]]["personal_answers"] == [{
        **found[answered["id"]]["personal_answers"][0], "question": "3.2", "reply": 0,
        "value": ["administrative_fine"], "text": "Nel 2024.",
    }]  # fmt: skip
    last = found[answered["id"]]["audit"][-1]
    assert (last["operation"], last["username"]) == ("subject_report", "commission")
    not_administrator = refused(lambda: proxy.requests.data_subject_report(
        ROMA_HANDLER, {"identity_number": "CA12345AB"}))  # fmt: skip
    assert "error.right_missing" in not_administrator["text"]
    for query in ({}, {"full_name": "Mario Rossi"},
                  {"identity_number": "CA12345AB", "full_name": "Mario Rossi"}):  # fmt: skip
        assert (
            "error.validation"
            in refused(
                lambda query=query: proxy.requests.data_subject_report(ADMINISTRATOR, query)
            )["text"]
        )


def test_blocked_personal_data_is_marked_contested_and_the_mark_taken_off_once_each(
    proxy, requests_container, frozen_clock, published
):
    still_open = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    blocked = blocked_request(proxy, requests_container, frozen_clock)

    too_early = refused(lambda: proxy.requests.contest_personal_data(
        ROMA_HANDLER, still_open["id"]))  # fmt: skip
    by_basic_user = refused(lambda: proxy.requests.contest_personal_data(
        network.user(ROMA, "basic", Right.BASIC_USER), blocked["id"]))  # fmt: skip
    marked = proxy.requests.contest_personal_data(ROMA_HANDLER, blocked["id"])
    again = proxy.requests.contest_personal_data(BUDAPEST_HANDLER, blocked["id"])
    shown = proxy.requests.request(ROMA_HANDLER, blocked["id"], {})
    (row,) = proxy.requests.list_requests(ROMA_HANDLER, {"status": "withdrawn"})["items"]
    taken_off = proxy.requests.withdraw_contest(ADMINISTRATOR, blocked["id"])
    proxy.requests.withdraw_contest(ADMINISTRATOR, blocked["id"])

    assert "personal_data.not_blocked" in too_early["text"]
    assert "personal_data.not_allowed" in by_basic_user["text"]
    assert marked["contested_at"] is not None
    assert again == marked
    assert shown["contested"] is True
    assert shown["subject"] is None
    assert row["contested"] is True
    assert taken_off["contested_at"] is None
    assert proxy.requests.request(ROMA_HANDLER, blocked["id"], {})["contested"] is False
    operations = [item[:2] for item in trail(proxy, ADMINISTRATOR, blocked["id"])]
    assert operations[-2:] == [("contested", ROMA_HANDLER["username"]),
                               ("uncontested", "commission")]  # fmt: skip
    assert len(published.wait_for("request_personal_data_contested", blocked["id"])) == 1
    (off,) = published.wait_for("request_personal_data_uncontested", blocked["id"])
    assert off["data"]["actor_authority"] == SZEGED.id
    assert len(published.of("request_personal_data_contested", blocked["id"])) == 1


def test_deleted_personal_data_cannot_be_contested(proxy, requests_container, frozen_clock):
    blocked = blocked_request(proxy, requests_container, frozen_clock)
    frozen_clock.advance(days=3 * 365)
    with entrypoint_hook(requests_container, "sweep_personal_data") as fire:
        fire()

    erased = refused(lambda: proxy.requests.contest_personal_data(ROMA_HANDLER, blocked["id"]))

    assert "personal_data.erased" in erased["text"]
