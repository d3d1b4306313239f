"""The directory through the gateway, as its users see it: a national coordinator registers and
edits an authority that any user then finds by search in another script, registers are kept
and published to outside portals without login, and reference lists read in one's language."""

from __future__ import annotations

import pytest

from tests.e2e.stack import API, Stack, User

HEALTH_AUTHORITY = {
    "official_name": "Landesamt für Gesundheit und Lebensmittelsicherheit",
    "official_language": "de",
    "member_state": "DE",
    "region": "Bayern",
    "city": "Erlangen",
    "email": "poststelle@lgl.example.de",
    "languages": ["de", "en"],
    "titles": {"de": "Anerkennung von Gesundheitsberufen",
               "en": "Recognition of health professions",
               "el": "Αναγνώριση επαγγελμάτων υγείας"},
    "areas": [{"area": "professional_qualifications", "workflow": "information_requests"}],
    "first_user": {"full_name": "Erika Mustermann", "email": "erika@lgl.example.de",
                   "language": "de"},
}  # fmt: skip


@pytest.fixture
def coordinator(stack: Stack) -> User:
    return stack.national_coordinator(stack.activate(stack.admin))


def registered(stack: Stack, coordinator: User) -> dict:
    response = stack.web.post(f"{API}/authorities", json=HEALTH_AUTHORITY, headers=coordinator.auth)
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{API}/authorities/{response.json()['id']}"
    return response.json()


def test_a_registered_authority_is_edited_listed_and_found_in_another_script(stack, coordinator):
    authority = registered(stack, coordinator)
    web = stack.web

    edited = web.patch(
        f"{API}/authorities/{authority['id']}",
        json={"phone": "+49 9131 6808 0", "version": authority["version"]},
        headers=coordinator.auth,
    )
    stale = web.patch(
        f"{API}/authorities/{authority['id']}",
        json={"phone": "+49 1", "version": authority["version"]},
        headers=coordinator.auth,
    )
    quiet = web.get(
        f"{API}/authorities", params={"which": "without_active_users"}, headers=coordinator.auth
    )
    found = web.get(
        f"{API}/search/authorities",
        params={"text": "Αναγνώριση υγείας", "member_state": "DE", "area":
                "professional_qualifications"},
        headers=coordinator.auth,
    )  # fmt: skip

    assert edited.status_code == 200, edited.text
    assert edited.json()["phone"] == "+49 9131 6808 0"
    assert edited.json()["title"]["text"] == "Anerkennung von Gesundheitsberufen"
    assert stale.status_code == 409
    assert stale.headers["Content-Type"] == "application/problem+json"
    assert authority["id"] in {item["id"] for item in quiet.json()["items"]}
    assert found.status_code == 200, found.text
    assert authority["id"] in [item["id"] for item in found.json()["items"]]


def test_a_register_is_kept_translated_and_published_without_login(stack, coordinator):
    authority = registered(stack, coordinator)
    web = stack.web
    body = {
        "authority_id": authority["id"],
        "url": "https://www.example.de/heilberufe",
        "access": "public",
        "source_language": "de",
        "texts": {"name": "Register der Heilberufe", "nature": "Berufsregister",
                  "content": "Approbationen von Ärzten und Apothekern",
                  "access_conditions": "Auskunft auf Anfrage"},
    }  # fmt: skip

    created = web.post(f"{API}/registers", json=body, headers=coordinator.auth)
    register_id = created.json()["id"]
    translated = web.put(
        f"{API}/registers/{register_id}/translations/en",
        json={"name": "Register of health professions", "nature": "Professional register",
              "content": "Licences of doctors and pharmacists",
              "access_conditions": "Information on request", "version": 1},
        headers=coordinator.auth,
    )  # fmt: skip
    public = web.get(f"{API}/public/registers", params={"member_state": "DE"})
    anonymous_authorities = web.get(f"{API}/public/authorities", params={"member_state": "DE"})

    assert created.status_code == 201, created.text
    assert translated.status_code == 200, translated.text
    assert public.status_code == 200, public.text
    published = next(item for item in public.json()["items"] if item["id"] == register_id)
    assert published["texts"]["en"]["name"] == "Register of health professions"
    listed = {item["id"]: item for item in anonymous_authorities.json()["items"]}
    assert listed[authority["id"]]["email"] == "poststelle@lgl.example.de"
    assert "erika" not in anonymous_authorities.text.lower()


def test_reference_lists_read_in_the_readers_language(stack, coordinator):
    areas = stack.web.get(
        f"{API}/reference/terms/legislative_area", params={"language": "de"},
        headers=coordinator.auth,
    )  # fmt: skip
    unknown = stack.web.get(f"{API}/reference/terms/astrology", headers=coordinator.auth)

    assert areas.status_code == 200, areas.text
    names = {item["code"]: item["name"] for item in areas.json()["items"]}
    assert names["professional_qualifications"] == "Berufsqualifikationen"
    assert unknown.status_code in (400, 404)
    assert unknown.headers["Content-Type"] == "application/problem+json"


def test_an_authoritys_settings_are_changed_with_the_version_read(stack, coordinator):
    authority = registered(stack, coordinator)
    url = f"{API}/authorities/{authority['id']}/settings"
    body = {"uses_allocation": True, "coordinator_full_view": True, "version": 1}

    changed = stack.web.put(url, json=body, headers=coordinator.auth)
    stale = stack.web.put(url, json={**body, "uses_allocation": False}, headers=coordinator.auth)
    incomplete = stack.web.put(url, json={"uses_allocation": True, "version": 2},
                               headers=coordinator.auth)  # fmt: skip
    read = stack.web.get(f"{API}/authorities/{authority['id']}", headers=coordinator.auth)

    assert authority["settings"] == {"uses_allocation": False, "coordinator_full_view": False}
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    assert stale.status_code == 409
    assert stale.json()["code"] == "error.stale_version"
    assert stale.json()["params"]["current_version"] == 2
    assert incomplete.status_code == 400
    assert read.json()["settings"] == {"uses_allocation": True, "coordinator_full_view": True}


def test_a_national_coordinator_sets_lists_and_deletes_request_policies(stack, coordinator):
    web = stack.web
    body = {"member_state": "DE", "region": "Bayern", "area": "services",
            "approval_required": True, "referral_enabled": False}  # fmt: skip

    created = web.put(f"{API}/request-policies", json=body, headers=coordinator.auth)
    again = web.put(f"{API}/request-policies", json=body, headers=coordinator.auth)
    by_commission = web.put(
        f"{API}/request-policies", json={**body, "region": None}, headers=stack.admin.auth
    )
    listed = web.get(f"{API}/request-policies", params={"member_state": "DE"},
                     headers=stack.admin.auth)  # fmt: skip
    unnamed = web.get(f"{API}/request-policies", headers=coordinator.auth)
    policy_id = created.json()["id"]
    stale_delete = web.delete(
        f"{API}/request-policies/{policy_id}", params={"version": 2}, headers=coordinator.auth
    )
    deleted = web.delete(
        f"{API}/request-policies/{policy_id}", params={"version": 1}, headers=coordinator.auth
    )
    after = web.get(f"{API}/request-policies", params={"member_state": "DE"},
                    headers=coordinator.auth)  # fmt: skip

    assert created.status_code == 200, created.text
    assert created.json()["version"] == 1
    assert again.status_code == 409
    assert again.json()["code"] == "error.stale_version"
    assert by_commission.status_code == 403
    assert by_commission.json()["code"] == "request_policy.not_coordinator"
    assert [item["id"] for item in listed.json()["items"]] == [policy_id]
    assert unnamed.status_code == 400
    assert stale_delete.status_code == 409
    assert deleted.status_code == 204, deleted.text
    assert after.json()["items"] == []
