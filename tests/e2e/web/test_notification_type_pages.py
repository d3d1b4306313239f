"""The pages of notification types and repositories with the training environment's demo users
and the installation's Commission administrator: the administrator defines a type with its
fields (a wrong form, another row asked for, a form sent twice, a stale version on the way) and
a request handler of Budapest writes a notification of it; nobody else finds the type pages; a
broadcast notification's entry is read in München's repository page in German; and in a
browser, the administrator's pages in Greek pass axe-core.

The shipped types are published and Budapest and München take part in the services area's
notifications (tests/e2e/web/test_alert_pages.py, ``shipped_types``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from babel.dates import format_date
from markupsafe import escape
from playwright.sync_api import expect

from services.common.reference import babel_locale
from services.identity.demo_roster import demo_user
from tests.e2e.stack import API, User, shipped_text
from tests.e2e.web.conftest import screenshot
from tests.e2e.web.test_alert_pages import (  # noqa: F401 (fixtures)
    bearer,
    broadcast_requirement,
    csrf,
    e2e_config,
    html,
    no_violations,
    open_as,
    send,
    shipped_types,
    web_login,
)

pytestmark = pytest.mark.usefixtures("shipped_types")

NEW_TYPE = {
    "key": "services_fees", "area": "services", "title": "Notification of fees",
    "senders": ["request_handler"], "receivers": "chosen_states", "active": "yes", "rows": "4",
    "field_0_name": "fee_name", "field_0_label": "Name of the fee", "field_0_kind": "text",
    "field_0_required": "yes",
    "field_1_name": "amount", "field_1_label": "Amount in euro", "field_1_kind": "number",
    "field_1_required": "yes",
    "field_2_name": "fee_kind", "field_2_label": "Kind of fee", "field_2_kind": "choice",
    "field_2_options": "registration: Registration fee\nannual: Annual fee",
    "field_3_name": "in_force_from", "field_3_label": "In force from", "field_3_kind": "date",
}  # fmt: skip


def menu(page: str) -> str:
    return re.search(r'<nav class="imi-menu".*?</nav>', page, re.S)[0]


def administrator(stack) -> User:
    return stack.admin if stack.admin.access_token else stack.activate(stack.admin)


def hidden(page: str, name: str) -> str:
    return re.search(f'name="{name}" value="([^"]*)"', page)[1]


def test_an_administrator_defines_a_type_that_a_sender_then_writes(stack):
    admin = web_login(stack, administrator(stack))
    assert 'href="/notification-types"' in menu(admin.get("/").text)
    listed = admin.get("/notification-types")
    assert listed.status_code == 200
    assert 'href="/notification-types/services_requirements"' in listed.text
    form = admin.get("/notification-types/new")
    assert form.status_code == 200
    good = {**NEW_TYPE, "csrf_token": csrf(form.text), "form_key": hidden(form.text, "form_key")}

    more = send(admin, "/notification-types/new", data={**good, "more": "yes"})
    wrong = send(admin, "/notification-types/new", data={
        **good, "field_1_name": "fee_name", "field_2_options": "", "senders": []})  # fmt: skip
    created = send(admin, "/notification-types/new", data=good, allow_redirects=False)
    again = send(admin, "/notification-types/new", data=good, allow_redirects=False)

    assert more.status_code == 200  # the form again, one row more, nothing saved
    assert 'id="row-4"' in more.text
    assert hidden(more.text, "rows") == "5"
    assert "Registration fee" in more.text
    assert wrong.status_code == 400
    for field in ("field_1_name", "field_2_options", "senders"):
        assert f'id="error-{field}" role="alert"' in wrong.text, field
    assert html("web.notiftypes.duplicate_name", "en") in wrong.text
    assert html("web.notiftypes.options_needed", "en") in wrong.text
    assert "Amount in euro" in wrong.text  # what was typed is kept
    assert created.status_code == 303
    assert created.headers["Location"] == "/notification-types/services_fees?saved=1"
    assert again.headers["Location"] == created.headers["Location"]  # sent twice: one type
    shown = admin.get(created.headers["Location"])
    assert str(escape(shipped_text("web.notiftypes.saved", "en").format(version=1))) in shown.text
    for text in ("Name of the fee", "Amount in euro", "Registration fee", "In force from"):
        assert text in shown.text, text
    assert html("web.notiftypes.receiving.chosen_states", "en") in shown.text
    taken = send(admin, "/notification-types/new", data={**good, "form_key": "another"})
    assert taken.status_code == 409
    assert html("generic.type_exists", "en") in taken.text

    edit = admin.get("/notification-types/services_fees/edit")
    assert hidden(edit.text, "version") == "1"
    assert "annual: Annual fee" in edit.text  # the answers, one per line
    kept = {name: value for name, value in NEW_TYPE.items() if name != "key"}
    changed = send(admin, "/notification-types/services_fees/edit", data={
        **kept, "csrf_token": good["csrf_token"], "version": "1",
        "field_1_label": "Amount (EUR)"}, allow_redirects=False)  # fmt: skip
    stale = send(admin, "/notification-types/services_fees/edit", data={
        **kept, "csrf_token": good["csrf_token"], "version": "1",
        "title": "Fees (stale)"})  # fmt: skip
    assert changed.headers["Location"] == "/notification-types/services_fees?saved=2"
    assert stale.status_code == 409
    message = shipped_text("web.notiftypes.stale", "en").format(version=2)
    assert str(escape(message)) in stale.text
    assert "Fees (stale)" in stale.text  # what was typed is kept
    assert hidden(stale.text, "version") == "2"  # a second save replaces the saved version
    assert "Fees (stale)" not in admin.get("/notification-types/services_fees").text

    budapest = web_login(stack, demo_user("hu-budapest-handler"))
    offered = budapest.get("/notifications/new")
    assert 'href="/notifications/new?type=services_fees"' in offered.text
    written = budapest.get("/notifications/new", params={"type": "services_fees"})
    assert written.status_code == 200
    for name in ("content_fee_name", "content_amount", "content_fee_kind", "content_in_force_from"):
        assert f'name="{name}"' in written.text, name
    assert "Amount (EUR)" in written.text  # the type's latest version, in English until translated
    assert '<option value="annual">Annual fee</option>' in written.text
    assert 'name="member_states"' in written.text  # the sender chooses the member states
    draft = send(budapest, "/notifications/new", data={
        "csrf_token": csrf(written.text), "form_key": "fees1", "type_key": "services_fees",
        "content_fee_name": "Nyilvántartási díj", "content_amount": "120",
        "content_fee_kind": "registration", "member_states": ["DE"]})  # fmt: skip
    assert re.search(r"/notifications/[0-9a-f-]+$", draft.url)
    assert "Nyilvántartási díj" in draft.text
    assert "Registration fee" in draft.text


def test_no_one_but_a_commission_administrator_finds_the_type_pages(stack):
    budapest = web_login(stack, demo_user("hu-budapest-handler"))
    home = budapest.get("/")
    assert 'href="/notifications"' in menu(home.text)
    assert 'href="/notification-types"' not in home.text
    token = csrf(home.text)
    for path in ("/notification-types", "/notification-types/new",
                 "/notification-types/services_requirements",
                 "/notification-types/services_requirements/edit"):  # fmt: skip
        refused = budapest.get(path)
        assert refused.status_code == 403, path
    posted = send(budapest, "/notification-types/new", data={**NEW_TYPE, "csrf_token": token,
                                                             "form_key": "k"})  # fmt: skip
    assert posted.status_code == 403
    types = stack.web.get(f"{API}/notification-types", headers=bearer(stack, "hu-budapest-handler"))
    assert "services_fees" not in [item["key"] for item in types.json()["items"]]

    viewer = web_login(stack, demo_user("it-roma-viewer"))  # a basic user: no notifications
    assert 'href="/notifications"' not in menu(viewer.get("/").text)


def test_a_broadcast_notification_s_entry_reads_in_the_repository_in_german(stack):
    path, _ = broadcast_requirement(stack)
    munich = web_login(stack, demo_user("de-muenchen-handler"))
    shown = munich.get(path)
    assert 'href="/repositories/services_requirements"' in shown.text

    repository = munich.get("/repositories/services_requirements")
    only_germany = munich.get("/repositories/services_requirements", params={"member_state": "DE"})
    only_hungary = munich.get("/repositories/services_requirements", params={"member_state": "HU"})

    assert repository.status_code == 200
    assert '<html lang="de">' in repository.text
    assert html("notification_type.services_requirements.title", "de") in repository.text
    assert (
        html("notification_type.services_requirements.field_requirement", "de") in repository.text
    )
    option = "notification_type.services_requirements.option_requirement_kind_authorisation"
    assert html(option, "de") in repository.text
    assert "Engedély szükséges." in repository.text
    today = format_date(datetime.now(UTC).date(), format="medium", locale=babel_locale("de"))
    assert today in repository.text  # broadcast today, as a German reader writes dates
    assert html("web.notiftypes.no_entries", "de") in only_germany.text
    assert "Engedély szükséges." in only_hungary.text

    roma = web_login(stack, demo_user("it-roma-handler"))  # Roma takes no part in them
    assert roma.get("/repositories/services_requirements").status_code == 404


@pytest.mark.timeout(300)  # a login and four axe checks on a small stack
def test_the_type_and_repository_pages_pass_axe_in_greek(browser, stack, axe_source: str):
    broadcast_requirement(stack)
    page = open_as(browser, stack, administrator(stack), "el")

    def text(key: str) -> str:
        return shipped_text(key, "el")

    page.get_by_role("link", name=text("web.notiftypes.types_menu")).click()
    expect(page.locator("h1")).to_have_text(text("web.notiftypes.list_title"))
    no_violations(page, axe_source)
    page.get_by_role("link", name=text("web.notiftypes.new")).click()
    page.get_by_label(text("web.notiftypes.key")).fill("services_fees")
    page.get_by_label(text("web.notiftypes.area")).select_option("services")
    page.get_by_label(text("web.notiftypes.title_field")).fill("Notification of fees")
    page.get_by_label(text("web.users.right.request_handler")).check()
    page.get_by_label(text("web.notiftypes.receiving.all_states")).check()
    page.locator("#field-field_0_name").fill("fee_name")
    page.locator("#field-field_0_label").fill("Name of the fee")
    page.locator("#field-field_1_name").fill("fee_kind")
    page.locator("#field-field_1_label").fill("Kind of fee")
    page.locator("#field-field_1_kind").select_option("choice")
    page.get_by_role("button", name=text("web.notiftypes.save")).click()
    expect(page.locator("#error-field_1_options")).to_have_text(
        text("web.notiftypes.options_needed")
    )
    no_violations(page, axe_source)
    screenshot(page, "notification-type-form-el")
    page.locator("#field-field_1_options").fill("registration: Registration fee")
    page.get_by_role("button", name=text("web.notiftypes.add_field")).click()
    expect(page.locator("#row-3")).to_be_visible()
    page.get_by_role("button", name=text("web.notiftypes.save")).click()

    expect(page).to_have_url(re.compile(r"/notification-types/services_fees\?saved=1$"))
    expect(page.locator(".imi-notice--info")).to_be_visible()
    expect(page.get_by_text("Registration fee")).to_be_visible()
    no_violations(page, axe_source)
    screenshot(page, "notification-type-el")

    page.goto("/repositories/services_requirements")
    expect(page.locator("h1")).to_contain_text(
        text("notification_type.services_requirements.title")
    )
    expect(page.get_by_text("Engedély szükséges.")).to_be_visible()
    no_violations(page, axe_source)
    screenshot(page, "repository-el")
    page.context.close()
