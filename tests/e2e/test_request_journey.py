"""The Italian-Hungarian journey through the gateway, languages end to end: an Italian
handler builds a request from the Services question set in Italian and sends it to a
Hungarian authority; its handler reads the same questions in Hungarian, accepts, answers with
structured options and a free text in Hungarian; the Italian handler reads the answer in
Italian, asks for a machine translation of the free text (the subject's data masked before the
engine, a LibreTranslate stand-in speaking its protocol on a local port) and closes the
request. Hostile input on the way is a clear 4xx that changes nothing."""

from __future__ import annotations

import base64

import pytest

from services.common.reference import SUPPORTED_LANGUAGES
from tests.e2e.stack import API, Stack, User, shipped_text
from tests.requests.sample_files import pdf
from tests.translation.machine_harness import libretranslate

REQUESTS = f"{API}/requests"
MINIMAL = {"Prefer": "return=minimal"}
SUBJECT = {"full_name": "Kovács János", "date_of_birth": "1980-05-03", "nationality": "HU"}
ANSWER = "Kovács János 2019 óta építőipari tevékenységet folytat Debrecenben."


@pytest.fixture
def engine():
    with libretranslate(SUPPORTED_LANGUAGES) as server:
        yield server


@pytest.fixture
def e2e_config(e2e_config, engine) -> dict:
    return {**e2e_config, "TRANSLATION": {"ENGINE": "libretranslate",
                                          "LIBRETRANSLATE_URL": engine.url}}  # fmt: skip


def authority(stack: Stack, admin: User, state: str, language: str, name: str) -> tuple[str, User]:
    """An authority of ``state`` taking part in Services requests, registered by the
    Commission, and its first user (every right) past the first login."""
    body = {
        "official_name": name, "official_language": language, "member_state": state,
        "email": f"imi@{state.lower()}.example.eu", "languages": [language, "en"],
        "areas": [{"area": "services", "workflow": "information_requests"}],
        "first_user": {"full_name": f"Handler {state}", "email": f"h@{state.lower()}.example.eu",
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
    return authority_id, stack.activate(User(record["username"], password, id=record["id"]))


def test_an_italian_request_answered_in_hungarian_is_read_in_italian(stack: Stack, engine):
    web = stack.web
    admin = stack.activate(stack.admin)
    _, italian = authority(stack, admin, "IT", "it", "Camera di Commercio di Bologna")
    hungary, hungarian = authority(stack, admin, "HU", "hu", "Budapesti Kereskedelmi Kamara")

    questions = web.get(f"{API}/question-sets/services", headers=italian.auth).json()
    assert questions["language"] == "it"
    first_italian = questions["groups"][0]["questions"][0]["text"]

    def created() -> dict:
        response = web.post(REQUESTS, headers=italian.auth_json, json={
            "set_key": "services", "questions": ["1.1", "1.4", "2.4"], "responder_id": hungary,
            "subject": SUBJECT, "description": "Verifica di un prestatore.", "language": "it",
        })  # fmt: skip
        assert response.status_code == 201, response.text  # once requests knows both
        return response.json()

    draft = stack.eventually(created, timeout=10)
    assert draft["questions"][0]["text"] == first_italian
    sent = web.post(f"{REQUESTS}/{draft['id']}/actions/send", headers=italian.auth_json,
                    json={"version": draft["version"]})  # fmt: skip
    assert sent.status_code == 200, sent.text

    link = f"/requests/{draft['id']}"

    def told(address: str, template: str, saying: str = "") -> str:
        received = [email.get_content() for email in stack.mailbox.to(address, template)]
        found = [text for text in received if saying in text]
        assert found, f"{template} to {address} saying {saying!r}: {received}"
        return found[-1]

    for address in ("h@hu.example.eu", "imi@hu.example.eu"):  # its handler, its mailbox
        arrival = stack.eventually(lambda a=address: told(a, "email.request_received"), timeout=15)
        assert link in arrival
        assert "Budapesti Kereskedelmi Kamara" in arrival
    inbox = web.get(f"{API}/inbox", headers=hungarian.auth).json()  # the same, in the system
    [arrived] = [item for item in inbox["items"] if item["link"] == link]
    assert arrived["title"] == shipped_text("email.request_received.subject", "hu")
    assert inbox["unread"] >= 1

    seen = web.get(f"{REQUESTS}/{draft['id']}", headers=hungarian.auth).json()
    assert seen["language"] == "hu"
    assert seen["questions"][0]["text"]["text"] != first_italian["text"]
    assert seen["subject"] is None  # not before accepting
    accepted = web.post(f"{REQUESTS}/{draft['id']}/actions/accept", headers=hungarian.auth_json,
                        json={"version": seen["version"]}).json()["request"]  # fmt: skip
    assert accepted["subject"]["full_name"] == "Kovács János"
    saved = web.put(f"{REQUESTS}/{draft['id']}/reply-draft", headers=hungarian.auth_json, json={
        "version": accepted["version"], "answers": [
            {"question": "1.1", "value": True},
            {"question": "1.4", "value": "private_limited_company"},
            {"question": "2.4", "value": ANSWER},
        ]})  # fmt: skip
    assert saved.status_code == 200, saved.text
    replied = web.post(
        f"{REQUESTS}/{draft['id']}/actions/send_full_reply",
        headers=hungarian.auth_json,
        json={"version": saved.json()["version"]},
    )
    assert replied.json()["status"] == "answered", replied.text

    # "answered" as the request status list says it in Italian
    answered = stack.eventually(
        lambda: told("h@it.example.eu", "email.request_status_changed", "Evasa"), timeout=15
    )
    assert link in answered

    read = web.get(f"{REQUESTS}/{draft['id']}", headers=italian.auth).json()
    by_number = {q["number"]: q for q in read["questions"]}
    legal_form = by_number["1.4"]
    chosen = legal_form["answers"][0]["value"]
    option = next(o for o in legal_form["options"] if o["key"] == chosen)
    italian_options = {
        o["key"]: o["text"] for o in questions["groups"][0]["questions"][3]["options"]
    }
    assert option["text"] == italian_options["private_limited_company"]
    free = by_number["2.4"]["answers"][0]
    assert free["value"] == ANSWER
    translated = web.post(f"{REQUESTS}/{draft['id']}/translations", headers=italian.auth_json,
                          json={"text": f"answer:{free['id']}", "target": "it"})  # fmt: skip
    assert translated.status_code == 200, translated.text
    assert translated.json()["machine_translation"] is True
    assert translated.json()["original"] == ANSWER
    assert "Kovács" in translated.json()["text"]
    assert "Kovács" not in engine.received_text()
    assert "János" not in engine.received_text()

    closed = web.post(f"{REQUESTS}/{draft['id']}/actions/close", headers=italian.auth_json,
                      json={"version": read["version"]})  # fmt: skip
    assert closed.json()["status"] == "closed", closed.text
    for email in stack.mailbox.smtp.messages:  # a link, never the content of the request
        assert "Kovács" not in email.get_content()
        assert ANSWER not in email.get_content()


def italy_and_hungary(stack: Stack) -> tuple[User, User, dict]:
    """An Italian and a Hungarian authority's first users, and the body of a Services request
    from the first to the second."""
    admin = stack.activate(stack.admin)
    _, italian = authority(stack, admin, "IT", "it", "Camera di Commercio di Bologna")
    hungary, hungarian = authority(stack, admin, "HU", "hu", "Budapesti Kereskedelmi Kamara")
    body = {"set_key": "services", "questions": ["1.1"], "responder_id": hungary,
            "subject": SUBJECT}  # fmt: skip
    return italian, hungarian, body


def created(stack: Stack, user: User, body: dict) -> dict:
    """The draft, once the requests service knows both authorities."""
    response = stack.web.post(REQUESTS, headers=user.auth_json, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_hostile_input_through_the_gateway_is_a_clear_4xx(stack: Stack):
    web = stack.web
    italian, hungarian, body = italy_and_hungary(stack)
    draft = stack.eventually(lambda: created(stack, italian, body), timeout=10)
    one = f"{REQUESTS}/{draft['id']}"
    cases = {
        "oversized description": (web.post(REQUESTS, headers=italian.auth_json,
                                           json={**body, "description": "x" * 4001}), 400),
        "unknown question": (web.post(REQUESTS, headers=italian.auth_json,
                                      json={**body, "questions": ["7.7"]}), 400),
        "question number malformed": (web.post(REQUESTS, headers=italian.auth_json,
                                               json={**body, "questions": ["1.1\n"]}), 400),
        "unknown action": (web.post(f"{one}/actions/fly", headers=italian.auth_json,
                                    json={"version": 1}), 404),
        "out of order": (web.post(f"{one}/actions/close", headers=italian.auth_json,
                                  json={"version": draft["version"]}), 409),
        "stale version": (web.post(f"{one}/actions/send", headers=italian.auth_json,
                                   json={"version": draft["version"] + 3}), 409),
        "another authority's request": (web.get(one, headers=hungarian.auth), 404),
        "not a request id": (web.get(f"{REQUESTS}/not-an-id", headers=italian.auth), 404),
        "answer of the wrong type": (web.put(f"{one}/reply-draft", headers=italian.auth_json,
                                             json={"version": draft["version"], "answers": [
                                                 {"question": "1.1", "value": "maybe"}]}), 400),
    }  # fmt: skip
    for name, (response, status) in cases.items():
        assert response.status_code == status, (name, response.text)
        assert response.json()["code"], name
    after = web.get(one, headers=italian.auth).json()
    assert after["version"] == draft["version"]
    assert after["status"] == "draft"


def test_an_attachment_goes_up_as_json_and_comes_down_as_the_file(stack: Stack):
    web = stack.web
    admin = stack.activate(stack.admin)
    _, italian = authority(stack, admin, "IT", "it", "Camera di Commercio di Bologna")
    hungary, _ = authority(stack, admin, "HU", "hu", "Budapesti Kereskedelmi Kamara")
    document = pdf("Visura camerale")

    def created() -> dict:
        response = web.post(REQUESTS, headers=italian.auth_json, json={
            "set_key": "services", "questions": ["1.6"], "responder_id": hungary,
            "subject": SUBJECT})  # fmt: skip
        assert response.status_code == 201, response.text
        return response.json()

    draft = stack.eventually(created, timeout=10)
    name = "visura è camerale.pdf"
    attached = web.post(f"{REQUESTS}/{draft['id']}/attachments", headers=italian.auth_json,
                        json={"name": name, "language": "it", "media_type": "application/pdf",
                              "content": base64.b64encode(document).decode()})  # fmt: skip
    assert attached.status_code == 201, attached.text
    download = web.get(f"{REQUESTS}/{draft['id']}/attachments/{attached.json()['id']}",
                       headers=italian.auth)  # fmt: skip

    assert download.status_code == 200
    assert download.content == document
    assert download.headers["Content-Type"] == "application/pdf"
    assert (
        "filename*=UTF-8''visura%20%C3%A8%20camerale.pdf" in download.headers["Content-Disposition"]
    )


def test_changes_with_prefer_return_minimal_answer_without_the_request(stack: Stack):
    web = stack.web
    italian, hungarian, body = italy_and_hungary(stack)
    draft = stack.eventually(lambda: created(stack, italian, body), timeout=10)
    one = f"{REQUESTS}/{draft['id']}"
    minimal = web.post(f"{one}/actions/send", json={"version": draft["version"]},
                       headers={**italian.auth_json, **MINIMAL})  # fmt: skip
    sent = web.get(one, headers=italian.auth).json()
    full = web.post(f"{one}/actions/accept", json={"version": sent["version"]},
                    headers={**hungarian.auth_json, "Prefer": "respond-async, wait=5"})  # fmt: skip
    saved = web.put(f"{one}/reply-draft", headers={**hungarian.auth_json, **MINIMAL},
                    json={"version": full.json()["version"],
                          "answers": [{"question": "1.1", "value": True}]})  # fmt: skip
    made = web.post(REQUESTS, json=body,
                    headers={**italian.auth_json, "Prefer": 'return="minimal"'})  # fmt: skip

    assert minimal.status_code == 200, minimal.text
    assert minimal.headers["Preference-Applied"] == "return=minimal"
    assert minimal.json() == {
        "request_id": draft["id"], "status": "sent", "version": sent["version"],
        "visible": True, "request": None,
    }  # fmt: skip
    assert sent["status"] == "sent"
    assert full.status_code == 200, full.text
    assert "Preference-Applied" not in full.headers  # a preference it does not know: ignored
    assert full.json()["visible"] is True
    assert full.json()["request"]["status"] == "accepted"
    assert saved.status_code == 200, saved.text
    assert saved.headers["Preference-Applied"] == "return=minimal"
    assert saved.json() == {
        "id": draft["id"], "status": "accepted", "version": full.json()["version"] + 1
    }  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.headers["Preference-Applied"] == "return=minimal"
    assert made.headers["Location"] == f"{REQUESTS}/{made.json()['id']}"
    assert made.json() == {"id": made.json()["id"], "status": "draft", "version": 1}
    shown = web.get(made.headers["Location"], headers=italian.auth).json()
    assert shown["status"] == "draft"
