"""The aggregate queries of the statistics of requests (DOMAIN.md section 7), one per figure.

Each takes ``counted``: the subquery of the requests the reader may count, already limited to
its scope, the period and the area (services/requests/statistics.py); the questions figure
takes the counts of those requests' questions and sets instead. Each groups them in the database
(SQLAlchemy Core, the same text on SQLite and PostgreSQL but for the expressions of
services/requests/statistics_sql.py), in one scan; Python only names and rounds what the
database counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from sqlalchemy import Integer, Subquery, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from services.requests.models import AreaSettings
from services.requests.statistics_sql import (
    average_seconds,
    month_start,
    month_text,
    utc_day,
    within,
)
from services.requests.workflow_state import Status

DAY = 86400
WEEK = 7 * DAY
# Response time buckets: answered within N weeks of sending (each includes the ones before).
WITHIN_WEEKS = (1, 2, 4)
PENDING_AFTER = timedelta(days=30)
ACCEPTANCE_DAYS = 7
FINAL = (Status.CLOSED.value, Status.WITHDRAWN.value)


@dataclass(frozen=True)
class Targets:
    """The scoreboard's targets (DOMAIN.md section 7)."""

    accepted_within_7_days: float = 0.8  # a share at least this
    average_days_to_answer: float = 16.0  # an average under this
    answered_by_agreed_date: float = 0.8  # a share at least this


TARGETS = Targets()


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _count_if(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def by_area(session: Session, counted: Subquery) -> list[dict]:
    found = session.execute(
        select(counted.c.area, func.count()).group_by(counted.c.area).order_by(counted.c.area)
    )
    return [{"area": area, "requests": requests} for area, requests in found]


def by_member_state(session: Session, counted: Subquery) -> list[dict]:
    """Requests each member state sent (as requester) and received (as current responder),
    summed from one count per pair of states."""
    sent: dict[str, int] = {}
    received: dict[str, int] = {}
    pairs = session.execute(
        select(counted.c.requester_state, counted.c.responder_state, func.count()).group_by(
            counted.c.requester_state, counted.c.responder_state
        )
    )
    for requester, responder, requests in pairs:
        sent[requester] = sent.get(requester, 0) + requests
        received[responder] = received.get(responder, 0) + requests
    states = sorted((set(sent) | set(received)) - {None})
    return [
        {"member_state": state, "sent": sent.get(state, 0), "received": received.get(state, 0)}
        for state in states
    ]


def by_month(session: Session, counted: Subquery) -> list[dict]:
    start = month_start(counted.c.sent_at)
    found = session.execute(select(month_text(start), func.count()).group_by(start).order_by(start))
    return [{"month": month, "requests": requests} for month, requests in found]


def by_column(session: Session, counted: Subquery, name: str) -> list[tuple[str, int]]:
    """(code, requests) of the requests that name a profession or a sector, by code."""
    column = counted.c[name]
    return list(
        session.execute(
            select(column, func.count())
            .where(column.is_not(None))
            .group_by(column)
            .order_by(func.count().desc(), column)
        ).tuples()
    )


def questions(session: Session, asked: Subquery, sets: Subquery, limit: int) -> list[dict]:
    """The questions asked most, each with the requests built on its set, for its share:
    ``asked`` rows of (set_key, question_key, requests) and ``sets`` rows of (set_key,
    requests) to add up (statistics.counted_questions)."""
    asking = func.sum(asked.c.requests)
    top = session.execute(
        select(asked.c.set_key, asked.c.question_key, cast(asking, Integer))
        .group_by(asked.c.set_key, asked.c.question_key)
        .order_by(asking.desc(), asked.c.set_key, asked.c.question_key)
        .limit(limit)
    ).all()
    by_set = dict(
        session.execute(
            select(sets.c.set_key, cast(func.sum(sets.c.requests), Integer))
            .where(sets.c.set_key.in_({set_key for set_key, _, _ in top}))
            .group_by(sets.c.set_key)
        ).all()
    )
    return [
        {"set_key": set_key, "question": key, "requests": requests,
         "set_requests": by_set[set_key], "share": share(requests, by_set[set_key])}
        for set_key, key, requests in top
    ]  # fmt: skip


def response_times(session: Session, counted: Subquery) -> list[dict]:
    """Answered requests per responding member state and area, by the time from sending to
    the first full reply: within 1, 2 and 4 weeks (each counting the faster ones too), and
    more than 4 weeks."""
    c = counted.c
    in_weeks = [_count_if(within(c.answered_at, c.sent_at, weeks * WEEK)) for weeks in WITHIN_WEEKS]
    found = session.execute(
        select(counted.c.responder_state, counted.c.area, func.count(), *in_weeks)
        .where(counted.c.answered_at.is_not(None))
        .group_by(counted.c.responder_state, counted.c.area)
        .order_by(counted.c.responder_state, counted.c.area)
    )
    rows = []
    for state, area, answered, *counts in found:
        row = {"member_state": state, "area": area, "answered": answered}
        for weeks, count in zip(WITHIN_WEEKS, counts, strict=True):
            name = f"within_{weeks}_week" + ("s" if weeks > 1 else "")
            row[name], row[f"{name}_share"] = count, share(count, answered)
        row["over_4_weeks"] = answered - counts[-1]
        row["over_4_weeks_share"] = share(row["over_4_weeks"], answered)
        rows.append(row)
    return rows


def pilot_areas(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(AreaSettings.area)
            .where(AreaSettings.pilot.is_(True))
            .order_by(AreaSettings.area)
        )
    )


def pending(session: Session, counted: Subquery, now: datetime) -> list[dict]:
    """Requests sent more than 30 days ago, neither answered nor closed or withdrawn, per
    responding member state and area; pilot areas left out."""
    pilots = select(AreaSettings.area).where(AreaSettings.pilot.is_(True))
    found = session.execute(
        select(counted.c.responder_state, counted.c.area, func.count(), func.min(counted.c.sent_at))
        .where(
            counted.c.answered_at.is_(None),
            counted.c.status.not_in(FINAL),
            counted.c.sent_at < now - PENDING_AFTER,
            counted.c.area.not_in(pilots),
        )
        .group_by(counted.c.responder_state, counted.c.area)
        .order_by(counted.c.responder_state, counted.c.area)
    )
    return [
        {"member_state": state, "area": area, "requests": requests,
         "oldest_sent_at": oldest.astimezone(UTC)}
        for state, area, requests, oldest in found
    ]  # fmt: skip


def scoreboard(session: Session, counted: Subquery, now: datetime) -> list[dict]:
    """Per responding member state: the share accepted within 7 days of sending, the
    average days from sending to the first full reply, and the share answered by the agreed
    reply date, each against its target.

    A request counts for acceptance once its 7 days are over or it was accepted, unless it was
    closed or withdrawn within them without being accepted; for the agreed date once it was
    answered or the date has passed, unless it was closed or withdrawn unanswered by then.
    """
    c = counted.c
    window = ACCEPTANCE_DAYS * DAY
    accepted_in_time = within(c.accepted_at, c.sent_at, window)
    acceptance_counted = or_(
        c.accepted_at.is_not(None),
        and_(
            c.sent_at <= now - timedelta(days=ACCEPTANCE_DAYS),
            or_(c.closed_at.is_(None), ~within(c.closed_at, c.sent_at, window)),
        ),
    )
    today = now.date()
    agreed = and_(c.reply_due_agreed.is_(True), c.reply_due.is_not(None))
    by_date = and_(agreed, c.answered_at.is_not(None), utc_day(c.answered_at) <= c.reply_due)
    date_counted = and_(
        agreed,
        or_(
            c.answered_at.is_not(None),
            and_(
                c.reply_due < today,
                or_(c.closed_at.is_(None), utc_day(c.closed_at) > c.reply_due),
            ),
        ),
    )
    found = session.execute(
        select(
            c.responder_state,
            func.count(),
            _count_if(acceptance_counted),
            _count_if(and_(c.accepted_at.is_not(None), accepted_in_time)),
            func.count(c.answered_at),
            average_seconds(c.answered_at, c.sent_at),
            _count_if(date_counted),
            _count_if(by_date),
        )
        .group_by(c.responder_state)
        .order_by(c.responder_state)
    )
    rows = []
    for state, received, counted_7, within_7, answered, seconds, counted_due, by_due in found:
        days = float(seconds) / DAY if seconds is not None else None
        rows.append({
            "member_state": state, "received": received,
            "acceptance_counted": counted_7, "accepted_within_7_days": within_7,
            "accepted_within_7_days_share": share(within_7, counted_7),
            "accepted_within_7_days_target": TARGETS.accepted_within_7_days,
            "accepted_within_7_days_met": _at_least(
                within_7, counted_7, TARGETS.accepted_within_7_days),
            "answered": answered,
            "average_days_to_answer": round(days, 2) if days is not None else None,
            "average_days_to_answer_target": TARGETS.average_days_to_answer,
            "average_days_to_answer_met": None if days is None
            else days < TARGETS.average_days_to_answer,
            "agreed_date_counted": counted_due, "answered_by_agreed_date": by_due,
            "answered_by_agreed_date_share": share(by_due, counted_due),
            "answered_by_agreed_date_target": TARGETS.answered_by_agreed_date,
            "answered_by_agreed_date_met": _at_least(
                by_due, counted_due, TARGETS.answered_by_agreed_date),
        })  # fmt: skip
    return rows


def _at_least(part: int, whole: int, target: float) -> bool | None:
    """Whether ``part / whole`` reaches ``target``, exactly (12 of 15 is 0.8); None of none."""
    return None if not whole else Fraction(part, whole) >= Fraction(str(target))
