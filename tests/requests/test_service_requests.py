"""Requests through the broker: a request created from the shipped Services question set, sent,
accepted, answered partly and fully with structured answers and "cannot be provided", asked
for more, closed; each step stored, in the history, published as its event, and refused with
a clear error when it is out of order, from the wrong party or on a stale version."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.common.envelope import make_envelope
from services.requests.models import Request
from tests.events import WAIT_SECONDS, EventLog, listener_for, listening
from tests.requests import network, statistics_world
from tests.requests.exchange_harness import (
    BUDAPEST_HANDLER,
    ROMA_HANDLER,
    act,
    new_request,
    refused,
)
from tests.requests.network import BUDAPEST, DEBRECEN, HU_COORDINATOR, ROMA, SZEGED

REQUEST_EVENTS = (
    "request_created", "request_sent", "request_accepted", "reply_sent",
    "additional_information_requested", "request_closed", "request_forwarded", "request_split",
    "request_withdrawn", "comment_added", "additional_information_declined",
)  # fmt: skip


@pytest.fixture
def requests_config(network_requests_config) -> dict:
    return network_requests_config


@pytest.fixture
def request_events(request, container_factory, requests_config) -> EventLog:
    return listening(
        container_factory,
        requests_config,
        lambda name, log: listener_for("requests", REQUEST_EVENTS, name, log),
        f"request_events_{request.node.name[:40]}",
    )


def test_a_request_goes_from_draft_to_closed_with_structured_answers(request_events, proxy):
    draft = new_request(proxy)
    assert draft["status"] == "draft"
    assert [q["number"] for q in draft["questions"]] == ["1.1", "1.4", "2.4", "3.2"]
    assert draft["subject"]["full_name"] == "Mario Rossi"
    assert draft["requester"]["coordinator_id"] == network.IT_COORDINATOR.id

    sent = act(proxy, ROMA_HANDLER, draft, "send")
    assert sent["status"] == "sent"

    # Before accepting, the responder sees the content but not the subject's personal data.
    seen = proxy.requests.request(BUDAPEST_HANDLER, sent["id"], {})
    assert seen["view"] == "full_without_personal_data"
    assert seen["requester"]["languages"] == ["it", "en"]  # to write for it
    assert seen["subject"] is None
    assert seen["subject_withheld"] is True
    assert seen["questions"][0]["text"]["text"]  # in Hungarian, or the source marked
    assert "accept" in seen["actions"]

    accepted = act(proxy, BUDAPEST_HANDLER, seen, "accept")
    assert accepted["subject"]["full_name"] == "Mario Rossi"

    drafted = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, sent["id"],
        {"version": accepted["version"], "answers": [
            {"question": "1.1", "value": True},
            {"question": "1.4", "value": "private_limited_company"},
        ]},
    )  # fmt: skip
    # The requester does not see the reply draft.
    mine = proxy.requests.request(ROMA_HANDLER, sent["id"], {})
    assert all(not q["answers"] for q in mine["questions"])

    partial = act(proxy, BUDAPEST_HANDLER, drafted, "send_partial_reply")
    assert partial["status"] == "partially_answered"

    drafted = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, sent["id"],
        {"version": partial["version"], "answers": [
            {"question": "2.4", "value": "Costruzioni edili.", "language": "it"},
            {"question": "3.2", "cannot_provide": "legal_restriction",
             "text": "Adatvédelmi okokból.", "language": "hu"},
        ]},
    )  # fmt: skip
    answered = act(proxy, BUDAPEST_HANDLER, drafted, "send_full_reply")
    assert answered["status"] == "answered"

    mine = proxy.requests.request(ROMA_HANDLER, sent["id"], {"language": "it"})
    by_number = {q["number"]: q for q in mine["questions"]}
    assert by_number["1.1"]["answers"][0]["value"] is True
    assert by_number["1.4"]["answers"][0]["value"] == "private_limited_company"
    reason = by_number["3.2"]["answers"][0]["cannot_provide"]
    assert reason["key"] == "legal_restriction"
    assert reason["text"]
    assert by_number["3.2"]["answers"][0]["text"] == {
        "text": "Adatvédelmi okokból.",
        "language": "hu",
    }

    more = act(proxy, ROMA_HANDLER, mine, "request_additional_information",
               questions=["2.4"], justification="Quali attività esattamente?")  # fmt: skip
    assert more["status"] == "additional_information_requested"
    assert more["additional_information_questions"] == ["2.4"]
    declined = act(proxy, BUDAPEST_HANDLER, more, "decline_additional_information",
                   reason_key="already_provided")  # fmt: skip
    assert declined["status"] == "answered"
    closed = act(proxy, ROMA_HANDLER, declined, "close")
    assert closed["status"] == "closed"
    assert [entry["action"] for entry in closed["history"]] == [
        "create_draft", "send", "accept", "save_reply_draft", "send_partial_reply",
        "save_reply_draft", "send_full_reply", "request_additional_information",
        "decline_additional_information", "close",
    ]  # fmt: skip
    assert closed["history"][7]["text"]["text"] == "Quali attività esattamente?"

    for name, count in (("request_created", 1), ("request_sent", 1), ("request_accepted", 1),
                        ("reply_sent", 2), ("additional_information_requested", 1),
                        ("additional_information_declined", 1), ("request_closed", 1)):  # fmt: skip
        for event in request_events.wait_for(name, sent["id"], count):
            assert event["data"]["requesting_authority"] == ROMA.id
            assert "Rossi" not in json.dumps(event["data"]), name
    (closing,) = request_events.of("request_closed", sent["id"])
    assert closing["data"]["from_status"] == "answered"


def test_a_sent_reply_cannot_be_changed_and_a_stale_save_names_who_saved_first(proxy):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    accepted = act(proxy, BUDAPEST_HANDLER, sent, "accept")
    colleague = network.handler(BUDAPEST, "colleague")
    first = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, sent["id"],
        {"version": accepted["version"], "answers": [{"question": "1.1", "value": True}]},
    )  # fmt: skip
    late = refused(lambda: proxy.requests.save_reply_draft(
        colleague, sent["id"],
        {"version": accepted["version"], "answers": [{"question": "1.1", "value": False}]},
    ))  # fmt: skip
    assert late["type"] == "StaleVersion"
    assert BUDAPEST_HANDLER["user_id"] in late["text"]
    assert first["updated_by_username"] == BUDAPEST_HANDLER["username"]

    replied = act(proxy, BUDAPEST_HANDLER, first, "send_partial_reply", questions=["1.1"])
    again = refused(lambda: proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, sent["id"],
        {"version": replied["version"], "answers": [{"question": "1.1", "value": False}]},
    ))  # fmt: skip
    assert "request.answer_already_sent" in again["text"]
    assert "'1.1'" in again["text"]
    shown = proxy.requests.request(ROMA_HANDLER, sent["id"], {})
    (answer,) = shown["questions"][0]["answers"]
    assert answer["value"] is True


def test_hostile_input_is_refused_and_changes_nothing(proxy):
    draft = new_request(proxy)
    cases = [
        (lambda: new_request(proxy, questions=["9.9"]), "No question 9.9"),
        (lambda: new_request(proxy, responder_id=SZEGED.id), "request.authority_not_in_area"),
        (lambda: new_request(proxy, pq_type="general"), "Only Professional Qualifications"),
        (lambda: act(proxy, BUDAPEST_HANDLER, draft, "accept"), "request.unknown"),
        (lambda: act(proxy, ROMA_HANDLER, draft, "close"), "request.wrong_status"),
        (lambda: act(proxy, ROMA_HANDLER, draft, "fly"), "request.unknown_action"),
        (lambda: proxy.requests.act_on_request(ROMA_HANDLER, draft["id"], "send",
                                                {"version": draft["version"] + 5}),
         "StaleVersion"),
    ]  # fmt: skip
    for call, expected in cases:
        found = refused(call)
        assert expected in found["text"] or expected == found["type"], (expected, found)
    sent = act(proxy, ROMA_HANDLER, draft, "send")
    accepted = act(proxy, BUDAPEST_HANDLER, sent, "accept")
    wrong = refused(lambda: proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, sent["id"], {"version": accepted["version"], "answers": [
            {"question": "1.1", "value": "perhaps"},
            {"question": "1.4", "value": "castle"},
            {"question": "2.1", "value": True},
            {"question": "3.2", "cannot_provide": "because"},
        ]},
    ))  # fmt: skip
    for part in ("answers.0.value", "answers.1.value", "answers.2.question",
                 "answers.3.cannot_provide"):  # fmt: skip
        assert part in wrong["text"]
    after = proxy.requests.request(BUDAPEST_HANDLER, sent["id"], {})
    assert after["version"] == accepted["version"]
    assert all(not q["answers"] for q in after["questions"])


def test_forwarding_moves_the_request_and_the_forwarder_loses_access(proxy):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    outcome = act(proxy, BUDAPEST_HANDLER, sent, "forward", to=DEBRECEN.id)
    assert outcome == {"request_id": sent["id"], "status": "sent", "request": None,
                       "visible": False, "version": sent["version"] + 1}  # fmt: skip
    debrecen_allocator = network.user(DEBRECEN, "allocator", network.Right.ALLOCATOR)
    forwarded = proxy.requests.request(debrecen_allocator, sent["id"], {})
    assert forwarded["responder"]["authority_id"] == DEBRECEN.id
    assert (
        "request.unknown"
        in refused(lambda: proxy.requests.request(BUDAPEST_HANDLER, sent["id"], {}))["text"]
    )


def test_an_action_asked_without_a_view_answers_the_outcome_alone(proxy):
    draft = new_request(proxy)
    outcome = proxy.requests.act_on_request(
        ROMA_HANDLER, draft["id"], "send", {"version": draft["version"]}, view=False
    )
    not_a_flag = refused(lambda: proxy.requests.act_on_request(
        ROMA_HANDLER, draft["id"], "close", {"version": outcome["version"]}, view="no"
    ))  # fmt: skip

    assert outcome == {"request_id": draft["id"], "status": "sent", "request": None,
                       "visible": True, "version": draft["version"] + 1}  # fmt: skip
    assert proxy.requests.request(ROMA_HANDLER, draft["id"], {})["status"] == "sent"
    assert "view" in not_a_flag["text"]


def test_a_change_asked_without_a_view_answers_the_request_s_reference(proxy):
    """Create, edit, copy and save a reply draft with ``view=False``: the id, status and
    version to go on with; what was stored is what a later read shows."""
    data = {"set_key": "services", "questions": ["1.1"], "responder_id": BUDAPEST.id,
            "coordinator_id": network.IT_COORDINATOR.id,
            "subject": {"full_name": "Mario Rossi"}}  # fmt: skip
    created = proxy.requests.create_request(ROMA_HANDLER, data, view=False)
    edited = proxy.requests.edit_request_draft(
        ROMA_HANDLER, created["id"],
        {"version": created["version"], "questions": ["1.1", "1.4"]}, view=False,
    )  # fmt: skip
    copied = proxy.requests.copy_request(
        ROMA_HANDLER, created["id"], {"elements": ["questions"]}, view=False
    )
    sent = act(proxy, ROMA_HANDLER, {"id": created["id"], "version": edited["version"]}, "send")
    accepted = act(proxy, BUDAPEST_HANDLER, sent, "accept")
    saved = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, sent["id"],
        {"version": accepted["version"], "answers": [{"question": "1.1", "value": True}]},
        view=False,
    )  # fmt: skip
    not_a_flag = refused(lambda: proxy.requests.create_request(ROMA_HANDLER, data, view=1))

    assert created == {"id": created["id"], "status": "draft", "version": created["version"]}
    assert edited == {"id": created["id"], "status": "draft", "version": created["version"] + 1}
    assert copied["id"] != created["id"]
    assert copied["status"] == "draft"
    assert set(copied) == {"id", "status", "version"}
    assert saved == {"id": sent["id"], "status": "accepted", "version": accepted["version"] + 1}
    shown = proxy.requests.request(BUDAPEST_HANDLER, sent["id"], {})
    assert [q["number"] for q in shown["questions"]] == ["1.1", "1.4"]
    assert shown["version"] == saved["version"]
    assert [answer["value"] for answer in shown["questions"][0]["answers"]] == [True]
    copy_shown = proxy.requests.request(ROMA_HANDLER, copied["id"], {})
    assert copy_shown["version"] == copied["version"]
    assert "view" in not_a_flag["text"]


def test_a_split_keeps_some_questions_and_sends_the_others_as_a_linked_request(
    proxy, requests_config
):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    split = act(proxy, BUDAPEST_HANDLER, sent, "split", questions=["3.2"], to=DEBRECEN.id)
    assert split["status"] == "accepted"
    assert [q["number"] for q in split["questions"]] == ["1.1", "1.4", "2.4"]
    (linked_id,) = split["linked_requests"]
    debrecen_allocator = network.user(DEBRECEN, "allocator", network.Right.ALLOCATOR)
    linked = proxy.requests.request(debrecen_allocator, linked_id, {})
    assert linked["linked_from"] == sent["id"]
    assert [q["number"] for q in linked["questions"]] == ["3.2"]
    assert linked["status"] == "sent"
    # the question moved from one request to the other in the monthly counters too
    statistics_world.check_counters_agree(requests_config["DB_URIS"]["requests"])


def test_the_lists_show_each_authority_its_side_with_cursor_pages(proxy):
    created = [new_request(proxy) for _ in range(3)]
    for found in created[:2]:
        act(proxy, ROMA_HANDLER, found, "send")
    outgoing = proxy.requests.list_requests(ROMA_HANDLER, {"box": "outgoing", "limit": 2})
    assert len(outgoing["items"]) == 2
    assert outgoing["next_cursor"]
    rest = proxy.requests.list_requests(
        ROMA_HANDLER, {"box": "outgoing", "limit": 2, "cursor": outgoing["next_cursor"]}
    )
    ids = [item["id"] for item in outgoing["items"] + rest["items"]]
    assert sorted(ids) == sorted(found["id"] for found in created)
    assert rest["next_cursor"] is None

    incoming = proxy.requests.list_requests(BUDAPEST_HANDLER, {"box": "incoming"})
    assert {item["id"] for item in incoming["items"]} == {found["id"] for found in created[:2]}
    assert all(item["subject_name"] is None for item in incoming["items"])
    todo = proxy.requests.list_requests(BUDAPEST_HANDLER, {"box": "actions"})
    assert len(todo["items"]) == 2
    by_subject = proxy.requests.list_requests(ROMA_HANDLER, {"subject": "ROSSI"})
    assert len(by_subject["items"]) == 3
    assert proxy.requests.list_requests(ROMA_HANDLER, {"subject": "bianchi"})["items"] == []
    assert proxy.requests.list_requests(BUDAPEST_HANDLER, {"subject": "rossi"})["items"] == []
    no_word = refused(lambda: proxy.requests.list_requests(ROMA_HANDLER, {"subject": "--"}))
    assert no_word["type"] == "ValidationFailed"
    assert "letter or digit" in no_word["text"]
    asking_legal_form = new_request(proxy, questions=["1.4"])
    by_question = proxy.requests.list_requests(ROMA_HANDLER, {"question": "legal_form"})
    assert asking_legal_form["id"] in {item["id"] for item in by_question["items"]}
    only_1_1 = new_request(proxy, questions=["1.1"])
    assert only_1_1["id"] not in {item["id"] for item in by_question["items"]}
    drafts = proxy.requests.list_requests(ROMA_HANDLER, {"status": "draft,withdrawn"})
    assert {item["status"] for item in drafts["items"]} == {"draft"}
    later = proxy.requests.list_requests(
        ROMA_HANDLER, {"created_from": "2030-01-01T00:00:00+00:00"}
    )
    assert later["items"] == []
    coordinated = proxy.requests.list_requests(
        network.handler(HU_COORDINATOR), {"box": "coordinated"}
    )
    assert {item["id"] for item in coordinated["items"]} == {f["id"] for f in created[:2]}
    assert all(item["view"] == "monitoring" for item in coordinated["items"])


def test_a_colleague_opening_a_request_is_told_who_works_on_it_since_when(proxy, frozen_clock):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    assert proxy.requests.start_editing(BUDAPEST_HANDLER, sent["id"]) == {"others": []}
    colleague = network.handler(BUDAPEST, "colleague")
    (other,) = proxy.requests.start_editing(colleague, sent["id"])["others"]
    assert other["username"] == BUDAPEST_HANDLER["username"]
    assert other["since"] == frozen_clock().isoformat()
    seen = proxy.requests.request(colleague, sent["id"], {})
    assert [item["username"] for item in seen["being_edited_by"]] == [BUDAPEST_HANDLER["username"]]
    proxy.requests.stop_editing(BUDAPEST_HANDLER, sent["id"])
    assert proxy.requests.request(colleague, sent["id"], {})["being_edited_by"] == []


def test_comments_on_the_request_and_on_a_question(proxy):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    comment = proxy.requests.add_comment(
        BUDAPEST_HANDLER, sent["id"], {"text": "Kérem, pontosítsa.", "question": "1.4"}
    )
    assert comment["question"] == "1.4"
    assert comment["side"] == "responder"
    assert comment["text"] == {"text": "Kérem, pontosítsa.", "language": "hu"}
    shown = proxy.requests.request(ROMA_HANDLER, sent["id"], {})
    assert [c["id"] for c in shown["comments"]] == [comment["id"]]
    basic = network.user(ROMA, "basic", network.Right.BASIC_USER)
    assert (
        "request.comment_not_allowed"
        in refused(lambda: proxy.requests.add_comment(basic, sent["id"], {"text": "x"}))["text"]
    )


@pytest.fixture
def announce_user(requests_container, requests_config, frozen_clock):
    """Publish identity's ``user_created`` for a test user and wait until requests knows it."""

    def publish(actor: dict) -> None:
        data = {"user_id": actor["user_id"], "authority_id": actor["authority_id"],
                "member_state": actor["member_state"], "grants": actor["grants"]}  # fmt: skip
        envelope = make_envelope("identity", "user_created", actor["user_id"], data,
                                 frozen_clock())  # fmt: skip
        with entrypoint_waiter(
            requests_container, "on_user_changed", timeout=WAIT_SECONDS,
            callback=lambda worker_ctx, result, exc_info: worker_ctx.args[0] == envelope,
        ):  # fmt: skip
            event_dispatcher(requests_config)("identity", "user_created", envelope)

    return publish


def test_with_allocation_only_the_allocated_request_handler_acts(proxy, announce_user):
    allocator = network.user(DEBRECEN, "allocator", network.Right.ALLOCATOR)
    chosen, colleague = network.handler(DEBRECEN, "chosen"), network.handler(DEBRECEN, "other")
    roma_handler = network.handler(ROMA, "elsewhere")
    for actor in (chosen, roma_handler):
        announce_user(actor)
    sent = act(proxy, ROMA_HANDLER, new_request(proxy, responder_id=DEBRECEN.id), "send")
    before = refused(lambda: act(proxy, chosen, sent, "accept"))

    strangers = [roma_handler["user_id"], colleague["user_id"]]
    wrong = refused(lambda: act(proxy, allocator, sent, "allocate", handlers=strangers))
    allocated = act(proxy, allocator, sent, "allocate", handlers=[chosen["user_id"]])
    not_mine = refused(lambda: act(proxy, colleague, allocated, "accept"))
    accepted = act(proxy, chosen, allocated, "accept")

    assert "request.not_allocated" in before["text"]
    assert roma_handler["user_id"] in wrong["text"]
    assert colleague["user_id"] in wrong["text"]
    assert allocated["allocated_handlers"] == [chosen["user_id"]]
    assert "request.not_allocated" in not_mine["text"]
    assert accepted["status"] == "accepted"


def test_copy_takes_the_chosen_elements_into_a_new_draft(proxy):
    original = new_request(proxy)
    copied = proxy.requests.copy_request(
        ROMA_HANDLER, original["id"], {"elements": ["questions", "responder"]}
    )
    assert copied["id"] != original["id"]
    assert copied["status"] == "draft"
    assert [q["number"] for q in copied["questions"]] == ["1.1", "1.4", "2.4", "3.2"]
    assert copied["responder"]["authority_id"] == BUDAPEST.id
    assert copied["subject"] == {}
    assert copied["description"] is None
    outsider = refused(lambda: proxy.requests.copy_request(
        BUDAPEST_HANDLER, original["id"], {"elements": ["questions"]}))  # fmt: skip
    assert "request.unknown" in outsider["text"]


def test_after_closure_each_user_gives_feedback_once(proxy):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy, questions=["1.1"]), "send")
    accepted = act(proxy, BUDAPEST_HANDLER, sent, "accept")
    saved = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, sent["id"],
        {"version": accepted["version"], "answers": [{"question": "1.1", "value": True}]},
    )  # fmt: skip
    closed = act(proxy, ROMA_HANDLER, act(proxy, BUDAPEST_HANDLER, saved, "send_full_reply"),
                 "close")  # fmt: skip
    rated = act(proxy, ROMA_HANDLER, closed, "give_feedback", feedback="Risposta rapida.",
                rating=5)  # fmt: skip
    again = refused(lambda: act(proxy, ROMA_HANDLER, rated, "give_feedback", feedback="Ancora."))
    answered = act(proxy, BUDAPEST_HANDLER, rated, "give_feedback", feedback="Világos kérdések.")

    last = answered["history"][-2:]
    assert [entry["action"] for entry in last] == ["give_feedback", "give_feedback"]
    assert last[0]["data"] == {"rating": 5}
    assert last[0]["text"] == {"text": "Risposta rapida.", "language": "it"}
    assert "request.feedback_already_given" in again["text"]


def test_where_several_coordinators_are_linked_the_handler_chooses_its_request_coordinator(
    proxy,
):
    lazio = network.LAZIO_COORDINATOR.id
    chosen = new_request(proxy, coordinator_id=lazio)
    unchosen = refused(lambda: new_request(proxy, coordinator_id=None))
    stranger = refused(lambda: new_request(proxy, coordinator_id=network.HU_COORDINATOR.id))

    assert chosen["requester"]["coordinator_id"] == lazio
    assert "choose one of" in unchosen["text"]
    assert lazio in unchosen["text"]
    assert "Not a request coordinator linked" in stranger["text"]


def test_forwarding_after_acceptance_is_a_setting_of_the_area_for_requests_created_after(proxy):
    before = act(proxy, BUDAPEST_HANDLER, act(proxy, ROMA_HANDLER, new_request(proxy), "send"),
                 "accept")  # fmt: skip
    administrator = network.user(ROMA, "commission", network.Right.COMMISSION_ADMINISTRATOR)
    refused_to_handler = refused(lambda: proxy.requests.change_area_settings(
        ROMA_HANDLER, "services", {"forwarding_after_acceptance": True}))  # fmt: skip
    settings = proxy.requests.change_area_settings(
        administrator, "services", {"forwarding_after_acceptance": True}
    )
    off_at_an_old_version = {"forwarding_after_acceptance": False, "version": 7}
    stale = refused(lambda: proxy.requests.change_area_settings(
        administrator, "services", off_at_an_old_version))  # fmt: skip
    after = act(proxy, BUDAPEST_HANDLER, act(proxy, ROMA_HANDLER, new_request(proxy), "send"),
                "accept")  # fmt: skip

    assert "error.right_missing" in refused_to_handler["text"]
    assert settings["version"] == 1
    assert settings["forwarding_after_acceptance"] is True
    assert stale["type"] == "StaleVersion"
    assert "forward" not in before["actions"]
    assert "forward" in after["actions"]
    forwarded = act(proxy, BUDAPEST_HANDLER, after, "forward", to=DEBRECEN.id)
    assert forwarded["status"] == "sent"
    assert proxy.requests.list_area_settings(ROMA_HANDLER)["items"][0]["area"] == "services"


def test_an_areas_urgency_retention_and_pilot_settings_keep_their_value_when_left_out(proxy):
    administrator = network.user(ROMA, "commission", network.Right.COMMISSION_ADMINISTRATOR)
    first = proxy.requests.change_area_settings(
        administrator, "posting_of_workers", {"forwarding_after_acceptance": False}
    )
    changed = proxy.requests.change_area_settings(
        administrator, "posting_of_workers",
        {"forwarding_after_acceptance": False, "blocking_months": 18, "pilot": True,
         "version": first["version"]},
    )  # fmt: skip
    kept = proxy.requests.change_area_settings(
        administrator, "posting_of_workers",
        {"forwarding_after_acceptance": True, "acceptance_days": 10, "version": changed["version"]},
    )  # fmt: skip
    nineteen = {"forwarding_after_acceptance": True, "blocking_months": 19, "version": 3}
    too_long = refused(lambda: proxy.requests.change_area_settings(
        administrator, "posting_of_workers", nineteen))  # fmt: skip

    assert (first["acceptance_days"], first["blocking_months"], first["pilot"]) == (7, 6, False)
    assert (changed["blocking_months"], changed["pilot"]) == (18, True)
    assert (kept["acceptance_days"], kept["blocking_months"], kept["pilot"]) == (10, 18, True)
    assert too_long["type"] == "ValidationFailed"


def test_a_request_keeps_its_time_line_for_the_statistics(proxy, requests_config, frozen_clock):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    frozen_clock.advance(days=3)
    accepted = act(proxy, BUDAPEST_HANDLER, sent, "accept")
    engine = create_engine(requests_config["DB_URIS"]["requests"])
    with Session(engine) as session:
        row = session.get(Request, accepted["id"])
        assert (row.requester_state, row.responder_state) == ("IT", "HU")
        assert row.accepted_at - row.sent_at == timedelta(days=3)
        assert row.answered_at is None
    engine.dispose()
