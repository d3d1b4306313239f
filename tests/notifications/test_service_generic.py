"""Generic notifications through the real NotificationsService on the test broker: a
Commission administrator defines a type, the directory's events build the read model, a
sender drafts, broadcasts and withdraws, the recipients read and comment, outsiders learn
nothing, the repository fills and empties, and the events reach the broker without the
content. With the real TranslationService beside it, a type's texts reach the catalogue."""

from __future__ import annotations

import uuid

import pytest
from nameko.standalone.events import event_dispatcher

from services.common.actor import Right
from services.common.envelope import make_envelope
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.notifications.generic import EVENTS, REPOSITORY_EVENTS
from services.notifications.service import NotificationsService
from services.translation.service import TranslationService
from tests.events import event_data, listener_for, listening, wait_until
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy
from tests.translation.harness import actor


@pytest.fixture
def config(service_config, service_database, smtp) -> dict:
    return {
        **service_config,
        "DB_URIS": {"notifications": service_database("notifications")},
        "NOTIFICATIONS": {**smtp.settings(), "DELIVERY_SECONDS": 60, "ADDRESSING_SECONDS": 60},
    }


@pytest.fixture
def events(container_factory, config):
    names = tuple(sorted(EVENTS | REPOSITORY_EVENTS))
    return listening(
        container_factory, config,
        lambda name, log: listener_for("notifications", names, name, log),
        "generic_events_listener",
    )  # fmt: skip


@pytest.fixture
def running(container_factory, config, frozen_clock, events):
    return started_on_clock(
        container_factory, NotificationsService, config, frozen_clock, fresh_event_queues=True
    )


TYPE = {
    "key": "cooperation_note", "area": "services", "title": "Cooperation note",
    "fields": [
        {"name": "subject", "label": "Subject", "kind": "text", "required": True},
        {"name": "due", "label": "Due", "kind": "date"},
    ],
    "senders": ["request_handler"], "receivers": "chosen_states", "repository": "cooperation",
}  # fmt: skip


def test_a_generic_notification_through_the_service(running, config, frozen_clock, events):
    ids = {name: f"{name}-{uuid.uuid4().hex[:8]}" for name in ("it", "de", "fr")}
    for name, state in (("it", "IT"), ("de", "DE"), ("fr", "FR")):
        data = event_data(
            "directory", "authority_registered", authority_id=ids[name], member_state=state,
            version=1, coordinator_kind=None,
            areas=[{"area": "services", "workflow": "notifications", "roles": ["authority"],
                    "direction": "both"}],
        )  # fmt: skip
        envelope = make_envelope("directory", "authority_registered", ids[name], data,
                                 frozen_clock())  # fmt: skip
        event_dispatcher(config)("directory", "authority_registered", envelope)
    sender = actor(Right.REQUEST_HANDLER, authority_id=ids["it"], state="IT")
    recipient = actor(Right.REQUEST_HANDLER, authority_id=ids["de"], state="DE")
    outsider = actor(Right.REQUEST_HANDLER, authority_id=ids["fr"], state="FR")
    with SignedRpcProxy(config) as proxy:
        notifications = proxy.notifications
        with pytest.raises(Forbidden):
            notifications.create_notification_type(sender, TYPE)
        made = notifications.create_notification_type(actor(Right.COMMISSION_ADMINISTRATOR), TYPE)
        assert made["version"] == 1
        assert made["title_key"] == "notification_type.cooperation_note.title"
        with pytest.raises(ValidationFailed):
            notifications.create_notification(sender, {
                "type_key": "cooperation_note", "member_states": ["DE"],
                "content": {"subject": "Fees", "due": "tomorrow"}})  # fmt: skip
        draft = wait_until(  # once the directory's events are in the read model
            lambda: _or_none(lambda: notifications.create_notification(sender, {
                "type_key": "cooperation_note", "member_states": ["DE"],
                "content": {"subject": "Fees of estate agents"}})),
            "the draft",
        )  # fmt: skip
        assert draft["actions"] == ["edit_draft", "broadcast", "withdraw"]
        sent = notifications.act_on_notification(sender, draft["id"], "broadcast",
                                                 {"version": draft["version"]})  # fmt: skip
        assert [item["authority_id"] for item in sent["recipients"]] == [ids["de"]]
        seen = notifications.notification(recipient, draft["id"])
        assert seen["content"] == {"subject": "Fees of estate agents"}
        assert seen["actions"] == ["comment"]
        with pytest.raises(NotFound):
            notifications.notification(outsider, draft["id"])
        comment = {"version": seen["version"], "text": "Seen."}
        notifications.act_on_notification(recipient, draft["id"], "comment", comment)
        entries = notifications.repository_entries(recipient, "cooperation", {})
        assert [item["notification_id"] for item in entries["items"]] == [draft["id"]]
        with pytest.raises(Conflict):
            notifications.act_on_notification(sender, draft["id"], "withdraw", {"version": 1})
        withdrawn = notifications.act_on_notification(
            sender, draft["id"], "withdraw", {"version": seen["version"] + 1}
        )
        assert withdrawn["status"] == "withdrawn"
        assert notifications.repository_entries(recipient, "cooperation", {})["total"] == 0
        assert notifications.list_notifications(recipient, {"box": "incoming"})["total"] == 1

    for name in ("generic_notification_created", "generic_notification_broadcast",
                 "generic_notification_comment_added", "generic_notification_withdrawn",
                 "repository_entry_recorded", "repository_entry_removed"):  # fmt: skip
        [envelope] = events.wait_for(name, draft["id"])
        assert "estate agents" not in str(envelope)


def _or_none(call):
    try:
        return call()
    except (Forbidden, Conflict):
        return None


@pytest.fixture
def with_translation(container_factory, config, translation_uri, frozen_clock) -> dict:
    """Both services on one configuration: the catalogue prepared as installation leaves it."""
    both = {**config, "DB_URIS": {**config["DB_URIS"], "translation": translation_uri}}
    started_on_clock(container_factory, TranslationService, both, frozen_clock)
    started_on_clock(
        container_factory, NotificationsService, both, frozen_clock, fresh_event_queues=True
    )
    return both


def test_a_type_defined_at_run_time_reaches_the_catalogue_for_translators_and_readers(
    with_translation,
):
    key = f"note_{uuid.uuid4().hex[:8]}"
    title = f"notification_type.{key}.title"
    with SignedRpcProxy(with_translation) as proxy:
        proxy.notifications.create_notification_type(
            actor(Right.COMMISSION_ADMINISTRATOR), {**TYPE, "key": key}
        )
        catalogue = proxy.translation
        found = wait_until(lambda: _text(catalogue, title, "de"), f"the catalogue's {title}")
        translator = actor(Right.COMMISSION_TRANSLATOR)
        listed = catalogue.list_entries(
            translator, "de", {"state": "missing", "namespace": f"notification_type.{key}"}
        )
        catalogue.submit_translation(
            translator, "de", title, {"text": "Kooperationsvermerk", "version": 0}
        )
        translated = catalogue.text(actor(Right.REQUEST_HANDLER), {"key": title, "language": "de"})

    assert (found["text"], found["fallback"]) == ("Cooperation note", True)
    assert sorted(item["key"] for item in listed["items"]) == [
        f"notification_type.{key}.field_due", f"notification_type.{key}.field_subject", title,
    ]  # fmt: skip
    assert (translated["text"], translated["fallback"]) == ("Kooperationsvermerk", False)


def _text(catalogue, key: str, language: str):
    try:
        return catalogue.text(actor(Right.REQUEST_HANDLER), {"key": key, "language": language})
    except NotFound:
        return None
