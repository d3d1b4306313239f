"""The translators' language management pages: a new source text is missing in every
language; one Commission translator finds it from the overview (in Bulgarian, axe-core
checked), translates it into Greek and downloads the language's XLIFF file, another accepts
the translation. Over plain HTTP: a form without its CSRF token changes nothing, a bad upload
is answered 400, a user who is not a translator cannot submit."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.stack import API, Stack, User, placeholder, shipped_text
from tests.e2e.web.conftest import accessibility_violations, screenshot
from tests.e2e.web.test_dashboard_pages import csrf_token, demo, served, web_login
from tests.e2e.web.test_pages_in_browser import choose_language, log_in

TRANSLATOR = [{"right": "commission_translator", "area": None}]
NAMESPACE = "demo.tool"
# the whole stack, two translators' first logins and two browser contexts: more than the
# suite's 120 s per test on a busy 2-core machine
pytestmark = pytest.mark.timeout(240)
KEY = "demo.tool.greeting"
SOURCE = "Good morning from IMI"
GREEK = "Καλημέρα από το IMI"


@pytest.fixture
def new_text(stack: Stack) -> tuple[User, list[User]]:
    """The Commission's administrator adds a source text; two translators are registered."""
    admin = stack.activate(stack.admin)
    entry = {"key": KEY, "namespace": NAMESPACE, "source_text": SOURCE,
             "description": "A greeting on the demo pages.", "max_length": 40}  # fmt: skip

    def added():
        answer = stack.web.post(
            f"{API}/translations/entries", json={"entries": [entry]}, headers=admin.auth_json
        )
        assert answer.status_code != 503, "the installation is still busy"
        return answer

    answer = stack.eventually(added, timeout=90, interval=0.5)
    assert answer.status_code == 200, answer.text
    return admin, [stack.activate(translator(stack, admin)) for _ in range(2)]


def translator(stack: Stack, admin: User) -> User:
    """A Commission translator registered by the administrator, with the temporary password
    their email brought (Stack.create_user, waiting longer: a fresh installation is busy)."""
    email = f"{uuid.uuid4().hex[:8]}@commission.example.eu"
    data = {"full_name": "Eleni Papadopoulou", "email": email, "language": "de",
            "grants": TRANSLATOR}  # fmt: skip
    created = stack.web.post(f"{API}/users", json=data, headers=admin.auth)
    assert created.status_code == 201, created.text

    def arrived() -> str:
        received = stack.mailbox.to(email, "email.temporary_password")
        assert received, f"the temporary password email to {email}"
        return placeholder(received[0], "email.temporary_password", "temporary_password")

    password = stack.eventually(arrived, timeout=60, interval=0.5)
    return User(created.json()["username"], password, id=created.json()["id"], email=email)


def reviewed_keys(stack: Stack, user: User, language: str) -> list[str]:
    listed = stack.web.get(
        f"{API}/translations/{language}/entries",
        params={"namespace": NAMESPACE, "state": "reviewed"}, headers=user.auth,
    )  # fmt: skip
    return [item["key"] for item in listed.json()["items"]]


def test_a_translator_fills_a_missing_text_and_another_accepts_it(
    page: Page, browser: Browser, stack: Stack, new_text, axe_source
):
    _, (writer, reviewer) = new_text
    page.goto("/translations")
    log_in(page, writer, "en")
    expect(page).to_have_url(re.compile(r"/translations$"))
    choose_language(page, "bg")
    expect(page.locator("h1")).to_have_text(shipped_text("web.translator.title", "bg"))
    menu = page.get_by_role("navigation", name=shipped_text("web.menu.label", "bg"))
    expect(menu.get_by_role("link", name=shipped_text("web.translator.menu", "bg"))).to_be_visible()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "translator-overview-bg")

    page.locator("a[href='/translations/el?state=missing']").click()
    page.get_by_label(shipped_text("web.translator.namespace", "bg")).fill(NAMESPACE)
    page.get_by_role("button", name=shipped_text("web.dashboard.apply", "bg")).click()
    page.get_by_role("link", name=KEY).click()
    expect(page.locator("h1")).to_have_text(KEY)
    expect(page.locator("dl.imi-summary")).to_contain_text(SOURCE)
    expect(page.locator("dl.imi-summary")).to_contain_text("A greeting on the demo pages.")
    page.locator("#field-text").fill(GREEK)
    page.get_by_role("button", name=shipped_text("web.translator.submit", "bg")).click()
    expect(page.locator(".imi-notice--info")).to_have_text(
        shipped_text("web.translator.done.submitted", "bg")
    )
    expect(page.locator("dl.imi-summary")).to_contain_text(GREEK)
    expect(page.locator("#own-text")).to_be_visible()  # a text is not reviewed by its writer
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "translator-entry-bg")

    entry = page.url
    page.goto("/translations/el")
    with page.expect_download() as downloading:
        page.get_by_role("link", name=shipped_text("web.translator.export", "bg")).click()
    exported = downloading.value
    content = exported.path().read_text(encoding="utf-8")
    assert exported.suggested_filename.endswith((".xlf", ".xliff"))
    assert "<xliff" in content
    assert KEY in content
    assert GREEK in content

    context = browser.new_context(base_url=page.url.split("/translations")[0], locale="en-GB")
    other = context.new_page()
    other.goto(entry)
    log_in(other, reviewer, "en")
    reader = "de"  # the language of the translators' accounts (Stack.create_user)
    other.get_by_role("button", name=shipped_text("web.translator.accept", reader)).click()
    expect(other.locator(".imi-notice--info")).to_be_visible()
    context.close()

    assert reviewed_keys(stack, writer, "el") == [KEY]


def test_translator_forms_refuse_forgeries_bad_files_and_other_users(stack: Stack, new_text):
    _, (writer, _) = new_text
    session = web_login(stack, writer)
    entry_path = f"/translations/el/entries/{KEY}"
    entry = served(stack, session, entry_path)
    token = csrf_token(entry.text)

    forged = session.post(entry_path, data={"text": "Πλαστό", "version": "0"})
    too_long = session.post(
        entry_path, data={"text": "x" * 41, "version": "0", "csrf_token": token}
    )
    not_text = session.post(
        "/translations/el/import", data={"csrf_token": token},
        files={"file": ("el.xlf", b"\xff\xfe\x00<xliff", "application/xliff+xml")},
    )  # fmt: skip
    not_xliff = session.post(
        "/translations/el/import", data={"csrf_token": token},
        files={"file": ("el.xlf", b"<html>no</html>", "application/xliff+xml")},
    )  # fmt: skip
    no_file = session.post("/translations/el/import", data={"csrf_token": token})
    unknown = session.get("/translations/el/entries/demo.tool.no_such_text")
    handler = web_login(stack, demo("it-roma-handler"))
    handler_entry = handler.get(entry_path)
    handler_submit = handler.post(
        entry_path,
        data={"text": "Καλημέρα", "version": "0", "csrf_token": csrf_token(handler_entry.text)},
    )

    assert entry.status_code == 200
    assert forged.status_code == 403
    assert too_long.status_code == 400
    assert 'aria-invalid="true"' in too_long.text
    for answer in (not_text, not_xliff, no_file):
        assert answer.status_code == 400
        assert answer.headers["Content-Type"].startswith("text/html")
    assert shipped_text("web.translator.import.not_text", "de") in not_text.text
    assert unknown.status_code == 404
    assert handler_entry.status_code == 200  # the service lets every user read the texts
    assert 'id="field-text"' not in handler_entry.text  # but offers no form
    assert handler_submit.status_code == 403
    assert 'href="/translations"' not in handler.get("/").text
    listed = stack.web.get(
        f"{API}/translations/el/entries", params={"namespace": NAMESPACE}, headers=writer.auth
    ).json()["items"]
    assert [(item["key"], item["status"]) for item in listed] == [(KEY, "missing")]
