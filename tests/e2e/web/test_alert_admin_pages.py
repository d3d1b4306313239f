"""The alert pages of coordinators and the Commission with the training environment's demo
users: the late Professional Qualifications alerts list and the approval settings per member
state. Italy's national coordinator (every right, at Italy's NIMIC) reads Italy's late alerts
and sets whether Italy's alerts need approval; the Commission's administrator reads every
state's; Roma's handler (no alert authoriser right) and Roma's local data administrator (every
right, but not at the NIMIC) get no link and a refusal. A Professional Qualifications alert
whose decision is 10 days old is late as soon as it is written: the service measures its
3-day deadline against the real clock.

The directory holds Italy's NIMIC, which the settings pages read to know whether the visitor
works at their state's national coordinator (the service's rule)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from markupsafe import escape
from playwright.sync_api import expect

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
from services.identity.demo_roster import demo_user
from tests.e2e.conftest import prepared
from tests.e2e.stack import shipped_text
from tests.e2e.web.conftest import screenshot
from tests.e2e.web.test_alert_pages import (
    DESCRIPTION,
    TITLE,
    csrf,
    html,
    no_violations,
    open_as,
    send,
    web_login,
)

DECIDED = date.today() - timedelta(days=10)


def italian_coordinator(uri: str) -> None:
    """Italy's NIMIC in the directory, as its demo preparation registers it."""
    planned = plan_authorities()
    places = coordinator_places(planned)
    wanted = demo_user("it-coordinator").authority.id
    database = StandaloneDatabase(DirectoryBase, "directory", uri)
    unit = database.unit_of_work()
    try:
        for entry in planned:
            if entry["id"] == wanted:
                add_authority(unit, entry, validating_coordinator(entry, places))
        unit.commit()
    finally:
        unit.close()
        database.dispose()


@pytest.fixture
def e2e_config(e2e_config, prepared_sqlite, tmp_path) -> dict:
    uris = dict(e2e_config["DB_URIS"])
    uris["directory"] = prepared_sqlite(
        "e2e_directory_it_nimic",
        prepared("directory", prepare_directory, italian_coordinator),
        tmp_path / "directory-it.db",
    )
    return {**e2e_config, "DB_URIS": uris}


def late_pq_alert(roma) -> str:
    """A Professional Qualifications alert of Roma whose decision is 10 days old: its path."""
    token = csrf(roma.get("/alerts/new/professional-qualifications").text)
    created = send(roma, "/alerts/new/professional-qualifications", data={
        "csrf_token": token, "form_key": "late", "name": "Mario Bianchi",
        "birth_date": "1970-03-02", "birth_place": "Torino", "profession": "Farmacista",
        "deciding_authority": "Ordine dei Farmacisti di Roma", "decision": "prohibition",
        "decision_date": DECIDED.isoformat(), "scope": "Esercizio della farmacia.",
        "restriction_from": DECIDED.isoformat()}, allow_redirects=False)  # fmt: skip
    assert created.status_code == 303, created.text[:500]
    return created.headers["Location"]


def deadline_text(language: str) -> str:
    """The end of the third day after the decision, as a page in ``language`` writes it."""
    deadline = datetime.combine(DECIDED + timedelta(days=4), time(), UTC)
    return str(escape(Texts(language).datetime(deadline)))


def done(action: str, language: str) -> str:
    """The notice after a step, naming it by its button's words."""
    texts = Texts(language)
    return str(escape(texts("web.alert.done", action=texts(f"web.alert.action.{action}"))))


def late_rows(page_html: str) -> list[str]:
    """The late list's rows (the stack of each test holds only the alerts it wrote)."""
    body = re.search(r'<tbody class="ecl-table__body">(.*?)</tbody>', page_html, re.S)
    return re.findall(r"<tr .*?</tr>", body[1], re.S) if body else []


# --- over plain HTTP ---------------------------------------------------------------------------


def test_a_late_alert_is_listed_with_why_and_since_when_for_those_the_service_lets_read_it(stack):
    roma = web_login(stack, demo_user("it-roma-handler"))
    alert = late_pq_alert(roma)

    coordinator = web_login(stack, demo_user("it-coordinator"))
    alerts = coordinator.get("/alerts")
    assert 'href="/alerts/late"' in alerts.text
    late = coordinator.get("/alerts/late")
    assert late.status_code == 200
    [row] = late_rows(late.text)
    assert f'href="{alert}"' not in row  # a draft: only its authority reads it
    assert html("web.alerts.kind.professional_qualifications", "it") in row
    assert html("web.alerts.late.reason.unsent", "it") in row
    assert deadline_text("it") in row
    assert html("web.alerts.status_name.draft", "it") in row

    sent = send(roma, f"{alert}/actions/send", data={"version": "1", "csrf_token": csrf(
        roma.get(alert).text)})  # fmt: skip
    assert sent.url.endswith(f"{alert}?done=send")
    assert done("send", "it") in sent.text  # the notice names the step by its button
    [row] = late_rows(coordinator.get("/alerts/late").text)
    assert f'href="{alert}"' in row  # sent: its sender's coordinator reads it
    assert "Farmacista" in row
    assert html("web.alerts.late.reason.send", "it") in row
    assert html("web.alerts.status_name.sent", "it") in row

    admin = web_login(stack, stack.activate(stack.admin))
    every = admin.get("/alerts/late")
    assert every.status_code == 200
    assert 'href="/alerts/late"' in every.text  # the Commission's menu entry
    assert html("web.alerts.late.reason.send", "en") in every.text
    assert deadline_text("en") in every.text
    assert member_state_names("en")["IT"] in every.text
    german = admin.get("/alerts/late", params={"member_state": "DE"})
    assert html("web.alerts.late.none", "en") in german.text
    assert html("web.alerts.late.reason.send", "en") not in german.text
    wrong = admin.get("/alerts/late", params={"member_state": "XX"})
    assert wrong.status_code == 400


def test_the_late_list_is_neither_offered_nor_shown_to_an_alert_handler(stack):
    roma = web_login(stack, demo_user("it-roma-handler"))
    late_pq_alert(roma)

    alerts = roma.get("/alerts")
    refused = roma.get("/alerts/late")

    assert alerts.status_code == 200
    assert 'href="/alerts/late"' not in alerts.text
    assert 'href="/alerts/late"' not in roma.get("/").text
    assert refused.status_code == 403
    assert shipped_text("web.error.forbidden", "en") in refused.text
    assert "Farmacista" not in refused.text


def test_the_national_coordinator_requires_approval_then_lifts_it_and_others_may_not(stack):
    coordinator = web_login(stack, demo_user("it-coordinator"))
    listed = coordinator.get("/alerts/settings")
    assert listed.status_code == 200
    assert 'href="/alerts/settings/IT"' in listed.text
    assert 'href="/alerts/settings/DE"' not in listed.text  # another state's is not theirs
    form = coordinator.get("/alerts/settings/IT")
    assert form.status_code == 200
    assert re.search(r'id="approval-no"[^>]*checked', form.text)  # none yet: no approval
    token = csrf(form.text)

    forged = coordinator.post("/alerts/settings/IT", data={"approval_required": "yes"})
    empty = coordinator.post("/alerts/settings/IT", data={"csrf_token": token})
    odd = coordinator.post("/alerts/settings/IT", data={
        "csrf_token": token, "approval_required": "maybe", "version": "x"})  # fmt: skip
    assert forged.status_code == 403
    assert empty.status_code == 400
    assert 'id="error-approval_required" role="alert"' in empty.text
    assert html("web.alerts.settings.choice_required", "it") in empty.text
    assert odd.status_code == 400
    assert 'id="error-version" role="alert"' in odd.text
    assert re.search(r'id="approval-no"[^>]*checked', coordinator.get("/alerts/settings/IT").text)

    saved = send(coordinator, "/alerts/settings/IT",
                 data={"csrf_token": token, "approval_required": "yes"})  # fmt: skip
    assert saved.status_code == 200
    assert saved.url.endswith("/alerts/settings/IT?saved=yes")
    italy = member_state_names("it")["IT"]
    assert str(escape(Texts("it")("web.alerts.settings.saved", member_state=italy))) in saved.text
    assert re.search(r'id="approval-yes"[^>]*checked', saved.text)
    stale = coordinator.post("/alerts/settings/IT",
                             data={"csrf_token": token, "approval_required": "no"})  # fmt: skip
    assert stale.status_code == 409  # the form read no version: someone set it meanwhile
    assert html("error.stale_version", "it") in stale.text

    roma = web_login(stack, demo_user("it-roma-handler"))
    waiting = write_and_send(roma, "k1")
    assert html("web.alerts.status_name.awaiting_approval", "it") in waiting.text

    current = coordinator.get("/alerts/settings/IT")
    lifted = send(coordinator, "/alerts/settings/IT", data={
        "csrf_token": token, "approval_required": "no",
        "version": re.search(r'name="version" value="(\d+)"', current.text)[1]})  # fmt: skip
    assert lifted.url.endswith("?saved=yes")
    assert html("web.alerts.settings.not_required", "it") in coordinator.get(
        "/alerts/settings").text  # fmt: skip
    direct = write_and_send(roma, "k2")
    assert html("web.alerts.status_name.sent", "it") in direct.text

    lda = web_login(stack, demo_user("it-roma-lda"))  # a data administrator, not at the NIMIC
    shown = lda.get("/alerts/settings")
    assert shown.status_code == 200
    assert 'href="/alerts/settings/IT"' not in shown.text
    assert lda.get("/alerts/settings/IT").status_code == 403
    refused = lda.post("/alerts/settings/IT", data={
        "csrf_token": csrf(shown.text), "approval_required": "yes", "version": "2"})  # fmt: skip
    assert refused.status_code == 403
    assert html("web.alerts.settings.not_required", "it") in lda.get("/alerts/settings").text
    assert roma.get("/alerts/settings/IT").status_code == 403
    assert coordinator.get("/alerts/settings/XX").status_code == 404


def write_and_send(roma, form_key: str):
    """A Services Directive alert written and sent by Roma's handler: its page after sending."""
    token = csrf(roma.get("/alerts/new").text)
    created = send(roma, "/alerts/new", data={
        "csrf_token": token, "form_key": form_key, "title": TITLE, "description": DESCRIPTION,
        "cause_is_service_activity": "yes", "risk_exists_now": "yes", "cross_border": "yes",
        "member_states": ["HU"]}, allow_redirects=False)  # fmt: skip
    alert = created.headers["Location"]
    return send(roma, f"{alert}/actions/send", data={"version": "1", "csrf_token": token})


# --- in a browser ------------------------------------------------------------------------------


@pytest.mark.timeout(300)  # two logins and four axe checks, past the default 120 s
def test_the_late_list_and_the_settings_in_greek_pass_axe(browser, stack, axe_source: str):
    roma = web_login(stack, demo_user("it-roma-handler"))
    alert = late_pq_alert(roma)
    send(
        roma,
        f"{alert}/actions/send",
        data={"version": "1", "csrf_token": csrf(roma.get(alert).text)},
    )
    page = open_as(browser, stack, demo_user("it-coordinator"), "el")
    page.goto("/alerts")
    page.get_by_role("link", name=shipped_text("web.alerts.late.menu", "el")).click()
    expect(page.locator("h1")).to_have_text(shipped_text("web.alerts.late.title", "el"))
    expect(page.get_by_text(shipped_text("web.alerts.late.reason.send", "el"))).to_be_visible()
    expect(page.get_by_role("link", name="Farmacista")).to_be_visible()
    no_violations(page, axe_source)
    screenshot(page, "alerts-late-el")

    page.goto("/alerts")
    main = page.locator("#main")  # the menu has the link too
    main.get_by_role("link", name=shipped_text("web.alerts.settings.menu", "el")).click()
    expect(page.locator("h1")).to_have_text(shipped_text("web.alerts.settings.title", "el"))
    no_violations(page, axe_source)
    italy = member_state_names("el")["IT"]
    page.get_by_role(
        "link", name=Texts("el")("web.alerts.settings.change", member_state=italy)
    ).click()
    no_violations(page, axe_source)
    page.get_by_label(shipped_text("web.alerts.settings.yes", "el")).check()
    page.get_by_role("button", name=shipped_text("web.alerts.settings.save", "el")).click()
    expect(page.get_by_role("status")).to_have_text(
        Texts("el")("web.alerts.settings.saved", member_state=italy)
    )
    no_violations(page, axe_source)
    screenshot(page, "alerts-settings-el")
    page.context.close()
