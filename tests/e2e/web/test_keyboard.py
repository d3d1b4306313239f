"""The pages used with the keyboard alone, as EN 301 549 asks: the first Tab reaches the link
that skips to the content, every control the Tab key reaches shows where the focus is, and a
person logs in and opens a page of the menu without a mouse."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from services.identity.demo_roster import demo_user
from tests.e2e.stack import shipped_text

FOCUS_SHOWN = """() => {
    const style = getComputedStyle(document.activeElement);
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outlined || (style.boxShadow && style.boxShadow !== 'none');
}"""
FOCUSED = "() => document.activeElement.outerHTML.slice(0, 120)"


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element ``selector`` names has the focus, checking on the way that
    each control the focus passes shows it."""
    if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
        return  # a page may put the focus on its first field itself
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            continue
        assert page.evaluate(FOCUS_SHOWN), page.evaluate(FOCUSED)
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_handler_logs_in_and_opens_the_inbox_with_the_keyboard_alone(page: Page):
    person = demo_user("hu-budapest-handler")
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text(shipped_text("web.common.skip_to_content", "en"))
    assert page.evaluate(FOCUS_SHOWN)

    tab_to(page, "#field-username")
    page.keyboard.type(person.username)
    page.keyboard.press("Enter")
    expect(page.locator("#field-password")).to_be_visible()
    tab_to(page, "#field-password")
    page.keyboard.type(person.password)
    for field in page.locator("input.imi-digit").all():
        tab_to(page, f"#{field.get_attribute('id')}")
        label = page.locator(f"label[for='{field.get_attribute('id')}']").inner_text()
        page.keyboard.type(person.security_code[int(re.search(r"\d+", label)[0]) - 1])
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))

    tab_to(page, "a.imi-menu__link[href='/inbox']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator("h1")).to_be_visible()
