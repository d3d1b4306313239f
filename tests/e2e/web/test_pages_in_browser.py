"""A civil servant's first steps in the web application, in a real browser: the login with
three digits of the security code, in their own language, the home page and the lists their
rights open, the language switch that keeps them where they were, and the blocked account
that says who to ask. Every main page is checked with axe-core."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from services.identity.demo_roster import DemoUser, demo_user
from services.requests.schemas.requests import STATUSES
from tests.e2e.stack import shipped_text
from tests.e2e.web.conftest import accessibility_violations, screenshot


def choose_language(page: Page, language: str) -> None:
    page.locator("details.imi-languages summary").click()
    page.locator(f"a[hreflang='{language}']").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def log_in(page: Page, person: DemoUser, language: str) -> None:
    """As a person does: the username, then the password and the digits the page asks for
    (their positions read from the fields' labels)."""
    page.get_by_label(shipped_text("web.login.username", language)).fill(person.username)
    page.get_by_role("button", name=shipped_text("web.login.continue", language)).click()
    page.get_by_label(shipped_text("web.login.password", language), exact=True).fill(
        person.password
    )
    for field in page.locator("input.imi-digit").all():
        label = page.locator(f"label[for='{field.get_attribute('id')}']").inner_text()
        position = int(re.search(r"\d+", label)[0])
        field.fill(person.security_code[position - 1])
    page.get_by_role("button", name=shipped_text("web.login.submit", language)).click()


def test_a_hungarian_handler_logs_in_in_hungarian_and_finds_the_action_list(
    page: Page, axe_source: str
):
    handler = demo_user("hu-budapest-handler")
    page.goto("/requests")
    expect(page).to_have_url(re.compile(r"/login\?next=/requests$"))
    assert accessibility_violations(page, axe_source) == []
    choose_language(page, "hu")
    expect(page.locator("h1")).to_have_text(shipped_text("web.login.title", "hu"))
    screenshot(page, "login-hu")

    log_in(page, handler, "hu")

    expect(page).to_have_url(re.compile(r"/requests$"))
    expect(page.locator("h1")).to_have_text(shipped_text("web.requests.title", "hu"))
    menu = page.get_by_role("navigation", name=shipped_text("web.menu.label", "hu"))
    expect(menu.get_by_role("link")).to_have_text(
        [
            shipped_text(key, "hu")
            for key in (
                "web.menu.home",
                "web.menu.requests",
                "web.alerts.menu",
                "web.notiftypes.menu",
                "web.menu.inbox",
                "web.directory.menu",
            )
        ]
    )
    page.get_by_role("link", name=shipped_text("web.requests.box.all", "hu")).click()
    statuses = page.locator("table.imi-table tbody tr td:nth-child(3)").all_inner_texts()
    assert statuses, "Budapest's demo requests are listed"
    known = {shipped_text(f"requests.list.request_statuses.{key}", "hu") for key in STATUSES}
    assert set(statuses) <= known
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "requests-hu")

    row = page.locator("table.imi-table tbody tr").first
    status = row.locator("td:nth-child(3)").inner_text()
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/requests/[0-9a-f-]+$"))
    expect(page.locator("dl.imi-summary dd").first).to_have_text(status)
    expect(page.locator(".imi-question").first).to_be_visible()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "request-hu")

    page.get_by_role("link", name=shipped_text("web.menu.home", "hu")).click()
    expect(page.locator("h1")).to_have_text(
        shipped_text("web.home.welcome", "hu").format(name=handler.full_name)
    )
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "home-hu")


def test_the_language_switch_keeps_the_reader_on_the_page_and_greek_and_bulgarian_pass_axe(
    page: Page, axe_source: str
):
    page.goto("/login")
    for language in ("el", "bg", "en"):
        choose_language(page, language)
        expect(page).to_have_url(re.compile(r"/login$"))
        expect(page.locator("h1")).to_have_text(shipped_text("web.login.title", language))
        assert accessibility_violations(page, axe_source) == [], language
        screenshot(page, f"login-{language}")


def test_a_blocked_account_is_told_who_can_unblock_it(page: Page, stack):
    person = demo_user("it-roma-viewer")
    page.goto("/login")
    choose_language(page, "it")
    wrong = DemoUser(**{**person.__dict__, "password": "Not-The-Password-1"})
    for _ in range(stack.config["IDENTITY"]["MAX_FAILED_LOGINS"]):
        log_in(page, wrong, "it")
        expect(page.locator(".imi-notice")).to_be_visible()
    log_in(page, person, "it")
    expect(page.locator(".imi-notice")).to_have_text(shipped_text("login.account_blocked", "it"))
    expect(page.get_by_text(shipped_text("web.login.blocked_help", "it"))).to_be_visible()
    screenshot(page, "login-blocked-it")
