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
import time
import uuid
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from playwright.sync_api import Page, expect

from gateway.web.language import COOKIE as LANGUAGE_COOKIE
from services.identity.demo_roster import demo_user
from tests.conftest import HttpSession
from tests.e2e.stack import API, Stack, User, placeholder, shipped_text
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
    """The stack's configuration, with identity's self-service password reset offered and a
    coordinator's daily limit of invitations low enough to hold some of a small batch."""
    return {
        **e2e_config,
        "IDENTITY": {**e2e_config["IDENTITY"], "SELF_SERVICE_RESET": True},
        "DIRECTORY": {**e2e_config.get("DIRECTORY", {}), "MAX_INVITATIONS_PER_DAY": 3},
    }


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


def test_the_commission_releases_invitations_held_over_a_coordinator_s_daily_limit(stack):
    admin = stack.admin if stack.admin.access_token else stack.activate(stack.admin)
    coordinator = logged_in(stack, stack.national_coordinator(admin, "IT"))
    shown = coordinator.get("/directory/invitations")
    invited = [f"ufficio.{town}@comune.example.it" for town in ("asti", "bra", "como", "enna")]
    batch = coordinator.post("/directory/invitations", data={
        "csrf_token": csrf(shown.text), "emails": "\n".join(invited), "language": "it",
        "workflow": "information_requests", "area": "services",
    })  # fmt: skip
    assert batch.status_code == 200, batch.text
    assert 'id="release-form"' not in coordinator.get("/directory/invitations?status=held").text

    commission = logged_in(stack, admin, landing="/directory/invitations")
    held = commission.get("/directory/invitations", params={"status": "held"})
    chosen = re.findall(r'<label for="release-([^"]+)">[^<]*?([\w.]+@[\w.]+)</label>', held.text)
    assert len(chosen) == 1  # four invited, three a day
    invitation_id, email = chosen[0]
    assert email in invited
    assert stack.mailbox.to(email, "email.invitation") == []

    nothing = commission.post(
        "/directory/invitations/release", data={"csrf_token": csrf(held.text)}
    )
    assert nothing.status_code == 400
    assert 'id="error-release"' in nothing.text
    refused = coordinator.post("/directory/invitations/release", data={
        "csrf_token": csrf(shown.text), "invitation": invitation_id,
    })  # fmt: skip
    assert refused.status_code == 403

    released = commission.post("/directory/invitations/release", data={
        "csrf_token": csrf(held.text), "invitation": invitation_id,
    })  # fmt: skip
    assert released.status_code == 200, released.text
    assert released.url.endswith("/directory/invitations?status=held&released=1")
    assert in_page(shipped_text("web.directory.release.done", "en").format(count=1), released)
    assert invitation_id not in released.text
    assert stack.eventually(lambda: _one(stack.mailbox.to(email, "email.invitation")), timeout=15)


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


# --- changing an authority from its page ---------------------------------------------------

VERONA = {
    "official_name": "Comune di Verona - Sportello unico attività produttive",
    "official_language": "it",
    "member_state": "IT",
    "city": "Verona",
    "email": "suap@comune.verona.example.it",
    "languages": ["it", "en"],
    "titles": {"it": "Sportello unico per le imprese di Verona",
               "en": "Business one-stop shop of Verona"},
    "areas": [{"area": "services", "workflow": "information_requests"}],
    "first_user": {"full_name": "Giulia Bianchi", "email": "g.bianchi@comune.verona.example.it",
                   "language": "it"},
}  # fmt: skip


class FormFields(HTMLParser):
    """What a browser would send with the form posted to ``action``: its inputs' values, the
    checked boxes, the selected options and the text areas, as the page pre-fills them."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action and attrs.get("method") == "post"
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("type") == "checkbox":
            if "checked" in attrs:
                self.fields.setdefault(attrs["name"], []).append(attrs["value"])
        elif tag == "input":
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and "selected" in attrs:
            self.fields[self.select] = attrs["value"]
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None


def form_fields(html: str, action: str) -> dict:
    parser = FormFields(action)
    parser.feed(html)
    assert parser.fields, f"no form posted to {action}"
    return parser.fields


def registered_by(stack, coordinator, body: dict) -> dict:
    """An authority the coordinator registers through the API, as a client does on a busy
    system: a 503 is tried again after the time it names, with the same idempotency key."""
    headers = {**coordinator.auth, "Idempotency-Key": str(uuid.uuid4())}
    for _ in range(3):
        answer = stack.web.post(f"{API}/authorities", json=body, headers=headers)
        if answer.status_code != 503:
            break
        time.sleep(answer.json()["params"].get("retry_after", 2))
    assert answer.status_code == 201, answer.text
    return answer.json()


def coordinated_authority(stack, coordinator, body: dict):
    """An authority the coordinator registers through the API, and its first user (every
    right, local data administrator included) past the first login: (its id, the user)."""
    authority_id = registered_by(stack, coordinator, body)["id"]

    def first_user() -> dict:
        found = stack.users_of(coordinator, authority_id)
        assert found, "identity to create the authority's first user"
        return found[0]

    record = stack.eventually(first_user, timeout=15)
    password = stack.mailbox.temporary_password(record["email"])
    return authority_id, stack.activate(User(record["username"], password, id=record["id"]))


def authority_read(stack, by, authority_id: str) -> dict:
    answer = stack.web.get(f"{API}/authorities/{authority_id}", headers=by.auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_administrator_edits_the_authority_s_data_and_a_later_save_is_told_who_saved_first(
    stack,
):
    admin = stack.admin if stack.admin.access_token else stack.activate(stack.admin)
    coordinator = stack.national_coordinator(admin, "IT")
    authority_id, administrator = coordinated_authority(stack, coordinator, VERONA)
    address = f"/directory/authorities/{authority_id}"
    edit = f"{address}/edit"

    own = logged_in(stack, administrator, landing=address)
    page = own.get(address)
    assert f'href="{edit}"' in page.text
    form = own.get(edit)
    assert form.status_code == 200
    fields = form_fields(form.text, edit)
    assert fields["email"] == VERONA["email"]
    assert fields["city"] == "Verona"
    assert fields["title_en"] == VERONA["titles"]["en"]
    assert sorted(fields["languages"]) == ["en", "it"]
    assert 'name="keyword" value="authorisation_schemes"' in form.text
    assert 'name="profession"' not in form.text  # regulated professions: PQ authorities only
    assert "official_name" not in fields  # only the validating coordinator renames it

    by_coordinator = logged_in(stack, coordinator, landing=address)
    stale = form_fields(by_coordinator.get(edit).text, edit)

    wrong = own.post(edit, data={**fields, "email": "suap-at-verona"})
    assert wrong.status_code == 400
    assert 'aria-describedby="help-email error-email"' in wrong.text
    assert 'value="suap-at-verona"' in wrong.text  # the input is kept
    assert authority_read(stack, administrator, authority_id)["email"] == VERONA["email"]

    saved = own.post(edit, data={
        **fields, "phone": "+39 045 807 7111", "title_en": "One-stop shop for businesses, Verona",
        "title_fr": "Guichet unique des entreprises de Vérone", "languages": ["it", "en", "fr"],
        "other_professions": "Sommelier\nMaestro di sci", "keyword": ["authorisation_schemes"],
        "policy_area": ["internal_market"],
    })  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert saved.url.endswith(f"{address}?done=saved")
    assert in_page(shipped_text("web.directory.change.done.saved", "en"), saved)
    assert re.search(r"<h1[^>]*><span[^>]*>One-stop shop for businesses, Verona</span></h1>",
                     saved.text)  # fmt: skip
    assert "+39 045 807 7111" in saved.text
    assert "Maestro di sci" in saved.text
    held = authority_read(stack, administrator, authority_id)
    assert held["phone"] == "+39 045 807 7111"
    assert held["languages"] == ["it", "en", "fr"]
    assert held["titles"]["fr"]["text"] == "Guichet unique des entreprises de Vérone"
    assert held["other_professions"] == ["Sommelier", "Maestro di sci"]
    assert held["competences"]["keyword"] == ["authorisation_schemes"]
    assert held["competences"]["policy_area"] == ["internal_market"]
    assert "Internal market" in saved.text  # the policy area, named
    by_policy = own.get(
        "/directory", params={"member_state": "IT", "policy_area": "internal_market"}
    )
    assert f'href="{address}"' in by_policy.text
    assert 'name="policy_area"' in by_policy.text
    other_policy = own.get("/directory", params={"member_state": "IT", "policy_area": "employment"})
    assert f'href="{address}"' not in other_policy.text

    late = by_coordinator.post(edit, data={**stale, "phone": "+39 045 000 0000"})
    assert late.status_code == 409
    assert administrator.username in late.text
    assert 'value="+39 045 000 0000"' in late.text  # the input is kept, to save again knowingly
    assert form_fields(late.text, edit)["version"] == str(held["version"])
    assert authority_read(stack, administrator, authority_id)["phone"] == "+39 045 807 7111"

    stranger = logged_in(stack, demo_user("it-roma-lda"), landing=address)
    assert f'href="{edit}"' not in stranger.get(address).text
    assert stranger.get(edit).status_code == 403
    refused = stranger.post(edit, data={**fields, "csrf_token": csrf(stranger.get(address).text),
                                        "phone": "+39 06 0000 0000"})  # fmt: skip
    assert refused.status_code == 403
    assert authority_read(stack, administrator, authority_id)["phone"] == "+39 045 807 7111"

    confirm = f"{address}/confirmation"  # what the coordinator typed, checked by its own
    assert f'action="{confirm}"' not in by_coordinator.get(address).text
    asked = own.get(address)
    version = form_fields(asked.text, confirm)["version"]
    confirmed = own.post(confirm, data={"csrf_token": csrf(asked.text), "version": version})
    assert confirmed.status_code == 200, confirmed.text
    assert in_page(shipped_text("web.directory.change.done.confirmed", "en"), confirmed)
    assert f'action="{confirm}"' not in confirmed.text
    assert authority_read(stack, administrator, authority_id)["data_confirmed"] is True


def test_a_coordinator_adds_and_removes_roles_and_links_and_unlinks_a_coordinator(stack):
    admin = stack.admin if stack.admin.access_token else stack.activate(stack.admin)
    coordinator = stack.national_coordinator(admin, "IT")
    authority_id, administrator = coordinated_authority(stack, coordinator, VERONA)
    delegate = registered_by(stack, coordinator, {
        "official_name": "Coordinamento IMI servizi del Veneto", "official_language": "it",
        "member_state": "IT", "email": "imi@regione.veneto.example.it", "languages": ["it"],
        "areas": [{"area": "services", "workflow": "information_requests"}],
        "coordinator_kind": "DIMIC", "coordinated_areas": ["services"],
        "first_user": {"full_name": "Luca Verdi", "email": "l.verdi@regione.veneto.example.it",
                       "language": "it"},
    })  # fmt: skip
    address = f"/directory/authorities/{authority_id}"
    web = logged_in(stack, coordinator, landing=address)

    page = web.get(address)
    added = web.post(f"{address}/roles", data={
        **form_fields(page.text, f"{address}/roles"), "area": "services",
        "workflow": "information_requests", "role": "request_coordinator", "direction": "send",
    })  # fmt: skip
    assert added.status_code == 200, added.text
    assert in_page(shipped_text("web.directory.change.done.roles", "en"), added)
    assert in_page(shipped_text("directory.role.request_coordinator", "en"), added)
    areas = authority_read(stack, coordinator, authority_id)["areas"]
    assert areas == [{"area": "services", "workflow": "information_requests", "direction": "send",
                      "roles": ["authority", "request_coordinator"]}]  # fmt: skip

    late = web.post(f"{address}/roles", data={
        **form_fields(page.text, f"{address}/roles"), "area": "services",
        "workflow": "information_requests", "role": "request_coordinator", "direction": "both",
    })  # fmt: skip
    assert late.status_code == 409  # the version of the page read before the change above
    assert coordinator.username in late.text

    more = web.post(f"{address}/roles", data={
        **form_fields(added.text, f"{address}/roles"), "area": "professional_qualifications",
        "workflow": "information_requests", "role": "authority", "direction": "both",
    })  # fmt: skip
    assert more.status_code == 200, more.text
    assert len(authority_read(stack, coordinator, authority_id)["areas"]) == 2
    version = form_fields(more.text, f"{address}/roles")["version"]
    removed = web.post(f"{address}/roles", data={
        "csrf_token": csrf(more.text), "version": version,
        "remove": "professional_qualifications|information_requests",
    })  # fmt: skip
    assert removed.status_code == 200, removed.text
    assert [area["area"] for area in authority_read(stack, coordinator, authority_id)["areas"]] == [
        "services"
    ]

    found = web.get(address, params={"coordinator": "Coordinamento Veneto"})
    assert delegate["id"] in found.text
    link = form_fields(found.text, f"{address}/links")
    linked = web.post(f"{address}/links", data={
        **link, "served": "services|information_requests", "coordinator_id": delegate["id"],
    })  # fmt: skip
    assert linked.status_code == 200, linked.text
    assert in_page(shipped_text("web.directory.change.done.links", "en"), linked)
    links = authority_read(stack, coordinator, authority_id)["links"]
    validating = authority_read(stack, coordinator, authority_id)["validating_coordinator"]["id"]
    assert {item["coordinator"]["id"] for item in links} == {validating, delegate["id"]}
    delegate_page = web.get(f"/directory/authorities/{delegate['id']}")
    coordinated = f'href="/directory?coordinator_id={delegate["id"]}"'
    assert coordinated in delegate_page.text
    by_coordinator = web.get("/directory", params={"coordinator_id": delegate["id"]})
    assert in_page(shipped_text("web.directory.filter.coordinated_by", "en"), by_coordinator)
    assert f'href="{address}"' in by_coordinator.text
    unlink = f"services|information_requests|{delegate['id']}"
    assert f'value="{unlink}"' in linked.text
    unlinked = web.post(f"{address}/links", data={
        "csrf_token": csrf(linked.text), "unlink": unlink,
        "version": form_fields(linked.text, f"{address}/links")["version"],
    })  # fmt: skip
    assert unlinked.status_code == 200, unlinked.text
    links = authority_read(stack, coordinator, authority_id)["links"]
    assert [item["coordinator"]["id"] for item in links] == [validating]

    every = web.get("/directory/coordinated")
    assert in_page(VERONA["official_name"], every)
    assert "Coordinamento IMI servizi del Veneto" in every.text
    never_active = web.get("/directory/coordinated", params={"which": "without_active_users"})
    assert "Coordinamento IMI servizi del Veneto" in never_active.text
    one_administrator = web.get("/directory/coordinated", params={"which": "few_administrators"})
    assert in_page(VERONA["official_name"], one_administrator)

    own = logged_in(stack, administrator, landing=address)
    assert own.get("/directory/coordinated").status_code == 403  # no coordinator
    shown = own.get(address)
    assert f'action="{address}/roles"' not in shown.text  # roles are the coordinators' to set
    assert f'action="{address}/links"' in shown.text  # its administrators link coordinators
    version = form_fields(shown.text, f"{address}/links")["version"]
    refused = own.post(f"{address}/roles", data={
        "csrf_token": csrf(shown.text), "version": version,
        "area": "services", "workflow": "alerts", "role": "alert_authority",
    })  # fmt: skip
    assert refused.status_code == 403
    assert len(authority_read(stack, coordinator, authority_id)["areas"]) == 1


def test_a_coordinator_edits_an_authority_in_a_browser(page: Page, axe_source: str, stack):
    admin = stack.admin if stack.admin.access_token else stack.activate(stack.admin)
    coordinator = stack.national_coordinator(admin, "IT")
    authority_id, _ = coordinated_authority(stack, coordinator, VERONA)
    page.goto(f"/directory/authorities/{authority_id}")
    choose_language(page, "en")
    log_in(page, coordinator, "en")
    expect(page.locator("h1")).to_have_text(VERONA["titles"]["en"])
    expect(page.locator("#add-role")).to_be_visible()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "directory-authority-coordinator-en")

    page.get_by_role("link", name=shipped_text("web.directory.change.edit", "en")).click()
    email = page.get_by_label(shipped_text("web.directory.register.email", "en"), exact=True)
    expect(email).to_have_value(VERONA["email"])
    email.fill("suap-at-verona")
    page.locator("#field-title_de").fill("Einheitlicher Ansprechpartner für Unternehmen, Verona")
    page.get_by_role("button", name=shipped_text("web.directory.change.save", "en")).click()
    expect(page.locator("#error-email")).to_be_visible()
    expect(page.locator("#field-title_de")).to_have_value(
        "Einheitlicher Ansprechpartner für Unternehmen, Verona"
    )
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "directory-authority-edit-en")

    page.get_by_label(shipped_text("web.directory.register.email", "en"), exact=True).fill(
        "sportello@comune.verona.example.it"
    )
    page.get_by_role("button", name=shipped_text("web.directory.change.save", "en")).click()
    expect(page.locator(".imi-notice")).to_have_text(
        shipped_text("web.directory.change.done.saved", "en")
    )
    choose_language(page, "de")
    expect(page.locator("h1")).to_have_text("Einheitlicher Ansprechpartner für Unternehmen, Verona")
    assert accessibility_violations(page, axe_source) == []

    choose_language(page, "el")
    page.goto("/directory/coordinated")
    expect(page.locator("main table")).to_contain_text(VERONA["official_name"])
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "directory-coordinated-el")
    page.goto("/directory?member_state=IT&policy_area=internal_market")
    expect(page.locator("details.imi-more-filters")).to_have_attribute("open", "")
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "directory-search-filters-el")
