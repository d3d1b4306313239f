"""Alerts through the real NotificationsService on the test broker: the directory's events
build its read model, signed calls act as users, each refused step answers with its error
type, and the alert's events reach the broker without any personal data."""

from __future__ import annotations

import json
import uuid

import pytest
from nameko.standalone.events import event_dispatcher
from sqlalchemy import create_engine, text

from services.common.actor import Right
from services.common.envelope import make_envelope
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.reference import EEA_COUNTRIES
from services.notifications.alerts import EVENTS
from services.notifications.service import NotificationsService
from tests.events import event_data, listener_for, listening, wait_until
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy
from tests.translation.harness import actor


@pytest.fixture
def config(service_config, service_database, smtp) -> dict:
    return {
        **service_config,
        "DB_URIS": {"notifications": service_database("notifications")},
        "NOTIFICATIONS": {**smtp.settings(), "DELIVERY_SECONDS": 60, "ADDRESSING_SECONDS": 60},
    }


@pytest.fixture
def events(container_factory, config):
    return listening(
        container_factory, config,
        lambda name, log: listener_for("notifications", tuple(sorted(EVENTS)), name, log),
        "alert_events_listener",
    )  # fmt: skip


@pytest.fixture
def running(container_factory, config, frozen_clock, events):
    return started_on_clock(
        container_factory, NotificationsService, config, frozen_clock, fresh_event_queues=True
    )


class World:
    """Authorities with fresh ids, announced as the directory announces them."""

    def __init__(self, config, clock):
        self.config, self.clock = config, clock
        names = ("it", "it_coordinator", "de_mailbox", "eu_mailbox", "de")
        self.ids = {name: f"{name}-{uuid.uuid4().hex[:8]}" for name in names}

    def announce(self) -> None:
        roles = {"it": ("IT", "alert_authority"), "it_coordinator": ("IT", "alert_coordinator"),
                 "de_mailbox": ("DE", "incoming_alert_mailbox"),
                 "eu_mailbox": ("EU", "incoming_alert_mailbox"),
                 "de": ("DE", "alert_authority")}  # fmt: skip
        for name, (state, role) in roles.items():
            self.publish("directory", "authority_registered", authority_id=self.ids[name],
                         member_state=state, version=1, coordinator_kind=None,
                         areas=[{"area": "services", "workflow": "alerts", "roles": [role],
                                 "direction": "both"}])  # fmt: skip
        self.publish("directory", "coordinator_linked", authority_id=self.ids["it"],
                     area="services", workflow="alerts",
                     coordinator_id=self.ids["it_coordinator"], linked=True)  # fmt: skip

    def publish(self, service: str, event: str, **fields) -> None:
        data = event_data(service, event, **fields)
        envelope = make_envelope(service, event, str(uuid.uuid4()), data, self.clock())
        event_dispatcher(self.config)(service, event, envelope)

    def user(self, name: str, right: Right) -> dict:
        state = {"eu_mailbox": "EU", "de": "DE", "de_mailbox": "DE"}.get(name, "IT")
        return actor(right, authority_id=self.ids[name], state=state)


PQ = "professional_qualifications"
ALERT = {
    "title": "Unsafe cosmetic treatments", "description": "A clinic chain uses a banned filler.",
    "criteria": {"cause_is_service_activity": True, "risk_exists_now": True,
                 "cross_border": True},
    "member_states": ["DE"],
}  # fmt: skip


def test_a_services_alert_through_the_service_each_step_by_its_role(
    running, config, frozen_clock, events
):
    world = World(config, frozen_clock)
    world.announce()
    sender = world.user("it", Right.ALERT_HANDLER)
    mailbox = world.user("de_mailbox", Right.ALERT_AUTHORISER)
    recipient = world.user("de", Right.ALERT_HANDLER)
    with SignedRpcProxy(config) as proxy:
        notifications = proxy.notifications
        draft = wait_until(  # once the directory's events are in the read model
            lambda: _or_none(lambda: notifications.create_alert(sender, "services", ALERT)),
            "the draft",
        )
        assert draft["status"] == "draft"
        assert draft["actions"] == ["edit_draft", "send", "withdraw"]
        with pytest.raises(ValidationFailed):
            notifications.create_alert(sender, "services", {**ALERT, "urgent": True})
        with pytest.raises(NotFound):
            notifications.alert(mailbox, draft["id"])
        with pytest.raises(Forbidden):
            notifications.act_on_alert(world.user("it", Right.ALERT_AUTHORISER), draft["id"],
                                       "send", {"version": draft["version"]})  # fmt: skip

        sent = wait_until(
            lambda: _or_none(lambda: notifications.act_on_alert(
                sender, draft["id"], "send", {"version": draft["version"]})),
            "the mailboxes known",
        )  # fmt: skip
        assert sent["status"] == "sent"
        with pytest.raises(Conflict):  # an old version
            notifications.act_on_alert(sender, draft["id"], "withdraw", {"version": 1})
        with pytest.raises(Forbidden):  # only the mailbox's coordinator routes it
            notifications.act_on_alert(sender, draft["id"], "disseminate",
                                       {"version": sent["version"],
                                        "authority_ids": [world.ids["de"]]})  # fmt: skip
        routed = notifications.act_on_alert(
            mailbox,
            draft["id"],
            "disseminate",
            {"version": sent["version"], "authority_ids": [world.ids["de"]]},
        )
        assert sorted(item["via"] for item in routed["recipients"]) == [
            "dissemination", "mailbox", "mailbox"]  # fmt: skip
        seen = notifications.alert(recipient, draft["id"])
        assert seen["actions"] == ["acknowledge", "comment"]
        notifications.act_on_alert(recipient, draft["id"], "acknowledge",
                                   {"version": seen["version"]})  # fmt: skip
        mailbox_list = notifications.list_alerts(mailbox, {"box": "mailbox"})
        assert [item["id"] for item in mailbox_list["items"]] == [draft["id"]]

    names = [name for name in ("alert_created", "alert_sent", "alert_disseminated",
                               "alert_acknowledged")]  # fmt: skip
    for name in names:
        [envelope] = events.wait_for(name, draft["id"])
        assert "filler" not in str(envelope)
    assert events.of("alert_sent", draft["id"])[0]["data"]["member_states"] == ["DE"]
    jobs = _mail_jobs(config)
    assert ("email.alert_received", world.ids["de_mailbox"]) in jobs
    assert ("email.alert_received", world.ids["eu_mailbox"]) in jobs
    assert ("email.alert_disseminated", world.ids["de"]) in jobs


def test_a_professional_qualifications_alert_is_read_with_its_dates_through_the_service(
    running, config, frozen_clock
):
    """The professional's birth date and the day the professional was informed are kept as
    text in JSON columns and answered as dates."""
    world = World(config, frozen_clock)
    sender_id = world.ids["it"]
    mailboxes = {state: f"{state.lower()}-mailbox-{uuid.uuid4().hex[:8]}"
                 for state in EEA_COUNTRIES if state != "IT"}  # fmt: skip
    for authority_id, state, role in [(sender_id, "IT", "alert_authority"),
                                      *((i, s, "incoming_alert_mailbox")
                                        for s, i in mailboxes.items())]:  # fmt: skip
        world.publish("directory", "authority_registered", authority_id=authority_id,
                      member_state=state, version=1, coordinator_kind=None,
                      areas=[{"area": PQ, "workflow": "alerts", "roles": [role],
                              "direction": "both"}])  # fmt: skip
    sender = world.user("it", Right.ALERT_HANDLER)
    mailbox = actor(Right.ALERT_AUTHORISER, authority_id=mailboxes["DE"], state="DE")
    decided = frozen_clock().date().isoformat()
    alert = {
        "professional": {"name": "Mario Rossi", "birth_date": "1970-03-02",
                         "birth_place": "Bologna"},
        "profession": "Nurse", "deciding_authority": "Ordine delle professioni infermieristiche",
        "decision": "prohibition", "decision_date": decided, "scope": "All nursing activities",
        "restriction_from": decided,
    }  # fmt: skip
    with SignedRpcProxy(config) as proxy:
        notifications = proxy.notifications
        draft = wait_until(
            lambda: _or_none(lambda: notifications.create_alert(
                sender, "professional_qualifications", alert)),
            "the draft",
        )  # fmt: skip
        assert draft["professional"]["birth_date"] == "1970-03-02"
        sent = wait_until(
            lambda: _or_none(lambda: notifications.act_on_alert(
                sender, draft["id"], "send", {"version": draft["version"]})),
            "every other state's mailbox known",
        )  # fmt: skip
        assert len(sent["recipients"]) == 29
        informed = notifications.act_on_alert(
            sender, draft["id"], "record_information",
            {"version": sent["version"], "informed_on": decided, "means": "letter"},
        )  # fmt: skip
        assert informed["informed"] == {"informed_on": decided, "means": "letter"}
        limited = notifications.alert(mailbox, draft["id"])
        assert limited["view"] == "limited"
        assert limited["professional"] is None


def test_approval_settings_are_read_by_all_and_set_by_the_commission(running, config):
    with SignedRpcProxy(config) as proxy:
        notifications = proxy.notifications
        administrator = actor(Right.COMMISSION_ADMINISTRATOR)
        with pytest.raises(Forbidden):
            notifications.change_alert_setting(
                actor(Right.ALERT_HANDLER, authority_id="x", state="FR"), "FR",
                {"approval_required": True},
            )  # fmt: skip
        changed = notifications.change_alert_setting(administrator, "FR",
                                                     {"approval_required": True})  # fmt: skip
        assert changed == {"member_state": "FR", "approval_required": True, "version": 1}
        with pytest.raises(Conflict):
            notifications.change_alert_setting(administrator, "FR", {"approval_required": False})
        listed = notifications.alert_settings(actor(Right.BASIC_USER))["items"]
        assert {"member_state": "FR", "approval_required": True, "version": 1} in listed


def _or_none(call):
    try:
        return call()
    except (Forbidden, Conflict):
        return None


def _mail_jobs(config) -> set[tuple[str, str]]:
    engine = create_engine(config["DB_URIS"]["notifications"])
    with engine.connect() as connection:
        rows = connection.execute(text("select template, audience from mail_jobs")).all()
    engine.dispose()
    return {(template, json.loads(audience)["authority_ids"][0]) for template, audience in rows}
