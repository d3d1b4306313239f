"""The question set generator through the gateway: the Commission administrator drafts and
publishes a set; a user of an authority reads it, in Italian where a translator wrote it, and
may not draft one."""

from __future__ import annotations

from tests.e2e.stack import API, Stack
from tests.requests.documents import document

SETS = f"{API}/question-sets"


def test_a_set_drafted_and_published_is_read_in_the_readers_language(stack: Stack):
    admin = stack.activate(stack.admin)
    user = stack.activate(stack.create_user(admin, language="it"))
    found = document("e2e_services")

    refused = stack.web.post(SETS, json={"document": found}, headers=user.auth_json)
    drafted = stack.web.post(SETS, json={"document": found}, headers=admin.auth_json)
    published = stack.web.post(
        f"{SETS}/e2e_services/publication", json={"version": drafted.json()["version"]},
        headers=admin.auth_json,
    )  # fmt: skip
    read = stack.web.get(f"{SETS}/e2e_services", headers=user.auth)
    listed = stack.web.get(SETS, headers=user.auth)

    assert refused.status_code == 403, refused.text
    assert drafted.status_code == 201, drafted.text
    assert drafted.headers["Location"] == f"{SETS}/e2e_services/draft"
    assert published.json()["number"] == 1
    assert read.status_code == 200, read.text
    view = read.json()
    assert view["language"] == "it"
    assert view["title"] == {"text": "Verifiche su un prestatore", "fallback": False}
    assert view["groups"][1]["questions"][0]["text"]["fallback"] is True
    assert {"key": "e2e_services", "area": "services", "kind": "information",
            "published_number": 1, "draft_version": None} in listed.json()["items"]  # fmt: skip


def test_hostile_generator_input_is_a_clear_4xx(stack: Stack):
    admin = stack.activate(stack.admin)
    broken = document("e2e_broken")
    broken["groups"][0]["questions"][1]["options"] = []

    unknown = stack.web.get(f"{SETS}/no_such_set", headers=admin.auth)
    malformed_key = stack.web.get(f"{SETS}/Not-A-Key", headers=admin.auth)
    one_option = stack.web.post(SETS, json={"document": broken}, headers=admin.auth_json)
    no_draft = stack.web.post(
        f"{SETS}/no_such_set/publication", json={"version": 1}, headers=admin.auth_json
    )

    assert unknown.status_code == 404
    assert malformed_key.status_code in (400, 404)
    assert one_option.status_code == 400
    assert one_option.json()["errors"] == {
        "options": ["legal_form: a choice needs at least two options."]
    }
    assert no_draft.status_code == 404
