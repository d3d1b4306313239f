"""A coordinator registers an authority of its member state directly, through the page: a form
with a wrong field comes back with its message and registers nothing; the right one registers
the authority, shows its page, and its first user's temporary password arrives by email (never
on a page). A user who coordinates nothing is refused by the directory."""

from __future__ import annotations

import pytest

from services.identity.demo_roster import demo_user
from tests.e2e.stack import API, shipped_text
from tests.e2e.web.test_directory_pages import (  # noqa: F401 (the configuration fixture)
    csrf,
    e2e_config,
    in_page,
    logged_in,
)

pytestmark = pytest.mark.timeout(300)

FIELDS = {
    "official_name": "Comune di Trento - SUAP", "official_language": "it",
    "email": "suap@comune.trento.example.it", "languages": ["it", "de"], "city": "Trento",
    "area": ["services"], "workflow": "information_requests",
    "user_full_name": "Giulia Bianchi", "user_email": "g.bianchi@comune.trento.example.it",
    "user_language": "it",
}  # fmt: skip


def authorities_named(stack, name: str) -> list[dict]:
    admin = stack.admin if stack.admin.access_token else stack.activate(stack.admin)
    found = stack.web.get(f"{API}/search/authorities", params={"text": name}, headers=admin.auth)
    assert found.status_code == 200, found.text
    return [item for item in found.json()["items"] if item["official_name"] == name]


def test_a_coordinator_registers_an_authority_whose_first_user_gets_a_password_by_email(stack):
    coordinator = logged_in(stack, stack.national_coordinator(stack.activate(stack.admin), "IT"))
    invitations = coordinator.get("/directory/invitations")
    assert 'href="/directory/authorities/new"' in invitations.text
    form = coordinator.get("/directory/authorities/new")
    assert form.status_code == 200, form.text

    token = csrf(form.text)
    wrong = coordinator.post("/directory/authorities/new",
                             data={**FIELDS, "area": [], "csrf_token": token})  # fmt: skip
    assert wrong.status_code == 400
    assert 'id="error-area"' in wrong.text
    assert in_page(shipped_text("web.directory.new.areas_required", "en"), wrong)
    assert authorities_named(stack, FIELDS["official_name"]) == []

    done = coordinator.post("/directory/authorities/new",
                            data={**FIELDS, "csrf_token": csrf(form.text)})  # fmt: skip
    assert done.status_code == 200, done.text
    assert "/directory/authorities/" in done.url
    assert in_page(shipped_text("web.directory.new.registered", "en"), done)
    assert "Comune di Trento" in done.text
    assert len(authorities_named(stack, FIELDS["official_name"])) == 1
    password = stack.mailbox.temporary_password(FIELDS["user_email"])
    assert password
    assert password not in done.text


def test_a_user_who_coordinates_nothing_cannot_register_an_authority(stack):
    handler = logged_in(stack, demo_user("it-roma-handler"))
    token = csrf(handler.get("/directory").text)

    refused = handler.post("/directory/authorities/new", data={**FIELDS, "csrf_token": token})
    forged = handler.post("/directory/authorities/new", data=FIELDS)

    assert refused.status_code == 403
    assert forged.status_code == 403
    assert authorities_named(stack, FIELDS["official_name"]) == []
