"""What each party sees of one request, field by field, as the service answers it (DOMAIN.md
section 4, "Visibility"): the monitoring view has no content; the full view without personal
data has the questions and answers but neither the subject nor the answers to questions
marked as personal data; the full view has everything. Coordinators see details only in a
referral, and only where their authority allows it."""

from __future__ import annotations

import pytest

from services.common.actor import Right
from tests.requests import network
from tests.requests.exchange_harness import (
    BUDAPEST_HANDLER,
    ROMA_HANDLER,
    act,
    new_request,
    refused,
)
from tests.requests.network import BUDAPEST, HU_COORDINATOR, IT_COORDINATOR, ROMA, SZEGED


@pytest.fixture
def requests_config(network_requests_config) -> dict:
    return network_requests_config


MONITORING_ONLY = {"questions", "comments", "history", "subject", "description", "reply_date"}


@pytest.fixture
def answered(proxy) -> dict:
    """A request answered in full: 1.1 (yes/no) and 3.2 (personal data: measures imposed)."""
    draft = new_request(proxy, questions=["1.1", "3.2"])
    accepted = act(proxy, BUDAPEST_HANDLER, act(proxy, ROMA_HANDLER, draft, "send"), "accept")
    saved = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, draft["id"],
        {"version": accepted["version"], "answers": [
            {"question": "1.1", "value": True},
            {"question": "3.2", "value": ["administrative_fine"]},
        ]},
    )  # fmt: skip
    return act(proxy, BUDAPEST_HANDLER, saved, "send_full_reply")


def seen_by(proxy, actor: dict, request_id: str) -> dict:
    return proxy.requests.request(actor, request_id, {})


def answers_by_number(view: dict) -> dict:
    return {q["number"]: q["answers"][0] for q in view["questions"]}


PARTIES = {
    "requesting handler": (network.handler(ROMA), "full"),
    "responding handler": (network.handler(BUDAPEST), "full"),
    "requesting allocator": (network.user(ROMA, "alloc", Right.ALLOCATOR),
                             "full_without_personal_data"),
    "responding allocator": (network.user(BUDAPEST, "alloc", Right.ALLOCATOR),
                             "full_without_personal_data"),
    "requesting basic user": (network.user(ROMA, "basic", Right.BASIC_USER), "monitoring"),
    "responding LDA": (network.user(BUDAPEST, "lda", Right.LOCAL_DATA_ADMINISTRATOR, area=None),
                       "monitoring"),
    "requesting coordinator": (network.handler(IT_COORDINATOR), "monitoring"),
    "responding coordinator": (network.handler(HU_COORDINATOR), "monitoring"),
}  # fmt: skip


@pytest.mark.parametrize("party", PARTIES)
def test_each_party_sees_the_fields_of_its_view(proxy, answered, party):
    actor, view = PARTIES[party]
    shown = seen_by(proxy, actor, answered["id"])

    assert shown["view"] == view
    assert shown["status"] == "answered"
    assert shown["requester"]["authority_id"] == ROMA.id
    if view == "monitoring":
        assert MONITORING_ONLY.isdisjoint(shown)
        return
    answers = answers_by_number(shown)
    assert answers["1.1"]["value"] is True
    if view == "full":
        assert shown["subject"]["full_name"] == "Mario Rossi"
        assert answers["3.2"] == {**answers["3.2"], "value": ["administrative_fine"],
                                  "withheld": False}  # fmt: skip
    else:
        assert shown["subject"] is None
        assert shown["subject_withheld"] is True
        assert answers["3.2"]["value"] is None
        assert answers["3.2"]["withheld"] is True


def test_an_outsider_is_told_the_request_does_not_exist(proxy, answered):
    found = refused(lambda: seen_by(proxy, network.handler(SZEGED), answered["id"]))
    assert "request.unknown" in found["text"]


def test_in_a_referral_a_coordinator_sees_details_only_where_its_authority_allows(proxy, answered):
    referred = act(proxy, ROMA_HANDLER, answered, "refer", reason="Risposta incompleta.")
    assert referred["status"] == "referred"

    hungarian = seen_by(proxy, network.handler(HU_COORDINATOR), answered["id"])
    italian = seen_by(proxy, network.handler(IT_COORDINATOR), answered["id"])

    assert hungarian["view"] == "full_without_personal_data"  # Budapest allows it
    assert answers_by_number(hungarian)["3.2"]["withheld"] is True
    assert "give_referral_opinion" in hungarian["actions"]
    assert italian["view"] == "monitoring"  # Roma does not
    assert "give_referral_opinion" in italian["actions"]
