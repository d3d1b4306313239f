"""Two years of past requests between the directory's demo authorities, so that the
statistics (docs/requests-statistics.md) have something to show in the training environment
(docs/demo.md): about 2,400 requests across the member states, the three shipped areas,
professions and sectors, answered as the network answered in 2011 (DOMAIN.md section 7:
about half within two weeks, a quarter after more than four), some still pending.

They are a backdrop, not requests to work on: none is made by or sent to a demo user's
authority, so the demo users' lists and action lists stay as docs/demo.md describes them;
they have no subject (no personal data), no history entries, answers or events, only the
columns the statistics count and a workflow state that agrees with them. They are planned by
a seeded random generator (the same history for the same day of preparation, relative to
it) and inserted in bulk, once: when the first of them exists, nothing is added.

``plan`` takes a count and a number of months, so that a benchmark can plan many more.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.common.clock import utcnow
from services.common.db import StandaloneDatabase
from services.common.errors import NotFound
from services.identity.demo_roster import DemoAuthority, demo_authorities, roster_authorities
from services.requests import generator, sent_counts
from services.requests.answers import Questions
from services.requests.exchange import QUESTION_COUNTED
from services.requests.models import Base, Request, RequestQuestion
from services.requests.question_sets import PqRequestType
from services.requests.request_codec import to_document
from services.requests.workflow_state import (
    AuthorityFacts,
    Reply,
    ReplyDate,
    ReplyKind,
    RequestState,
    Side,
    Status,
)

NAMESPACE = uuid.UUID("3c9e7a51-64d2-5b0f-a8e1-7f2d4c6b9e03")
HISTORY_USER = str(uuid.uuid5(NAMESPACE, "history"))
HISTORY_USERNAME = "demo-history"
SEED = 2011
MONTHS = 24
# Requests a month, growing over the period as the network grew.
FIRST_MONTH, LAST_MONTH = 70, 130
WORKFLOW = "information_requests"
PQ, SERVICES, POSTING = "professional_qualifications", "services", "posting_of_workers"
AREAS = {PQ: 45, SERVICES: 35, POSTING: 20}
# How much each member state sends and receives, roughly by its size.
STATES = {
    "DE": 14, "FR": 11, "IT": 10, "ES": 8, "PL": 7, "NL": 5, "RO": 4, "BE": 4, "AT": 4,
    "PT": 3, "CZ": 3, "EL": 3, "HU": 3, "SE": 3, "DK": 2, "FI": 2, "IE": 2, "SK": 2, "BG": 2,
    "HR": 2, "NO": 2, "LT": 1, "LV": 1, "SI": 1, "EE": 1, "CY": 1, "LU": 1, "MT": 1, "IS": 1,
    "LI": 1,
}  # fmt: skip
PQ_TYPES = {
    PqRequestType.PERMANENT_ESTABLISHMENT.value: 60,
    PqRequestType.TEMPORARY_PROVISION.value: 25,
    PqRequestType.GENERAL.value: 15,
}
# The professions PQ requests were mostly about (codes of the directory's list).
PROFESSIONS = {
    "doctor_of_medicine": 18, "general_care_nurse": 16, "specialist_doctor": 8,
    "dental_practitioner": 7, "pharmacist": 6, "physiotherapist": 7, "architect": 5,
    "midwife": 3, "veterinary_surgeon": 3, "secondary_school_teacher": 6,
    "primary_school_teacher": 4, "nursery_teacher": 2, "psychologist": 2,
    "social_worker": 2, "civil_engineer": 2, "lawyer": 2, "accountant": 1,
}  # fmt: skip
# The economic activities (NACE divisions) of the businesses requests were about.
SECTORS = {
    SERVICES: {"41": 8, "43": 10, "56": 6, "47": 5, "49": 4, "68": 3, "69": 3, "71": 5,
               "79": 4, "81": 4, "96": 4, "86": 3},
    POSTING: {"41": 12, "42": 4, "43": 14, "49": 8, "10": 3, "01": 5, "78": 6, "81": 3,
              "25": 2},
}  # fmt: skip


@dataclass(frozen=True)
class Planned:
    """A planned request: its row and the keys of the questions it asks."""

    row: dict
    question_keys: tuple[str, ...]


@dataclass(frozen=True)
class SetVersion:
    number: int
    questions: Questions


def parties() -> dict[tuple[str, str], list[str]]:
    """The demo authorities that may take part, by (area, member state): those of the
    directory's plan that are not coordinators and where no demo user works."""
    excluded = {authority.id for authority in roster_authorities()}
    found: dict[tuple[str, str], list[str]] = {}
    for authority in demo_authorities().values():
        if authority.coordinator_kind or authority.id in excluded:
            continue
        for area in _areas(authority):
            found.setdefault((area, authority.member_state), []).append(authority.id)
    return found


def _areas(authority: DemoAuthority) -> set[str]:
    return {area for area, workflow in authority.areas if workflow == WORKFLOW and area in AREAS}


def plan(
    now: datetime,
    sets: dict[str, SetVersion],
    where: dict[tuple[str, str], list[str]],
    count: int | None = None,
    months: int = MONTHS,
) -> Iterator[Planned]:
    """The history: about ``count`` requests (by default from FIRST_MONTH to LAST_MONTH a
    month) sent over the ``months`` before ``now``, in the areas of ``sets``."""
    chance = random.Random(SEED)
    areas = [area for area in AREAS if area in sets]
    start = now - timedelta(days=30.44 * months)
    per_month = [
        FIRST_MONTH + (LAST_MONTH - FIRST_MONTH) * month / max(months - 1, 1)
        for month in range(months)
    ]
    scale = count / sum(per_month) if count else 1
    number = 0
    for month, wanted in enumerate(per_month):
        for _ in range(round(wanted * scale)):
            area = _pick(chance, {a: AREAS[a] for a in areas})
            requester_state, responder_state = _two_states(chance, area, where)
            sent = start + timedelta(days=30.44 * (month + chance.random()))
            if sent >= now:
                continue
            yield _request(
                chance, number, now, sets[area], area, sent,
                AuthorityFacts(chance.choice(where[(area, requester_state)]), requester_state),
                AuthorityFacts(chance.choice(where[(area, responder_state)]), responder_state),
            )  # fmt: skip
            number += 1


def _pick(chance: random.Random, weights: dict[str, float]) -> str:
    return chance.choices(list(weights), weights=list(weights.values()))[0]


def _two_states(
    chance: random.Random, area: str, where: dict[tuple[str, str], list[str]]
) -> tuple[str, str]:
    present = {state: weight for state, weight in STATES.items() if (area, state) in where}
    requester = _pick(chance, present)
    responder = _pick(chance, {state: w for state, w in present.items() if state != requester})
    return requester, responder


def _days(chance: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=chance.uniform(low, high))


def _answer_after(chance: random.Random) -> timedelta:
    """From sending to the first full reply, drawn so that, once acceptance has taken its
    time, about 54% are answered within two weeks and 27% after more than four, as in 2011."""
    draw = chance.random()
    if draw < 0.27:
        return _days(chance, 1, 7)
    if draw < 0.59:
        return _days(chance, 7, 14)
    if draw < 0.71:
        return _days(chance, 14, 28)
    return _days(chance, 28, 120)


def _request(
    chance: random.Random,
    number: int,
    now: datetime,
    version: SetVersion,
    area: str,
    sent: datetime,
    requester: AuthorityFacts,
    responder: AuthorityFacts,
) -> Planned:
    request_id = str(uuid.uuid5(NAMESPACE, f"history/{number}"))
    pq_type = _pick(chance, PQ_TYPES) if area == PQ else None
    asked = _questions(chance, version.questions, pq_type)
    accept = sent + (_days(chance, 0.05, 7) if chance.random() < 0.78 else _days(chance, 7, 25))
    answer = max(sent + _answer_after(chance), accept + timedelta(hours=12))
    if chance.random() < 0.02:  # never answered: stays pending
        answer = None
    withdrawn = sent + _days(chance, 1, 20) if chance.random() < 0.03 else None
    if withdrawn is not None and (answer is None or withdrawn < answer):
        answer = None
    else:
        withdrawn = None
    closed = answer + _days(chance, 1, 15) if answer and chance.random() < 0.85 else None
    due = (sent + _days(chance, 14, 35)).date() if chance.random() < 0.3 else None
    accepted_at = accept if accept <= now and not (withdrawn and withdrawn < accept) else None
    answered_at = answer if answer and answer <= now else None
    closed_at = next((at for at in (closed, withdrawn) if at and at <= now), None)
    if withdrawn and withdrawn <= now:
        status = Status.WITHDRAWN
    elif closed_at:
        status = Status.CLOSED
    elif answered_at:
        status = Status.ANSWERED
    elif accepted_at:
        status = Status.ACCEPTED
    else:
        status = Status.SENT
    state = RequestState(
        id=request_id, area=area, requester=requester, responder=responder, status=status,
        questions=asked, sent=True, responder_accepted=accepted_at is not None,
        replies=(Reply(ReplyKind.FULL, asked),) if answered_at else (),
        reply_date=due and ReplyDate(due, Side.REQUESTER, due, agreed=accepted_at is not None),
    )  # fmt: skip
    sectors = SECTORS.get(area)
    row = {
        "id": request_id, "area": area, "set_key": area, "set_number": version.number,
        "pq_type": pq_type, "status": status.value,
        "requester_id": requester.id, "responder_id": responder.id,
        "requester_coordinator_id": None, "responder_coordinator_id": None,
        "state": to_document(state), "subject": {}, "subject_search": "",
        "description": None, "description_language": None, "linked_from": None,
        "created_at": sent - _days(chance, 0.01, 2), "created_by": HISTORY_USER,
        "sent_at": sent, "closed_at": closed_at,
        "updated_at": max(at for at in (sent, accepted_at, answered_at, closed_at) if at),
        "updated_by": HISTORY_USER, "updated_by_username": HISTORY_USERNAME, "version": 1,
        "requester_state": requester.member_state, "responder_state": responder.member_state,
        "profession": _pick(chance, PROFESSIONS) if area == PQ else None,
        "sector": _pick(chance, sectors) if sectors and chance.random() < 0.8 else None,
        "accepted_at": accepted_at, "answered_at": answered_at,
        "reply_due": due, "reply_due_agreed": bool(due and accepted_at),
    }  # fmt: skip
    keys = tuple(sorted({version.questions.question(ordinal)["key"] for ordinal in asked}))
    return Planned(row, keys)


def _questions(chance: random.Random, questions: Questions, pq_type: str | None) -> frozenset:
    """Two to seven questions of the type, the first ones of a set (identity, establishment,
    authenticity) asked more often than the later ones."""
    allowed = sorted(questions.for_type(pq_type))
    wanted = min(len(allowed), chance.randint(2, 7))
    # a weighted draw without replacement: the largest random() ** (1 / weight) win
    ranked = sorted(allowed, key=lambda ordinal: chance.random() ** (1 + ordinal / 4), reverse=True)
    return frozenset(ranked[:wanted])


def published_sets(session: Session) -> dict[str, SetVersion]:
    """The latest published version of each shipped set of the history's areas."""
    found = {}
    for area in AREAS:
        try:
            version = generator.published(session, area)
        except NotFound:
            continue
        found[area] = SetVersion(version.number, Questions.of(version.document))
    return found


def add_history(session: Session, now: datetime, count: int | None = None) -> int:
    """Insert the history unless its first request exists; how many requests were added."""
    if session.get(Request, str(uuid.uuid5(NAMESPACE, "history/0"))) is not None:
        return 0
    rows, asked, counted = [], [], []
    for planned in plan(now, published_sets(session), parties(), count):
        row = planned.row
        rows.append(row)
        repeated = {name: row[name] for name in QUESTION_COUNTED}
        asked += [{"request_id": row["id"], "question_key": key, **repeated}
                  for key in planned.question_keys]  # fmt: skip
        counted.append(
            sent_counts.sent(row["sent_at"], row["set_key"], row["area"], planned.question_keys)
        )
    if rows:
        session.execute(insert(Request), rows)
        session.execute(insert(RequestQuestion), asked)
        sent_counts.add_written(session, counted)
    return len(rows)


def load_demo_history(uri: str, clock=utcnow) -> int:
    """Load the history into the requests database at ``uri``, in one transaction; how many
    requests were added."""
    database = StandaloneDatabase(Base, "requests", uri, clock)
    unit = database.unit_of_work()
    try:
        added = add_history(unit.session, clock())
        unit.commit()
        return added
    finally:
        unit.close()
        database.dispose()
