"""Every main page a user's menu opens, and the pages of one request, in three languages (one in
Greek and one in Cyrillic script), with no serious or critical violation of WCAG 2.1 A and AA
that axe-core finds, and each page in the language it says it is in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from services.identity.demo_roster import demo_user
from tests.e2e.stack import shipped_text
from tests.e2e.web.conftest import accessibility_violations, screenshot
from tests.e2e.web.test_pages_in_browser import log_in

LANGUAGES = ("el", "bg", "en")
# a national coordinator (every right: the whole menu) and a handler (the daily work)
PEOPLE = ("hu-coordinator", "it-roma-handler")


def menu_paths(page: Page, language: str) -> list[str]:
    menu = page.get_by_role("navigation", name=shipped_text("web.menu.label", language))
    return [link.get_attribute("href") for link in menu.get_by_role("link").all()]


def first_row_link(page: Page, path: str) -> str | None:
    page.goto(path)
    link = page.locator("main table tbody tr a").first
    return link.get_attribute("href") if link.count() else None


@pytest.mark.parametrize("username", PEOPLE)
def test_every_main_page_passes_axe_in_greek_bulgarian_and_english(
    page: Page, axe_source: str, username: str
):
    person = demo_user(username)
    page.goto("/login")
    log_in(page, person, "en")
    expect(page).to_have_url(re.compile(r"/$"))
    found = {}
    for language in LANGUAGES:
        page.context.add_cookies([{"name": "imi_language", "value": language,
                                   "domain": "127.0.0.1", "path": "/"}])  # fmt: skip
        page.goto("/")
        paths = menu_paths(page, language)
        details = [first_row_link(page, "/requests?box=all")]
        for path in [*paths, *(path for path in details if path)]:
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            found[(language, path)] = accessibility_violations(page, axe_source)
        screenshot(page, f"request-{username}-{language}")
    assert len(found) >= 3 * 4, sorted(found)
    assert {key: value for key, value in found.items() if value} == {}
