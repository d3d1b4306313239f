"""The directory's pages against the whole stack: a search with a typo that still finds the
authority, its page in two languages (in a browser, checked with axe-core); over plain HTTP, a
coordinator's batch of invitations with its rejected item, the invited authority's public
self-registration with the code from its email, and its validation, after which its first
user's temporary password arrives.

The directory starts without its demo data here (announcing its 480 authorities keeps a
fresh stack busy for minutes): the Commission's administrator registers, through the API,
the authorities a test needs. Identity offers the self-service password reset
(tests/e2e/web/test_user_pages.py uses this module's configuration and helpers).
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from playwright.sync_api import Page, expect

from gateway.web.language import COOKIE as LANGUAGE_COOKIE
from services.identity.demo_roster import demo_user
from tests.conftest import HttpSession
from tests.e2e.stack import API, Stack, placeholder, shipped_text
from tests.e2e.web.conftest import accessibility_violations, screenshot
from tests.e2e.web.test_pages_in_browser import choose_language, log_in

# each test starts the whole stack; on a loaded shared machine that alone takes a minute
pytestmark = pytest.mark.timeout(300)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


MUENCHEN = {
    "official_name": "Landeshauptstadt München - Gewerbeamt",
    "official_language": "de",
    "member_state": "DE",
    "city": "München",
    "email": "gewerbeamt@muenchen.example.de",
    "phone": "+49 89 233 00000",
    "languages": ["de", "en"],
    "titles": {"en": "Business licensing office of the city of Munich",
               "de": "Gewerbeamt der Stadt München"},
    "areas": [{"area": "services", "workflow": "information_requests"}],
    "first_user": {"full_name": "Max Muster", "email": "max@muenchen.example.de",
                   "language": "de"},
}  # fmt: skip


@pytest.fixture
def e2e_config(e2e_config) -> dict:
    """The stack's configuration, with identity's self-service password reset offered."""
    return {**e2e_config, "IDENTITY": {**e2e_config["IDENTITY"], "SELF_SERVICE_RESET": True}}


def registered(stack: Stack, body: dict) -> str:
    """An authority the Commission's administrator registers through the API: its id."""
    admin = stack.admin if stack.admin.access_token else stack.activate(stack.admin)
    answer = stack.web.post(f"{API}/authorities", json=body, headers=admin.auth)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def csrf(html: str) -> str:
    return CSRF.search(html)[1]


def in_page(text: str, answer) -> bool:
    """Whether a page shows ``text`` (as its HTML writes it, escaped)."""
    return str(escape(text)) in answer.text


def web_session(stack, language: str = "en") -> HttpSession:
    """A browser's session over plain HTTP, reading the pages in ``language``."""
    web = HttpSession(f"http://{stack.config['WEB_SERVER_ADDRESS']}")
    web.cookies.set(LANGUAGE_COOKIE, language)
    return web


def logged_in(stack, person, landing: str = "/directory") -> HttpSession:
    """A browser's session over plain HTTP, logged in through the login pages as a person
    (a demo user, or a stack's User) does: the username, then the password and the digits
    the page names; it lands on ``landing``."""
    web = web_session(stack)
    asked = web.post("/login", data={"username": person.username,
                                     "csrf_token": csrf(web.get("/login").text)})  # fmt: skip
    assert asked.status_code == 200, asked.text
    labels = re.findall(r'<label class="ecl-form-label" for="field-digit(\d)">[^<]*?(\d+)\s*<',
                        asked.text)  # fmt: skip
    assert len(labels) == 3, asked.text
    form = {
        "username": person.username,
        "password": person.password,
        "challenge_id": re.search(r'name="challenge_id" value="([^"]+)"', asked.text)[1],
        "csrf_token": csrf(asked.text),
        "next": landing,
    }
    for field, position in labels:
        form[f"digit{field}"] = person.security_code[int(position) - 1]
    landed = web.post("/login/verify", data=form)
    assert landed.status_code == 200, landed.text
    assert landed.url.endswith(landing), landed.url
    return web


def test_a_search_with_a_typo_finds_the_authority_whose_page_reads_in_two_languages(
    page: Page, axe_source: str, stack
):
    registered(stack, MUENCHEN)
    handler = demo_user("it-roma-handler")
    page.goto("/directory")
    choose_language(page, "en")
    log_in(page, handler, "en")
    expect(page.locator("h1")).to_have_text(shipped_text("web.directory.search.title", "en"))

    page.get_by_label(shipped_text("web.directory.search.text", "en")).fill("Gewerbeamd Munchen")
    page.get_by_label(shipped_text("web.directory.member_state", "en")).select_option("DE")
    page.get_by_role("button", name=shipped_text("web.directory.search.submit", "en")).click()

    result = page.locator(".imi-result").filter(has_text="München").first
    expect(result).to_be_visible()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "directory-search-en")

    result.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/directory/authorities/[0-9A-Za-z-]+$"))
    expect(page.locator("h1")).to_have_text(MUENCHEN["titles"]["en"])
    areas = page.locator("table.imi-table tbody td:first-child").all_inner_texts()
    assert shipped_text("directory.legislative_area.services", "en") in areas
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "directory-authority-en")

    choose_language(page, "de")
    expect(page.locator("h1")).to_have_text(MUENCHEN["titles"]["de"])
    expect(page.locator("h2").first).to_have_text(
        shipped_text("web.directory.authority.contact", "de")
    )
    screenshot(page, "directory-authority-de")

    choose_language(page, "bg")
    page.get_by_role("link", name=shipped_text("web.directory.menu", "bg")).click()
    page.get_by_label(shipped_text("web.directory.search.text", "bg")).fill("Gewerbeamt")
    page.get_by_role("button", name=shipped_text("web.directory.search.submit", "bg")).click()
    expect(page.locator(".imi-result").first).to_be_visible()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "directory-search-bg")


def test_a_coordinator_invites_a_batch_corrects_the_rejected_item_and_validates_the_registration(
    stack,
):
    coordinator = logged_in(stack, stack.national_coordinator(stack.activate(stack.admin), "IT"))
    shown = coordinator.get("/directory/invitations")
    assert shown.status_code == 200
    invited = "sportello.verona@comune.example.it"
    batch = coordinator.post("/directory/invitations", data={
        "csrf_token": csrf(shown.text), "emails": f"{invited}\nnot-an-address",
        "language": "it", "workflow": "information_requests", "area": "services",
    })  # fmt: skip
    assert batch.status_code == 200, batch.text
    assert in_page(shipped_text("invitation.invalid_email", "en"), batch)
    assert 'value="not-an-address"' in batch.text  # the rejected item, to correct and resend
    resent = coordinator.post("/directory/invitations", data={
        "csrf_token": csrf(batch.text), "emails": "ufficio.padova@comune.example.it",
        "language": "it", "workflow": "information_requests", "area": "services",
    })  # fmt: skip
    assert resent.status_code == 200
    assert "ufficio.padova@comune.example.it" in resent.text

    email = stack.eventually(lambda: _one(stack.mailbox.to(invited, "email.invitation")),
                             timeout=15)  # fmt: skip
    code = placeholder(email, "email.invitation", "registration_code").strip()

    visitor = web_session(stack)  # public: no login
    form = visitor.get("/register", params={"code": code})
    assert form.status_code == 200, form.text
    assert invited in form.text
    first_user = "m.rossi@comune.example.it"
    fields = {
        "csrf_token": csrf(form.text), "registration_code": code,
        "official_name": "Comune di Verona - SUAP", "official_language": "it",
        "email": invited, "languages": ["it", "en"], "city": "Verona",
        "user_full_name": "Maria Rossi", "user_email": first_user, "user_language": "it",
    }  # fmt: skip
    wrong = visitor.post("/register", data={**fields, "user_email": "maria"})
    assert wrong.status_code == 400
    assert 'aria-describedby="error-user_email"' in wrong.text
    summary = visitor.post("/register", data=fields)
    assert summary.status_code == 201, summary.text
    username = re.search(r'<dd class="imi-username">([^<]+)</dd>', summary.text)[1]
    assert username.lower().startswith("it")

    pending = coordinator.get("/directory/pending")
    assert "Comune di Verona" in pending.text
    authority_id = re.search(r'/directory/authorities/([^/"]+)/validation', pending.text)[1]
    validated = coordinator.post(f"/directory/authorities/{authority_id}/validation",
                                 data={"csrf_token": csrf(pending.text)})  # fmt: skip
    assert validated.status_code == 200
    assert in_page(shipped_text("web.directory.pending.validated", "en"), validated)
    assert "Comune di Verona" not in validated.text
    assert stack.mailbox.temporary_password(first_user)


def test_the_invitation_and_validation_pages_refuse_a_user_who_is_no_coordinator(stack):
    handler = logged_in(stack, demo_user("it-roma-handler"))

    assert handler.get("/directory/invitations").status_code == 403
    token = csrf(handler.get("/directory").text)
    refused = handler.post("/directory/invitations", data={
        "csrf_token": token, "emails": "x@example.org", "language": "it",
        "workflow": "information_requests", "area": "services",
    })  # fmt: skip
    assert refused.status_code == 403
    menu = handler.get("/").text
    assert 'href="/directory"' in menu
    assert 'href="/directory/invitations"' not in menu
    assert 'href="/users"' not in menu


def _one(found: list):
    assert found
    return found[-1]
