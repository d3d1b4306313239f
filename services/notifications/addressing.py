"""Turning queued mailings into emails to people, and into items of their inboxes
(services.notifications.inbox): the audience's addresses and languages are asked of identity
(the users who hold the right) and of the directory (the authority's functional mailbox) when
the job runs, so an email goes to the people who hold the right then. A job whose owners do
not answer waits and is tried again; any number of replicas may run this at once (claimed rows
are skipped, not waited for)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from services.common.db import UnitOfWork
from services.common.errors import ImiError, NotFound
from services.notifications import inbox
from services.notifications.domain import Audience, JobStatus, next_try
from services.notifications.mail_queue import queue_message
from services.notifications.models import MailJob

BATCH = 50


@dataclass(frozen=True)
class AddressBook:
    """The lookups a job needs, as callables so the rules here need no RPC to test."""

    people: Callable[[Audience], list[dict]]
    mailbox: Callable[[str], dict | None]


def address_due_jobs(unit: UnitOfWork, book: AddressBook, batch: int = BATCH) -> int:
    """Address up to ``batch`` due jobs; how many were claimed."""
    session, now = unit.session, unit.now()
    jobs = session.scalars(
        select(MailJob)
        .where(MailJob.status == JobStatus.PENDING.value, MailJob.due_at <= now)
        .order_by(MailJob.due_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for job in jobs:
        try:
            _address(unit, book, job)
        except ImiError as exc:
            _postpone(job, now, exc)
    return len(jobs)


def _address(unit: UnitOfWork, book: AddressBook, job: MailJob) -> None:
    audience = Audience.from_dict(job.audience)
    recipients = {}
    for person in book.people(audience):
        recipients.setdefault(
            person["email"].casefold(), (person["email"], person["language"], person["user_id"])
        )
        inbox.keep(unit, f"{job.id}:{person['user_id']}", person["user_id"], job.template,
                   job.params)  # fmt: skip
    if audience.functional:
        for authority_id in audience.authority_ids:
            box = book.mailbox(authority_id)
            if box and box.get("email"):
                recipients.setdefault(
                    box["email"].casefold(), (box["email"], box["official_language"], None)
                )
    for key, (address, language, user_id) in sorted(recipients.items()):
        queue_message(
            unit, dedupe_key=f"{job.id}:{key}", template=job.template, recipient=address,
            language=language, params=job.params, user_id=user_id,
        )  # fmt: skip
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
