"""The training environment through the gateway: the demo users, prepared as ``./deploy/run``
prepares them (with demo data on), log in at once with what the run command prints and find
the demo requests; the Italian-Hungarian journey of README.md ("Run it") goes through, each
side reading the questions and answers in its own language, and so does its first alert, from
Roma to the German, Hungarian and Commission mailboxes, routed to München.

The directory's database has no demo data here: the demo users, requests and alerts stand on
what identity, requests and notifications know of the demo authorities before any directory
event arrives."""

from __future__ import annotations

import pytest
import yaml

from services.identity.demo import load_demo_users
from services.identity.demo_roster import DemoUser, demo_user, demo_users
from services.notifications.demo import load_demo_directory
from services.requests.bootstrap import (
    QUESTION_SETS_DIR,
    publish_shipped_lists,
    publish_shipped_sets,
)
from services.requests.demo import load_demo_requests
from tests.databases import prepare
from tests.e2e.stack import API, Stack, User

SERVICES_SET = yaml.safe_load((QUESTION_SETS_DIR / "services.yaml").read_text(encoding="utf-8"))
FIRST_QUESTION = SERVICES_SET["groups"][0]["questions"][0]["text"]


def demo_requests(uri: str) -> None:
    prepare("requests", uri, publish_shipped_sets, publish_shipped_lists, load_demo_requests)


def demo_notifications(uri: str) -> None:
    prepare("notifications", uri, load_demo_directory)


@pytest.fixture
def e2e_config(e2e_config, prepared_sqlite, tmp_path) -> dict:
    """The stack's configuration, its requests database prepared with the demo requests. A
    fresh installation is busy in its first seconds (the translation service takes in the
    shipped question sets, the outboxes send the demo's events): calls get the timeout of
    the shipped configuration, not the tests' shorter one."""
    requests_uri = prepared_sqlite("e2e_requests_demo", demo_requests, tmp_path / "demo-r.db")
    notifications_uri = prepared_sqlite(
        "e2e_notifications_demo", demo_notifications, tmp_path / "demo-n.db"
    )
    return {
        **e2e_config,
        "RPC_TIMEOUT": 20,
        "DB_URIS": {**e2e_config["DB_URIS"], "requests": requests_uri,
                    "notifications": notifications_uri},
    }  # fmt: skip


@pytest.fixture
def demo_stack(e2e_config, prepared_admin, stack) -> Stack:
    return stack


@pytest.fixture(autouse=True)
def demo_users_loaded(e2e_config, prepared_admin) -> None:
    """Identity's preparation with demo data on, before the services start."""
    load_demo_users(e2e_config["DB_URIS"]["identity"], e2e_config["IDENTITY"]["KEY_DIR"])


def log_in(stack: Stack, person: DemoUser) -> User:
    user = User(person.username, person.password, id=person.id,
                security_code=person.security_code)  # fmt: skip
    answer = stack.login(user)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "authenticated"
    user.access_token = answer.json()["access_token"]
    return user


def test_every_demo_user_logs_in_and_finds_its_authority_s_requests(demo_stack: Stack):
    for person in demo_users():  # at once: no directory event is needed
        user = log_in(demo_stack, person)

        me = demo_stack.web.get(f"{API}/users/me", headers=user.auth)
        assert me.json()["authority_id"] == person.authority.id
        listed = demo_stack.web.get(f"{API}/requests", headers=user.auth)
        assert listed.status_code == 200, listed.text
        if person.authority.key.startswith(("IT/municipality", "HU/municipality")):
            assert listed.json()["items"], person.username


def settled(stack: Stack, user: User, eventually) -> None:
    """Wait until the translation service took in the shipped question sets and lists (what a
    fresh installation does in its first seconds, while a request's view waits for it), as
    the README's reader, who starts after the run command said the system is running, does
    without knowing: the Services set in Hungarian, a reason of a demo reply in Italian."""

    def translated() -> None:
        shown = stack.web.get(f"{API}/question-sets/services", params={"language": "hu"},
                              headers=user.auth)  # fmt: skip
        assert shown.status_code == 200, shown.text
        assert shown.json()["groups"][0]["questions"][0]["text"]["fallback"] is False
        closed = stack.web.get(f"{API}/requests", params={"status": "closed"},
                               headers=user.auth).json()["items"]  # fmt: skip
        view = stack.web.get(f"{API}/requests/{closed[0]['id']}", params={"language": "it"},
                             headers=user.auth)  # fmt: skip
        assert view.status_code == 200, view.text
        reasons = [answer["cannot_provide"] for question in view.json()["questions"]
                   for answer in question["answers"] if answer["cannot_provide"]]  # fmt: skip
        assert reasons
        assert reasons[0]["fallback"] is False

    eventually(translated, timeout=90, interval=0.5)


def test_the_italian_hungarian_journey_of_the_readme(demo_stack: Stack, eventually):
    web = demo_stack.web
    italian = log_in(demo_stack, demo_user("it-roma-handler"))
    budapest = demo_user("hu-budapest-handler").authority.id
    settled(demo_stack, italian, eventually)

    created = web.post(f"{API}/requests", headers=italian.auth, json={
        "set_key": "services", "questions": ["1.1", "1.4", "2.4"], "responder_id": budapest,
        "subject": {"full_name": "Fekete Ádám", "business_name": "Fekete Kft."},
        "description": "Verifica di un'impresa ungherese.", "language": "it",
    })  # fmt: skip
    assert created.status_code == 201, created.text
    request_id, version = created.json()["id"], created.json()["version"]
    sent = web.post(f"{API}/requests/{request_id}/actions/send", headers=italian.auth,
                    json={"version": version})  # fmt: skip
    assert sent.json()["status"] == "sent", sent.text

    hungarian = log_in(demo_stack, demo_user("hu-budapest-handler"))

    seen = web.get(f"{API}/requests/{request_id}", params={"language": "hu"},
                   headers=hungarian.auth).json()  # fmt: skip
    assert seen["questions"][0]["text"]["text"] == FIRST_QUESTION["hu"]
    assert seen["subject_withheld"] is True
    accepted = web.post(f"{API}/requests/{request_id}/actions/accept", headers=hungarian.auth,
                        json={"version": seen["version"]})  # fmt: skip
    assert accepted.json()["request"]["subject"]["full_name"] == "Fekete Ádám"
    drafted = web.put(f"{API}/requests/{request_id}/reply-draft", headers=hungarian.auth, json={
        "version": accepted.json()["version"], "answers": [
            {"question": "1.1", "value": True},
            {"question": "1.4", "value": "private_limited_company"},
            {"question": "2.4", "value": "Épületgépészet.", "language": "hu"}],
    })  # fmt: skip
    assert drafted.status_code == 200, drafted.text
    answered = web.post(
        f"{API}/requests/{request_id}/actions/send_full_reply",
        headers=hungarian.auth,
        json={"version": drafted.json()["version"]},
    )
    assert answered.json()["status"] == "answered", answered.text

    answer = web.get(f"{API}/requests/{request_id}", params={"language": "it"},
                     headers=italian.auth).json()  # fmt: skip
    first = answer["questions"][0]
    assert first["text"]["text"] == FIRST_QUESTION["it"]
    assert first["answers"][0]["value"] is True
    closed = web.post(f"{API}/requests/{request_id}/actions/close", headers=italian.auth,
                      json={"version": answer["version"]})  # fmt: skip
    assert closed.json()["status"] == "closed", closed.text


ALERT = {
    "title": "Impianti a gas non conformi",
    "description": "Un installatore attivo in più Stati usa raccordi non certificati.",
    "criteria": {"cause_is_service_activity": True, "risk_exists_now": True, "cross_border": True},
    "member_states": ["DE", "HU"],
}


def test_the_first_alert_of_the_readme_reaches_the_mailboxes_and_is_routed_to_munich(
    demo_stack: Stack, eventually
):
    web = demo_stack.web
    italian = log_in(demo_stack, demo_user("it-roma-handler"))
    created = web.post(f"{API}/alerts/services", headers=italian.auth, json=ALERT)
    assert created.status_code == 201, created.text
    alert_id = created.json()["id"]
    sent = web.post(f"{API}/alerts/{alert_id}/actions/send", headers=italian.auth,
                    json={"version": created.json()["version"]})  # fmt: skip
    assert (sent.json()["status"], sent.json()["version"]) == ("sent", 2), sent.text  # README's
    mailboxes = {item["member_state"] for item in sent.json()["recipients"]}
    assert mailboxes == {"DE", "HU", "EU"}

    german = log_in(demo_stack, demo_user("de-coordinator"))

    def told() -> None:
        inbox = web.get(f"{API}/inbox", headers=german.auth).json()
        assert f"/alerts/{alert_id}" in [item["link"] for item in inbox["items"]]
        assert demo_stack.mailbox.to(demo_user("de-coordinator").email, "email.alert_received")

    eventually(told, timeout=15)
    seen = web.get(f"{API}/alerts/{alert_id}", headers=german.auth).json()
    munich = demo_user("de-muenchen-handler")
    routed = web.post(f"{API}/alerts/{alert_id}/actions/disseminate", headers=german.auth,
                      json={"version": seen["version"],
                            "authority_ids": [munich.authority.id]})  # fmt: skip
    assert routed.json()["version"] == 3, routed.text

    handler = log_in(demo_stack, munich)
    read = web.get(f"{API}/alerts/{alert_id}", headers=handler.auth).json()
    assert read["content"]["description"] == ALERT["description"]
    acknowledged = web.post(f"{API}/alerts/{alert_id}/actions/acknowledge",
                            headers=handler.auth, json={"version": read["version"]})  # fmt: skip
    assert acknowledged.status_code == 200, acknowledged.text
    for username in ("hu-coordinator", "eu-alerts-coordinator"):
        reader = log_in(demo_stack, demo_user(username))
        listed = web.get(f"{API}/alerts", params={"box": "mailbox"}, headers=reader.auth)
        assert alert_id in [item["id"] for item in listed.json()["items"]], username
