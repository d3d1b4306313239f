"""The pure rules of emails (services/notifications/domain.py) and the addressing of a mailing
to the people and mailboxes it means (services/notifications/addressing.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.common.actor import Actor, Right
from services.common.errors import NotFound, Unavailable
from services.notifications import inbox
from services.notifications.addressing import AddressBook, address_due_jobs
from services.notifications.domain import (
    Audience,
    Mailing,
    coordinator_mailing,
    fill,
    next_try,
    request_mailings,
    retry_delay,
)
from services.notifications.mail_queue import queue_mailing
from services.notifications.models import MailJob, MailMessage

IT, HU = "it-bologna", "hu-budapest"
REQUEST = {"request_id": "r-1", "area": "services", "requesting_authority": IT,
           "responding_authority": HU}  # fmt: skip


def mailings(event: str, **fields) -> list[tuple[str, tuple[str, ...], bool]]:
    found = request_mailings(event, {**REQUEST, **fields})
    return [(m.template, m.audience.authority_ids, m.audience.functional) for m in found]


def test_a_request_arriving_goes_to_the_responders_handlers_and_mailbox():
    for event in ("request_sent", "request_approved", "request_forwarded"):
        assert mailings(event, status="sent", actor_authority=IT) == [
            ("email.request_received", (HU,), True)
        ]


def test_a_status_change_goes_to_the_other_party_only():
    assert mailings("request_accepted", status="accepted", actor_authority=HU) == [
        ("email.request_status_changed", (IT,), False)
    ]
    assert mailings("request_closed", status="closed", actor_authority=IT) == [
        ("email.request_status_changed", (HU,), False)
    ]
    opinion = mailings("referral_opinion_given", status="answered", actor_authority="coord")
    assert sorted(opinion) == [("email.request_status_changed", (party,), False)
                               for party in sorted((HU, IT))]  # fmt: skip


def test_a_change_the_other_party_need_not_hear_of_sends_nothing():
    assert mailings("reply_draft_saved", status="accepted", actor_authority=HU) == []
    assert mailings("request_edited", status="draft", actor_authority=IT) == []


def test_a_status_mailing_names_the_status_as_a_label_of_the_status_list():
    [mailing] = request_mailings("reply_sent", {**REQUEST, "status": "answered",
                                               "actor_authority": HU})  # fmt: skip
    assert mailing.params["status"] == {"label": "requests.list.request_statuses.answered"}
    assert mailing.params["link"] == {"request": "r-1"}
    assert mailing.audience.right == Right.REQUEST_HANDLER
    assert mailing.audience.area == "services"


def test_coordinators_are_told_only_where_they_must_act():
    approval = coordinator_mailing("request_submitted_for_approval", REQUEST, ["c2", "c1", "c2"])
    assert approval.template == "email.request_approval_needed"
    assert approval.audience.authority_ids == ("c1", "c2")
    assert coordinator_mailing("request_accepted", REQUEST, ["c1"]) is None
    assert coordinator_mailing("request_referred", REQUEST, []) is None


def test_retries_wait_longer_each_time_up_to_a_quarter_hour_and_stop_after_two_days():
    delays = [retry_delay(n) for n in range(1, 10)]
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert delays == sorted(delays)
    assert max(delays) == timedelta(minutes=15)
    created = datetime(2026, 12, 1, tzinfo=UTC)
    assert next_try(created, 3, created + timedelta(hours=1)) == created + timedelta(
        hours=1, minutes=2
    )
    assert next_try(created, 99, created + timedelta(days=2)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Status: {status}.", "Status: Evasa."),
        ("{unknown} stays", "{unknown} stays"),
        ("braces {0} and {a.b} stay", "braces {0} and {a.b} stay"),
        ("unbalanced { brace", "unbalanced { brace"),
    ],
)
def test_a_template_fills_its_placeholders_and_leaves_anything_else(text, expected):
    assert fill(text, {"status": "Evasa"}) == expected


def people_of(found: dict[str, list[dict]]):
    """identity's ``mail_recipients``: the people of the audience's authorities, each with
    its authority."""

    def people(audience: Audience) -> list[dict]:
        return [{**person, "authority_id": ident}
                for ident in audience.authority_ids for person in found.get(ident, [])]  # fmt: skip

    return people


def messages(database) -> list[MailMessage]:
    unit = database.unit_of_work()
    rows = unit.session.scalars(select(MailMessage).order_by(MailMessage.recipient)).all()
    unit.session.expunge_all()
    unit.close()
    return rows


def run_addressing(database, book: AddressBook) -> None:
    unit = database.unit_of_work()
    address_due_jobs(unit, book)
    unit.commit()
    unit.close()


def queue(database, mailing: Mailing, key: str = "event-1") -> None:
    unit = database.unit_of_work()
    queue_mailing(unit, key, mailing)
    unit.commit()
    unit.close()


def test_a_mailing_reaches_each_address_once_in_its_readers_language(mail_database):
    mailing = Mailing("email.request_received",
                      Audience((HU,), Right.REQUEST_HANDLER, "services", functional=True),
                      {"link": {"request": "r-1"}})  # fmt: skip
    queue(mail_database, mailing)
    queue(mail_database, mailing)  # the same event again
    book = AddressBook(
        people=people_of({HU: [
            {"user_id": "u1", "email": "anna@bkik.example.hu", "language": "hu"},
            {"user_id": "u2", "email": "Iroda@bkik.example.hu", "language": "en"},
        ]}),
        mailbox=lambda ident: {"email": "iroda@bkik.example.hu", "official_language": "hu"},
    )  # fmt: skip

    run_addressing(mail_database, book)
    run_addressing(mail_database, book)

    found = [(m.recipient, m.language, m.user_id) for m in messages(mail_database)]
    assert found == [("Iroda@bkik.example.hu", "en", "u2"), ("anna@bkik.example.hu", "hu", "u1")]


def test_a_mailing_whose_owners_do_not_answer_waits_and_is_addressed_later(
    mail_database, frozen_clock
):
    queue(mail_database, Mailing("email.request_status_changed",
                                 Audience((IT,), Right.REQUEST_HANDLER, "services")))  # fmt: skip

    def down(audience):
        raise Unavailable("identity did not answer")

    run_addressing(mail_database, AddressBook(people=down, mailbox=lambda ident: None))
    assert messages(mail_database) == []
    unit = mail_database.unit_of_work()
    job = unit.session.scalars(select(MailJob)).one()
    assert job.status == "pending"
    assert job.due_at == frozen_clock() + retry_delay(1)
    unit.close()

    frozen_clock.advance(minutes=1)
    people = people_of({IT: [{"user_id": "u9", "email": "m@cc.example.it", "language": "it"}]})
    run_addressing(mail_database, AddressBook(people=people, mailbox=lambda ident: None))
    assert [m.recipient for m in messages(mail_database)] == ["m@cc.example.it"]


def test_the_mailings_of_a_run_ask_identity_once_and_each_reaches_its_own_people(
    mail_database,
):
    boxes = [f"{state}-mailbox" for state in ("de", "fr", "at")]
    for number, box in enumerate(boxes):
        queue(mail_database, Mailing("email.alert_received",
                                     Audience((box,), Right.ALERT_AUTHORISER, "services",
                                              functional=True),
                                     {"link": {"alert": "a-1"}}), f"event-{number}")  # fmt: skip
    asked = []
    people = people_of({box: [{"user_id": f"u-{box}", "email": f"c@{box}.example.eu",
                               "language": "en"}] for box in boxes})  # fmt: skip

    def counted(audience: Audience) -> list[dict]:
        asked.append(audience.authority_ids)
        return people(audience)

    book = AddressBook(people=counted,
                       mailbox=lambda ident: {"email": f"box@{ident}.example.eu",
                                              "official_language": "en"})  # fmt: skip
    run_addressing(mail_database, book)

    assert asked == [tuple(sorted(boxes))]
    assert sorted(m.recipient for m in messages(mail_database)) == sorted(
        [f"c@{box}.example.eu" for box in boxes] + [f"box@{box}.example.eu" for box in boxes]
    )


def test_a_claimed_mailing_is_left_to_its_run_which_holds_no_connection_while_it_asks(
    mail_database,
):
    """Another replica running meanwhile finds nothing due (the claim is committed, and the
    database's one SQLite connection is free while identity answers)."""
    queue(mail_database, Mailing("email.request_status_changed",
                                 Audience((IT,), Right.REQUEST_HANDLER, "services")))  # fmt: skip
    found = people_of({IT: [{"user_id": "u9", "email": "m@cc.example.it", "language": "it"}]})
    claimed_meanwhile = []

    def people(audience: Audience) -> list[dict]:
        other = mail_database.unit_of_work()
        claimed_meanwhile.append(
            address_due_jobs(other, AddressBook(people=people, mailbox=lambda i: None))
        )
        other.close()
        return found(audience)

    run_addressing(mail_database, AddressBook(people=people, mailbox=lambda ident: None))
    assert claimed_meanwhile == [0]
    assert [m.recipient for m in messages(mail_database)] == ["m@cc.example.it"]


def test_while_identity_does_not_answer_the_directory_is_not_asked_either(mail_database):
    queue(mail_database, Mailing("email.request_received",
                                 Audience((HU,), Right.REQUEST_HANDLER, "services",
                                          functional=True)))  # fmt: skip
    asked = []

    def down(audience):
        raise Unavailable("identity did not answer")

    def mailbox(ident: str) -> dict:
        asked.append(ident)
        return {"email": "iroda@bkik.example.hu", "official_language": "hu"}

    run_addressing(mail_database, AddressBook(people=down, mailbox=mailbox))
    assert asked == []
    assert messages(mail_database) == []


def test_a_mailing_to_people_fills_their_inboxes_once_and_each_reads_only_their_own(
    mail_database,
):
    mailing = Mailing("email.request_received",
                      Audience((HU,), Right.REQUEST_HANDLER, "services", functional=True),
                      {"link": {"request": "r-1"}})  # fmt: skip
    queue(mail_database, mailing)
    book = AddressBook(
        people=people_of({HU: [
            {"user_id": "u1", "email": "anna@bkik.example.hu", "language": "hu"},
            {"user_id": "u2", "email": "bela@bkik.example.hu", "language": "hu"},
        ]}),
        mailbox=lambda ident: {"email": "iroda@bkik.example.hu", "official_language": "hu"},
    )  # fmt: skip
    run_addressing(mail_database, book)
    run_addressing(mail_database, book)
    anna = Actor("u1", "hu-anna", HU, "HU", language="hu")
    query = {"page": 1, "page_size": 25}

    def page(actor, **extra):
        unit = mail_database.unit_of_work()
        try:
            return inbox.page(unit, actor, {**query, **extra}, lambda item: item.template)
        finally:
            unit.close()

    first = page(anna)
    assert first["unread"] == 1
    [item] = first["items"]
    assert item["link"] == "/requests/r-1"
    assert item["read"] is False

    unit = mail_database.unit_of_work()
    with pytest.raises(NotFound):
        inbox.mark_read(unit, Actor("u2", "hu-bela", HU, "HU"), item["id"])
    assert inbox.mark_read(unit, anna, item["id"]) == 1
    unit.commit()
    unit.close()
    assert page(anna)["unread"] == 0
    assert page(anna, unread=True)["items"] == []
    assert page(Actor("u2", "hu-bela", HU, "HU"))["unread"] == 1
