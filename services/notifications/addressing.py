"""Turning queued mailings into emails to people, and into items of their inboxes
(services.notifications.inbox): the audience's addresses and languages are asked of identity
(the users who hold the right) and of the directory (the authority's functional mailbox) when
the job runs, so an email goes to the people who hold the right then. A job whose owners do
not answer waits and is tried again.

A run claims due jobs and commits the claim before it asks anyone: a claimed job is due again
only once its lease has run out (``due_at`` moves to the lease's end), so any number of
replicas may run this at once, and no database connection is held while identity and the
directory answer (on SQLite the process has one). Identity is asked once for the people of
all the run's jobs of the same right and area, the directory for each functional mailbox, a
few at a time; then every job's emails and inbox items are written in one transaction. An
alert's thirty mailboxes are thirty jobs: one call to identity, thirty to the directory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import eventlet
from sqlalchemy import select, update

from services.common.db import UnitOfWork
from services.common.errors import ImiError, NotFound
from services.notifications import inbox
from services.notifications.domain import SENDING_LEASE, Audience, JobStatus, next_try
from services.notifications.mail_queue import add_message, queued_keys
from services.notifications.models import MailJob

BATCH = 50
# authorities in one question to identity (its limit), and directory lookups under way at once
PEOPLE_PER_CALL = 200
CONCURRENT_LOOKUPS = 8


@dataclass(frozen=True)
class AddressBook:
    """The lookups a job needs, as callables so the rules here need no RPC to test."""

    people: Callable[[Audience], list[dict]]
    mailbox: Callable[[str], dict | None]


def address_due_jobs(
    unit: UnitOfWork, book: AddressBook, batch: int = BATCH, lease: timedelta = SENDING_LEASE
) -> int:
    """Address up to ``batch`` due jobs, committing the claim and then the addresses; how
    many were claimed."""
    jobs = _claim(unit, batch, lease)
    if not jobs:
        return 0
    people, people_errors = _people(book, jobs)
    answered = {ident: audience for ident, audience in jobs.items()
                if (audience.right, audience.area) not in people_errors}  # fmt: skip
    boxes, box_errors = _mailboxes(book, answered)
    now = unit.now()
    rows = {job.id: job for job in unit.session.scalars(
        select(MailJob).where(MailJob.id.in_(list(jobs))))}  # fmt: skip
    addressed = {}
    for ident, audience in jobs.items():
        error = people_errors.get((audience.right, audience.area)) or next(
            (box_errors[a] for a in _functional(audience) if a in box_errors), None
        )
        if error is None:
            addressed[ident] = _recipients(audience, people, boxes)
        else:
            _postpone(rows[ident], now, error)
    _write(unit, [rows[ident] for ident in addressed], addressed)
    unit.commit()
    return len(jobs)


def _claim(unit: UnitOfWork, batch: int, lease: timedelta) -> dict[str, Audience]:
    """Take up to ``batch`` due jobs for this run, their audiences by id, and commit."""
    session, now = unit.session, unit.now()
    rows = session.execute(
        select(MailJob.id, MailJob.audience)
        .where(MailJob.status == JobStatus.PENDING.value, MailJob.due_at <= now)
        .order_by(MailJob.due_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    if rows:
        session.execute(
            update(MailJob)
            .where(MailJob.id.in_([ident for ident, _audience in rows]))
            .values(due_at=now + lease)
            .execution_options(synchronize_session=False)
        )
    unit.commit()
    return {ident: Audience.from_dict(audience) for ident, audience in rows}


Group = tuple  # (right, area): the jobs identity is asked about in one call


def _people(book: AddressBook, jobs: dict[str, Audience]):
    """The people of every authority of the jobs, by (right, area) and authority; the error
    of each (right, area) identity could not answer for."""
    wanted: dict[Group, set[str]] = defaultdict(set)
    for audience in jobs.values():
        wanted[(audience.right, audience.area)].update(audience.authority_ids)
    found: dict[tuple, list[dict]] = defaultdict(list)
    errors: dict[Group, ImiError] = {}
    for (right, area), ids in wanted.items():
        ordered = sorted(ids)
        try:
            for start in range(0, len(ordered), PEOPLE_PER_CALL):
                part = tuple(ordered[start : start + PEOPLE_PER_CALL])
                for person in book.people(Audience(part, right, area)):
                    found[(right, area, person["authority_id"])].append(person)
        except ImiError as exc:
            errors[(right, area)] = exc
    return found, errors


def _functional(audience: Audience) -> tuple[str, ...]:
    return audience.authority_ids if audience.functional else ()


def _mailboxes(book: AddressBook, jobs: dict[str, Audience]):
    """Each functional mailbox the jobs need (None: the authority has none shown), and the
    error of each the directory could not answer for."""
    wanted = sorted({ident for audience in jobs.values() for ident in _functional(audience)})

    def look_up(ident: str):
        try:
            return ident, book.mailbox(ident), None
        except ImiError as exc:
            return ident, None, exc

    found, errors = {}, {}
    for ident, box, error in eventlet.GreenPool(CONCURRENT_LOOKUPS).imap(look_up, wanted):
        if error is None:
            found[ident] = box
        else:
            errors[ident] = error
    return found, errors


def _recipients(audience: Audience, people, boxes) -> dict[str, tuple]:
    """The job's addresses, once each whatever its case: (address, language, user id or
    None for a functional mailbox)."""
    recipients = {}
    for authority_id in audience.authority_ids:
        for person in people.get((audience.right, audience.area, authority_id), ()):
            found = (person["email"], person["language"], person["user_id"])
            recipients.setdefault(person["email"].casefold(), found)
    for authority_id in _functional(audience):
        box = boxes.get(authority_id)
        if box and box.get("email"):
            recipients.setdefault(box["email"].casefold(),
                                  (box["email"], box["official_language"], None))  # fmt: skip
    return recipients


def _write(unit: UnitOfWork, jobs: list[MailJob], addressed: dict[str, dict]) -> None:
    """Each addressed job's emails and its people's inbox items, those written by an earlier
    run left as they are; the job done."""
    messages = {f"{job.id}:{key}": (job, value) for job in jobs
                for key, value in addressed[job.id].items()}  # fmt: skip
    items = {f"{job.id}:{user_id}": (job, user_id) for job, (_a, _l, user_id) in messages.values()
             if user_id is not None}  # fmt: skip
    kept = inbox.kept_keys(unit, list(items))
    for key, (job, user_id) in items.items():
        if key not in kept:
            inbox.add(unit, key, user_id, job.template, job.params)
    queued = queued_keys(unit, list(messages))
    for key, (job, (address, language, user_id)) in sorted(messages.items()):
        if key not in queued:
            add_message(
                unit, dedupe_key=key, template=job.template, recipient=address,
                language=language, params=job.params, user_id=user_id,
            )  # fmt: skip
    for job in jobs:
        job.status = JobStatus.DONE.value
        job.last_error = None


def _postpone(job: MailJob, now, exc: ImiError) -> None:
    job.attempts += 1
    job.last_error = str(exc)[:500]
    again = next_try(job.created_at, job.attempts, now)
    if again is None:
        job.status = JobStatus.DONE.value
    else:
        job.due_at = again


def mailbox_or_none(lookup: Callable[[str], dict]) -> Callable[[str], dict | None]:
    """An authority the directory does not show publicly (not validated) has no mailbox."""

    def mailbox(authority_id: str) -> dict | None:
        try:
            return lookup(authority_id)
        except NotFound:
            return None

    return mailbox
