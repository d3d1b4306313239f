"""The urgency list and the escalations, through the broker with a moved clock: a request not
accepted within its area's days, or whose reply deadline has passed, is on the urgency list of
its parties (the responder only, for an acceptance) and of their coordinators, with its reason
and the days it is late, and leaves it once accepted or answered; the timer escalates each one
once per reason and responder, as the event ``request_escalated`` naming the coordinators to
notify."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import Date, column, create_engine, insert, select, table
from sqlalchemy.orm import Session

from services.common.db import kernel_model
from services.common.migrations import upgrade
from services.common.models import OutboxMixin, UtcDateTime
from services.requests import models, urgency
from services.requests.models import Base, Request
from tests.events import EventLog, listener_for, listening
from tests.requests import network
from tests.requests.exchange_harness import BUDAPEST_HANDLER, ROMA_HANDLER, act, new_request
from tests.requests.network import DEBRECEN, HU_COORDINATOR, IT_COORDINATOR, SZEGED

HU_COORDINATOR_HANDLER = network.handler(HU_COORDINATOR)
IT_COORDINATOR_HANDLER = network.handler(IT_COORDINATOR)
DEBRECEN_HANDLER = network.handler(DEBRECEN)
# the columns without a default of the requests table at migration r0008, beside the dates
REQUEST_COLUMNS = ("id", "area", "set_key", "set_number", "status", "requester_id", "state",
                   "subject", "subject_search", "created_by", "version")  # fmt: skip


@pytest.fixture
def requests_config(network_requests_config) -> dict:
    """The tests fire the escalation timer themselves."""
    return {**network_requests_config, "REQUESTS": {"ESCALATION_SWEEP_SECONDS": 3600}}


@pytest.fixture
def escalations(request, container_factory, requests_config) -> EventLog:
    return listening(
        container_factory,
        requests_config,
        lambda name, log: listener_for("requests", ("request_escalated",), name, log),
        f"escalations_{request.node.name[:40]}",
    )


def test_the_partial_indexes_are_built_on_the_statuses_the_urgency_rules_ask_for():
    """Else PostgreSQL could no longer prove that an index covers the query, and would read
    the whole table without a word."""
    awaiting_reply = ", ".join(f"'{status.value}'" for status in urgency.AWAITING_REPLY)
    assert f"status IN ({awaiting_reply})" == models.AWAITING_REPLY
    assert models.AWAITING_ACCEPTANCE == "status = 'sent'"


def test_the_migration_fills_in_when_each_request_was_received_and_its_reply_deadline(tmp_path):
    """A request sent, then forwarded: received when forwarded; a reply date agreed counts,
    one only proposed counts as the requester asked."""
    uri = f"sqlite:///{tmp_path / 'requests.db'}"
    upgrade("requests", uri, "r0008")
    sent, forwarded = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 7, 9, tzinfo=UTC)
    dates = {"agreed": ("2026-02-20", "2026-02-10", True),
             "countered": ("2026-02-20", "2026-02-10", False)}  # fmt: skip
    requests = table("requests", *(column(name) for name in REQUEST_COLUMNS),
                     column("created_at", UtcDateTime), column("updated_at", UtcDateTime),
                     column("sent_at", UtcDateTime), column("reply_due", Date))  # fmt: skip
    history = table("request_history", column("request_id"), column("action"),
                    column("status"), column("at", UtcDateTime), column("data"))  # fmt: skip
    engine = create_engine(uri)
    with engine.begin() as connection:
        for request_id, (day, requested, agreed) in dates.items():
            state = {"reply_date": {"date": day, "proposed_by": "responder",
                                    "requested": requested, "agreed": agreed}}  # fmt: skip
            connection.execute(insert(requests).values(
                id=request_id, area="services", set_key="services", set_number=1,
                status="accepted", requester_id="roma", state=json.dumps(state), subject="{}",
                subject_search="", created_by="someone", version=1, created_at=sent,
                updated_at=sent, sent_at=sent, reply_due=date.fromisoformat(day),
            ))  # fmt: skip
        connection.execute(
            insert(history).values(
                request_id="countered", action="forward", status="sent", at=forwarded, data="{}"
            )
        )
    engine.dispose()

    upgrade("requests", uri)

    engine = create_engine(uri)
    with Session(engine) as session:
        found = {row.id: (row.received_at, row.reply_deadline)
                 for row in session.scalars(select(Request))}  # fmt: skip
    engine.dispose()
    assert found == {"agreed": (sent, date(2026, 2, 20)),
                     "countered": (forwarded, date(2026, 2, 10))}  # fmt: skip


def urgent(proxy, actor: dict, **query) -> dict[str, dict]:
    """The actor's urgency list, by request id."""
    found = proxy.requests.list_requests(actor, {"box": "urgent", **query})
    return {item["id"]: item for item in found["items"]}


def escalate(container) -> None:
    with entrypoint_hook(container, "escalate_urgent_requests") as fire:
        fire()


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def accepted_with_reply_date(proxy, day: str, questions=("1.1",)) -> dict:
    """A request of Roma's accepted by Budapest, the reply date ``day`` asked for."""
    draft = new_request(proxy, questions=list(questions))
    proposed = act(proxy, ROMA_HANDLER, draft, "propose_reply_date", date=day)
    return act(proxy, BUDAPEST_HANDLER, act(proxy, ROMA_HANDLER, proposed, "send"), "accept")


def test_a_request_not_accepted_within_the_areas_days_is_urgent_for_the_responder_side(
    proxy, frozen_clock
):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    frozen_clock.advance(days=7, seconds=-1)
    assert urgent(proxy, BUDAPEST_HANDLER) == {}

    frozen_clock.advance(seconds=1)
    item = urgent(proxy, BUDAPEST_HANDLER)[sent["id"]]
    assert (item["urgency"], item["days_late"]) == ("not_accepted", 1)
    assert moment(item["urgent_since"]) == moment(sent["sent_at"]) + timedelta(days=7)
    assert item["status"] == "sent"
    coordinated = urgent(proxy, HU_COORDINATOR_HANDLER)[sent["id"]]
    assert (coordinated["urgency"], coordinated["view"]) == ("not_accepted", "monitoring")
    for outsider in (ROMA_HANDLER, IT_COORDINATOR_HANDLER, DEBRECEN_HANDLER,
                     network.handler(SZEGED)):  # fmt: skip
        assert urgent(proxy, outsider) == {}

    frozen_clock.advance(days=2)
    assert urgent(proxy, BUDAPEST_HANDLER)[sent["id"]]["days_late"] == 3
    act(proxy, BUDAPEST_HANDLER, sent, "accept")
    assert urgent(proxy, BUDAPEST_HANDLER) == {}
    assert urgent(proxy, HU_COORDINATOR_HANDLER) == {}


def test_the_areas_acceptance_days_decide_when_a_request_becomes_urgent(proxy, frozen_clock):
    administrator = network.user(network.ROMA, "commission", network.Right.COMMISSION_ADMINISTRATOR)
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    settings = proxy.requests.change_area_settings(
        administrator, "services", {"forwarding_after_acceptance": False, "acceptance_days": 10}
    )
    frozen_clock.advance(days=8)
    assert urgent(proxy, BUDAPEST_HANDLER) == {}

    frozen_clock.advance(days=2)
    assert urgent(proxy, BUDAPEST_HANDLER)[sent["id"]]["days_late"] == 1
    proxy.requests.change_area_settings(
        administrator, "services",
        {"forwarding_after_acceptance": False, "acceptance_days": 3,
         "version": settings["version"]},
    )  # fmt: skip
    assert urgent(proxy, BUDAPEST_HANDLER)[sent["id"]]["days_late"] == 8


def test_a_reply_overdue_is_urgent_for_both_parties_and_their_coordinators(proxy, frozen_clock):
    """The date the requester asked for counts until the two sides agree on another."""
    accepted = accepted_with_reply_date(proxy, "2026-01-10")
    countered = act(proxy, BUDAPEST_HANDLER, accepted, "counter_propose_reply_date",
                    date="2026-01-20")  # fmt: skip
    frozen_clock.advance(days=5)  # 2026-01-10 09:00: the day itself is still in time
    assert urgent(proxy, ROMA_HANDLER) == {}

    frozen_clock.advance(days=1)
    for reader in (ROMA_HANDLER, BUDAPEST_HANDLER, IT_COORDINATOR_HANDLER,
                   HU_COORDINATOR_HANDLER):  # fmt: skip
        item = urgent(proxy, reader)[accepted["id"]]
        assert (item["urgency"], item["days_late"]) == ("reply_overdue", 1)
        assert item["urgent_since"] == "2026-01-11T00:00:00+00:00"
    assert urgent(proxy, DEBRECEN_HANDLER) == {}

    act(proxy, ROMA_HANDLER, countered, "agree_reply_date")
    assert urgent(proxy, ROMA_HANDLER) == {}
    frozen_clock.advance(days=10)
    assert urgent(proxy, BUDAPEST_HANDLER)[accepted["id"]]["urgent_since"] == (
        "2026-01-21T00:00:00+00:00"
    )


def test_a_request_answered_closed_or_withdrawn_leaves_the_list(proxy, frozen_clock):
    accepted = accepted_with_reply_date(proxy, "2026-01-06")
    waiting = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    frozen_clock.advance(days=8)
    assert set(urgent(proxy, BUDAPEST_HANDLER)) == {accepted["id"], waiting["id"]}

    saved = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, accepted["id"],
        {"version": accepted["version"], "answers": [{"question": "1.1", "value": True}]},
    )  # fmt: skip
    answered = act(proxy, BUDAPEST_HANDLER, saved, "send_full_reply")
    assert set(urgent(proxy, ROMA_HANDLER)) == set()
    act(proxy, ROMA_HANDLER, answered, "close")
    act(proxy, ROMA_HANDLER, waiting, "withdraw")
    assert urgent(proxy, BUDAPEST_HANDLER) == {}
    assert urgent(proxy, HU_COORDINATOR_HANDLER) == {}


def test_the_urgency_list_pages_most_late_first_with_its_cursor(proxy, frozen_clock):
    first = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    overdue = accepted_with_reply_date(proxy, "2026-01-08")
    frozen_clock.advance(days=2)
    second = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    third = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    frozen_clock.advance(days=8)

    page = proxy.requests.list_requests(BUDAPEST_HANDLER, {"box": "urgent", "limit": 2})
    rest = proxy.requests.list_requests(
        BUDAPEST_HANDLER, {"box": "urgent", "limit": 2, "cursor": page["next_cursor"]}
    )

    def rows(found: dict) -> list[tuple]:
        return [(item["id"], item["urgency"], item["days_late"]) for item in found["items"]]

    ordered = sorted([second["id"], third["id"]])
    assert rows(page) == [(overdue["id"], "reply_overdue", 7), (first["id"], "not_accepted", 4)]
    assert rows(rest) == [(ordered[0], "not_accepted", 2), (ordered[1], "not_accepted", 2)]
    assert rest["next_cursor"] is None
    since = [item["urgent_since"] for item in urgent(proxy, BUDAPEST_HANDLER).values()]
    assert since == sorted(since)
    only_sent = urgent(proxy, BUDAPEST_HANDLER, status="sent", limit=10)
    assert set(only_sent) == {first["id"], second["id"], third["id"]}


def test_each_urgent_request_is_escalated_once_per_reason(
    proxy, requests_container, requests_config, frozen_clock, escalations
):
    waiting = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    overdue = accepted_with_reply_date(proxy, "2026-01-09")
    frozen_clock.advance(days=8)  # 2026-01-13 09:00
    escalate(requests_container)
    escalate(requests_container)

    [not_accepted] = escalations.wait_for("request_escalated", waiting["id"])
    assert not_accepted["data"] == {
        "request_id": waiting["id"], "reason": "not_accepted", "status": "sent",
        "area": "services", "requesting_authority": network.ROMA.id,
        "responding_authority": network.BUDAPEST.id, "coordinators": [HU_COORDINATOR.id],
        "urgent_since": "2026-01-12T09:00:00+00:00", "days_late": 2,
    }  # fmt: skip
    [late] = escalations.wait_for("request_escalated", overdue["id"])
    assert (late["data"]["reason"], late["data"]["days_late"]) == ("reply_overdue", 4)
    assert late["data"]["coordinators"] == sorted([HU_COORDINATOR.id, IT_COORDINATOR.id])

    accepted = act(proxy, BUDAPEST_HANDLER, waiting, "accept")
    act(proxy, ROMA_HANDLER, accepted, "propose_reply_date", date="2026-01-14")
    frozen_clock.advance(days=2)
    escalate(requests_container)
    escalate(requests_container)

    assert recorded(requests_config, waiting["id"]) == [
        ("not_accepted", "sent"), ("reply_overdue", "accepted")]  # fmt: skip
    assert recorded(requests_config, overdue["id"]) == [("reply_overdue", "accepted")]
    [_, again] = escalations.wait_for("request_escalated", waiting["id"], 2)
    assert again["data"]["coordinators"] == sorted([HU_COORDINATOR.id, IT_COORDINATOR.id])


def test_a_forward_gives_the_new_responder_its_own_days_and_its_own_escalation(
    proxy, requests_container, requests_config, frozen_clock
):
    sent = act(proxy, ROMA_HANDLER, new_request(proxy), "send")
    frozen_clock.advance(days=8)
    escalate(requests_container)
    act(proxy, BUDAPEST_HANDLER, sent, "forward", to=DEBRECEN.id)
    assert urgent(proxy, BUDAPEST_HANDLER) == {}
    assert urgent(proxy, DEBRECEN_HANDLER) == {}
    escalate(requests_container)

    frozen_clock.advance(days=7)
    assert urgent(proxy, DEBRECEN_HANDLER)[sent["id"]]["days_late"] == 1
    escalate(requests_container)
    escalate(requests_container)

    assert recorded(requests_config, sent["id"], "responding_authority") == [
        ("not_accepted", network.BUDAPEST.id), ("not_accepted", DEBRECEN.id)]  # fmt: skip


def recorded(config: dict, request_id: str, second: str = "status") -> list[tuple]:
    """The request's escalations the service committed (its outbox), oldest first: each
    one's reason and ``second`` field."""
    engine = create_engine(config["DB_URIS"]["requests"])
    outbox = kernel_model(Base, OutboxMixin)
    try:
        with Session(engine) as session:
            rows = session.scalars(
                select(outbox).where(outbox.event_type == "request_escalated").order_by(outbox.seq)
            ).all()
            return [
                (row.envelope["data"]["reason"], row.envelope["data"][second])
                for row in rows
                if row.envelope["subject"] == request_id
            ]
    finally:
        engine.dispose()
