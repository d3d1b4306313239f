"""The language management tool through the gateway: two Commission translators, one writes
and the other reviews; a file goes out and comes back; everyone reads bundles."""

from __future__ import annotations

import pytest

from gateway.translation.catalogue import IMPORT_MAX_BODY_BYTES
from tests.e2e.stack import API, Stack

TRANSLATIONS = f"{API}/translations"
TRANSLATOR = [{"right": "commission_translator", "area": None}]


@pytest.fixture
def translators(stack: Stack):
    admin = stack.activate(stack.admin)
    return admin, [stack.activate(stack.create_user(admin, grants=TRANSLATOR)) for _ in range(2)]


def test_translators_write_review_export_and_import_through_the_gateway(stack, translators):
    admin, (writer, reviewer) = translators
    key = "email.invitation.subject"

    status = stack.web.get(f"{TRANSLATIONS}/status", headers=writer.auth)
    listed = stack.web.get(
        f"{TRANSLATIONS}/ga/entries", params={"namespace": "email", "state": "translated"},
        headers=writer.auth,
    )  # fmt: skip
    version = next(item for item in listed.json()["items"] if item["key"] == key)["version"]
    submitted = stack.web.put(
        f"{TRANSLATIONS}/ga/entries/{key}",
        json={"text": "Cuireadh chun an t-údarás a chlárú in IMI", "version": version},
        headers=writer.auth_json,
    )
    own = stack.web.post(
        f"{TRANSLATIONS}/ga/entries/{key}/review", json={"version": version + 1},
        headers=writer.auth_json,
    )  # fmt: skip
    reviewed = stack.web.post(
        f"{TRANSLATIONS}/ga/entries/{key}/review", json={"version": version + 1},
        headers=reviewer.auth_json,
    )  # fmt: skip
    exported = stack.web.get(
        f"{TRANSLATIONS}/ga/export", params={"namespace": "email.invitation"}, headers=writer.auth
    )
    imported = stack.web.post(
        f"{TRANSLATIONS}/ga/import", json={"format": "xliff", "content": exported.text},
        headers=writer.auth_json,
    )  # fmt: skip
    bundle = stack.web.get(
        f"{TRANSLATIONS}/ga/bundle", params={"namespaces": "email.invitation"}, headers=admin.auth
    )

    assert status.status_code == 200, status.text
    assert len(status.json()["languages"]) == 26
    assert submitted.status_code == 200, submitted.text
    assert own.status_code == 403
    assert reviewed.json()["status"] == "reviewed"
    assert exported.headers["Content-Type"].startswith("application/xliff+xml")
    assert 'state="reviewed"' in exported.text
    assert imported.json() == {"language": "ga", "imported": 0, "unchanged": 2, "refused": []}
    assert bundle.json()["texts"][key]["text"] == "Cuireadh chun an t-údarás a chlárú in IMI"


def test_a_plain_user_cannot_translate_and_a_hostile_file_is_refused(stack, translators):
    admin, (writer, _) = translators
    plain = stack.activate(stack.create_user(admin))
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" '
        'trgLang="de"><file id="f"/></xliff>'
    )

    refused = stack.web.put(
        f"{TRANSLATIONS}/de/entries/error.forbidden", json={"text": "x", "version": 1},
        headers=plain.auth_json,
    )  # fmt: skip
    hostile = stack.web.post(
        f"{TRANSLATIONS}/de/import", json={"content": bomb}, headers=writer.auth_json
    )

    assert refused.status_code == 403
    assert hostile.status_code == 400
    assert hostile.json()["code"] == "translation.file_refused"


def test_an_import_may_be_larger_than_other_bodies_up_to_its_own_limit(stack, translators):
    _, (writer, _) = translators
    large = "<" + "x" * 200_000  # over the 64 KiB of other bodies, and not XLIFF
    import_url = f"{TRANSLATIONS}/de/import"

    read = stack.web.post(import_url, json={"content": large}, headers=writer.auth_json)
    other = stack.web.post(
        f"{API}/auth/challenge", json={"username": large}, headers={"Idempotency-Key": "k"}
    )
    too_large = stack.web.post(
        import_url, json={"content": "x" * (IMPORT_MAX_BODY_BYTES + 1)}, headers=writer.auth_json
    )

    assert (read.status_code, read.json()["code"]) == (400, "translation.file_refused")
    assert other.status_code == 413
    assert too_large.status_code == 413
