"""The urgency list and the escalations (DOMAIN.md section 4, "Lists"; section 5, "Reminders
and escalations run on timers").

A request is urgent for one of two reasons:

- ``not_accepted``: its current responder has not accepted it within the area's
  ``acceptance_days`` (services/requests/area_settings.py), counted from when that responder
  received it (sent to it, or forwarded to it);
- ``reply_overdue``: accepted, partially answered or asked for additional information, and its
  reply deadline has passed: the agreed reply date, or while none is agreed the date the
  requester asked for (a responder's counter-proposal moves it only once the requester agrees).

Each request newly urgent is escalated to the coordinators whose intervention it needs, once
per reason and responder, by a timer that any number of replicas may run at once: rows are
claimed with FOR UPDATE SKIP LOCKED, and marked with a compare-and-set that only a request not
yet escalated, and still urgent, matches. The mark and the ``request_escalated`` event commit
together. Dates are UTC days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple

from nameko.timer import Timer
from sqlalchemy import (
    Date,
    Select,
    String,
    and_,
    bindparam,
    cast,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.common.models import UtcDateTime
from services.requests.area_settings import DEFAULTS
from services.requests.models import AreaSettings, Request
from services.requests.workflow_state import ReplyDate, Status

CONFIG_KEY = "REQUESTS"
DEFAULT_SWEEP_SECONDS = 600
BATCH = 100  # requests escalated per reason in one transaction
DAY = timedelta(days=1)
AWAITING_REPLY = (Status.ACCEPTED, Status.PARTIALLY_ANSWERED,
                  Status.ADDITIONAL_INFORMATION_REQUESTED)  # fmt: skip


class Reason(StrEnum):
    NOT_ACCEPTED = "not_accepted"
    REPLY_OVERDUE = "reply_overdue"


# Where a request keeps that it was escalated for each reason (null until then).
MARKS = {
    Reason.NOT_ACCEPTED: Request.unaccepted_escalated_at,
    Reason.REPLY_OVERDUE: Request.overdue_escalated_at,
}


def reply_deadline(reply_date: ReplyDate | None) -> date | None:
    """The day after which a reply is overdue: the agreed date, else the requester's."""
    if reply_date is None:
        return None
    return reply_date.date if reply_date.agreed else reply_date.requested


@dataclass(frozen=True)
class AcceptanceDays:
    """How many days a request may wait for acceptance: the areas that set another number
    than the default, and the default for all others."""

    default: int
    areas: Mapping[str, int]

    def of(self, area: str) -> int:
        return self.areas.get(area, self.default)


def acceptance_days(session: Session) -> AcceptanceDays:
    default = DEFAULTS["acceptance_days"]
    rows = session.execute(select(AreaSettings.area, AreaSettings.acceptance_days))
    return AcceptanceDays(default, {area: days for area, days in rows if days != default})


# --- which requests are urgent, as SQL conditions ---------------------------------------------
#
# Each condition names the status the partial indexes of models.py are built on, and compares a
# date column with a limit computed here, so that one query serves SQLite and PostgreSQL alike.


def not_accepted(days: AcceptanceDays):
    """Sent, and received by its current responder at least its area's days ago: each limit
    a bound parameter (``limits`` gives their values), so the statement is built once."""
    sent = Request.status == Status.SENT.value
    if not days.areas:
        return and_(sent, Request.received_at <= _received_before(days.default))
    by_days: dict[int, list[str]] = defaultdict(list)
    for area, number in days.areas.items():
        by_days[number].append(area)
    limits = [
        and_(Request.area.not_in(sorted(days.areas)),
             Request.received_at <= _received_before(days.default)),
        *(and_(Request.area.in_(sorted(areas)), Request.received_at <= _received_before(number))
          for number, areas in sorted(by_days.items())),
    ]  # fmt: skip
    fewest = min(days.default, *days.areas.values())
    within = Request.received_at <= _received_before(fewest)  # the indexes' range
    return and_(sent, within, or_(*limits))


def reply_overdue():
    """Waiting for a reply after its deadline (the deadline's day is still in time)."""
    return and_(
        Request.status.in_([status.value for status in AWAITING_REPLY]),
        Request.reply_deadline < bindparam("today", type_=Request.reply_deadline.type),
    )


def limits(days: AcceptanceDays, now: datetime) -> dict:
    """The values of the bound limits of ``not_accepted`` and ``reply_overdue`` at ``now``."""
    received = {
        f"received_{number}": now - timedelta(days=number)
        for number in {days.default, *days.areas.values()}
    }
    return {"today": now.date(), **received}


def _received_before(number: int):
    return bindparam(f"received_{number}", type_=Request.received_at.type)


# What the list and the escalation read of a request to rank it: its id, the reason, and for
# an acceptance its area and when it was received, for a reply its deadline.
WAITING_KEY = (Request.id, literal(Reason.NOT_ACCEPTED.value).label("reason"), Request.area,
               Request.received_at, cast(null(), Date).label("reply_deadline"))  # fmt: skip
OVERDUE_KEY = (Request.id, literal(Reason.REPLY_OVERDUE.value).label("reason"),
               cast(null(), String).label("area"), cast(null(), UtcDateTime).label("received_at"),
               Request.reply_deadline)  # fmt: skip


def urgent_for(days: AcceptanceDays) -> list[Select]:
    """The keys of an authority's urgency list (bound as ``own``), a query per way a request
    concerns it: not accepted by it as responder, or by an authority it coordinates; overdue
    where it, or an authority it coordinates, is either party. Each is served by an index; a
    coordinator's index holds all the query reads (a coordinator may have many). A request may
    come twice. The limits are bound too (``limits``)."""
    waiting = not_accepted(days)
    overdue = reply_overdue()
    own = bindparam("own")
    return [
        *(select(*WAITING_KEY).where(waiting, column == own)
          for column in (Request.responder_id, Request.responder_coordinator_id)),
        *(select(*OVERDUE_KEY).where(overdue, column == own)
          for column in (Request.requester_id, Request.responder_id,
                         Request.requester_coordinator_id, Request.responder_coordinator_id)),
    ]  # fmt: skip


class Urgency(NamedTuple):
    """Why and since when a request is urgent; ordered most late first. A tuple: a list ranks
    every urgent request of the reader's authority, and tuples compare in C."""

    since: datetime
    request_id: str
    reason: Reason

    @classmethod
    def of(cls, key, days: AcceptanceDays) -> Urgency:
        """``key`` has the columns of ``WAITING_KEY`` or ``OVERDUE_KEY``."""
        if key.reason == Reason.NOT_ACCEPTED:
            since = key.received_at + timedelta(days=days.of(key.area))
            return cls(since, key.id, Reason.NOT_ACCEPTED)
        since = datetime.combine(key.reply_deadline + DAY, time(), UTC)
        return cls(since, key.id, Reason.REPLY_OVERDUE)

    def days_late(self, now: datetime) -> int:
        """Days on the urgency list, the first counted: 1 on the day it became urgent."""
        return (now - self.since) // DAY + 1


# --- escalation ---------------------------------------------------------------------------------


class EscalationTimer(Timer):
    """nameko's timer, its interval read from the configuration (``REQUESTS.
    ESCALATION_SWEEP_SECONDS``; tests set a long one and call the entry point themselves)."""

    def __init__(self, **kwargs):
        super().__init__(interval=DEFAULT_SWEEP_SECONDS, **kwargs)

    def setup(self) -> None:
        section = self.container.config.get(CONFIG_KEY) or {}
        self.interval = float(section.get("ESCALATION_SWEEP_SECONDS", DEFAULT_SWEEP_SECONDS))


escalation_timer = EscalationTimer.decorator


def escalate(unit: UnitOfWork, batch: int = BATCH) -> bool:
    """Escalate up to ``batch`` requests newly urgent for each reason; whether a batch was
    full (more may wait). Another replica's claimed rows are skipped, not waited for."""
    session, now = unit.session, unit.now()
    days = acceptance_days(session)
    bound = limits(days, now)
    full = False
    for reason, urgent, order in (
        (Reason.NOT_ACCEPTED, not_accepted(days), Request.received_at),
        (Reason.REPLY_OVERDUE, reply_overdue(), Request.reply_deadline),
    ):
        mark = MARKS[reason]
        newly = and_(urgent, mark.is_(None))
        claimed = session.execute(
            select(literal(reason.value).label("reason"), Request.id, Request.area,
                   Request.received_at, Request.reply_deadline, Request.status,
                   Request.requester_id, Request.responder_id,
                   Request.requester_coordinator_id, Request.responder_coordinator_id)
            .where(newly)
            .order_by(order)
            .limit(batch)
            .with_for_update(of=Request, skip_locked=True),
            bound,
        ).all()  # fmt: skip
        full = full or len(claimed) == batch
        for row in claimed:
            marked = session.execute(
                update(Request)
                .where(Request.id == row.id, newly)
                .values({mark.key: now})
                .execution_options(synchronize_session=False),
                bound,
            )
            if marked.rowcount == 1:
                unit.record_event("request_escalated", row.id, _escalation(row, days, now))
    return full


def coordinators_to_notify(reason: Reason, row) -> list[str]:
    """Those who see the request on their urgency list for ``reason``: the responder's
    coordinator for an acceptance, both parties' coordinators for a reply."""
    found = [row.responder_coordinator_id]
    if reason == Reason.REPLY_OVERDUE:
        found.append(row.requester_coordinator_id)
    return sorted({ident for ident in found if ident})


def _escalation(row, days: AcceptanceDays, now: datetime) -> dict:
    urgency = Urgency.of(row, days)
    return {
        "request_id": row.id,
        "reason": urgency.reason.value,
        "status": row.status,
        "area": row.area,
        "requesting_authority": row.requester_id,
        "responding_authority": row.responder_id,
        "coordinators": coordinators_to_notify(urgency.reason, row),
        "urgent_since": urgency.since,
        "days_late": urgency.days_late(now),
    }
