"""The retention of a request's personal data on a moved clock (DOMAIN.md section 8): readable
until 6 months after closure (18 where the area says so), then blocked: hidden from every
view, list row, search, copy and translation, kept as proof; deleted 3 years after closure with
its free texts and attachment files, the audit trail kept. A withdrawal is a closure too. Open
requests without an action for 90 days are reported to their coordinators, once per period."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from nameko.testing.services import entrypoint_hook

from services.common.actor import Right
from services.requests.schemas import EVENTS
from tests.events import EventLog, listener_for, listening
from tests.requests import network
from tests.requests.exchange_harness import (
    BUDAPEST_HANDLER,
    ROMA_HANDLER,
    SUBJECT,
    act,
    new_request,
    refused,
)
from tests.requests.network import HU_COORDINATOR, IT_COORDINATOR, LAZIO_COORDINATOR, ROMA, SZEGED
from tests.requests.sample_files import pdf

# Every event of the service has a queue here: an event no queue takes waits in the outbox and
# is tried again on the service's clock, so a clock moved by months would make them all due at
# once, and their retries would keep the service's one SQLite connection busy for seconds.
EVERY_EVENT = tuple(sorted(EVENTS))
ADMINISTRATOR = network.user(SZEGED, "commission", Right.COMMISSION_ADMINISTRATOR, area=None)


@pytest.fixture
def requests_config(network_requests_config, tmp_path) -> dict:
    return {**network_requests_config, "ATTACHMENTS": {"DIR": str(tmp_path / "attachments")}}


@pytest.fixture(autouse=True)
def retention_events(request, container_factory, requests_config) -> EventLog:
    return listening(
        container_factory,
        requests_config,
        lambda name, log: listener_for("requests", EVERY_EVENT, name, log),
        f"retention_events_{request.node.name[:40]}",
    )


@pytest.fixture
def sweep(requests_container, retention_events):
    def run() -> None:
        with entrypoint_hook(requests_container, "sweep_personal_data") as fire:
            fire()

    return run


def closed_request(proxy) -> dict:
    """Roma's request to Budapest, answered (3.2 is personal data, 2.4 a free text), with a
    comment and an attachment, closed now."""
    draft = new_request(proxy)
    accepted = act(proxy, BUDAPEST_HANDLER, act(proxy, ROMA_HANDLER, draft, "send"), "accept")
    proxy.requests.add_attachment(BUDAPEST_HANDLER, draft["id"], {
        "name": "Mario Rossi - estratto.pdf", "language": "it", "media_type": "application/pdf",
        "content": base64.b64encode(pdf("Mario Rossi")).decode(),
    })  # fmt: skip
    proxy.requests.add_comment(
        BUDAPEST_HANDLER,
        draft["id"],
        {"text": "Il sig. Rossi ha chiuso la ditta.", "language": "it"},
    )
    saved = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, draft["id"],
        {"version": accepted["version"], "answers": [
            {"question": "1.1", "value": True},
            {"question": "1.4", "value": "private_limited_company"},
            {"question": "2.4", "value": "Costruzioni edili di Mario Rossi.", "language": "it"},
            {"question": "3.2", "value": ["administrative_fine"], "text": "Nel 2024."},
        ]},
    )  # fmt: skip
    answered = act(proxy, BUDAPEST_HANDLER, saved, "send_full_reply")
    return act(proxy, ROMA_HANDLER, answered, "close")


def answers_by_number(view: dict) -> dict:
    return {q["number"]: q["answers"][0] for q in view["questions"]}


def found_by_subject(proxy, actor: dict = ROMA_HANDLER) -> list[str]:
    listed = proxy.requests.list_requests(actor, {"subject": "rossi"})
    return [item["id"] for item in listed["items"]]


def operations(proxy, request_id: str) -> list[tuple[str, str | None]]:
    trail = proxy.requests.personal_data_audit(ADMINISTRATOR, request_id)
    return [(item["operation"], item["username"]) for item in trail["items"]]


def stored_files(config: dict) -> list[Path]:
    return [path for path in Path(config["ATTACHMENTS"]["DIR"]).rglob("*") if path.is_file()]


def test_a_closed_requests_personal_data_is_readable_for_six_months_then_blocked_for_all(
    proxy, sweep, frozen_clock, retention_events
):
    closed = closed_request(proxy)
    frozen_clock.advance(days=150)
    sweep()
    before = proxy.requests.request(ROMA_HANDLER, closed["id"], {})
    found_before = found_by_subject(proxy)

    frozen_clock.advance(days=32)  # six months and a day after closure
    sweep()
    sweep()

    assert before["subject"]["full_name"] == "Mario Rossi"
    assert before["blocked_at"] is None
    assert found_before == [closed["id"]]
    for reader in (ROMA_HANDLER, BUDAPEST_HANDLER):
        shown = proxy.requests.request(reader, closed["id"], {})
        assert shown["view"] == "full_without_personal_data"
        assert shown["blocked_at"] is not None
        assert shown["subject"] is None
        assert shown["subject_withheld"] is True
        assert answers_by_number(shown)["3.2"]["withheld"] is True
        assert answers_by_number(shown)["1.1"]["value"] is True  # the exchange's proof stays
        assert shown["attachments"] == []
        assert proxy.requests.list_attachments(reader, closed["id"]) == {"items": []}
    assert found_by_subject(proxy) == []
    (row,) = proxy.requests.list_requests(ROMA_HANDLER, {"box": "outgoing"})["items"]
    assert row["subject_name"] is None
    assert row["blocked_at"] is not None
    copied = refused(lambda: proxy.requests.copy_request(
        ROMA_HANDLER, closed["id"], {"elements": ["questions", "subject"]}))  # fmt: skip
    assert "personal_data.blocked" in copied["text"]
    translated = refused(lambda: proxy.requests.translate_request_text(
        ROMA_HANDLER, closed["id"], {"text": "description", "target": "en"}))  # fmt: skip
    assert "personal_data.blocked" in translated["text"]
    assert proxy.requests.copy_request(ROMA_HANDLER, closed["id"], {"elements": ["questions"]})
    assert operations(proxy, closed["id"]).count(("blocked", None)) == 1
    (event,) = retention_events.wait_for("request_personal_data_blocked", closed["id"])
    assert event["data"]["closed_at"] == closed["closed_at"]
    assert event["data"]["erasure_due"].startswith("2029-01-05")
    assert "Rossi" not in json.dumps(event["data"])


def test_an_area_keeping_personal_data_eighteen_months_blocks_it_later(proxy, sweep, frozen_clock):
    settings = {"forwarding_after_acceptance": False, "blocking_months": 18}
    proxy.requests.change_area_settings(ADMINISTRATOR, network.AREA, settings)
    closed = closed_request(proxy)

    frozen_clock.advance(days=200)
    sweep()
    after_seven_months = proxy.requests.request(ROMA_HANDLER, closed["id"], {})
    frozen_clock.advance(days=350)  # eighteen months and a few days after closure
    sweep()
    after_eighteen_months = proxy.requests.request(ROMA_HANDLER, closed["id"], {})

    assert after_seven_months["subject"]["full_name"] == "Mario Rossi"
    assert after_eighteen_months["subject"] is None
    assert after_eighteen_months["blocked_at"] is not None


def test_a_withdrawal_is_a_closure_and_an_open_request_is_never_blocked(proxy, sweep, frozen_clock):
    withdrawn = act(proxy, ROMA_HANDLER, act(proxy, ROMA_HANDLER, new_request(proxy), "send"),
                    "withdraw", reason="Non più necessaria.")  # fmt: skip
    still_open = act(proxy, ROMA_HANDLER, new_request(proxy), "send")

    frozen_clock.advance(days=190)
    sweep()

    assert withdrawn["status"] == "withdrawn"
    assert proxy.requests.request(ROMA_HANDLER, withdrawn["id"], {})["blocked_at"] is not None
    shown = proxy.requests.request(ROMA_HANDLER, still_open["id"], {})
    assert shown["blocked_at"] is None
    assert shown["subject"]["full_name"] == "Mario Rossi"
    assert found_by_subject(proxy) == [still_open["id"]]


def test_personal_data_is_deleted_three_years_after_closure_and_the_audit_trail_stays(
    proxy, sweep, frozen_clock, requests_config, retention_events
):
    closed = closed_request(proxy)
    frozen_clock.advance(days=190)
    sweep()
    files_while_blocked = stored_files(requests_config)

    frozen_clock.advance(days=3 * 365 - 190 + 1)
    sweep()
    sweep()
    shown = proxy.requests.request(ROMA_HANDLER, closed["id"], {})
    answers = answers_by_number(shown)
    report = proxy.requests.data_subject_report(
        ADMINISTRATOR, {"full_name": "Mario Rossi", "date_of_birth": "1980-05-03"}
    )

    assert len(files_while_blocked) == 1
    assert stored_files(requests_config) == []
    assert shown["erased_at"] is not None
    assert shown["description"] is None
    assert answers["1.1"]["value"] is True
    assert answers["1.4"]["value"] == "private_limited_company"
    assert answers["2.4"]["value"] is None  # a free text
    assert shown["comments"][0]["text"]["text"] == ""
    assert shown["comments"][0]["username"] == BUDAPEST_HANDLER["username"]
    assert [entry["action"] for entry in shown["history"]][-1] == "close"
    assert report["requests"] == []
    trail = operations(proxy, closed["id"])
    assert trail[0] == ("created", ROMA_HANDLER["username"])
    assert ("viewed", BUDAPEST_HANDLER["username"]) in trail
    assert trail[-2:] == [("blocked", None), ("erased", None)]
    (event,) = retention_events.wait_for("request_personal_data_erased", closed["id"])
    assert event["data"]["erased_at"].startswith("2029-01-0")
    assert "Rossi" not in json.dumps(event["data"])


def test_a_request_without_activity_is_reported_to_its_coordinators_once_per_period(
    proxy, sweep, frozen_clock, retention_events
):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    new_request(proxy)  # a draft is no procedure yet: never reported
    italian = network.handler(IT_COORDINATOR)

    frozen_clock.advance(days=89)
    sweep()
    early = proxy.requests.inactive_requests(italian, {})
    frozen_clock.advance(days=2)
    sweep()
    sweep()
    listed = {
        name: [item["id"] for item in proxy.requests.inactive_requests(actor, {})["items"]]
        for name, actor in (("it", italian), ("hu", network.handler(HU_COORDINATOR)),
                            ("lazio", network.handler(LAZIO_COORDINATOR)),
                            ("szeged", network.handler(SZEGED)))
    }  # fmt: skip
    (first,) = retention_events.wait_for("request_inactive_reported", sent["id"])
    accepted = act(proxy, BUDAPEST_HANDLER, sent, "accept")
    frozen_clock.advance(days=91)
    sweep()
    second = retention_events.wait_for("request_inactive_reported", sent["id"], 2)[1]
    (item,) = proxy.requests.inactive_requests(italian, {"days": 30})["items"]

    assert early["items"] == []
    assert listed == {"it": [sent["id"]], "hu": [sent["id"]], "lazio": [sent["id"]],
                      "szeged": []}  # fmt: skip
    assert first["data"]["inactive_days"] == 91
    assert sorted(first["data"]["coordinators"]) == sorted([IT_COORDINATOR.id, HU_COORDINATOR.id])
    assert second["data"]["status"] == "accepted"
    assert second["data"]["last_activity_at"] == accepted["updated_at"]
    assert item["inactive_days"] == 91
    assert item["reported_at"] is not None
    basic = refused(lambda: proxy.requests.inactive_requests(
        network.user(ROMA, "basic", Right.BASIC_USER), {}))  # fmt: skip
    assert "error.right_missing" in basic["text"]


def test_the_handlers_still_read_the_audit_trail_after_deletion_and_it_names_no_one_else(
    proxy, sweep, frozen_clock
):
    closed = closed_request(proxy)
    frozen_clock.advance(days=3 * 365 + 1)
    sweep()

    trail = proxy.requests.personal_data_audit(ROMA_HANDLER, closed["id"])

    assert trail["erased_at"] is not None
    assert trail["blocked_at"] <= trail["erased_at"]
    assert SUBJECT["full_name"] not in json.dumps(trail)
