"""The coordinators' daily digest: escalations and inactive requests are told once a day in
one email per coordinator, counted per kind in the reader's language, never one per event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from services.notifications import digest
from services.notifications.models import DigestItem, MailJob
from services.notifications.rendering import render

COORDINATOR_IT, COORDINATOR_HU = "coord-it", "coord-hu"


def escalation(reason: str, coordinators: list[str]) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "data": {"request_id": str(uuid.uuid4()), "area": "services", "reason": reason,
                 "coordinators": coordinators},
    }  # fmt: skip


def note(database, envelope: dict, kind: str) -> None:
    unit = database.unit_of_work()
    digest.note(unit, envelope, kind, envelope["data"]["coordinators"])
    unit.commit()
    unit.close()


def run(database, hour: int = 6) -> int:
    unit = database.unit_of_work()
    told = digest.send_digests(unit, hour)
    unit.commit()
    unit.close()
    return told


def jobs(database) -> list[MailJob]:
    unit = database.unit_of_work()
    rows = unit.session.scalars(select(MailJob).order_by(MailJob.dedupe_key)).all()
    unit.session.expunge_all()
    unit.close()
    return rows


def test_a_days_escalations_make_one_digest_per_coordinator_the_next_morning(
    mail_database, frozen_clock
):
    frozen_clock.now = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    for _ in range(3):
        note(mail_database, escalation("not_accepted", [COORDINATOR_IT]), "requests_not_accepted")
    overdue = escalation("reply_overdue", [COORDINATOR_IT, COORDINATOR_HU])
    note(mail_database, overdue, "replies_overdue")
    note(mail_database, overdue, "replies_overdue")  # the same event again

    assert run(mail_database) == 0  # today's digest hour has passed: tomorrow's
    frozen_clock.now = datetime(2026, 12, 8, 5, 59, tzinfo=UTC)
    assert run(mail_database) == 0
    frozen_clock.now = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)
    assert run(mail_database) == 5
    assert run(mail_database) == 0

    found = {job.audience["authority_ids"][0]: job for job in jobs(mail_database)}
    assert set(found) == {COORDINATOR_IT, COORDINATOR_HU}
    assert found[COORDINATOR_IT].params["items"] == {"lines": [
        {"label": "email.digest_item.requests_not_accepted", "count": 3},
        {"label": "email.digest_item.replies_overdue", "count": 1},
    ]}  # fmt: skip
    assert found[COORDINATOR_HU].params["date"] == {"date": "2026-12-08"}


def test_an_item_noted_after_the_digest_waits_for_the_next_day(mail_database, frozen_clock):
    frozen_clock.now = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    note(mail_database, escalation("not_accepted", [COORDINATOR_IT]), "requests_not_accepted")
    frozen_clock.now = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    assert run(mail_database) == 0
    frozen_clock.now = datetime(2026, 12, 9, 6, 30, tzinfo=UTC)
    assert run(mail_database) == 1
    [job] = jobs(mail_database)
    unit = mail_database.unit_of_work()
    assert unit.session.scalars(select(DigestItem.digest_id)).all() == [job.id]
    unit.close()


def test_a_digest_reads_in_the_coordinators_language(texts, mail_settings):
    mailing = digest.digest_mailing(COORDINATOR_HU, "2026-12-08", [
        DigestItem(kind="replies_overdue"), DigestItem(kind="replies_overdue"),
        DigestItem(kind="requests_inactive"),
    ])  # fmt: skip
    subject, body = render(texts, mail_settings, template=mailing.template, language="de",
                           params=mailing.params, titles=lambda ident, language: ident)  # fmt: skip

    assert "8. Dezember 2026" in subject
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert lines == [
        "- " + texts.text("de", "email.digest_item.replies_overdue").format(count=2),
        "- " + texts.text("de", "email.digest_item.requests_inactive").format(count=1),
    ]
    assert "https://imi.example.eu/requests?box=urgent" in body
