"""The catalogue through RPC: texts with fallback, bundles, source changes and their events."""

from __future__ import annotations

import pytest

from services.common.errors import Forbidden, NotFound, ValidationFailed

from .harness import administrator, entry, translator, user


def test_a_shipped_text_is_read_in_the_readers_language(rpc):
    found = rpc.text(user(), {"key": "error.forbidden", "language": "de"})

    assert found == {
        "key": "error.forbidden", "language": "de",
        "text": "Sie sind nicht berechtigt, diese Aktion auszuführen.",
        "status": "translated", "fallback": False, "outdated": False,
    }  # fmt: skip


def test_a_text_without_translation_falls_back_to_the_source_with_the_flag(rpc):
    new = entry()
    rpc.register_entries(administrator(), {"entries": [new]})

    found = rpc.text(user(), {"key": new["key"], "language": "fi"})

    assert (found["text"], found["status"], found["fallback"]) == (
        new["source_text"], "missing", True,
    )  # fmt: skip


def test_an_unknown_key_is_not_found_and_a_bad_language_is_refused(rpc):
    with pytest.raises(NotFound):
        rpc.text(user(), {"key": "error.nothing_like_it", "language": "de"})
    with pytest.raises(ValidationFailed):
        rpc.text(user(), {"key": "error.forbidden", "language": "xx"})


def test_only_a_commission_administrator_registers_entries(rpc):
    with pytest.raises(Forbidden):
        rpc.register_entries(translator(), {"entries": [entry()]})


def test_a_bundle_holds_every_text_of_its_namespaces_in_one_call(rpc):
    bundle = rpc.bundle(user(), {"language": "fr", "namespaces": ["email", "status.user"]})

    assert set(bundle["texts"]) >= {
        "email.invitation.subject", "email.invitation.body", "status.user.blocked",
    }  # fmt: skip
    assert not any(key.startswith("error.") for key in bundle["texts"])
    assert bundle["texts"]["status.user.blocked"] == {
        "text": "Bloqué", "status": "translated", "fallback": False, "outdated": False,
    }  # fmt: skip
    assert bundle["revision"] > 0


def test_a_changed_source_makes_translations_outdated_and_announces_the_change(rpc, events):
    new = entry(namespace="test.outdating")
    admin = administrator()
    rpc.register_entries(admin, {"entries": [new]})
    rpc.submit_translation(
        translator(), "de", new["key"], {"text": "Anfrage nach {count} Unterlagen", "version": 0}
    )
    before = rpc.bundle(user(), {"language": "de", "namespaces": ["test.outdating"]})

    rpc.register_entries(admin, {"entries": [{**new, "source_text": "Ask for {count} papers"}]})
    changed = rpc.bundle(
        user(),
        {"language": "de", "namespaces": ["test.outdating"],
         "since_revision": before["revision"]},
    )  # fmt: skip
    listed = rpc.list_entries(translator(), "de", {"state": "outdated", "namespace": "test"})

    assert changed["texts"][new["key"]]["outdated"] is True
    assert changed["texts"][new["key"]]["text"] == "Anfrage nach {count} Unterlagen"
    assert [item["key"] for item in listed["items"]] == [new["key"]]
    assert events.wait_for("entry_source_changed", new["key"])[0]["data"]["source_version"] == 2
    notices = events.wait_for("texts_changed", "test.outdating", 3)
    assert notices[-1]["data"]["keys"] == [new["key"]]


def test_a_bundle_since_a_revision_holds_only_what_changed_after_it(rpc):
    first, second = entry(namespace="test.since"), entry(namespace="test.since")
    rpc.register_entries(administrator(), {"entries": [first, second]})
    held = rpc.bundle(user(), {"language": "it", "namespaces": ["test.since"]})

    rpc.submit_translation(
        translator(), "it", second["key"], {"text": "Richiesta di {count} documenti", "version": 0}
    )
    fresh = rpc.bundle(
        user(), {"language": "it", "namespaces": ["test.since"], "since_revision": held["revision"]}
    )

    assert set(held["texts"]) == {first["key"], second["key"]}
    assert set(fresh["texts"]) == {second["key"]}
    assert fresh["revision"] > held["revision"]
