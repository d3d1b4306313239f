"""The Commission releases a whole held batch of invitations, an authority's administrator
replaces a user who left and reads the audit trail, against the whole stack: over plain HTTP,
the batch's invitations are sent (the development mail server receives them), the replaced
username no longer logs in while the newcomer reads a temporary password in their email and
holds the account's rights, the audit trail shows the replacement and narrows to a period and
a kind of entry, and users without the right get no link and a 403; in a browser, the new
pages checked with axe-core in Greek and Bulgarian."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from services.identity.demo_roster import demo_user
from tests.e2e.stack import NEW_PASSWORD, SECURITY_CODE, shipped_text
from tests.e2e.web.conftest import accessibility_violations, screenshot
from tests.e2e.web.test_directory_pages import (  # noqa: F401 (the configuration fixture)
    _one,
    csrf,
    e2e_config,
    in_page,
    logged_in,
    web_session,
)
from tests.e2e.web.test_pages_in_browser import choose_language, log_in

# each test starts the whole stack; on a loaded shared machine that alone takes a minute
pytestmark = pytest.mark.timeout(300)

BATCH_FORM = re.compile(r'name="batch_id" value="([^"]+)"')
CHECKED = re.compile(r'name="grant" value="([^"]+)" checked')
ACTION = re.compile(r'<tr class="ecl-table__row imi-audit-entry" data-action="([a-z_]+)">')
WHEN = re.compile(r'<time datetime="([^"]+)">')
NEXT = re.compile(r'rel="next" href="([^"]+)"')
AUDIT_PAGE = 25  # entries a page of the trail shows


def invited_over_the_limit(stack, towns: tuple[str, ...]):
    """A coordinator invites one address per town in one batch, over its daily limit of three
    (e2e_config): the Commission's administrator (logged in) and the addresses."""
    admin = stack.admin if stack.admin.access_token else stack.activate(stack.admin)
    coordinator = logged_in(stack, stack.national_coordinator(admin, "IT"))
    shown = coordinator.get("/directory/invitations")
    invited = [f"ufficio.{town}@comune.example.it" for town in towns]
    batch = coordinator.post("/directory/invitations", data={
        "csrf_token": csrf(shown.text), "emails": "\n".join(invited), "language": "it",
        "workflow": "information_requests", "area": "services",
    })  # fmt: skip
    assert batch.status_code == 200, batch.text
    return coordinator, admin, invited


def login_refused(stack, person) -> bool:
    """Whether the login pages refuse a person's username with their password and the digits
    of their security code the page asks for (as ``logged_in`` gives them)."""
    web = web_session(stack)
    token = csrf(web.get("/login").text)
    asked = web.post("/login", data={"username": person.username, "csrf_token": token})
    challenge = re.search(r'name="challenge_id" value="([^"]+)"', asked.text)
    if challenge is None:
        return asked.status_code >= 400
    form = {"username": person.username, "password": person.password,
            "challenge_id": challenge[1], "csrf_token": csrf(asked.text), "next": "/"}  # fmt: skip
    labels = re.findall(r'<label class="ecl-form-label" for="field-digit(\d)">[^<]*?(\d+)\s*<',
                        asked.text)  # fmt: skip
    for field, position in labels:
        form[f"digit{field}"] = person.security_code[int(position) - 1]
    return web.post("/login/verify", data=form).status_code == 401


def test_the_commission_releases_a_whole_held_batch_whose_invitations_are_then_sent(stack):
    coordinator, admin, invited = invited_over_the_limit(stack, ("alba", "bari", "enna", "fano",
                                                                 "lodi"))  # fmt: skip
    coordinator_held = coordinator.get("/directory/invitations?status=held")
    assert any(email in coordinator_held.text for email in invited)  # its held ones, listed
    assert "release-batch" not in coordinator_held.text  # the coordinator is offered nothing
    commission = logged_in(stack, admin, landing="/directory/invitations")
    held = commission.get("/directory/invitations", params={"status": "held"})
    batches = BATCH_FORM.findall(held.text)
    assert len(batches) == 1, held.text
    waiting = [email for email in invited if email in held.text]
    assert len(waiting) == 2  # five invited, three a day
    assert all(stack.mailbox.to(email, "email.invitation") == [] for email in waiting)

    refused = coordinator.post("/directory/invitations/release-batch", data={
        "csrf_token": csrf(coordinator_held.text), "batch_id": batches[0],
    })  # fmt: skip
    assert refused.status_code == 403
    wrong = commission.post("/directory/invitations/release-batch", data={
        "csrf_token": csrf(held.text), "batch_id": "../all",
    })  # fmt: skip
    assert wrong.status_code == 400
    assert in_page(shipped_text("web.release_batch.unknown", "en"), wrong)
    assert 'id="error-batch_id"' in wrong.text

    released = commission.post("/directory/invitations/release-batch", data={
        "csrf_token": csrf(held.text), "batch_id": batches[0],
    })  # fmt: skip
    assert released.status_code == 200, released.text
    assert in_page(shipped_text("web.directory.release.done", "en").format(count=2), released)
    assert sorted(re.findall(r'<tr class="ecl-table__row imi-released">\s*<td[^>]*>([^<]+)</td>',
                             released.text)) == sorted(waiting)  # fmt: skip
    for email in waiting:
        assert stack.eventually(lambda e=email: _one(stack.mailbox.to(e, "email.invitation")),
                                timeout=15)  # fmt: skip
    after = commission.get("/directory/invitations", params={"status": "held"})
    assert not any(email in after.text for email in waiting)
    assert all(email in commission.get("/directory/invitations?status=sent").text
               for email in waiting)  # fmt: skip

    again = commission.post("/directory/invitations/release-batch", data={
        "csrf_token": csrf(held.text), "batch_id": batches[0],
    })  # fmt: skip
    assert again.status_code == 200
    assert in_page(shipped_text("web.release_batch.nothing", "en"), again)


def test_an_administrator_replaces_a_user_who_left_by_a_newcomer_and_reads_it_in_the_audit(
    stack,
):
    administrator = logged_in(stack, demo_user("de-muenchen-lda"), landing="/users")
    leaving = demo_user("de-muenchen-handler")
    assert not login_refused(stack, leaving)
    shown = administrator.get(f"/users/{leaving.id}")
    assert f'href="/users/{leaving.id}/replacement"' in shown.text
    rights_before = sorted(CHECKED.findall(shown.text))
    assert rights_before
    form = administrator.get(f"/users/{leaving.id}/replacement")
    assert form.status_code == 200
    assert leaving.username in form.text
    version = re.search(r'name="version" value="(\d+)"', form.text)[1]
    newcomer = {"full_name": "Lena Vogt", "email": "lena.vogt@muenchen.example.de",
                "phone": "", "language": "de"}  # fmt: skip

    wrong = administrator.post(f"/users/{leaving.id}/replacement", data={
        "csrf_token": csrf(form.text), "version": version, "step": "check",
        **newcomer, "email": "lena", "full_name": "",
    })  # fmt: skip
    assert wrong.status_code == 400
    for field in ("full_name", "email"):
        assert re.search(f'aria-describedby="[^"]*error-{field}"', wrong.text), field
    assert 'value="lena"' in wrong.text

    check = administrator.post(f"/users/{leaving.id}/replacement", data={
        "csrf_token": csrf(form.text), "version": version, "step": "check", **newcomer,
    })  # fmt: skip
    assert check.status_code == 200
    assert 'name="step" value="confirm"' in check.text
    assert in_page(shipped_text("web.replace.check", "en"), check)
    assert leaving.username in administrator.get(f"/users/{leaving.id}").text  # not yet

    replaced = administrator.post(f"/users/{leaving.id}/replacement", data={
        "csrf_token": csrf(check.text), "version": version, "step": "confirm", **newcomer,
    })  # fmt: skip
    assert replaced.status_code == 200, replaced.text
    assert replaced.url.endswith(f"/users/{leaving.id}?done=replaced")
    username = re.search(r'<dd class="imi-username">([^<]+)</dd>', replaced.text)[1]
    assert username != leaving.username
    assert in_page(
        shipped_text("web.users.done.replaced", "en").format(name="Lena Vogt", username=username),
        replaced,
    )
    assert sorted(CHECKED.findall(replaced.text)) == rights_before  # the rights carried over
    stale = administrator.post(f"/users/{leaving.id}/replacement", data={
        "csrf_token": csrf(check.text), "version": version, "step": "confirm", **newcomer,
    })  # fmt: skip
    assert stale.status_code == 409

    assert login_refused(stack, leaving)
    temporary = stack.mailbox.temporary_password(newcomer["email"])
    assert temporary not in replaced.text  # the password goes by email only
    visitor = web_session(stack)
    token = csrf(visitor.get("/login").text)
    asked = visitor.post("/login", data={"username": username, "csrf_token": token})
    first = visitor.post("/login/verify", data={
        "username": username, "password": temporary, "csrf_token": csrf(asked.text),
        "challenge_id": re.search(r'name="challenge_id" value="([^"]+)"', asked.text)[1],
        "digit1": "0", "digit2": "0", "digit3": "0",
    })  # fmt: skip
    assert first.url.endswith("/first-login"), first.text
    home = visitor.post("/first-login", data={
        "csrf_token": csrf(first.text), "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD, "security_code": SECURITY_CODE,
    })  # fmt: skip
    assert home.status_code == 200, home.text
    assert in_page(shipped_text("web.home.welcome", "en").format(name="Lena Vogt"), home)
    assert 'href="/requests"' in home.text  # the request handler's right, carried over

    trail = administrator.get("/users/audit", params={"user_id": leaving.id})
    assert trail.status_code == 200
    assert 'data-action="user_replaced"' in trail.text
    assert in_page(shipped_text("web.audit.action.user_replaced", "en"), trail)
    assert in_page(
        shipped_text("web.audit.previous_username", "en").format(username=leaving.username),
        trail,
    )
    assert 'data-action="first_login_completed"' in trail.text


def test_an_administrator_narrows_the_audit_trail_to_a_period_and_a_kind(stack):
    administrator = logged_in(stack, demo_user("de-muenchen-lda"), landing="/users")
    whole = administrator.get("/users/audit")
    assert {"login_succeeded", "personal_data_viewed"} <= set(ACTION.findall(whole.text))
    today = date.fromisoformat(WHEN.search(whole.text)[1][:10])  # the newest entry's, UTC
    for _ in range(AUDIT_PAGE + 1):  # each reading of the users' list is in the trail
        assert administrator.get("/users").status_code == 200

    logins = administrator.get("/users/audit", params={"kind": "login_succeeded"})
    assert logins.status_code == 200
    assert set(ACTION.findall(logins.text)) == {"login_succeeded"}
    assert '<option value="login_succeeded" selected>' in logins.text

    read = administrator.get("/users/audit", params={
        "kind": "personal_data_viewed", "since": today, "until": today})  # fmt: skip
    assert read.status_code == 200
    assert ACTION.findall(read.text) == ["personal_data_viewed"] * AUDIT_PAGE
    assert {when[:10] for when in WHEN.findall(read.text)} == {today.isoformat()}
    following = html.unescape(NEXT.search(read.text)[1])
    assert {"kind=personal_data_viewed", f"since={today}", f"until={today}"} <= set(
        following.split("?")[1].split("&")
    )
    second = administrator.get(following)
    assert set(ACTION.findall(second.text)) == {"personal_data_viewed"}
    assert f'value="{today}"' in second.text  # the form keeps the period

    before = administrator.get("/users/audit", params={"until": today - timedelta(days=1)})
    assert ACTION.findall(before.text) == []
    assert in_page(shipped_text("web.audit.none", "en"), before)

    backwards = administrator.get("/users/audit", params={
        "since": today, "until": today - timedelta(days=1), "kind": "login_succeeded"})  # fmt: skip
    assert backwards.status_code == 400
    assert re.search(r'id="field-until"[^>]*aria-describedby="help-until error-until" '
                     r'aria-invalid="true"', backwards.text)  # fmt: skip
    assert in_page(shipped_text("web.auditfilters.ends_before_start", "en"), backwards)
    assert "personal_data_viewed" in ACTION.findall(backwards.text)  # neither filter applied
    unknown = administrator.get("/users/audit", params={
        "kind": "coffee_break", "since": today + timedelta(days=1)})  # fmt: skip
    assert unknown.status_code == 400
    assert re.search(r'id="field-kind"[^>]*aria-describedby="error-kind" aria-invalid="true"',
                     unknown.text)  # fmt: skip
    assert ACTION.findall(unknown.text)  # the period is not applied either


def test_users_without_the_right_get_no_link_and_a_refusal(stack):
    handler = logged_in(stack, demo_user("de-muenchen-handler"))
    colleague = demo_user("de-muenchen-allocator")
    own = handler.get(f"/users/{demo_user('de-muenchen-handler').id}")
    assert own.status_code == 200
    assert "/replacement" not in own.text
    assert 'href="/users/audit' not in own.text
    assert handler.get("/users/audit").status_code == 403
    assert handler.get(f"/users/{colleague.id}/replacement").status_code == 403
    refused = handler.post(f"/users/{colleague.id}/replacement", data={
        "csrf_token": csrf(own.text), "version": "1", "step": "confirm",
        "full_name": "Mallory", "email": "mallory@example.org", "language": "en",
    })  # fmt: skip
    assert refused.status_code == 403

    administrator = logged_in(stack, demo_user("de-muenchen-lda"), landing="/users")
    menu = administrator.get("/users").text
    assert 'href="/users/audit"' in menu
    lda = demo_user("de-muenchen-lda")
    assert administrator.get(f"/users/{lda.id}/replacement").status_code == 403  # not oneself
    other = logged_in(stack, demo_user("it-roma-lda"), landing="/users")
    assert other.get("/users/audit", params={"authority_id": lda.authority.id}).status_code == 403
    assert other.get(f"/users/{colleague.id}/replacement").status_code == 403
    assert 'href="/users/audit"' in other.get("/users").text  # its own authority's trail


def test_the_new_pages_in_greek_and_bulgarian_pass_axe(page: Page, axe_source: str, stack):
    _, admin, _ = invited_over_the_limit(stack, ("alba", "bari", "enna", "fano"))
    administrator = demo_user("de-muenchen-lda")
    leaving = demo_user("de-muenchen-allocator")
    page.goto("/users/audit")
    choose_language(page, "el")
    log_in(page, administrator, "el")
    expect(page).to_have_url(re.compile(r"/users/audit$"))
    expect(page.locator("h1")).to_have_text(shipped_text("web.audit.title", "el"))
    expect(page.locator("tr.imi-audit-entry").first).to_be_visible()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "users-audit-el")
    field = {key: page.get_by_label(shipped_text(f"web.auditfilters.{key}", "el"), exact=True)
             for key in ("kind", "since", "until")}  # fmt: skip
    field["kind"].select_option("login_succeeded")
    field["since"].fill("2026-03-02")
    field["until"].fill("2026-03-01")
    page.get_by_role("button", name=shipped_text("web.audit.show", "el")).click()
    expect(page.locator("#error-until")).to_have_text(
        shipped_text("web.auditfilters.ends_before_start", "el")
    )
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "users-audit-filter-error-el")

    page.goto(f"/users/{leaving.id}/replacement")
    page.get_by_label(shipped_text("web.users.full_name", "el")).fill("Nikos Papadakis")
    page.get_by_label(shipped_text("web.users.email", "el")).fill("nikos@muenchen.example.de")
    page.get_by_role("button", name=shipped_text("web.replace.continue", "el")).click()
    expect(page.locator("h2#replace-newcomer")).to_have_text(
        shipped_text("web.replace.check", "el")
    )
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "users-replace-check-el")
    page.get_by_role("button", name=shipped_text("web.replace.change", "el")).click()
    expect(page.get_by_label(shipped_text("web.users.email", "el"))).to_have_value(
        "nikos@muenchen.example.de"
    )
    page.get_by_label(shipped_text("web.users.email", "el")).fill("nikos")
    page.get_by_role("button", name=shipped_text("web.replace.continue", "el")).click()
    expect(page.locator("#error-email")).to_be_visible()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "users-replace-error-el")
    page.get_by_role("button", name=shipped_text("web.common.logout", "el")).click()

    page.goto("/directory/invitations?status=held")
    choose_language(page, "bg")
    log_in(page, admin, "bg")
    expect(page.locator("#release-batches")).to_have_text(
        shipped_text("web.release_batch.title", "bg")
    )
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "directory-release-batches-bg")
    page.get_by_role("button", name=shipped_text("web.release_batch.submit", "bg")).click()
    expect(page.locator("h1")).to_have_text(shipped_text("web.release_batch.result", "bg"))
    expect(page.locator("tr.imi-released")).to_have_count(1)
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "directory-released-bg")
