"""The coordinators' daily digest (DOMAIN.md sections 4 and 5, "Reminders and escalations"):
what needs a coordinator's follow-up is noted as it happens and told once a day, in one email
per coordinator authority, instead of one email per event.

Items noted before the day's digest hour go into that day's digest; later ones wait for the
next. Any number of replicas may run the digest: items are claimed with ``SKIP LOCKED`` and a
coordinator's digest of a day is one mailing (its dedupe key names the coordinator and the
day), so nobody is told twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time

from sqlalchemy import select

from services.common.actor import Right
from services.common.db import UnitOfWork
from services.notifications.domain import Audience, Mailing
from services.notifications.mail_queue import queue_mailing
from services.notifications.models import DigestItem

ITEM_PREFIX = "email.digest_item."
FOLLOW_UP_PATH = "/requests?box=urgent"
# The order of a digest's lines: the most pressing first.
KINDS = (
    "requests_not_accepted", "replies_overdue", "requests_awaiting_approval",
    "requests_referred", "alerts_unacknowledged", "requests_inactive",
)  # fmt: skip
ESCALATION_KINDS = {"not_accepted": "requests_not_accepted", "reply_overdue": "replies_overdue"}
BATCH = 1000


def note(unit: UnitOfWork, envelope: dict, kind: str, coordinators: list[str]) -> None:
    """Keep ``kind`` about the event's request for each coordinator's next digest."""
    data, session = envelope["data"], unit.session
    for coordinator in sorted(set(coordinators)):
        key = f"{envelope['id']}:{coordinator}"
        if session.scalar(select(DigestItem.id).where(DigestItem.dedupe_key == key)):
            continue
        session.add(
            DigestItem(
                dedupe_key=key,
                coordinator_id=coordinator,
                kind=kind,
                subject=data["request_id"],
                area=data["area"],
                noted_at=unit.now(),
            )
        )


def cut_off(now: datetime, hour: int) -> datetime | None:
    """The moment of today's digest, once it has come; None before it."""
    moment = datetime.combine(now.date(), time(hour), tzinfo=now.tzinfo)
    return moment if now >= moment else None


def send_digests(unit: UnitOfWork, hour: int) -> int:
    """Queue today's digest for every coordinator with items noted before the digest hour;
    how many items it told of."""
    now = unit.now()
    moment = cut_off(now, hour)
    if moment is None:
        return 0
    items = unit.session.scalars(
        select(DigestItem)
        .where(DigestItem.digest_id.is_(None), DigestItem.noted_at < moment)
        .order_by(DigestItem.coordinator_id, DigestItem.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    by_coordinator: dict[str, list[DigestItem]] = defaultdict(list)
    for item in items:
        by_coordinator[item.coordinator_id].append(item)
    day = moment.date().isoformat()
    for coordinator, waiting in by_coordinator.items():
        key = f"digest:{coordinator}:{day}"
        job = queue_mailing(unit, key, digest_mailing(coordinator, day, waiting))
        if job is None:  # today's digest went already: these wait for tomorrow's
            continue
        for item in waiting:
            item.digest_id = job.id
    return len(items)


def digest_mailing(coordinator: str, day: str, items: list[DigestItem]) -> Mailing:
    counts = Counter(item.kind for item in items)
    lines = [{"label": f"{ITEM_PREFIX}{kind}", "count": counts[kind]}
             for kind in KINDS if counts[kind]]  # fmt: skip
    return Mailing(
        "email.daily_digest",
        Audience((coordinator,), Right.REQUEST_HANDLER),
        {"date": {"date": day}, "items": {"lines": lines}, "link": {"path": FOLLOW_UP_PATH}},
    )
