"""The alert pages with the training environment's demo users: over plain HTTP, a forged form,
a wrong form and a user without alert rights change nothing; in a browser, the first alert of
README.md goes from Roma to the German mailbox, whose coordinator disseminates it to München,
whose handler acknowledges it, each person in another language (the coordinator in Greek,
chosen with the language switch: no demo user writes Greek or Bulgarian). The create form,
the alert page and the list are checked with axe-core.

For the journeys that route an alert, the directory holds the German demo authorities they
meet (``./deploy/run`` loads all of them), so that the German mailbox's coordinator finds
München by name."""

from __future__ import annotations

import re
import time

import pytest
from markupsafe import escape
from playwright.sync_api import Page, expect

from gateway.web.texts import Texts, member_state_names
from services.common.db import StandaloneDatabase
from services.directory.bootstrap import prepare_directory
from services.directory.demo import (
    add_authority,
    coordinator_places,
    plan_authorities,
    validating_coordinator,
)
from services.directory.models import Base as DirectoryBase
from services.identity.demo_roster import DemoUser, demo_user
from services.notifications.bootstrap import publish_shipped_types
from services.notifications.demo import load_demo_directory
from services.notifications.models import AuthorityRole
from services.notifications.models import Base as NotificationsBase
from tests.conftest import HttpSession
from tests.e2e.conftest import prepared
from tests.e2e.stack import API, User, shipped_text
from tests.e2e.web.conftest import accessibility_violations, screenshot
from tests.e2e.web.test_pages_in_browser import choose_language, log_in

TITLE = "Impianti a gas non conformi"
DESCRIPTION = "Un installatore attivo in più Stati usa raccordi non certificati."


def german_authorities(uri: str) -> None:
    """The directory's German demo authorities the alert journeys meet: Germany's mailbox,
    München's office and the coordinators that registered them."""
    names = ("de-coordinator", "de-muenchen-handler")
    demo_authorities(uri, {demo_user(name).authority.id for name in names})


def demo_authorities(uri: str, wanted: set[str]) -> None:
    """Of the directory's demo authorities, those ``wanted`` and the coordinators that
    registered them, as the directory's demo preparation registers them (all of its
    authorities' events would keep the small test stack busy for minutes)."""
    planned = plan_authorities()
    places = coordinator_places(planned)
    registrar = {entry["id"]: validating_coordinator(entry, places) for entry in planned}
    while missing := {registrar[ident] for ident in wanted} - wanted - {None}:
        wanted |= missing
    database = StandaloneDatabase(DirectoryBase, "directory", uri)
    unit = database.unit_of_work()
    try:
        for entry in planned:  # coordinators before the authorities they register
            if entry["id"] in wanted:
                add_authority(unit, entry, registrar[entry["id"]])
        unit.commit()
    finally:
        unit.close()
        database.dispose()


@pytest.fixture
def german_directory() -> None:
    """Asks for the German demo authorities in the directory (see e2e_config)."""


def generic_notification_parties(uri: str) -> None:
    """Budapest and München take part in the services area's generic notifications, as the
    directory's authority events would say once a coordinator gave them the role (the demo
    authorities have no role in that workflow)."""
    database = StandaloneDatabase(NotificationsBase, "notifications", uri)
    unit = database.unit_of_work()
    try:
        for username in ("hu-budapest-handler", "de-muenchen-handler"):
            authority = demo_user(username).authority
            unit.session.add(AuthorityRole(
                authority_id=authority.id, area="services", workflow="notifications",
                role="authority", member_state=authority.member_state))  # fmt: skip
        unit.commit()
    finally:
        unit.close()
        database.dispose()


@pytest.fixture
def shipped_types() -> None:
    """Asks for the shipped generic notification types (see e2e_config)."""


@pytest.fixture
def e2e_config(e2e_config, prepared_sqlite, tmp_path, request) -> dict:
    """The demo stack (tests/e2e/web/conftest.py); for a test that asks for them, with the
    directory's German demo authorities, or the shipped generic notification types."""
    uris = dict(e2e_config["DB_URIS"])
    if "german_directory" in request.fixturenames:
        uris["directory"] = prepared_sqlite(
            "e2e_directory_munich",
            prepared("directory", prepare_directory, german_authorities),
            tmp_path / "directory-de.db",
        )
    if "shipped_types" in request.fixturenames:
        uris["notifications"] = prepared_sqlite(
            "e2e_notifications_types",
            prepared(
                "notifications",
                load_demo_directory,
                publish_shipped_types,
                generic_notification_parties,
            ),
            tmp_path / "notifications-types.db",
        )
    return {**e2e_config, "DB_URIS": uris}


def html(key: str, language: str) -> str:
    """A catalogue text as a page writes it (escaped)."""
    return str(escape(shipped_text(key, language)))


# --- over plain HTTP ---------------------------------------------------------------------------


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


class PatientSession(HttpSession):
    """A browser that reads a page again when the system answered that it was too busy (503,
    with its Retry-After), as a person reloads it: the small test stack shares two cores with
    every service's start-up work."""

    def send(self, request, **kwargs):
        for _ in range(3):
            response = super().send(request, **kwargs)
            if request.method != "GET" or response.status_code != 503:
                break
            time.sleep(float(response.headers.get("Retry-After", "2")))
        return response


def web_login(stack, person: DemoUser) -> HttpSession:
    """A browser of its own, logged in through the login pages. A fresh stack is busy in its
    first seconds taking in the directory's events: a login it had no time for (503) is tried
    again, as a person would."""
    web = PatientSession(f"http://{stack.config['WEB_SERVER_ADDRESS']}")
    for _ in range(3):
        token = csrf(web.get("/login").text)
        step = web.post("/login", data={"username": person.username, "csrf_token": token})
        done = step
        if step.status_code == 503:
            continue
        positions = [int(found) for found in re.findall(r'for="field-digit\d">\D*(\d+)', step.text)]
        digits = {f"digit{index}": person.security_code[position - 1]
                  for index, position in enumerate(positions, 1)}  # fmt: skip
        done = web.post("/login/verify", data={
            "csrf_token": csrf(step.text), "username": person.username,
            "password": person.password, **digits,
            "challenge_id": re.search(r'name="challenge_id" value="([^"]+)"', step.text)[1],
        })  # fmt: skip
        if done.status_code != 503:
            break
    assert done.status_code == 200
    assert "/logout" in done.text, done.text[:500]
    return web


def send(web: HttpSession, path: str, **kwargs):
    """A form sent again after the system answered that it was too busy (503), as a person
    would: the forms of these tests are taken once at most (a creation carries its form's key,
    a step the version read), and the small test stack shares two cores with every service's
    start-up work."""
    for _ in range(3):
        answer = web.post(path, **kwargs)
        if answer.status_code != 503:
            break
        time.sleep(float(answer.headers.get("Retry-After", "2")))
    return answer


def outgoing(web: HttpSession) -> str:
    answer = web.get("/alerts", params={"box": "outgoing"})
    assert answer.status_code == 200
    return answer.text


def test_a_forged_or_wrong_alert_form_is_refused_and_creates_nothing(stack):
    web = web_login(stack, demo_user("it-roma-handler"))
    form = web.get("/alerts/new")
    assert form.status_code == 200
    token = csrf(form.text)
    good = {"form_key": "k1", "title": TITLE, "description": DESCRIPTION,
            "cause_is_service_activity": "yes", "risk_exists_now": "yes",
            "cross_border": "yes", "member_states": ["DE", "HU"]}  # fmt: skip

    forged = web.post("/alerts/new", data=good)
    wrong = web.post(
        "/alerts/new",
        data={**good, "csrf_token": token, "title": "", "cross_border": "",
              "member_states": []},
    )  # fmt: skip

    assert forged.status_code == 403
    assert shipped_text("web.error.forbidden", "en") in forged.text
    assert wrong.status_code == 400
    for field in ("title", "cross_border", "member_states"):
        assert f'id="error-{field}" role="alert"' in wrong.text, field
    assert re.search(r'id="field-title"[^>]*aria-invalid="true"', wrong.text)
    assert html("web.alert.criterion_required", "it") in wrong.text
    assert html("web.alert.states_required", "it") in wrong.text
    assert DESCRIPTION in wrong.text  # what was typed is kept
    assert html("web.alerts.none", "it") in outgoing(web)

    refused = web.post("/alerts/new", data={**good, "csrf_token": token, "member_states": "IT"})
    assert refused.status_code == 400  # the service refuses the sender's own state
    assert 'id="error-member_states" role="alert"' in refused.text
    assert html("web.alerts.none", "it") in outgoing(web)


def test_a_step_on_an_alert_is_refused_without_its_token_its_text_or_at_a_stale_version(stack):
    web = web_login(stack, demo_user("it-roma-handler"))
    token = csrf(web.get("/alerts/new").text)
    created = web.post("/alerts/new", data={
        "csrf_token": token, "form_key": "k2", "title": TITLE, "description": DESCRIPTION,
        "cause_is_service_activity": "yes", "risk_exists_now": "yes", "cross_border": "yes",
        "member_states": ["DE"]}, allow_redirects=False)  # fmt: skip
    assert created.status_code == 303
    alert = created.headers["Location"]
    again = web.post("/alerts/new", data={
        "csrf_token": token, "form_key": "k2", "title": TITLE, "description": DESCRIPTION,
        "cause_is_service_activity": "yes", "risk_exists_now": "yes", "cross_border": "yes",
        "member_states": ["DE"]}, allow_redirects=False)  # fmt: skip
    assert again.headers["Location"] == alert  # the same form sent twice: one alert
    draft = web.get(alert)
    assert f'action="{alert}/actions/send"' in draft.text
    assert f'action="{alert}/actions/acknowledge"' not in draft.text  # not the sender's step

    forged = web.post(f"{alert}/actions/send", data={"version": "1"})
    stale = web.post(f"{alert}/actions/send", data={"version": "7", "csrf_token": token})
    sent = web.post(f"{alert}/actions/send", data={"version": "1", "csrf_token": token})
    empty = web.post(f"{alert}/actions/comment", data={"version": "2", "csrf_token": token})

    assert forged.status_code == 403
    assert stale.status_code == 409
    assert 'class="imi-notice imi-notice--error" role="alert"' in stale.text
    assert sent.status_code == 200  # after the redirect to the alert
    assert sent.url.endswith(f"{alert}?done=send")
    assert html("web.alerts.status_name.sent", "it") in sent.text
    assert empty.status_code == 400
    assert 'id="error-text" role="alert"' in empty.text
    assert html("web.alert.comments", "it") not in empty.text  # no comment was added


def test_a_draft_alert_is_edited_in_its_creation_form_filled_with_the_draft(stack):
    roma = web_login(stack, demo_user("it-roma-handler"))
    token = csrf(roma.get("/alerts/new").text)
    created = send(roma, "/alerts/new", data={
        "csrf_token": token, "form_key": "k4", "title": TITLE, "description": DESCRIPTION,
        "cause_is_service_activity": "yes", "risk_exists_now": "yes", "cross_border": "yes",
        "member_states": ["DE"]}, allow_redirects=False)  # fmt: skip
    assert created.status_code == 303, (created.status_code, created.text[-3000:])
    alert = created.headers["Location"]
    assert f'href="{alert}/edit"' in roma.get(alert).text
    form = roma.get(f"{alert}/edit")
    assert form.status_code == 200
    assert f'action="{alert}/actions/edit_draft"' in form.text
    assert f'value="{TITLE}"' in form.text
    assert DESCRIPTION in form.text
    assert re.search(r'id="field-cross_border"[^>]*checked', form.text)
    assert re.search(r'value="DE" checked', form.text)
    assert not re.search(r'value="HU" checked', form.text)
    changed = {"csrf_token": token, "version": "1", "title": "Raccordi del gas non certificati",
               "description": DESCRIPTION, "cause_is_service_activity": "yes",
               "risk_exists_now": "yes", "cross_border": "yes",
               "member_states": ["DE", "HU"]}  # fmt: skip

    wrong = send(roma, f"{alert}/actions/edit_draft", data={**changed, "title": ""})
    edited = send(roma, f"{alert}/actions/edit_draft", data=changed)
    stale = send(roma, f"{alert}/actions/edit_draft", data=changed)

    assert wrong.status_code == 400
    assert 'id="error-title" role="alert"' in wrong.text
    assert f'action="{alert}/actions/edit_draft"' in wrong.text  # the same form, kept
    assert edited.url.endswith(f"{alert}?done=edit_draft")
    assert "Raccordi del gas non certificati" in edited.text
    assert member_state_names("it")["HU"] in edited.text
    assert stale.status_code == 409
    assert 'class="imi-notice imi-notice--error" role="alert"' in stale.text
    sent = send(roma, f"{alert}/actions/send", data={"version": "2", "csrf_token": token})
    assert html("web.alerts.status_name.sent", "it") in sent.text
    assert f'href="{alert}/edit"' not in sent.text
    assert roma.get(f"{alert}/edit").status_code == 409  # a sent alert is no draft


def test_a_draft_professional_qualifications_alert_is_edited_in_its_own_form(stack):
    roma = web_login(stack, demo_user("it-roma-handler"))
    token = csrf(roma.get("/alerts/new/professional-qualifications").text)
    form = {"csrf_token": token, "form_key": "pq2", "name": "Mario Bianchi",
            "birth_date": "1970-03-02", "birth_place": "Torino", "profession": "Farmacista",
            "deciding_authority": "Ordine dei Farmacisti di Roma", "decision": "prohibition",
            "decision_date": "2026-12-05", "scope": "Esercizio della farmacia.",
            "restriction_from": "2026-12-05"}  # fmt: skip
    alert = send(roma, "/alerts/new/professional-qualifications", data=form,
                 allow_redirects=False).headers["Location"]  # fmt: skip
    shown = roma.get(f"{alert}/edit")
    assert shown.status_code == 200
    assert 'value="Mario Bianchi"' in shown.text
    assert 'value="1970-03-02"' in shown.text
    assert '<option value="prohibition" selected>' in shown.text
    del form["form_key"]
    edited = send(roma, f"{alert}/actions/edit_draft", data={
        **form, "version": "1", "decision": "restriction",
        "scope": "Preparazioni galeniche."})  # fmt: skip
    assert edited.url.endswith(f"{alert}?done=edit_draft")
    assert html("web.alert.decision.restriction", "it") in edited.text
    assert "Preparazioni galeniche." in edited.text
    assert "Mario Bianchi" in edited.text

    sent = send(roma, f"{alert}/actions/send", data={"version": "2", "csrf_token": token})
    assert html("web.alerts.status_name.sent", "it") in sent.text
    assert f'action="{alert}/actions/modify"' in sent.text
    assert 'value="Farmacista"' in sent.text  # the modification's form holds the alert
    change = {"csrf_token": token, "version": "3", "profession": "Farmacista",
              "scope": "Preparazioni galeniche e vendita online.",
              "restriction_from": "2026-12-05", "restriction_until": "2027-06-30"}  # fmt: skip
    undated = send(roma, f"{alert}/actions/modify", data=change)
    modified = send(roma, f"{alert}/actions/modify", data={**change, "decision_date": "2026-12-06"})
    assert undated.status_code == 400
    assert 'id="error-decision_date" role="alert"' in undated.text
    assert "Preparazioni galeniche e vendita online." in undated.text  # what was typed is kept
    assert modified.url.endswith(f"{alert}?done=modify")
    assert "Preparazioni galeniche e vendita online." in modified.text
    assert html("web.alert.field.restriction_until", "it") in modified.text


def test_a_case_by_case_derogation_is_written_sent_and_answered_by_the_provider_s_state(stack):
    roma = web_login(stack, demo_user("it-roma-handler"))
    assert 'href="/alerts/new/derogation"' in roma.get("/alerts").text
    token = csrf(roma.get("/alerts/new/derogation").text)
    form = {"csrf_token": token, "form_key": "d1", "title": "Sospensione di un installatore",
            "provider_state": "DE", "provider_name": "Gasbau Schmidt GmbH",
            "measure": "Sospensione dell'attività in Italia per sei mesi.",
            "reasons": "Rischio grave per la sicurezza degli impianti."}  # fmt: skip
    wrong = send(roma, "/alerts/new/derogation", data={**form, "measure": ""})
    assert wrong.status_code == 400
    assert 'id="error-measure" role="alert"' in wrong.text
    created = send(roma, "/alerts/new/derogation", data=form, allow_redirects=False)
    assert created.status_code == 303, (created.status_code, created.text[-3000:])
    alert = created.headers["Location"]
    sent = send(roma, f"{alert}/actions/send", data={"version": "1", "csrf_token": token})
    assert html("web.alerts.status_name.sent", "it") in sent.text
    assert "Gasbau Schmidt GmbH" in sent.text
    assert f'action="{alert}/actions/answer"' not in sent.text  # the provider's state answers

    germany = web_login(stack, demo_user("de-coordinator"))
    shown = germany.get(alert)
    assert html("web.alert.field.measure", "de") in shown.text
    assert f'action="{alert}/actions/answer"' in shown.text
    step = {"version": "2", "csrf_token": csrf(shown.text)}
    empty = send(germany, f"{alert}/actions/answer", data=step)
    answer = {**step, "text": "Die Behörde in Köln prüft den Fall."}
    answered = send(germany, f"{alert}/actions/answer", data=answer)
    assert empty.status_code == 400
    assert 'id="error-text" role="alert"' in empty.text
    assert answered.url.endswith(f"{alert}?done=answer")
    assert html("web.alerts.status_name.answered", "de") in answered.text
    assert f'action="{alert}/actions/answer"' not in answered.text

    seen = roma.get(alert)
    assert "Die Behörde in Köln prüft den Fall." in seen.text
    assert html("web.alerts.status_name.answered", "it") in seen.text


def sent_alert(web: HttpSession, token: str, form_key: str) -> str:
    """A Services Directive alert written and sent to Germany from the pages: its path."""
    created = send(web, "/alerts/new", data={
        "csrf_token": token, "form_key": form_key, "title": TITLE, "description": DESCRIPTION,
        "cause_is_service_activity": "yes", "risk_exists_now": "yes", "cross_border": "yes",
        "member_states": ["DE"]}, allow_redirects=False)  # fmt: skip
    assert created.status_code == 303, (created.status_code, created.text[-3000:])
    alert = created.headers["Location"]
    sent = send(web, f"{alert}/actions/send", data={"version": "1", "csrf_token": token})
    assert sent.url.endswith(f"{alert}?done=send")
    return alert


def test_an_alert_s_sender_proposes_closure_then_closes_it_and_others_may_not(stack):
    roma = web_login(stack, demo_user("it-roma-handler"))
    token = csrf(roma.get("/alerts/new").text)
    alert = sent_alert(roma, token, "k5")
    shown = roma.get(alert)
    for step in ("propose_closure", "withdraw"):
        assert f'action="{alert}/actions/{step}"' in shown.text, step
    assert f'action="{alert}/actions/close"' not in shown.text  # after a proposal only

    proposed = send(roma, f"{alert}/actions/propose_closure",
                    data={"version": "2", "csrf_token": token})  # fmt: skip
    assert proposed.url.endswith(f"{alert}?done=propose_closure")
    assert html("web.alerts.status_name.closure_proposed", "it") in proposed.text
    assert f'action="{alert}/actions/propose_closure"' not in proposed.text
    assert f'action="{alert}/actions/close"' in proposed.text

    germany = web_login(stack, demo_user("de-coordinator"))
    mailbox = germany.get(alert)
    assert mailbox.status_code == 200
    for step in ("propose_closure", "close", "withdraw"):
        assert f'action="{alert}/actions/{step}"' not in mailbox.text, step
    refused = send(germany, f"{alert}/actions/close",
                   data={"version": "3", "csrf_token": csrf(mailbox.text)})  # fmt: skip
    assert refused.status_code == 403
    assert html("alert.role_missing", "de") in refused.text
    assert html("web.alerts.status_name.closure_proposed", "de") in refused.text  # unchanged

    closed = send(roma, f"{alert}/actions/close", data={"version": "3", "csrf_token": token})
    assert closed.url.endswith(f"{alert}?done=close")
    assert html("web.alerts.status_name.closed", "it") in closed.text
    assert html("web.alert.closed", "it") in closed.text  # the date it was closed
    for step in ("propose_closure", "close", "withdraw", "comment"):
        assert f'action="{alert}/actions/{step}"' not in closed.text, step
    assert html("web.alert.action.propose_closure", "it") in closed.text  # its history
    assert html("web.alerts.status_name.closed", "de") in germany.get(alert).text


def test_an_alert_s_sender_withdraws_it_and_a_user_without_the_role_may_not(stack):
    roma = web_login(stack, demo_user("it-roma-handler"))
    token = csrf(roma.get("/alerts/new").text)
    alert = sent_alert(roma, token, "k6")

    munich = web_login(stack, demo_user("de-muenchen-handler"))  # the alert has not reached it
    step = {"version": "2", "csrf_token": csrf(munich.get("/").text)}
    hidden = send(munich, f"{alert}/actions/withdraw", data=step)
    viewer = web_login(stack, demo_user("it-roma-viewer"))  # no alert right
    step = {"version": "2", "csrf_token": csrf(viewer.get("/").text)}
    forbidden = send(viewer, f"{alert}/actions/withdraw", data=step)
    assert hidden.status_code == 404
    assert forbidden.status_code == 403
    assert html("web.alerts.status_name.sent", "it") in roma.get(alert).text  # nothing changed

    withdrawn = send(roma, f"{alert}/actions/withdraw", data={"version": "2", "csrf_token": token})
    assert withdrawn.url.endswith(f"{alert}?done=withdraw")
    assert html("web.alerts.status_name.withdrawn", "it") in withdrawn.text
    for step in ("send", "propose_closure", "close", "withdraw", "comment"):
        assert f'action="{alert}/actions/{step}"' not in withdrawn.text, step
    again = send(roma, f"{alert}/actions/withdraw", data={"version": "3", "csrf_token": token})
    assert again.status_code == 409
    assert html("alert.action_not_allowed", "it") in again.text


def test_an_alert_of_a_state_that_requires_approval_waits_for_its_coordinator(stack):
    admin = stack.activate(stack.admin)
    setting = stack.web.put(f"{API}/alert-settings/IT", headers=admin.auth_json,
                            json={"approval_required": True})  # fmt: skip
    assert setting.status_code == 200, setting.text
    roma = web_login(stack, demo_user("it-roma-handler"))
    token = csrf(roma.get("/alerts/new").text)
    created = roma.post("/alerts/new", data={
        "csrf_token": token, "form_key": "k3", "title": TITLE, "description": DESCRIPTION,
        "cause_is_service_activity": "yes", "risk_exists_now": "yes", "cross_border": "yes",
        "member_states": ["HU"]}, allow_redirects=False)  # fmt: skip
    alert = created.headers["Location"]
    waiting = roma.post(f"{alert}/actions/send", data={"version": "1", "csrf_token": token})
    assert html("web.alerts.status_name.awaiting_approval", "it") in waiting.text
    assert f'action="{alert}/actions/approve"' not in waiting.text  # not the sender's step

    coordinator = web_login(stack, demo_user("it-coordinator"))
    listed = coordinator.get("/alerts", params={"box": "approval"})
    assert f'href="{alert}"' in listed.text
    shown = coordinator.get(alert)
    assert f'action="{alert}/actions/approve"' in shown.text
    assert f'action="{alert}/actions/refuse_approval"' in shown.text
    no_reason = coordinator.post(f"{alert}/actions/refuse_approval",
                                 data={"version": "2", "csrf_token": csrf(shown.text)})  # fmt: skip
    approved = coordinator.post(f"{alert}/actions/approve",
                                data={"version": "2", "csrf_token": csrf(shown.text)})  # fmt: skip

    assert no_reason.status_code == 400
    assert 'id="error-reason" role="alert"' in no_reason.text
    assert approved.status_code == 200
    assert html("web.alerts.status_name.sent", "it") in approved.text


def test_a_user_without_alert_rights_finds_no_alert_page_and_cannot_write_one(stack):
    viewer = demo_user("it-roma-viewer")  # a basic user: no alert right
    web = web_login(stack, viewer)
    home = web.get("/")
    token = csrf(home.text)

    listed = web.get("/alerts")
    form = web.get("/alerts/new")
    posted = web.post("/alerts/new", data={
        "csrf_token": token, "form_key": "k", "title": TITLE, "description": DESCRIPTION,
        "cause_is_service_activity": "yes", "risk_exists_now": "yes", "cross_border": "yes",
        "member_states": ["DE"]})  # fmt: skip

    assert 'href="/alerts"' not in home.text
    for answer in (listed, form, posted):
        assert answer.status_code == 403
        assert shipped_text("web.error.forbidden", "en") in answer.text
    roma = demo_user("it-roma-handler")
    handler = stack.login(User(roma.username, roma.password, security_code=roma.security_code))
    handler = handler.json()["access_token"]
    mine = stack.web.get(f"{API}/alerts", params={"box": "outgoing"},
                         headers={"Authorization": f"Bearer {handler}"})  # fmt: skip
    assert mine.json()["items"] == []


def bearer(stack, username: str) -> dict:
    person = demo_user(username)
    answer = stack.login(User(person.username, person.password, security_code=person.security_code))
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def broadcast_requirement(stack) -> tuple[str, dict]:
    """Budapest's handler writes and broadcasts a notification of requirements (its type feeds
    the services_requirements repository): its path and the broadcast's answer."""
    auth = bearer(stack, "hu-budapest-handler")
    created = stack.web.post(f"{API}/notifications", headers=auth, json={
        "type_key": "services_requirements",
        "content": {"requirement": "Engedély szükséges.", "legal_reference": "2023. évi X. tv.",
                    "requirement_kind": "authorisation", "adopted_on": "2026-01-15",
                    "justification": "Közegészségügy."}})  # fmt: skip
    assert created.status_code == 201, created.text
    path = f"/notifications/{created.json()['id']}"
    sent = stack.web.post(f"{API}{path}/actions/broadcast", headers=auth, json={"version": 1})
    assert sent.status_code == 200, sent.text
    return path, sent.json()


def test_a_generic_notification_reads_in_the_reader_s_language_from_the_inbox_link(
    shipped_types, stack, eventually
):
    path, sent = broadcast_requirement(stack)
    reader = demo_user("de-muenchen-handler")
    assert reader.authority.id in [item["authority_id"] for item in sent["recipients"]]
    web = web_login(stack, reader)

    def told() -> None:
        assert f'href="{path}"' in web.get("/inbox").text

    eventually(told, timeout=20)
    shown = web.get(path)
    listed = web.get("/notifications", params={"box": "incoming"})

    assert shown.status_code == 200
    assert '<html lang="de">' in shown.text
    assert html("notification_type.services_requirements.title", "de") in shown.text
    assert (
        html("notification_type.services_requirements.field_requirement_kind", "de") in shown.text
    )
    assert (
        html("notification_type.services_requirements.option_requirement_kind_authorisation", "de")
        in shown.text
    )
    assert "Engedély szükséges." in shown.text
    assert listed.status_code == 200
    assert f'href="{path}"' in listed.text


REQUIREMENT = {"content_requirement": "Engedély szükséges.",
               "content_legal_reference": "2023. évi X. törvény",
               "content_requirement_kind": "authorisation", "content_adopted_on": "2026-01-15",
               "content_justification": "Közegészségügy."}  # fmt: skip


def test_a_generic_notification_is_written_broadcast_and_commented_from_the_pages(
    shipped_types, stack
):
    budapest = web_login(stack, demo_user("hu-budapest-handler"))
    listed = budapest.get("/notifications")
    assert 'href="/notifications/new"' in listed.text
    types = budapest.get("/notifications/new")
    assert 'href="/notifications/new?type=services_requirements"' in types.text
    form = budapest.get("/notifications/new", params={"type": "services_requirements"})
    assert form.status_code == 200
    assert html("notification_type.services_requirements.field_requirement", "hu") in form.text
    assert (
        html("notification_type.services_requirements.option_requirement_kind_restriction", "hu")
        in form.text
    )
    assert html("web.notification.receivers.all_states", "hu") in form.text
    token = csrf(form.text)
    good = {"csrf_token": token, "form_key": "n1", "type_key": "services_requirements",
            **REQUIREMENT}  # fmt: skip

    wrong = send(budapest, "/notifications/new", data={
        **good, "content_requirement_kind": "", "content_adopted_on": "15.01.2026"})  # fmt: skip
    created = send(budapest, "/notifications/new", data=good, allow_redirects=False)
    again = send(budapest, "/notifications/new", data=good, allow_redirects=False)

    assert wrong.status_code == 400
    for field in ("content_requirement_kind", "content_adopted_on"):
        assert f'id="error-{field}" role="alert"' in wrong.text, field
        assert re.search(f'id="field-{field}"[^>]*aria-invalid="true"', wrong.text), field
    assert "Engedély szükséges." in wrong.text  # what was typed is kept
    assert created.status_code == 303
    path = created.headers["Location"]
    assert again.headers["Location"] == path  # the same form sent twice: one notification
    draft = budapest.get(path)
    assert html("web.alerts.notifications.status.draft", "hu") in draft.text
    assert f'action="{path}/actions/broadcast"' in draft.text
    assert f'href="{path}/edit"' in draft.text
    assert f'action="{path}/actions/comment"' not in draft.text  # not a draft's step

    edit = budapest.get(f"{path}/edit")
    assert "Engedély szükséges." in edit.text  # the form holds the draft's content
    edited = send(budapest, f"{path}/actions/edit_draft", data={
        **REQUIREMENT, "csrf_token": token, "version": "1",
        "content_requirement": "Előzetes engedély szükséges."})  # fmt: skip
    assert edited.url.endswith(f"{path}?done=edit_draft")
    assert "Előzetes engedély szükséges." in edited.text
    stale = send(budapest, f"{path}/actions/broadcast", data={"csrf_token": token, "version": "1"})
    assert stale.status_code == 409
    assert 'class="imi-notice imi-notice--error" role="alert"' in stale.text
    sent = send(budapest, f"{path}/actions/broadcast", data={"csrf_token": token, "version": "2"})
    assert sent.url.endswith(f"{path}?done=broadcast")
    hungarian = Texts("hu")  # the notice names the step by its button's words
    notice = hungarian("web.alert.done", action=hungarian("web.notification.action.broadcast"))
    assert str(escape(notice)) in sent.text
    assert html("web.alerts.notifications.status.broadcast", "hu") in sent.text
    assert f'action="{path}/actions/close"' in sent.text
    assert f'href="{path}/edit"' in sent.text  # modify

    munich = web_login(stack, demo_user("de-muenchen-handler"))
    received = munich.get(path)
    assert received.status_code == 200
    assert html("notification_type.services_requirements.title", "de") in received.text
    assert "Előzetes engedély szükséges." in received.text
    assert f'action="{path}/actions/comment"' in received.text
    for step in ("close", "withdraw", "broadcast"):
        assert f'action="{path}/actions/{step}"' not in received.text, step
    refused = send(munich, f"{path}/actions/close",
                   data={"csrf_token": csrf(received.text), "version": "3"})  # fmt: skip
    assert refused.status_code == 403
    assert html("generic.role_missing", "de") in refused.text
    commented = send(munich, f"{path}/actions/comment", data={
        "csrf_token": csrf(received.text), "version": "3",
        "text": "Gilt das auch für Zweigniederlassungen?"})  # fmt: skip
    assert commented.url.endswith(f"{path}?done=comment")
    assert "Gilt das auch für Zweigniederlassungen?" in commented.text

    seen = budapest.get(path)
    assert "Gilt das auch für Zweigniederlassungen?" in seen.text
    assert html("web.notification.action.create", "hu") in seen.text  # its history
    version = re.search(r'name="version" value="(\d+)"', seen.text)[1]
    closed = send(budapest, f"{path}/actions/close", data={"csrf_token": token, "version": version})
    assert html("web.alerts.notifications.status.closed", "hu") in closed.text
    assert f'action="{path}/actions/' not in closed.text  # no step is left


def test_a_notification_refused_by_the_service_shows_its_message_and_writes_nothing(
    shipped_types, stack
):
    budapest = web_login(stack, demo_user("hu-budapest-handler"))
    form = budapest.get("/notifications/new", params={"type": "pq_regulated_profession"})
    assert form.status_code == 200
    assert html("web.notification.personal_data", "hu") in form.text
    refused = send(budapest, "/notifications/new", data={
        "csrf_token": csrf(form.text), "form_key": "n2", "type_key": "pq_regulated_profession",
        "content_profession": "Gyógyszerész", "content_legal_reference": "2005/36/EK"})  # fmt: skip
    # Budapest takes part in the services area's notifications only
    assert refused.status_code == 403
    assert html("generic.authority_not_in_notifications", "hu") in refused.text
    assert "Gyógyszerész" in refused.text
    outgoing = budapest.get("/notifications", params={"box": "outgoing"})
    assert html("web.alerts.notifications.none", "hu") in outgoing.text

    viewer = web_login(stack, demo_user("it-roma-viewer"))
    assert 'href="/notifications/new"' not in viewer.get("/notifications").text
    closed = viewer.get("/notifications/new", params={"type": "services_requirements"})
    assert closed.status_code == 403


@pytest.mark.timeout(300)  # the first test of a run to prepare its directory template
def test_a_professional_qualifications_alert_shows_its_mailbox_only_the_profession_until_routed(
    german_directory, stack
):
    roma = web_login(stack, demo_user("it-roma-handler"))
    token = csrf(roma.get("/alerts/new/professional-qualifications").text)
    form = {"csrf_token": token, "form_key": "pq", "name": "Mario Bianchi",
            "birth_date": "1970-03-02", "birth_place": "Torino", "profession": "Farmacista",
            "deciding_authority": "Ordine dei Farmacisti di Roma", "decision": "prohibition",
            "decision_date": "2026-12-05", "scope": "Esercizio della farmacia.",
            "restriction_from": "2026-12-05", "restriction_until": "2026-01-01"}  # fmt: skip
    wrong = roma.post("/alerts/new/professional-qualifications", data=form)
    assert wrong.status_code == 400
    assert html("web.alert.period_invalid", "it") in wrong.text
    created = roma.post("/alerts/new/professional-qualifications",
                        data={**form, "restriction_until": ""}, allow_redirects=False)  # fmt: skip
    assert created.status_code == 303
    alert = created.headers["Location"]
    sent = roma.post(f"{alert}/actions/send", data={"version": "1", "csrf_token": token})
    assert html("web.alerts.status_name.sent", "it") in sent.text

    germany = web_login(stack, demo_user("de-coordinator"))
    limited = germany.get(alert, params={"find": "München"})
    munich = demo_user("de-muenchen-handler")
    assert limited.status_code == 200
    assert html("web.alert.limited", "de") in limited.text
    assert "Farmacista" in limited.text
    assert "Mario Bianchi" not in limited.text
    assert f'value="{munich.authority.id}"' in limited.text
    routed = germany.post(f"{alert}/actions/disseminate", data={
        "version": "2", "csrf_token": csrf(limited.text),
        "authority_ids": munich.authority.id})  # fmt: skip
    assert routed.status_code == 200
    assert routed.url.endswith(f"{alert}?done=disseminate")

    full = web_login(stack, munich).get(alert)
    assert "Mario Bianchi" in full.text
    assert html("web.alert.decision.prohibition", "de") in full.text
    informed = roma.post(f"{alert}/actions/record_information", data={
        "version": "3", "csrf_token": token, "informed_on": "2026-12-06",
        "means": "letter"})  # fmt: skip
    assert informed.status_code == 200
    assert html("web.alert.means.letter", "it") in informed.text


# --- in a browser ------------------------------------------------------------------------------


def open_as(browser, stack, person: DemoUser, language: str) -> Page:
    context = browser.new_context(
        base_url=f"http://{stack.config['WEB_SERVER_ADDRESS']}", locale="en-GB"
    )
    page = context.new_page()
    page.goto("/login")
    choose_language(page, language)
    log_in(page, person, language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


def no_violations(page: Page, axe_source: str) -> None:
    assert accessibility_violations(page, axe_source) == []


@pytest.mark.timeout(300)  # three people's logins and four axe checks, past the default 120 s
def test_an_alert_is_sent_disseminated_and_acknowledged_in_three_languages(
    german_directory, browser, stack, axe_source: str, eventually
):
    # Roma's alert handler writes and sends the alert, in Italian
    roma = open_as(browser, stack, demo_user("it-roma-handler"), "it")
    roma.get_by_role("link", name=shipped_text("web.alerts.menu", "it")).click()
    roma.get_by_role("link", name=shipped_text("web.alerts.new", "it")).click()
    expect(roma.locator("h1")).to_have_text(shipped_text("web.alert.new.title", "it"))
    roma.get_by_label(shipped_text("web.alert.field.title", "it")).fill(TITLE)
    roma.get_by_label(shipped_text("web.alert.field.description", "it")).fill(DESCRIPTION)
    for name in ("cause_is_service_activity", "risk_exists_now", "cross_border"):
        roma.get_by_label(shipped_text(f"web.alert.criterion.{name}", "it")).check()
    for state in ("DE", "HU"):
        roma.get_by_label(member_state_names("it")[state], exact=True).check()
    no_violations(roma, axe_source)
    screenshot(roma, "alert-new-it")
    roma.get_by_role("button", name=shipped_text("web.alert.new.submit", "it")).click()

    expect(roma).to_have_url(re.compile(r"/alerts/[0-9a-f-]+$"))
    alert_path = re.search(r"/alerts/[0-9a-f-]+$", roma.url)[0]
    summary = roma.locator("dl.imi-summary dd").first
    expect(summary).to_have_text(shipped_text("web.alerts.status_name.draft", "it"))
    roma.get_by_role("button", name=shipped_text("web.alert.action.send", "it")).click()
    expect(summary).to_have_text(shipped_text("web.alerts.status_name.sent", "it"))
    expect(roma.locator(".imi-notice--info")).to_be_visible()
    expect(roma.locator("#alert-recipients ~ table tbody tr")).to_have_count(3)  # DE, HU, EU
    no_violations(roma, axe_source)
    screenshot(roma, "alert-sent-it")

    # Germany's mailbox coordinator, told in the inbox, disseminates it to München, in Greek
    berlin = open_as(browser, stack, demo_user("de-coordinator"), "el")

    def told() -> None:
        berlin.goto("/inbox")
        assert berlin.locator(f"a[href='{alert_path}']").count() == 1

    eventually(told, timeout=20)
    berlin.locator(f"a[href='{alert_path}']").click()
    expect(berlin.locator("h1")).to_have_text(TITLE)
    berlin.get_by_label(shipped_text("web.alert.find", "el")).fill("München")
    berlin.get_by_role("button", name=shipped_text("web.alert.find_submit", "el")).click()
    munich = demo_user("de-muenchen-handler")
    berlin.locator(f"input[name='authority_ids'][value='{munich.authority.id}']").check()
    no_violations(berlin, axe_source)
    screenshot(berlin, "alert-disseminate-el")
    berlin.get_by_role("button", name=shipped_text("web.alert.action.disseminate", "el")).click()
    expect(berlin.locator(".imi-notice--info")).to_contain_text(
        shipped_text("web.alert.action.disseminate", "el")
    )
    vias = berlin.locator("#alert-recipients ~ table tbody tr td:nth-child(3)")
    expect(vias).to_contain_text([shipped_text("web.alert.via.dissemination", "el")])

    # München's alert handler finds it among the received alerts and acknowledges it, in German
    handler = open_as(browser, stack, munich, "de")
    handler.get_by_role("link", name=shipped_text("web.alerts.menu", "de")).click()
    row = handler.locator("table.imi-table tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    no_violations(handler, axe_source)
    screenshot(handler, "alerts-de")
    row.get_by_role("link").click()
    expect(handler.get_by_text(DESCRIPTION)).to_be_visible()
    handler.get_by_role("button", name=shipped_text("web.alert.action.acknowledge", "de")).click()
    expect(handler.locator(".imi-notice--info")).to_be_visible()
    expect(
        handler.get_by_role("button", name=shipped_text("web.alert.action.acknowledge", "de"))
    ).to_have_count(0)
    no_violations(handler, axe_source)
    screenshot(handler, "alert-acknowledged-de")

    # the sender sees who acknowledged it
    roma.reload()
    routed = roma.locator("#alert-recipients ~ table tbody tr",
                          has_text=shipped_text("web.alert.via.dissemination", "it"))  # fmt: skip
    expect(routed).to_have_count(1)
    expect(routed.locator("td").nth(3)).not_to_have_text(
        shipped_text("web.alert.not_acknowledged", "it")
    )
    for opened in (roma, berlin, handler):
        opened.context.close()


@pytest.mark.timeout(300)  # a login and three axe checks on a small stack
def test_a_notification_is_written_and_broadcast_in_a_browser_in_hungarian(
    shipped_types, browser, stack, axe_source: str
):
    def text(name: str) -> str:
        return shipped_text(f"notification_type.services_requirements.{name}", "hu")

    page = open_as(browser, stack, demo_user("hu-budapest-handler"), "hu")
    page.goto("/notifications")
    page.get_by_role("link", name=shipped_text("web.notification.new", "hu")).click()
    page.get_by_role("link", name=text("title")).click()
    expect(page.locator("h1")).to_have_text(text("title"))
    page.get_by_label(text("field_requirement"), exact=True).fill("Engedély szükséges.")
    page.get_by_label(text("field_legal_reference"), exact=True).fill("2023. évi X. törvény")
    page.get_by_label(text("field_requirement_kind"), exact=True).select_option(
        label=text("option_requirement_kind_authorisation")
    )
    page.get_by_label(text("field_adopted_on"), exact=True).fill("2026-01-15")
    no_violations(page, axe_source)
    screenshot(page, "notification-new-hu")
    page.get_by_label(text("field_justification"), exact=True).fill("Közegészségügy.")
    page.get_by_role("button", name=shipped_text("web.notification.save", "hu")).click()

    expect(page).to_have_url(re.compile(r"/notifications/[0-9a-f-]+$"))
    status = page.locator("dl.imi-summary dd").first
    expect(status).to_have_text(shipped_text("web.alerts.notifications.status.draft", "hu"))
    expect(page.get_by_text(text("option_requirement_kind_authorisation"))).to_be_visible()
    no_violations(page, axe_source)
    page.get_by_role("button", name=shipped_text("web.notification.action.broadcast", "hu")).click()
    expect(status).to_have_text(shipped_text("web.alerts.notifications.status.broadcast", "hu"))
    expect(page.locator(".imi-notice--info")).to_be_visible()
    no_violations(page, axe_source)
    screenshot(page, "notification-broadcast-hu")
    page.context.close()


@pytest.mark.timeout(300)  # a login and three axe checks on a small stack
def test_a_derogation_is_written_and_its_draft_edited_in_a_browser_in_italian(
    browser, stack, axe_source: str
):
    page = open_as(browser, stack, demo_user("it-roma-handler"), "it")
    page.goto("/alerts")
    page.get_by_role("link", name=shipped_text("web.alerts.new_derogation", "it")).click()
    expect(page.locator("h1")).to_have_text(shipped_text("web.alert.derogation.title", "it"))
    page.get_by_label(shipped_text("web.alert.field.title", "it")).fill("Sospensione")
    page.get_by_label(shipped_text("web.alert.field.provider_state", "it")).select_option("DE")
    page.get_by_label(shipped_text("web.alert.field.provider_name", "it")).fill("Gasbau GmbH")
    page.get_by_label(shipped_text("web.alert.field.measure", "it")).fill("Sospensione.")
    no_violations(page, axe_source)
    screenshot(page, "derogation-new-it")
    page.get_by_role("button", name=shipped_text("web.alert.new.submit", "it")).click()
    expect(page.locator("#error-reasons")).to_be_visible()  # the reasons are missing
    page.get_by_label(shipped_text("web.alert.field.reasons", "it")).fill("Rischio grave.")
    page.get_by_role("button", name=shipped_text("web.alert.new.submit", "it")).click()

    expect(page).to_have_url(re.compile(r"/alerts/[0-9a-f-]+$"))
    expect(page.get_by_text("Gasbau GmbH")).to_be_visible()
    no_violations(page, axe_source)
    page.get_by_role("link", name=shipped_text("web.alert.action.edit_draft", "it")).click()
    expect(page.get_by_label(shipped_text("web.alert.field.provider_name", "it"))).to_have_value(
        "Gasbau GmbH"
    )
    page.get_by_label(shipped_text("web.alert.field.provider_name", "it")).fill("Gasbau Schmidt")
    no_violations(page, axe_source)
    page.get_by_role("button", name=shipped_text("web.alert.new.submit", "it")).click()
    expect(page.get_by_text("Gasbau Schmidt")).to_be_visible()
    screenshot(page, "derogation-draft-it")
    page.context.close()
