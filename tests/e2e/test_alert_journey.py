"""A Services Directive alert through the gateway, with the real directory, identity,
translation and notifications services: an Italian authority's handler sends it to Germany,
the German incoming alert mailbox is told by email and routes it to a German authority, whose
handler reads and acknowledges it; the Commission's mailbox receives it too. The emails arrive
at a real SMTP server, each in its reader's language, with a link and no content. The mail
timers run once a minute here: every email and inbox item of the journey is on its way because
the commit that queued it woke them."""

from __future__ import annotations

import pytest

from tests.e2e.stack import API, Stack, User, shipped_text

ALERTS = f"{API}/alerts"
ALERT = {
    "title": "Unsafe cosmetic treatments",
    "description": "A clinic chain uses a filler that has been banned.",
    "criteria": {"cause_is_service_activity": True, "risk_exists_now": True, "cross_border": True},
    "member_states": ["DE"],
}


@pytest.fixture
def e2e_config(e2e_config) -> dict:
    timers = {"DELIVERY_SECONDS": 60, "ADDRESSING_SECONDS": 60}
    return {**e2e_config, "NOTIFICATIONS": {**e2e_config["NOTIFICATIONS"], **timers}}


def alert_authority(stack: Stack, admin: User, state: str, language: str, role: str, name: str):
    """An authority of ``state`` with ``role`` in the Services Directive's alerts, registered
    by the Commission, and its first user (every right) past the first login."""
    slug = name.lower().replace(" ", "-")
    body = {
        "official_name": name, "official_language": language, "member_state": state,
        "email": f"{slug}@{state.lower()}.example.eu", "languages": [language, "en"],
        "areas": [{"area": "services", "workflow": "alerts", "roles": [role]}],
        "first_user": {"full_name": f"{name} user", "email": f"user.{slug}@example.eu",
                       "language": language},
    }  # fmt: skip
    response = stack.web.post(f"{API}/authorities", json=body, headers=admin.auth)
    assert response.status_code == 201, response.text
    authority_id = response.json()["id"]

    def first_user() -> dict:
        found = stack.users_of(admin, authority_id)
        assert found, "identity to create the first user"
        return found[0]

    record = stack.eventually(first_user, timeout=10)
    password = stack.mailbox.temporary_password(record["email"])
    user = stack.activate(User(record["username"], password, id=record["id"]))
    return authority_id, user, record["email"]


def act(stack: Stack, user: User, alert: dict, action: str, **data) -> dict:
    response = stack.web.post(f"{ALERTS}/{alert['id']}/actions/{action}", headers=user.auth_json,
                              json={"version": alert["version"], **data})  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


def test_a_services_alert_is_sent_routed_and_acknowledged_across_member_states(stack: Stack):
    web = stack.web
    admin = stack.activate(stack.admin)
    _, sender, _ = alert_authority(stack, admin, "IT", "it", "alert_authority", "Comune di Roma")
    _, box_de, box_de_mail = alert_authority(
        stack, admin, "DE", "de", "incoming_alert_mailbox", "Bundesamt Warnungen"
    )
    _, box_eu, _ = alert_authority(
        stack, admin, "EU", "en", "incoming_alert_mailbox", "Commission alerts"
    )
    munich, handler_de, handler_de_mail = alert_authority(
        stack, admin, "DE", "de", "alert_authority", "Gewerbeamt Muenchen"
    )

    def created() -> dict:
        response = web.post(f"{ALERTS}/services", headers=sender.auth_json, json=ALERT)
        assert response.status_code == 201, response.text  # once notifications knows them
        return response.json()

    draft = stack.eventually(created, timeout=15)
    sent = act(stack, sender, draft, "send")
    assert sent["status"] == "sent"

    link = f"/alerts/{draft['id']}"

    def told(address: str, template: str) -> str:
        received = [email.get_content() for email in stack.mailbox.to(address, template)]
        assert received, f"{template} to {address}"
        return received[-1]

    arrival = stack.eventually(lambda: told(box_de_mail, "email.alert_received"), timeout=15)
    assert link in arrival
    assert "banned" not in arrival  # a link, never the content

    in_mailbox = web.get(f"{ALERTS}/{draft['id']}", headers=box_de.auth).json()
    routed = act(stack, box_de, in_mailbox, "disseminate", authority_ids=[munich])
    assert munich in {item["authority_id"] for item in routed["recipients"]}

    reached = stack.eventually(
        lambda: told(handler_de_mail, "email.alert_disseminated"), timeout=15
    )
    assert link in reached
    inbox = web.get(f"{API}/inbox", headers=handler_de.auth).json()
    [item] = [entry for entry in inbox["items"] if entry["link"] == link]
    assert item["title"] == shipped_text("email.alert_disseminated.subject", "de")

    seen = web.get(f"{ALERTS}/{draft['id']}", headers=handler_de.auth).json()
    assert seen["content"]["description"] == ALERT["description"]
    acknowledged = act(stack, handler_de, seen, "acknowledge")
    by_authority = {item["authority_id"]: item for item in acknowledged["recipients"]}
    assert by_authority[munich]["acknowledged_at"] is not None

    commission = web.get(f"{ALERTS}/{draft['id']}", headers=box_eu.auth)
    assert commission.status_code == 200, commission.text
