"""The texts of a generic notification type a Commission administrator defines reach the
catalogue through the notifications service's ``notification_type_texts_published``: in
English at once (readers get it until their language has it), listed for translators, taken
once whatever the redeliveries, and a changed text keeps its translations flagged outdated.
The event is the one the notifications service records (its own ``catalogue_entries``)."""

from __future__ import annotations

import uuid

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.common.envelope import make_envelope
from services.notifications import generic
from tests.events import WAIT_SECONDS

from .harness import translator, user

HANDLER = "on_notification_type_texts_published"


def texts_event(key: str, version: int, title: str, at) -> dict:
    """The envelope of a type's version, as the notifications service publishes it."""
    document = generic.type_document(key, {
        "area": "services", "title": title, "senders": ["request_handler"],
        "receivers": "chosen_states", "repository": None, "active": True,
        "fields": [{"name": "deadline", "label": "Deadline", "kind": "date", "required": True,
                    "personal_data": False},
                   {"name": "scope", "label": "Scope", "kind": "choice", "required": False,
                    "personal_data": False, "options": ["national", "regional"],
                    "option_labels": {"national": "The whole country"}}],
    })  # fmt: skip
    data = {"type_key": key, "version": version, "area": "services",
            "entries": generic.catalogue_entries(document)}  # fmt: skip
    return make_envelope("notifications", "notification_type_texts_published", key, data, at)


def deliver(container, config, envelope: dict) -> None:
    with entrypoint_waiter(container, HANDLER, timeout=WAIT_SECONDS):
        event_dispatcher(config)("notifications", "notification_type_texts_published", envelope)


def test_a_types_texts_are_read_in_english_until_translated_and_listed_for_translators(
    rpc, translation_container, translation_config, frozen_clock
):
    key = f"cooperation_{uuid.uuid4().hex[:8]}"
    namespace = f"notification_type.{key}"
    title = f"{namespace}.title"
    first = texts_event(key, 1, "Cooperation note", frozen_clock())

    deliver(translation_container, translation_config, first)
    deliver(translation_container, translation_config, first)  # the same event again
    before = rpc.translation_status(translator())["revision"]
    deliver(translation_container, translation_config, texts_event(key, 1, "Cooperation note",
                                                                   frozen_clock()))  # fmt: skip

    german = {"language": "de", "namespaces": [namespace]}
    assert rpc.bundle(user(), german)["texts"] == {
        f"{namespace}.{name}": {"text": text, "status": "missing", "fallback": True,
                                "outdated": False}
        for name, text in (("title", "Cooperation note"), ("field_deadline", "Deadline"),
                           ("field_scope", "Scope"),
                           ("option_scope_national", "The whole country"),
                           ("option_scope_regional", "regional"))
    }  # fmt: skip
    assert rpc.translation_status(translator())["revision"] == before  # nothing changed
    listed = rpc.list_entries(translator(), "de", {"state": "missing", "namespace": namespace})
    assert listed["total"] == 5
    [item] = [item for item in listed["items"] if item["key"] == title]
    assert item["description"].startswith(f"The title of the notification type {key}")
    assert item["max_length"] == 200

    rpc.submit_translation(translator(), "de", title, {"text": "Kooperationsvermerk",
                                                       "version": 0})  # fmt: skip
    assert rpc.text(user(), {"key": title, "language": "de"})["text"] == "Kooperationsvermerk"

    deliver(translation_container, translation_config,
            texts_event(key, 2, "Note on cooperation", frozen_clock()))  # fmt: skip

    changed = rpc.text(user(), {"key": title, "language": "de"})
    assert (changed["text"], changed["outdated"]) == ("Kooperationsvermerk", True)
    assert rpc.text(user(), {"key": title, "language": "en"})["text"] == "Note on cooperation"
    outdated = rpc.list_entries(translator(), "de", {"state": "outdated", "namespace": namespace})
    assert [item["key"] for item in outdated["items"]] == [title]
