"""User management and the self-service password reset against the whole stack: in a browser,
München's local data administrator registers a user, who reads the temporary password in the
email the development mail server received and logs in for the first time; over plain HTTP,
the forms refuse a missing CSRF token and bad input (nothing changes), a user without the
right gets 403, an administrator changes, resets and deletes a user, and a user resets their
forgotten password with the emailed link."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from services.identity.demo_roster import demo_user
from tests.e2e.stack import NEW_PASSWORD, SECURITY_CODE, placeholder, shipped_text
from tests.e2e.web.conftest import accessibility_violations, screenshot
from tests.e2e.web.test_directory_pages import (  # noqa: F401 (the configuration fixture)
    csrf,
    e2e_config,
    in_page,
    logged_in,
    web_session,
)
from tests.e2e.web.test_pages_in_browser import choose_language, log_in

# each test starts the whole stack; on a loaded shared machine that alone takes a minute
pytestmark = pytest.mark.timeout(300)


USER_ROW = re.compile(r'<a class="ecl-link" href="/users/([0-9a-f-]+)">([^<]+)</a>')


def users_listed(web) -> dict[str, str]:
    """The users page's rows: name by id."""
    page = web.get("/users")
    assert page.status_code == 200, page.text
    return {user_id: name for user_id, name in USER_ROW.findall(page.text)}


def test_an_administrator_registers_a_user_who_logs_in_for_the_first_time(
    page: Page, axe_source: str, stack
):
    administrator = demo_user("de-muenchen-lda")
    page.goto("/users")
    choose_language(page, "el")
    log_in(page, administrator, "el")
    expect(page).to_have_url(re.compile(r"/users$"))
    expect(page.locator("h1")).to_have_text(shipped_text("web.users.title", "el"))
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "users-list-el")

    page.goto("/language/en?next=/users")  # the switch's link
    names = page.locator("table.imi-table tbody td:first-child").all_inner_texts()
    assert demo_user("de-muenchen-handler").full_name in names
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "users-list-en")

    page.get_by_role("link", name=shipped_text("web.users.new", "en")).click()
    email = "jana.neumann@muenchen.example.de"
    page.get_by_label(shipped_text("web.users.full_name", "en")).fill("Jana Neumann")
    page.get_by_label(shipped_text("web.users.email", "en")).fill(email)
    page.get_by_label(shipped_text("web.users.language", "en")).select_option("en")
    page.get_by_label(shipped_text("web.users.right.request_handler", "en"), exact=True).check()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "users-new-en")
    page.get_by_role("button", name=shipped_text("web.users.create", "en")).click()

    expect(page).to_have_url(re.compile(r"/users/[0-9a-f-]+\?done=created$"))
    username = page.locator(".imi-username").inner_text()
    expect(page.locator(".imi-notice")).to_contain_text(username)
    shown = page.content()
    screenshot(page, "users-created-en")
    page.get_by_role("button", name=shipped_text("web.common.logout", "en")).click()

    temporary = stack.mailbox.temporary_password(email)
    assert temporary not in shown  # the password goes by email only
    newcomer = SimpleNamespace(username=username, password=temporary, security_code="0" * 12)
    page.goto("/login")
    log_in(page, newcomer, "en")  # any digits: there is no security code yet
    expect(page).to_have_url(re.compile(r"/first-login$"))
    page.get_by_label(shipped_text("web.first_login.new_password", "en"), exact=True).fill(
        NEW_PASSWORD
    )
    page.get_by_label(shipped_text("web.first_login.confirm_password", "en"), exact=True).fill(
        NEW_PASSWORD
    )
    page.get_by_label(shipped_text("web.first_login.security_code", "en")).fill(SECURITY_CODE)
    page.get_by_role("button", name=shipped_text("web.first_login.submit", "en")).click()

    expect(page.locator("h1")).to_have_text(
        shipped_text("web.home.welcome", "en").format(name="Jana Neumann")
    )
    menu = page.get_by_role("navigation", name=shipped_text("web.menu.label", "en"))
    expect(menu.get_by_role("link", name=shipped_text("web.users.menu", "en"))).to_have_count(0)
    screenshot(page, "users-first-login-home-en")


def test_user_forms_refuse_a_forged_form_and_bad_input_and_change_nothing(stack):
    administrator = logged_in(stack, demo_user("de-muenchen-lda"), landing="/users")
    before = users_listed(administrator)
    form = administrator.get("/users/new")
    assert form.status_code == 200

    forged = administrator.post("/users/new", data={
        "full_name": "Eve Forger", "email": "eve@example.org", "language": "en",
    })  # fmt: skip
    wrong = administrator.post("/users/new", data={
        "csrf_token": csrf(form.text), "full_name": "", "email": "not-an-address",
        "language": "xx", "grant": "request_handler",
    })  # fmt: skip

    assert forged.status_code == 403
    assert in_page(shipped_text("web.error.forbidden", "en"), forged)
    assert wrong.status_code == 400
    for field in ("full_name", "email", "language"):
        assert re.search(f'aria-describedby="[^"]*error-{field}"', wrong.text), field
    assert in_page(shipped_text("invitation.invalid_email", "en"), wrong)
    assert in_page(shipped_text("web.form.required", "en"), wrong)
    assert 'value="not-an-address"' in wrong.text
    assert users_listed(administrator) == before


def test_a_user_without_the_administrator_s_right_gets_403_on_user_management(stack):
    handler = logged_in(stack, demo_user("de-muenchen-handler"))
    token = csrf(handler.get("/directory").text)
    colleague = demo_user("de-muenchen-allocator")

    assert handler.get("/users").status_code == 403
    assert handler.get("/users/new").status_code == 403
    assert handler.get(f"/users/{colleague.id}").status_code == 403
    reset = handler.post(f"/users/{colleague.id}/password-reset", data={"csrf_token": token})
    deleted = handler.post(f"/users/{colleague.id}/delete", data={"csrf_token": token})
    assert reset.status_code == 403
    assert deleted.status_code == 403
    assert 'href="/users"' not in handler.get("/directory").text  # not in the menu either

    administrator = logged_in(stack, demo_user("de-muenchen-lda"), landing="/users")
    assert colleague.id in users_listed(administrator)


def test_an_administrator_edits_sets_rights_resets_and_deletes_a_user(stack):
    administrator = logged_in(stack, demo_user("de-muenchen-lda"), landing="/users")
    colleague = demo_user("de-muenchen-allocator")
    shown = administrator.get(f"/users/{colleague.id}")
    assert shown.status_code == 200
    version = re.search(r'name="version" value="(\d+)"', shown.text)[1]

    edited = administrator.post(f"/users/{colleague.id}", data={
        "csrf_token": csrf(shown.text), "version": version, "full_name": colleague.full_name,
        "email": colleague.email, "phone": "+49 89 233 12345", "language": "de",
    })  # fmt: skip
    assert edited.status_code == 200
    assert in_page(shipped_text("web.users.done.updated", "en"), edited)
    assert 'value="+49 89 233 12345"' in edited.text

    version = re.search(r'name="version" value="(\d+)"', edited.text)[1]
    rights = administrator.post(f"/users/{colleague.id}/rights", data={
        "csrf_token": csrf(edited.text), "version": version,
        "grant": ["allocator", "basic_user"],
    })  # fmt: skip
    assert rights.status_code == 200
    assert in_page(shipped_text("web.users.done.rights", "en"), rights)
    assert re.search(r'value="basic_user" checked', rights.text)
    stale = administrator.post(f"/users/{colleague.id}/rights", data={
        "csrf_token": csrf(rights.text), "version": version, "grant": ["allocator"],
    })  # fmt: skip
    assert stale.status_code == 409

    reset = administrator.post(f"/users/{colleague.id}/password-reset",
                               data={"csrf_token": csrf(rights.text)})  # fmt: skip
    assert in_page(shipped_text("web.users.done.reset", "en"), reset)
    assert stack.mailbox.temporary_password(colleague.email)

    deleted = administrator.post(f"/users/{colleague.id}/delete",
                                 data={"csrf_token": csrf(reset.text)})  # fmt: skip
    assert deleted.status_code == 200
    assert in_page(shipped_text("web.users.done.deleted", "en"), deleted)
    assert colleague.id not in users_listed(administrator)


def test_a_user_resets_a_forgotten_password_with_the_emailed_link(stack):
    language = "en"
    person = demo_user("it-roma-viewer")
    visitor = web_session(stack, language)
    form = visitor.get("/password-reset")
    asked = visitor.post("/password-reset/request", data={
        "csrf_token": csrf(form.text), "username": person.username, "email": person.email,
    })  # fmt: skip
    assert asked.status_code == 200
    assert in_page(shipped_text("web.reset.sent", language), asked)

    def link_arrived() -> str:
        emails = stack.mailbox.to(person.email, "email.password_reset")
        assert emails, "the reset link's email"
        return placeholder(emails[-1], "email.password_reset", "reset_link")

    link = stack.eventually(link_arrived, timeout=15)
    token = parse_qs(urlsplit(link.strip()).query)["token"][0]
    chosen = visitor.get("/password-reset", params={"token": token})
    assert chosen.status_code == 200
    mismatch = visitor.post("/password-reset", data={
        "csrf_token": csrf(chosen.text), "token": token,
        "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x",
    })  # fmt: skip
    assert mismatch.status_code == 400
    assert 'aria-describedby="error-confirm_password"' in mismatch.text
    done = visitor.post("/password-reset", data={
        "csrf_token": csrf(chosen.text), "token": token,
        "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
    })  # fmt: skip
    assert done.status_code == 200
    assert in_page(shipped_text("web.reset.done", language), done)

    used_again = visitor.post("/password-reset", data={
        "csrf_token": csrf(chosen.text), "token": token,
        "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
    })  # fmt: skip
    assert used_again.status_code == 401
    assert in_page(shipped_text("login.reset_invalid", language), used_again)
    renewed = SimpleNamespace(username=person.username, password=NEW_PASSWORD,
                              security_code=person.security_code)  # fmt: skip
    assert logged_in(stack, renewed)
