"""Generic notifications on the notifications service's real database (SQLite built by its
migrations), the directory's read model fed as its events would, time on a frozen clock:
types defined as data and versioned, content checked against them, the workflow from draft
to closure, who reads what, the emails and events each step records, and the repository a
broadcast notification feeds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.common.actor import Actor, Grant, Right
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.reference import EEA_COUNTRIES
from services.common.schemas import load
from services.notifications import directory_view, generic_store
from services.notifications.generic import Action
from services.notifications.generic_schemas import NotificationTypeNewSchema
from services.notifications.models import MailJob, NotificationType, RepositoryEntry
from services.notifications.rendering import render

AREA = "services"
IT, DE, FR, AT, EU = "it-auth", "de-auth", "fr-auth", "at-auth", "eu-auth"
STATES = {IT: "IT", DE: "DE", FR: "FR", AT: "AT", EU: "EU", "it-other": "IT"}


def user(authority: str, *rights: Right, area: str | None = AREA) -> Actor:
    grants = frozenset(Grant(right, area) for right in rights)
    name = "-".join(right.value for right in rights) or "nobody"
    return Actor(f"{authority}/{name}", name, authority, STATES[authority], "en", grants)


def handler(authority: str) -> Actor:
    return user(authority, Right.REQUEST_HANDLER)


ADMIN = user(EU, Right.COMMISSION_ADMINISTRATOR, area=None)


def authority(unit, ident: str, state: str, workflows=("notifications",)) -> None:
    directory_view.remember_authority(unit, {
        "authority_id": ident, "member_state": state, "official_name": ident, "titles": {},
        "version": 1, "coordinator_kind": None,
        "areas": [{"area": AREA, "workflow": workflow, "roles": ["authority"],
                   "direction": "both"} for workflow in workflows],
    })  # fmt: skip


REQUIREMENTS = {
    "key": "requirements", "area": AREA, "title": "Notification of requirements",
    "fields_": [
        {"name": "requirement", "label": "Requirement", "kind": "text", "required": True,
         "personal_data": False},
        {"name": "adopted_on", "label": "Adopted on", "kind": "date", "required": True,
         "personal_data": False},
        {"name": "kind", "label": "Kind", "kind": "choice", "required": True,
         "personal_data": False, "options": ["territorial", "other"]},
        {"name": "fee", "label": "Fee", "kind": "number", "required": False,
         "personal_data": False},
        {"name": "in_force", "label": "In force", "kind": "boolean", "required": False,
         "personal_data": False},
        {"name": "contact", "label": "Contact person", "kind": "text", "required": False,
         "personal_data": True},
    ],
    "senders": ["request_handler"], "receivers": "all_states", "repository": "requirements",
    "active": True,
}  # fmt: skip
CHOSEN = {**REQUIREMENTS, "key": "cooperation", "receivers": "chosen_states", "repository": None}
CONTENT = {
    "requirement": "Minimum tariffs for architects", "adopted_on": "2026-11-30",
    "kind": "territorial", "fee": 120.5, "in_force": True, "contact": "Anna Bianchi",
}  # fmt: skip


@pytest.fixture
def world(mail_database, frozen_clock):
    unit = mail_database.unit_of_work()
    for ident in (IT, DE, FR, EU):
        authority(unit, ident, STATES[ident])
    authority(unit, AT, "AT", workflows=("information_requests",))
    authority(unit, "it-other", "IT", workflows=("repositories",))
    generic_store.define_type(unit, ADMIN, None, REQUIREMENTS)
    generic_store.define_type(unit, ADMIN, None, CHOSEN)
    unit.commit()
    yield unit
    unit.close()


def events(unit, subject: str) -> list[dict]:
    outbox = unit.session.scalars(select(unit._database.outbox_model)).all()
    return [item.envelope for item in outbox if item.envelope["subject"] == subject]


def test_a_type_is_versioned_and_a_used_version_never_changes(world):
    first = generic_store.read_type(world.session, "requirements")
    edited = {**REQUIREMENTS, "title": "Requirements notified", "version": first["version"]}
    edited.pop("key")
    data = {"type_key": "requirements", "member_states": [], "content": CONTENT}
    note = generic_store.create(world, handler(IT), data)

    second = generic_store.define_type(world, ADMIN, "requirements", edited)

    assert (first["version"], second["version"]) == (1, 2)
    assert first["title_key"] == "notification_type.requirements.title"
    assert first["fields_"][0]["label_key"] == "notification_type.requirements.field_requirement"
    assert note.type_version == 1
    assert world.session.get(NotificationType, ("requirements", 1)).document["title"] == (
        "Notification of requirements"
    )
    with pytest.raises(Conflict):  # the version read is stale now
        generic_store.define_type(world, ADMIN, "requirements", edited)


def test_each_version_sends_its_texts_to_the_catalogue_with_what_each_one_is(world):
    edited = {**REQUIREMENTS, "title": "Requirements notified", "version": 1}
    edited.pop("key")

    generic_store.define_type(world, ADMIN, "requirements", edited)
    generic_store.define_type(world, ADMIN, "requirements", {**edited, "version": 2})  # same

    published = [item["data"] for item in events(world, "requirements")
                 if item["type"].endswith(".notification_type_texts_published.v1")]  # fmt: skip
    assert [(item["version"], item["area"]) for item in published] == [(1, AREA), (2, AREA)]
    entries = {entry["key"]: entry for entry in published[1]["entries"]}
    assert entries["notification_type.requirements.title"] == {
        "key": "notification_type.requirements.title",
        "namespace": "notification_type.requirements", "source_language": "en",
        "source_text": "Requirements notified", "max_length": 200,
        "description": "The title of the notification type requirements (services). Shown in "
                       "lists and in the email telling authorities of a new notification.",
    }  # fmt: skip
    assert entries["notification_type.requirements.option_kind_territorial"]["description"] == (
        "An answer of the field kind of the notification type requirements."
    )
    assert len(entries) == 1 + len(REQUIREMENTS["fields_"]) + 2  # title, labels, options
    [keys] = [item["data"]["text_keys"] for item in events(world, "requirements")
              if item["type"].endswith(".notification_type_published.v1")][1:]  # fmt: skip
    assert keys == list(entries)


def test_a_type_key_fits_its_texts_catalogue_namespace(world):
    longest = "k" * 46
    with pytest.raises(ValidationFailed) as refused:
        load(NotificationTypeNewSchema, {**_input(REQUIREMENTS), "key": longest + "k"})
    assert "key" in refused.value.extra["errors"]

    made = generic_store.define_type(
        world, ADMIN, None, load(NotificationTypeNewSchema, {**_input(REQUIREMENTS),
                                                             "key": longest})
    )  # fmt: skip

    assert len(f"notification_type.{longest}") == 64
    assert all(len(option["label_key"]) <= 160 for item in made["fields_"]
               for option in item["options"])  # fmt: skip


def _input(data: dict) -> dict:
    """A type as a Commission administrator sends it (``fields``, not the schema's name)."""
    found = dict(data)
    found["fields"] = found.pop("fields_")
    return found


def test_only_a_commission_administrator_defines_types(world):
    with pytest.raises(Forbidden):
        generic_store.define_type(world, handler(IT), None, {**REQUIREMENTS, "key": "other"})
    with pytest.raises(Conflict):
        generic_store.define_type(world, ADMIN, None, REQUIREMENTS)


def test_a_choice_needs_options_and_a_field_name_comes_once(world):
    twice = {**REQUIREMENTS, "key": "twice", "fields_": REQUIREMENTS["fields_"][:1] * 2}
    no_options = {**REQUIREMENTS, "key": "bare", "fields_": [
        {**REQUIREMENTS["fields_"][2], "options": None}]}  # fmt: skip

    with pytest.raises(ValidationFailed) as duplicate:
        generic_store.define_type(world, ADMIN, None, twice)
    with pytest.raises(ValidationFailed) as missing:
        generic_store.define_type(world, ADMIN, None, no_options)

    assert "fields" in duplicate.value.extra["errors"]
    assert "fields.kind.options" in missing.value.extra["errors"]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ({**CONTENT, "colour": "red"}, "content.colour"),
        ({**CONTENT, "fee": "a lot"}, "content.fee"),
        ({**CONTENT, "fee": True}, "content.fee"),
        ({**CONTENT, "adopted_on": "30/11/2026"}, "content.adopted_on"),
        ({**CONTENT, "kind": "bribery"}, "content.kind"),
        ({**CONTENT, "in_force": "yes"}, "content.in_force"),
        ({key: value for key, value in CONTENT.items() if key != "requirement"},
         "content.requirement"),
    ],
)  # fmt: skip
def test_content_outside_its_type_is_refused_naming_the_field(world, content, field):
    data = {"type_key": "requirements", "member_states": [], "content": content}
    with pytest.raises(ValidationFailed) as refused:
        generic_store.create(world, handler(IT), data)

    assert list(refused.value.extra["errors"]) == [field]


def test_only_a_user_with_the_sending_right_of_a_taking_part_authority_creates(world):
    data = {"type_key": "requirements", "member_states": [], "content": CONTENT}

    with pytest.raises(Forbidden):
        generic_store.create(world, user(IT, Right.ALERT_HANDLER), data)
    with pytest.raises(Forbidden):
        generic_store.create(world, handler(AT), data)
    with pytest.raises(NotFound):
        generic_store.create(world, handler(IT), {**data, "type_key": "nothing"})


def broadcast(world, type_key="requirements", states=()) -> str:
    note = generic_store.create(world, handler(IT), {"type_key": type_key,
                                                     "member_states": list(states),
                                                     "content": CONTENT})  # fmt: skip
    generic_store.act(world, handler(IT), note.id, Action.BROADCAST, {"version": 1})
    return note.id


def test_broadcast_reaches_every_other_state_taking_part_emails_them_and_feeds_the_repository(
    world,
):
    ident = broadcast(world)

    seen = generic_store.view(world.session, handler(DE), ident)
    jobs = world.session.scalars(select(MailJob)).all()
    entry = world.session.get(RepositoryEntry, ident)

    assert seen["status"] == "broadcast"
    assert seen["edition"] == 1
    assert {item["authority_id"] for item in seen["recipients"]} == {DE, FR, EU}
    assert seen["content"]["requirement"] == "Minimum tariffs for architects"
    assert sorted(job.audience["authority_ids"][0] for job in jobs) == [DE, EU, FR]
    assert {job.template for job in jobs} == {"email.notification_received"}
    assert jobs[0].params["notification_type"] == {
        "label": "notification_type.requirements.title", "source": "Notification of requirements"
    }  # fmt: skip
    assert jobs[0].audience["right"] == "request_handler"
    assert jobs[0].audience["functional"]
    assert "Minimum" not in str([job.params for job in jobs])
    assert entry.repository == "requirements"
    assert entry.member_state == "IT"
    assert "contact" not in entry.fields
    assert entry.fields["fee"] == 120.5


def test_the_email_names_the_type_in_english_until_the_catalogue_has_its_title(
    world, texts, mail_settings
):
    ident = broadcast(world)
    [job, *_] = world.session.scalars(select(MailJob)).all()

    body = render(texts, mail_settings, template=job.template, language="de", params=job.params,
                  titles=lambda authority, language: authority)[1]  # fmt: skip

    assert "„Notification of requirements“" in body
    assert f"https://imi.example.eu/notifications/{ident}" in body
    assert CONTENT["requirement"] not in body


def test_content_is_seen_only_by_the_authorities_concerned(world):
    note = generic_store.create(world, handler(IT), {"type_key": "cooperation",
                                                     "member_states": ["DE"],
                                                     "content": CONTENT})  # fmt: skip
    with pytest.raises(NotFound):  # a draft stays in the sending authority
        generic_store.view(world.session, handler(DE), note.id)

    generic_store.act(world, handler(IT), note.id, Action.BROADCAST, {"version": 1})

    assert generic_store.view(world.session, handler(DE), note.id)["content"] == CONTENT
    assert generic_store.view(world.session, ADMIN, note.id)["actions"] == []
    for outsider in (handler(FR), handler("it-other"), user(DE, Right.ALERT_HANDLER)):
        with pytest.raises(NotFound):
            generic_store.view(world.session, outsider, note.id)
    incoming = generic_store.listing(world.session, handler(DE),
                                     {"box": "incoming", "page": 1, "page_size": 20})  # fmt: skip
    assert [item["id"] for item in incoming["items"]] == [note.id]
    everything = {"box": "all", "page": 1, "page_size": 20}
    assert generic_store.listing(world.session, handler(FR), everything)["total"] == 0


def test_chosen_states_without_an_authority_taking_part_are_refused_by_name(world):
    note = generic_store.create(world, handler(IT), {"type_key": "cooperation",
                                                     "member_states": ["AT", "DE"],
                                                     "content": CONTENT})  # fmt: skip

    with pytest.raises(Conflict) as refused:
        generic_store.act(world, handler(IT), note.id, Action.BROADCAST, {"version": 1})

    assert refused.value.extra["member_states"] == ["AT"]


def test_own_state_and_missing_states_are_refused_for_chosen_receivers(world):
    for states in ([], ["IT"]):
        with pytest.raises(ValidationFailed):
            generic_store.create(world, handler(IT), {"type_key": "cooperation",
                                                      "member_states": states,
                                                      "content": CONTENT})  # fmt: skip


def test_modification_replaces_the_content_tells_the_recipients_and_rewrites_the_entry(
    world, frozen_clock
):
    ident = broadcast(world)
    frozen_clock.advance(hours=1)

    generic_store.act(world, handler(IT), ident, Action.MODIFY,
                      {"version": 2, "content": {**CONTENT, "fee": 99}})  # fmt: skip

    seen = generic_store.view(world.session, handler(FR), ident)
    assert seen["edition"] == 2
    assert seen["content"]["fee"] == 99
    assert world.session.get(RepositoryEntry, ident).fields["fee"] == 99
    assert len(world.session.scalars(select(MailJob)).all()) == 6
    with pytest.raises(Forbidden):
        generic_store.act(world, handler(FR), ident, Action.MODIFY,
                          {"version": 3, "content": CONTENT})  # fmt: skip
    with pytest.raises(Conflict):  # stale version
        generic_store.act(world, handler(IT), ident, Action.MODIFY,
                          {"version": 2, "content": CONTENT})  # fmt: skip


def test_comments_by_sender_and_recipients_then_closure_erases_personal_data(world, frozen_clock):
    ident = broadcast(world)
    generic_store.act(world, handler(DE), ident, Action.COMMENT, {"version": 2, "text": "Noted."})
    frozen_clock.advance(minutes=5)
    generic_store.act(world, handler(IT), ident, Action.COMMENT, {"version": 3, "text": "Thanks."})

    generic_store.act(world, handler(IT), ident, Action.CLOSE, {"version": 4})

    seen = generic_store.view(world.session, handler(DE), ident)
    assert [item["text"] for item in seen["comments"]] == ["Noted.", "Thanks."]
    assert seen["status"] == "closed"
    assert seen["personal_data_erased"]
    assert "contact" not in seen["content"]
    assert seen["actions"] == []
    assert world.session.get(RepositoryEntry, ident).closed_at is not None
    assert [item["action"] for item in seen["history"]] == [
        "create", "broadcast", "comment", "comment", "close"]  # fmt: skip
    with pytest.raises(Conflict):
        generic_store.act(world, handler(DE), ident, Action.COMMENT, {"version": 5, "text": "x"})


def test_withdrawal_removes_the_repository_entry(world):
    ident = broadcast(world)
    repo = {"page": 1, "page_size": 20}
    assert generic_store.repository_entries(world.session, handler(DE), "requirements",
                                            repo)["total"] == 1  # fmt: skip

    generic_store.act(world, handler(IT), ident, Action.WITHDRAW, {"version": 2})

    assert world.session.get(RepositoryEntry, ident) is None
    recorded = [item["type"].split(".")[-2] for item in events(world, ident)]
    assert recorded == [
        "generic_notification_created", "generic_notification_broadcast",
        "repository_entry_recorded", "generic_notification_withdrawn",
        "repository_entry_removed",
    ]  # fmt: skip
    assert "Minimum" not in str(events(world, ident))
    assert generic_store.repository_entries(world.session, handler(DE), "requirements",
                                            repo)["total"] == 0  # fmt: skip
    assert generic_store.view(world.session, handler(DE), ident)["status"] == "withdrawn"


def test_the_repository_is_read_by_authorities_taking_part_in_its_area_and_the_commission(world):
    broadcast(world)
    repo = {"page": 1, "page_size": 20}

    for reader in (handler("it-other"), user(DE, Right.BASIC_USER), ADMIN):
        found = generic_store.repository_entries(world.session, reader, "requirements", repo)
        assert [item["type_key"] for item in found["items"]] == ["requirements"]
    for stranger, key in ((handler(AT), "requirements"), (handler(DE), "nowhere")):
        with pytest.raises(NotFound):
            generic_store.repository_entries(world.session, stranger, key, repo)


def test_all_states_broadcast_skips_states_without_authorities_taking_part(world):
    ident = broadcast(world)

    states = {item["member_state"] for item in
              generic_store.view(world.session, handler(IT), ident)["recipients"]}  # fmt: skip

    assert states == {"DE", "FR", "EU"}
    assert "AT" in EEA_COUNTRIES
