"""A small history of eleven requests with known times, for the tests of the statistics and
of the lists on SQLite (tests/requests/test_statistics.py) and PostgreSQL (tests/integration/
test_request_statistics_postgres.py), and the figures and lists it gives, computed by hand.

The network is tests/requests/network.py with three changes: the two national coordinators
are NIMICs and Lazio's coordinator a DIMIC, linked to Roma for Professional Qualifications
instead of Services; Roma also works in Professional Qualifications, Budapest in Professional
Qualifications and Posting of Workers. The history is played through the service, with the
clock moved to each step's time; the figures are read at ``NOW``.

| | area | from → to | sent | accepted | full reply | then |
| --- | --- | --- | --- | --- | --- | --- |
| R1 | services | Roma → Budapest | 2025-11-03 | +2 days | +5 days | closed |
| R2 | services | Roma → Budapest | 2025-11-10 | +3 days | +12 days | |
| R3 | services | Roma → Budapest | 2025-12-01 | +9 days | +20 days, after the agreed 12-15 | |
| R4 | services | Budapest → Roma | 2025-12-02 | +1 day | +40 days, before the agreed 01-20 | |
| R5 | PQ | Budapest → Roma | 2026-01-05 | +1 day | +6 days | closed |
| R6 | PQ | Roma → Budapest | 2026-01-12 | +4 days | | pending 48 days |
| R7 | PQ | Roma → Budapest | 2026-02-20 | | | 9 days unaccepted |
| R8 | posting (pilot) | Szeged → Budapest | 2026-01-10 | +2 days | | pending, but a pilot |
| R9 | services | Roma → Budapest | 2026-01-20 | | | withdrawn after 5 days |
| R10 | services | Roma | draft | | | never sent |
| R11 | services | Roma → Budapest | 2026-02-25 | | | 4 days unaccepted |
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from services.common.actor import Actor, Grant, Right, dump_actor
from services.requests import sent_counts
from services.requests.bootstrap import publish_shipped_lists, publish_shipped_sets
from services.requests.models import (
    CoordinatorLink,
    KnownAuthority,
    SentQuestionCount,
    SentRequestCount,
)
from tests.requests import network
from tests.requests.network import (
    BUDAPEST,
    HU_COORDINATOR,
    IT_COORDINATOR,
    LAZIO_COORDINATOR,
    ROMA,
    SZEGED,
    WORKFLOW,
)

PQ, SERVICES, POSTING = "professional_qualifications", "services", "posting_of_workers"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
AREAS = {ROMA: (SERVICES, PQ), BUDAPEST: (SERVICES, PQ, POSTING)}


def everywhere(place, name: str, *rights: Right) -> dict:
    return network.user(place, name, *rights, area=None)


ROMA_HANDLER = everywhere(ROMA, "roma-handler", Right.REQUEST_HANDLER)
BUDAPEST_HANDLER = everywhere(BUDAPEST, "budapest-handler", Right.REQUEST_HANDLER)
SZEGED_HANDLER = everywhere(SZEGED, "szeged-handler", Right.REQUEST_HANDLER)
IT_COORDINATOR_USER = everywhere(IT_COORDINATOR, "it-coordinator", Right.REQUEST_HANDLER)
HU_COORDINATOR_USER = everywhere(HU_COORDINATOR, "hu-coordinator", Right.BASIC_USER)
LAZIO_USER = everywhere(LAZIO_COORDINATOR, "lazio-coordinator", Right.REQUEST_HANDLER)
COMMISSION_USER = dump_actor(
    Actor(
        user_id="00000000-0000-4000-8000-0000000c0001",
        username="commission-statistics",
        authority_id="00000000-0000-4000-8000-00000000e0e0",
        member_state="EU",
        grants=frozenset({Grant(Right.COMMISSION_ADMINISTRATOR)}),
    )
)


def seed(uri: str) -> None:
    """The shipped sets and lists, the network, and this module's changes to it."""
    publish_shipped_sets(uri)
    publish_shipped_lists(uri)
    network.seed(uri)
    engine = create_engine(uri)
    with Session(engine) as session, session.begin():
        for place, kind in ((IT_COORDINATOR, "NIMIC"), (HU_COORDINATOR, "NIMIC"),
                            (LAZIO_COORDINATOR, "DIMIC")):  # fmt: skip
            session.get(KnownAuthority, place.id).coordinator_kind = kind
        for place, areas in AREAS.items():
            session.get(KnownAuthority, place.id).areas = [
                {"area": area, "workflow": WORKFLOW, "roles": ["authority"], "direction": "both"}
                for area in areas
            ]
        session.execute(
            update(CoordinatorLink)
            .where(CoordinatorLink.coordinator_id == LAZIO_COORDINATOR.id)
            .values(linked=False)
        )
        session.add(
            CoordinatorLink(
                authority_id=ROMA.id, area=PQ, workflow=WORKFLOW,
                coordinator_id=LAZIO_COORDINATOR.id, linked=True, changed_at=network.AT,
            )
        )  # fmt: skip
    engine.dispose()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _draft(set_key: str, questions: list[str], responder, **more) -> dict:
    return {"set_key": set_key, "questions": questions, "responder_id": responder.id,
            "subject": {"full_name": "Ada Statistica"}, **more}  # fmt: skip


# (when, request, who, what, data): "create" takes a draft, "reply" answers every question,
# anything else is an action of the workflow.
STEPS = (
    ("2025-11-03 10:00", "R1", ROMA_HANDLER, "create",
     _draft(SERVICES, ["1.1", "1.4"], BUDAPEST, sector="f")),
    ("2025-11-03 10:00", "R1", ROMA_HANDLER, "send", {}),
    ("2025-11-05 10:00", "R1", BUDAPEST_HANDLER, "accept", {}),
    ("2025-11-08 10:00", "R1", BUDAPEST_HANDLER, "reply", {}),
    ("2025-11-09 10:00", "R1", ROMA_HANDLER, "close", {}),
    ("2025-11-10 10:00", "R2", ROMA_HANDLER, "create",
     _draft(SERVICES, ["1.1", "2.4"], BUDAPEST, sector="f")),
    ("2025-11-10 10:00", "R2", ROMA_HANDLER, "send", {}),
    ("2025-11-13 10:00", "R2", BUDAPEST_HANDLER, "accept", {}),
    ("2025-11-22 10:00", "R2", BUDAPEST_HANDLER, "reply", {}),
    ("2025-12-01 09:00", "R3", ROMA_HANDLER, "create",
     _draft(SERVICES, ["1.1"], BUDAPEST, sector="56")),
    ("2025-12-01 09:30", "R3", ROMA_HANDLER, "propose_reply_date", {"date": "2025-12-15"}),
    ("2025-12-01 10:00", "R3", ROMA_HANDLER, "send", {}),
    ("2025-12-02 09:00", "R4", BUDAPEST_HANDLER, "create",
     _draft(SERVICES, ["1.1", "1.4"], ROMA)),
    ("2025-12-02 09:30", "R4", BUDAPEST_HANDLER, "propose_reply_date", {"date": "2026-01-20"}),
    ("2025-12-02 10:00", "R4", BUDAPEST_HANDLER, "send", {}),
    ("2025-12-03 10:00", "R4", ROMA_HANDLER, "accept", {}),
    ("2025-12-03 10:05", "R4", ROMA_HANDLER, "agree_reply_date", {}),
    ("2025-12-10 10:00", "R3", BUDAPEST_HANDLER, "accept", {}),
    ("2025-12-10 10:05", "R3", BUDAPEST_HANDLER, "agree_reply_date", {}),
    ("2025-12-21 10:00", "R3", BUDAPEST_HANDLER, "reply", {}),
    ("2026-01-05 10:00", "R5", BUDAPEST_HANDLER, "create",
     _draft(PQ, ["1.1", "2.1"], ROMA, pq_type="general", profession="doctor_of_medicine")),
    ("2026-01-05 10:00", "R5", BUDAPEST_HANDLER, "send", {}),
    ("2026-01-06 10:00", "R5", ROMA_HANDLER, "accept", {}),
    ("2026-01-10 10:00", "R8", SZEGED_HANDLER, "create",
     _draft(POSTING, ["1.1", "1.2"], BUDAPEST, sector="49")),
    ("2026-01-10 10:00", "R8", SZEGED_HANDLER, "send", {}),
    ("2026-01-11 10:00", "R4", ROMA_HANDLER, "reply", {}),
    ("2026-01-11 10:00", "R5", ROMA_HANDLER, "reply", {}),
    ("2026-01-12 10:00", "R5", BUDAPEST_HANDLER, "close", {}),
    ("2026-01-12 10:00", "R6", ROMA_HANDLER, "create",
     _draft(PQ, ["1.1", "1.2"], BUDAPEST, pq_type="general", profession="architect")),
    ("2026-01-12 10:00", "R6", ROMA_HANDLER, "send", {}),
    ("2026-01-12 10:00", "R8", BUDAPEST_HANDLER, "accept", {}),
    ("2026-01-16 10:00", "R6", BUDAPEST_HANDLER, "accept", {}),
    ("2026-01-20 10:00", "R9", ROMA_HANDLER, "create", _draft(SERVICES, ["1.1"], BUDAPEST)),
    ("2026-01-20 10:00", "R9", ROMA_HANDLER, "send", {}),
    ("2026-01-25 10:00", "R9", ROMA_HANDLER, "withdraw", {"reason": "Sent by mistake."}),
    ("2026-02-01 10:00", "R10", ROMA_HANDLER, "create", _draft(SERVICES, ["1.1"], BUDAPEST)),
    ("2026-02-20 10:00", "R7", ROMA_HANDLER, "create",
     _draft(PQ, ["1.1"], BUDAPEST, pq_type="general", profession="doctor_of_medicine")),
    ("2026-02-20 10:00", "R7", ROMA_HANDLER, "send", {}),
    ("2026-02-25 10:00", "R11", ROMA_HANDLER, "create",
     _draft(SERVICES, ["1.1", "1.4"], BUDAPEST)),
    ("2026-02-25 10:00", "R11", ROMA_HANDLER, "send", {}),
)  # fmt: skip


def play(requests, clock) -> dict[str, dict]:
    """Play ``STEPS`` through the service (``requests``: its RPC proxy), moving ``clock`` to
    each step's time, then to ``NOW``; the requests by name as last seen."""
    found: dict[str, dict] = {}
    for when, name, who, what, data in STEPS:
        clock.now = at(when)
        if what == "create":
            found[name] = requests.create_request(who, data)
        elif what == "reply":
            found[name] = _reply(requests, who, found[name])
        else:
            found[name] = requests.act_on_request(
                who, found[name]["id"], what, {"version": found[name]["version"], **data}
            )["request"]
    clock.now = NOW
    return found


def _reply(requests, who: dict, request: dict) -> dict:
    answers = [{"question": question["number"], "cannot_provide": "not_held"}
               for question in request["questions"]]  # fmt: skip
    drafted = requests.save_reply_draft(
        who, request["id"], {"version": request["version"], "answers": answers}
    )
    return requests.act_on_request(
        who, request["id"], "send_full_reply", {"version": drafted["version"]}
    )["request"]


def make_pilot(requests, area: str = POSTING) -> None:
    requests.change_area_settings(
        COMMISSION_USER, area, {"forwarding_after_acceptance": False, "pilot": True}
    )


# --- the figures, by hand (the Commission's, at NOW, posting of workers a pilot) -------------

BY_AREA = [
    {"area": POSTING, "requests": 1},
    {"area": PQ, "requests": 3},
    {"area": SERVICES, "requests": 6},
]
BY_MEMBER_STATE = [
    {"member_state": "HU", "sent": 3, "received": 8},
    {"member_state": "IT", "sent": 7, "received": 2},
]
BY_MONTH = [
    {"month": "2025-11", "requests": 2},
    {"month": "2025-12", "requests": 2},
    {"month": "2026-01", "requests": 4},
    {"month": "2026-02", "requests": 2},
]
BY_PROFESSION = [
    {"profession": "doctor_of_medicine", "name": "Doctor of medicine",
     "profession_sector": "health", "requests": 2},
    {"profession": "architect", "name": "Architect", "profession_sector": "architecture",
     "requests": 1},
]  # fmt: skip
BY_SECTOR = [("f", "f", 2), ("49", "h", 1), ("56", "i", 1)]  # (sector, section, requests)
QUESTIONS = [  # (set, question, requests, set_requests, share)
    (SERVICES, "lawfully_established", 6, 6, 1.0),
    (PQ, "diploma_genuine", 3, 3, 1.0),
    (SERVICES, "legal_form", 3, 6, 0.5),
    (POSTING, "address_corresponds", 1, 1, 1.0),
    (POSTING, "lawfully_established", 1, 1, 1.0),
    (PQ, "identity_matches", 1, 3, 0.3333),
    (PQ, "right_to_practise", 1, 3, 0.3333),
    (SERVICES, "activities_pursued", 1, 6, 0.1667),
]
RESPONSE_TIMES = [
    {"member_state": "HU", "area": SERVICES, "answered": 3,
     "within_1_week": 1, "within_1_week_share": 0.3333,
     "within_2_weeks": 2, "within_2_weeks_share": 0.6667,
     "within_4_weeks": 3, "within_4_weeks_share": 1.0,
     "over_4_weeks": 0, "over_4_weeks_share": 0.0},
    {"member_state": "IT", "area": PQ, "answered": 1,
     "within_1_week": 1, "within_1_week_share": 1.0,
     "within_2_weeks": 1, "within_2_weeks_share": 1.0,
     "within_4_weeks": 1, "within_4_weeks_share": 1.0,
     "over_4_weeks": 0, "over_4_weeks_share": 0.0},
    {"member_state": "IT", "area": SERVICES, "answered": 1,
     "within_1_week": 0, "within_1_week_share": 0.0,
     "within_2_weeks": 0, "within_2_weeks_share": 0.0,
     "within_4_weeks": 0, "within_4_weeks_share": 0.0,
     "over_4_weeks": 1, "over_4_weeks_share": 1.0},
]  # fmt: skip
PENDING = [
    {
        "member_state": "HU",
        "area": PQ,
        "requests": 1,
        "oldest_sent_at": "2026-01-12T10:00:00+00:00",
    },
]
PENDING_WITHOUT_PILOT = [
    {"member_state": "HU", "area": POSTING, "requests": 1,
     "oldest_sent_at": "2026-01-10T10:00:00+00:00"},
    *PENDING,
]  # fmt: skip
SCOREBOARD = [
    {"member_state": "HU", "received": 8,
     "acceptance_counted": 6, "accepted_within_7_days": 4,
     "accepted_within_7_days_share": 0.6667, "accepted_within_7_days_target": 0.8,
     "accepted_within_7_days_met": False,
     "answered": 3, "average_days_to_answer": 12.33, "average_days_to_answer_target": 16.0,
     "average_days_to_answer_met": True,
     "agreed_date_counted": 1, "answered_by_agreed_date": 0,
     "answered_by_agreed_date_share": 0.0, "answered_by_agreed_date_target": 0.8,
     "answered_by_agreed_date_met": False},
    {"member_state": "IT", "received": 2,
     "acceptance_counted": 2, "accepted_within_7_days": 2,
     "accepted_within_7_days_share": 1.0, "accepted_within_7_days_target": 0.8,
     "accepted_within_7_days_met": True,
     "answered": 2, "average_days_to_answer": 23.0, "average_days_to_answer_target": 16.0,
     "average_days_to_answer_met": False,
     "agreed_date_counted": 1, "answered_by_agreed_date": 1,
     "answered_by_agreed_date_share": 1.0, "answered_by_agreed_date_target": 0.8,
     "answered_by_agreed_date_met": True},
]  # fmt: skip


def check_commission_figures(found: dict) -> None:
    """Every figure of the Commission's statistics is the one computed by hand."""
    assert found["scope"] == {"kind": "commission", "member_state": None, "coordinator_id": None}
    assert found["pilot_areas"] == [POSTING]
    assert found["by_area"] == BY_AREA
    assert found["by_member_state"] == BY_MEMBER_STATE
    assert found["by_month"] == BY_MONTH
    assert found["by_profession"] == BY_PROFESSION
    assert [(row["sector"], row["section"], row["requests"]) for row in found["by_sector"]] == (
        BY_SECTOR
    )
    assert [
        (row["set_key"], row["question"], row["requests"], row["set_requests"], row["share"])
        for row in found["questions"]
    ] == QUESTIONS
    assert found["response_times"] == RESPONSE_TIMES
    assert found["pending"] == PENDING
    assert found["scoreboard"] == SCOREBOARD


# Periods over the history for the questions asked most: whole months, parts of months at
# either edge or both, one day, a day a request was sent on, and no bound on either side.
PERIODS = [
    {}, {"sent_from": "2025-11-01", "sent_to": "2026-02-28"},
    {"sent_from": "2025-11-04"}, {"sent_to": "2026-01-11"},
    {"sent_from": "2025-11-10", "sent_to": "2026-01-12"},
    {"sent_from": "2025-12-01", "sent_to": "2025-12-31"},
    {"sent_from": "2025-12-02", "sent_to": "2025-12-31"},
    {"sent_from": "2025-11-30", "sent_to": "2026-01-01"},
    {"sent_from": "2026-01-10", "sent_to": "2026-01-10"},
    {"sent_from": "2026-01-13", "sent_to": "2026-01-19"},
    {"sent_from": "2025-12-01", "sent_to": "2026-02-24", "area": SERVICES},
    {"sent_from": "2026-01-01", "area": PQ},
]  # fmt: skip


def questions_by_hand(found: dict[str, dict], period: dict) -> list[tuple]:
    """The questions asked most in ``period``, counted from the requests as last seen:
    (set, question, requests, set_requests, share), most asked first."""
    start, end = period.get("sent_from", "0001-01-01"), period.get("sent_to", "9999-12-31")
    sent = [request for request in found.values()
            if request["sent_at"] and start <= _utc_day(request["sent_at"]) <= end
            and period.get("area", request["area"]) == request["area"]]  # fmt: skip
    per_set = Counter(request["set_key"] for request in sent)
    asked = Counter((request["set_key"], question["key"])
                    for request in sent for question in request["questions"])  # fmt: skip
    return sorted(
        ((set_key, key, requests, per_set[set_key], round(requests / per_set[set_key], 4))
         for (set_key, key), requests in asked.items()),
        key=lambda row: (-row[2], row[0], row[1]),
    )  # fmt: skip


def _utc_day(time: str) -> str:
    return datetime.fromisoformat(time).astimezone(UTC).date().isoformat()


def check_questions_over_periods(requests, found: dict[str, dict]) -> None:
    """The Commission's questions asked most in each of ``PERIODS``, read from the monthly
    counters and the days at the period's edges, are those counted by hand; so are Italy's,
    counted from the rows alone."""
    for period in PERIODS:
        for reader, states in ((COMMISSION_USER, None), (IT_COORDINATOR_USER, "IT")):
            figures = requests.request_statistics(
                reader, {**period, "figures": "questions", "questions_limit": 200}
            )
            mine = found if states is None else {
                name: request for name, request in found.items()
                if states in (request["requester"]["member_state"],
                              (request["responder"] or {}).get("member_state"))
            }  # fmt: skip
            assert [
                (row["set_key"], row["question"], row["requests"], row["set_requests"],
                 row["share"])
                for row in figures["questions"]
            ] == questions_by_hand(mine, period), (reader["username"], period)  # fmt: skip


def check_counters_agree(uri: str) -> None:
    """The monthly counters kept with each request's state equal those counted again from the
    requests and their questions (services/requests/sent_counts.py)."""
    engine = create_engine(uri)
    try:
        with Session(engine) as session:
            kept = _counters(session)
            sent_counts.recount(session)
            assert _counters(session) == kept
            assert kept[0], "nothing counted"
            session.rollback()
    finally:
        engine.dispose()


def _counters(session: Session) -> tuple[set, set]:
    return (
        set(session.execute(select(SentRequestCount.__table__)).tuples()),
        set(session.execute(select(SentQuestionCount.__table__)).tuples()),
    )


# The lists and the search over the same history (services/requests/listing.py), as Roma's and
# Budapest's handlers read them at NOW: (reader, query, the requests found, in any order).
LISTS = [
    (ROMA_HANDLER, {"box": "outgoing", "area": PQ}, {"R6", "R7"}),
    (ROMA_HANDLER, {"box": "incoming"}, {"R4", "R5"}),
    (ROMA_HANDLER, {"requester": BUDAPEST.id}, {"R4", "R5"}),
    (ROMA_HANDLER, {"responder": ROMA.id}, {"R4", "R5"}),
    (ROMA_HANDLER, {"status": "sent,accepted"}, {"R6", "R7", "R11"}),
    (ROMA_HANDLER, {"box": "outgoing", "sent_from": "2025-12-01T00:00:00+00:00",
                    "sent_to": "2026-01-21T00:00:00+00:00"}, {"R3", "R6", "R9"}),
    # a period's start is in it, its end is not: R6 and R9 were sent at 10:00 on those days
    (ROMA_HANDLER, {"sent_from": "2026-01-12T10:00:00+00:00",
                    "sent_to": "2026-01-20T10:00:00+00:00"}, {"R6"}),
    (ROMA_HANDLER, {"created_from": "2026-02-01T00:00:00+00:00"}, {"R7", "R10", "R11"}),
    (ROMA_HANDLER, {"updated_to": "2025-12-01T00:00:00+00:00"}, {"R1", "R2"}),
    (ROMA_HANDLER, {"question": "legal_form"}, {"R1", "R4", "R11"}),
    (ROMA_HANDLER, {"box": "outgoing", "subject": "STATISTICA", "area": PQ}, {"R6", "R7"}),
    (ROMA_HANDLER, {"subject": "nobody"}, set()),
    # each word whole, in any order, case and accents aside (services/requests/subject_words.py)
    (ROMA_HANDLER, {"box": "outgoing", "subject": "statistica ÁDA", "area": PQ}, {"R6", "R7"}),
    (ROMA_HANDLER, {"subject": "statist"}, set()),
    (ROMA_HANDLER, {"subject": "ada nobody"}, set()),
    # Budapest finds the subject where it is shown to it: its own requests (R4, R5) and those
    # it accepted; not R7 and R11 (sent, not accepted yet) nor R9 (withdrawn before)
    (BUDAPEST_HANDLER, {"subject": "Ada"}, {"R1", "R2", "R3", "R4", "R5", "R6", "R8"}),
    (BUDAPEST_HANDLER, {"box": "actions"}, {"R4", "R6", "R7", "R8", "R11"}),
    (BUDAPEST_HANDLER, {"box": "actions", "area": SERVICES, "status": "sent"}, {"R11"}),
]  # fmt: skip


def check_lists(requests, found: dict[str, dict]) -> None:
    """Each of ``LISTS`` finds its requests; a list read two at a time with the cursor gives
    the whole list in the same order, each request once."""
    names = {request["id"]: name for name, request in found.items()}
    for reader, query, expected in LISTS:
        items = requests.list_requests(reader, {**query, "limit": 100})["items"]
        assert {names[item["id"]] for item in items} == expected, query
    whole = [item["id"] for item in requests.list_requests(ROMA_HANDLER, {"limit": 100})["items"]]
    page = requests.list_requests(ROMA_HANDLER, {"limit": 2})
    paged = [item["id"] for item in page["items"]]
    while page["next_cursor"]:
        page = requests.list_requests(ROMA_HANDLER, {"limit": 2, "cursor": page["next_cursor"]})
        paged += [item["id"] for item in page["items"]]
    assert paged == whole
    assert {names[request_id] for request_id in whole} == {
        "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R9", "R10", "R11"
    }  # fmt: skip
