"""A generated network of information requests in the requests service's PostgreSQL database,
for the benchmark of its lists, search and statistics at the scale of the source system
(DOMAIN.md section 7) and beyond.

**The network.** The 30 EEA countries and the Commission; ``authorities`` authorities (7,000 by
default) spread over the countries by size, each in one or two of the three areas with a
shipped question set (Professional Qualifications, Services, Posting of workers); a national
coordinator per country and, in the six largest, a coordinator per area, each authority linked
to one of them per area; 1-5 request handlers per authority (about 13,000 users), an
allocator where the authority works with allocation (5 %); the directory's request policies
(approval required in three country-area pairs, referral enabled in six). They are written
into the service's read model of the directory (``known_authorities``, ``coordinator_links``,
``known_users``, ``request_policies``), which the directory's and identity's events fill in
production.

**The requests.** ``requests`` requests over ten years, growing month by month (a month at
the end has six times the requests of a month at the start, as the source system grew), in the
three areas (half of them Professional Qualifications), between authorities chosen by a
skewed weight (a few busy authorities, a long tail), 95 % across borders. Each is played
forward from its creation on a plan of realistic delays, and what happened before the build's
*now* is what it holds: draft, an optional reply date proposed, sent (through the
coordinator's approval where the policy says so, allocated at an authority that allocates),
accepted (80 % within 7 days), a partial reply now and then, the full reply (54 % within two
weeks of sending, 27 % after four, as in 2011), additional information asked for (5 %), a
referral (where enabled), closed, feedback. Some never move on (a draft left, a request never
accepted, never answered, a reply never accepted) and some are withdrawn, so every status is
there in a share close to the source system's: most closed, the open ones mostly recent, with
an old tail for the urgency list. Each has 3-6 questions of its area's set (and their
``request_questions`` rows), the answers of each sent reply (``answers``, one row per question
and reply, values of the question's type), the reply draft where one is being written, 0-3
comments on a fifth of them, one ``request_history`` row per action, and ``state``, the
workflow's ``RequestState`` built to match the status, stored by ``request_codec.to_document``,
so the service reads and acts on them as on its own. Subjects are people (and businesses in
Services and Posting) named in the responding country's language and script; ``subject_search``
is folded by ``services.common.folding.fold`` as the service folds it. Personal data of
requests closed more than 6 months ago is marked blocked, more than 3 years ago erased (the
subject, description, free texts and personal answers emptied), as the retention sweep of
DOMAIN.md section 8 would have left them; open requests without an action for 90 days carry
their last inactivity report; the questions repeat the columns the statistics count; and the
escalation marks of the urgency list are set where its timer would have set them (each request
received by its responder when sent: there are no forwards), so that a service started on the
data finds nothing old to do.

**How.** The database is migrated first (the service's real schema), the shipped question sets
and lists published by the service's own bootstrap, then the rows are generated in chunks by
one worker process per core, each streaming its chunks with COPY; the secondary indexes are
dropped for the load and built again after it (the same definitions, read from the catalogue),
foreign keys are not checked row by row (``session_replication_role = replica``: the rows are
consistent by construction), then ``VACUUM (ANALYZE)``, as autovacuum would have left the
tables. Deterministic for a seed, whatever the number of workers. The build's facts are kept
as the database's comment, so that ``--reuse`` finds a database built for the same numbers.
"""

from __future__ import annotations

import bisect
import io
import itertools
import json
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import orjson
import psycopg2
import yaml
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.directory_data import STATE_LANGUAGE
from bench.requests_names import BUSINESS_FORMS, DESCRIPTIONS, NAMES, SURNAME_FIRST
from services.common.actor import Right
from services.common.folding import fold
from services.common.migrations import upgrade
from services.common.reference import EEA_COUNTRIES
from services.identity.domain import COMMISSION_AUTHORITY_ID
from services.requests import sent_counts
from services.requests.answers import Questions
from services.requests.bootstrap import publish_shipped_lists, publish_shipped_sets
from services.requests.request_codec import to_document
from services.requests.retention import TEXT_VALUES, months_after
from services.requests.workflow_state import (
    AuthorityFacts,
    Reply,
    ReplyDate,
    ReplyKind,
    RequestState,
    Settings,
    Side,
    Status,
)

SEED = 20261206
CHUNK = 10_000
YEARS = 10
GROWTH = 5.0  # the last month has 1 + GROWTH times the requests of the first
WORKFLOW = "information_requests"
PQ, SERVICES, POSTING = "professional_qualifications", "services", "posting_of_workers"
AREA_SHARES = {PQ: 0.5, SERVICES: 0.25, POSTING: 0.25}
PQ_TYPES = ("permanent_establishment", "temporary_provision", "general")
CANNOT_PROVIDE = ("not_held", "not_competent", "subject_not_found", "other")
# Member states by their share of the network's authorities (roughly their size).
STATE_WEIGHTS = {
    "DE": 14, "FR": 11, "IT": 10, "ES": 8, "PL": 7, "RO": 4, "NL": 4, "BE": 3, "EL": 3,
    "CZ": 3, "PT": 3, "SE": 3, "HU": 3, "AT": 3, "BG": 2, "DK": 2, "FI": 2, "SK": 2, "IE": 2,
    "HR": 2, "NO": 2, "LT": 1.5, "SI": 1, "LV": 1, "EE": 1, "CY": 1, "LU": 1, "MT": 1,
    "IS": 0.5, "LI": 0.3,
}  # fmt: skip
AREA_COORDINATOR_STATES = ("DE", "FR", "IT", "ES", "PL", "NL")
# The directory's request policies: (member state, area): (approval required, referral).
POLICIES = {
    ("DE", SERVICES): (True, True), ("AT", SERVICES): (True, False),
    ("FR", POSTING): (True, False), ("DE", PQ): (False, True), ("IT", SERVICES): (False, True),
    ("ES", PQ): (False, True), ("PL", PQ): (False, True), ("NL", POSTING): (False, True),
}  # fmt: skip
BLOCKING_MONTHS, ERASURE_MONTHS = 6, 36  # after closure: the defaults of the retention sweep
INACTIVITY = timedelta(days=90)  # an open request without an action is reported after it
FINAL = (Status.CLOSED, Status.WITHDRAWN)
# Where a request stops for good, as cumulative shares of all requests (the others go on to
# closure): a draft left, withdrawn before acceptance, never accepted, never answered, the
# reply never accepted; about 1 % stay open, as the network's follow-ups of old requests allow.
LEFT_AS_DRAFT, WITHDRAWN, NEVER_ACCEPTED, NEVER_ANSWERED, NEVER_CLOSED = (
    0.002,
    0.028,
    0.03,
    0.033,
    0.038,
)
ACCEPTANCE_DAYS = 7  # the areas' default: not accepted after it, on the urgency list
USERNAME_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"
SOURCE_DATA = Path(__file__).resolve().parents[1] / "services" / "directory" / "data"


def _id(kind: int, number: int) -> str:
    """A fixed id per kind of thing and number: the same network for the same seed."""
    return str(uuid.UUID(int=(kind << 96) + number))


# --- the network --------------------------------------------------------------------------------


@dataclass
class User:
    id: str
    username: str


@dataclass
class Place:
    """An authority of the generated network."""

    id: str
    member_state: str
    language: str
    areas: tuple[str, ...]
    weight: float
    coordinator_kind: str | None = None
    coordinators: dict[str, str] = field(default_factory=dict)  # by area
    uses_allocation: bool = False
    full_view: bool = False
    handlers: list[User] = field(default_factory=list)
    allocator: User | None = None

    def facts(self, area: str) -> AuthorityFacts:
        return AuthorityFacts(
            id=self.id,
            member_state=self.member_state,
            uses_allocation=self.uses_allocation,
            coordinator_id=self.coordinators.get(area),
            coordinator_full_view=self.full_view,
        )


@dataclass
class Network:
    places: list[Place]  # authorities, then coordinators
    by_id: dict[str, Place]
    by_area: dict[str, tuple[list[Place], list[float]]]  # places of an area, cumulative weights

    def pick(self, rng: random.Random, area: str) -> Place:
        places, cumulative = self.by_area[area]
        return places[bisect.bisect(cumulative, rng.random() * cumulative[-1])]

    def authorities(self) -> list[Place]:
        return [place for place in self.places if place.coordinator_kind is None]


def username(rng: random.Random, member_state: str) -> str:
    """As identity generates them: the member state and 8 characters."""
    return member_state.lower() + "".join(rng.choice(USERNAME_LETTERS) for _ in range(8))


def build_network(authorities: int, seed: int = SEED) -> Network:
    """Coordinators first (a NIMIC per country, an area coordinator per area in the largest),
    then the authorities, each linked per area to its area's coordinator or else the NIMIC."""
    rng = random.Random(f"{seed}-network")
    numbers = itertools.count(1)
    places: list[Place] = []
    coordinators: dict[tuple[str, str | None], Place] = {}
    for state in EEA_COUNTRIES:
        kinds = [("NIMIC", None)] + [
            ("DIMIC", area) for area in AREA_SHARES if state in AREA_COORDINATOR_STATES
        ]
        for kind, area in kinds:
            place = Place(
                _id(2, next(numbers)),
                state,
                STATE_LANGUAGE[state],
                tuple(AREA_SHARES) if area is None else (area,),
                0.0,
                coordinator_kind=kind,
            )
            coordinators[(state, area)] = place
            places.append(place)
    states = list(STATE_WEIGHTS)
    state_weights = list(itertools.accumulate(STATE_WEIGHTS.values()))
    area_names = list(AREA_SHARES)
    for rank in range(authorities):
        state = states[bisect.bisect(state_weights, rng.random() * state_weights[-1])]
        first = rng.choices(area_names, weights=[0.55, 0.3, 0.15])[0]
        areas = (first,) if rng.random() < 0.75 else (first, rng.choice(area_names))
        place = Place(
            _id(1, rank + 1),
            state,
            STATE_LANGUAGE[state],
            tuple(dict.fromkeys(areas)),
            weight=1.0 / (rank + 8) ** 0.85,
            uses_allocation=rng.random() < 0.05,
            full_view=rng.random() < 0.3,
        )
        places.append(place)
    for place in places:
        for area in place.areas:
            coordinator = (
                coordinators.get((place.member_state, area))
                or coordinators[(place.member_state, None)]
            )
            if coordinator is not place:
                place.coordinators[area] = coordinator.id
        count = 2
        if place.coordinator_kind is None:  # busy ones have more
            count = 1 + (rng.random() < 0.5) + min(3, int(place.weight * 400))
        place.handlers = [
            User(_id(3, next(numbers)), username(rng, place.member_state)) for _ in range(count)
        ]
        if place.uses_allocation:
            place.allocator = User(_id(3, next(numbers)), username(rng, place.member_state))
    by_area = {}
    for area in AREA_SHARES:
        members = [place for place in places if area in place.areas and place.weight > 0]
        by_area[area] = (members, list(itertools.accumulate(p.weight for p in members)))
    return Network(places, {place.id: place for place in places}, by_area)


def read_model_rows(network: Network, at: datetime) -> dict[str, list[tuple]]:
    """The network as the directory's and identity's events would have written it, and the
    Commission."""
    authorities, links, users = [], [], []
    commission = (
        COMMISSION_AUTHORITY_ID,
        "EU",
        None,
        "validated",
        None,
        "European Commission",
        "en",
        ["en", "fr", "de"],
        {},
        [],
        {},
        1,
        at,
    )
    authorities.append(commission)
    handler = [{"right": Right.REQUEST_HANDLER.value, "area": None}]
    for place in network.places:
        titles = {place.language: f"Authority {place.id[-6:]}"}
        areas = [
            {"area": area, "workflow": WORKFLOW, "roles": ["authority"], "direction": "both"}
            for area in place.areas
        ]
        settings = {
            "uses_allocation": place.uses_allocation,
            "coordinator_full_view": place.full_view,
        }
        name = (
            f"{place.coordinator_kind} {place.member_state} {place.id[-4:]}"
            if place.coordinator_kind
            else f"Authority {place.member_state} {place.id[-6:]}"
        )
        authorities.append(
            (
                place.id,
                place.member_state,
                None,
                "validated",
                place.coordinator_kind,
                name,
                place.language,
                [place.language, "en"],
                titles,
                areas,
                settings,
                1,
                at,
            )
        )
        for area, coordinator in place.coordinators.items():
            links.append((place.id, area, WORKFLOW, coordinator, True, at))
        for user in place.handlers:
            users.append((user.id, place.id, handler, False, at))
        if place.allocator:
            users.append(
                (
                    place.allocator.id,
                    place.id,
                    [{"right": Right.ALLOCATOR.value, "area": None}],
                    False,
                    at,
                )
            )
    policies = [
        (state, "", area, approval, referral, False, 1)
        for (state, area), (approval, referral) in POLICIES.items()
    ]
    return {
        "known_authorities": authorities,
        "coordinator_links": links,
        "known_users": users,
        "request_policies": policies,
    }


READ_MODEL_COLUMNS = {
    "known_authorities": ("authority_id", "member_state", "region", "status", "coordinator_kind",
                          "official_name", "official_language", "languages", "titles", "areas",
                          "settings", "version", "updated_at"),
    "coordinator_links": ("authority_id", "area", "workflow", "coordinator_id", "linked",
                          "changed_at"),
    "known_users": ("user_id", "authority_id", "grants", "deleted", "changed_at"),
    "request_policies": ("member_state", "region", "area", "approval_required",
                         "referral_enabled", "deleted", "version"),
}  # fmt: skip


# --- COPY's text format -----------------------------------------------------------------------


NULL = "\\N"


def _text(value: str | None) -> str:
    """A text as COPY's text format writes it: backslash, tab and line ends escaped."""
    if value is None:
        return NULL
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _json(value) -> str:
    return NULL if value is None else _text(orjson.dumps(value).decode())


def _at(value: datetime | date | None) -> str:
    return NULL if value is None else value.isoformat()


def cell(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return _json(value)
    return str(value)


def line(values: tuple) -> str:
    return "\t".join(map(cell, values)) + "\n"


# --- the question sets --------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """One question of a set as a request asks and answers it."""

    ordinal: int
    number: str
    key: str
    answer: str
    options: tuple[str, ...]
    erased_with_the_subject: bool  # personal data, or a free text or document answer


@dataclass
class SetFacts:
    set_key: str
    number: int
    questions: dict[int, Asked]
    by_type: dict[str | None, tuple[list[int], list[float]]]  # ordinals, cumulative weights


def set_facts(set_key: str, number: int, document: dict) -> SetFacts:
    """The set's questions; the first questions of each group asked more often than the last."""
    questions = Questions.of(document)
    asked = {
        ordinal: Asked(
            ordinal,
            item.number,
            item.question["key"],
            item.question["answer"],
            tuple(option["key"] for option in item.question.get("options") or ()),
            bool(item.question.get("personal_data")) or item.question["answer"] in TEXT_VALUES,
        )
        for ordinal, item in enumerate(questions.numbered, start=1)
    }
    types = PQ_TYPES if document["area"] == PQ else (None,)
    by_type = {}
    for pq_type in types:
        ordinals = sorted(questions.for_type(pq_type))
        weights = [1.0 / int(asked[o].number.split(".")[1]) for o in ordinals]
        by_type[pq_type] = (ordinals, list(itertools.accumulate(weights)))
    return SetFacts(set_key, number, asked, by_type)


# --- one request, played forward ----------------------------------------------------------------


@dataclass
class Step:
    action: str
    status: Status
    at: datetime
    user: User
    authority: str
    data: dict
    text: str | None = None


def days(value: float) -> timedelta:
    return timedelta(seconds=value * 86400)


class RequestMaker:
    """Rows of one request after another, for the tables of the requests."""

    def __init__(self, network: Network, sets: dict[str, SetFacts], now: datetime, seed: int):
        self.network = network
        self.sets = sets
        self.now = now
        self.seed = seed
        self.rng = random.Random(f"{seed}-requests")
        self.start = now - timedelta(days=365 * YEARS)
        months = 12 * YEARS
        self.month_weights = list(
            itertools.accumulate(1 + GROWTH * m / (months - 1) for m in range(months))
        )
        self.month_span = (now - self.start) / months
        self.fold = lru_cache(maxsize=200_000)(fold)
        self.professions = self._codes("professions.yaml", parent=True)
        self.activities = [
            code for code, _ in self._codes("economic_activities.yaml") if code.isdigit()
        ]

    @staticmethod
    def _codes(name: str, parent: bool = False) -> list[tuple[str, str | None]]:
        entries = yaml.load(
            (SOURCE_DATA / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
        )
        return [(str(entry["code"]), entry.get("parent") if parent else None) for entry in entries]

    # -- choices

    def created_at(self) -> datetime:
        rng = self.rng
        month = bisect.bisect(self.month_weights, rng.random() * self.month_weights[-1])
        at = self.start + self.month_span * (month + rng.random())
        return min(at, self.now - timedelta(minutes=5))

    def parties(self, area: str) -> tuple[Place, Place]:
        rng, network = self.rng, self.network
        requester = network.pick(rng, area)
        while requester.coordinator_kind is not None:
            requester = network.pick(rng, area)
        for _ in range(8):
            responder = network.pick(rng, area)
            if responder is requester or responder.coordinator_kind is not None:
                continue
            if responder.member_state != requester.member_state or rng.random() < 0.05:
                return requester, responder
        return requester, responder

    def subject(self, area: str, responder: Place) -> tuple[dict, str]:
        rng = self.rng
        language = responder.language if rng.random() < 0.8 else rng.choice(list(NAMES))
        firsts, lasts = NAMES.get(language) or NAMES["en"]
        first, last = rng.choice(firsts), rng.choice(lasts)
        full_name = f"{last} {first}" if language in SURNAME_FIRST else f"{first} {last}"
        subject: dict = {"full_name": full_name, "nationality": responder.member_state}
        if rng.random() < 0.08:
            subject["other_names"] = [f"{first} {rng.choice(lasts)}"]
        if area == PQ:
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50))
            subject["date_of_birth"] = born.isoformat()
        else:
            subject["business_name"] = f"{last} {BUSINESS_FORMS.get(language, 'Ltd')}"
            subject["address"] = (
                f"{rng.randint(1, 250)} {rng.choice(lasts)}, {responder.member_state}"
            )
        names = [full_name, *subject.get("other_names", ())]
        return subject, self.fold(" ".join(names))[:600]

    def questions(self, facts: SetFacts, pq_type: str | None) -> list[int]:
        ordinals, cumulative = facts.by_type[pq_type]
        wanted = self.rng.randint(3, 6)
        chosen: set[int] = set()
        while len(chosen) < wanted:
            chosen.add(ordinals[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])])
        return sorted(chosen)

    def value(self, asked: Asked, at: datetime, language: str) -> tuple:
        """(value, cannot_provide, text, language) of an answer of the question's type."""
        rng = self.rng
        if asked.answer == "document" or rng.random() < 0.05:
            return None, rng.choice(CANNOT_PROVIDE), None, None
        if asked.answer == "yes_no":
            value = rng.random() < 0.85
        elif asked.answer == "single_choice":
            value = rng.choice(asked.options)
        elif asked.answer == "multiple_choice":
            value = sorted(rng.sample(asked.options, rng.randint(1, min(3, len(asked.options)))))
        elif asked.answer == "date":
            value = (at.date() - timedelta(days=rng.randrange(60, 9000))).isoformat()
        else:
            text = f"Registered {rng.randint(1990, 2024)}, file {rng.randint(1000, 99999)}."
            return {"value": text}, None, None, language
        return {"value": value}, None, None, None

    # -- the plan

    def play(
        self,
        s: dict,
        created: datetime,
        requester: Place,
        responder: Place,
        asked: list[int],
        facts: SetFacts,
    ) -> tuple[list[Step], dict]:
        """Play the request forward from its creation until now: ``s``, the fields of its
        ``RequestState``, changed as each action would change them; its steps and the times
        and answers of its replies."""
        rng, now, area = self.rng, self.now, s["area"]
        steps: list[Step] = []
        numbers = [facts.questions[o].number for o in asked]
        marks: dict = {"replies": [], "draft": None}
        at = created

        def by(place: Place) -> User:
            return rng.choice(place.handlers)

        def step(
            action: str,
            status: Status,
            when: datetime,
            user: User,
            place_id: str,
            data: dict,
            text: str | None = None,
        ) -> bool:
            if when > now:
                return False
            steps.append(Step(action, status, when, user, place_id, data, text))
            s["status"] = status
            return True

        requester_user = by(requester)
        step(
            "create_draft",
            Status.DRAFT,
            at,
            requester_user,
            requester.id,
            {
                "area": area,
                "requesting_authority": requester.id,
                "responding_authority": responder.id,
                "questions": numbers,
            },
        )
        fate = rng.random()
        if rng.random() < 0.3:
            at += timedelta(minutes=rng.randint(2, 90))
            due = (at + days(rng.uniform(10, 40))).date()
            if step(
                "propose_reply_date",
                Status.DRAFT,
                at,
                requester_user,
                requester.id,
                {"date": due.isoformat()},
            ):
                s["reply_date"] = ReplyDate(due, Side.REQUESTER, due)
        if fate < LEFT_AS_DRAFT:
            return steps, marks
        at += days(rng.expovariate(1 / 0.6))
        if s["settings"].approval_required:
            coordinator = self.network.by_id[requester.coordinators[area]]
            if not step(
                "submit_for_approval",
                Status.AWAITING_APPROVAL,
                at,
                requester_user,
                requester.id,
                {"request_coordinator": coordinator.id},
            ):
                return steps, marks
            at += days(rng.expovariate(1 / 1.5))
            sent = step(
                "approve",
                Status.SENT,
                at,
                by(coordinator),
                coordinator.id,
                {"responding_authority": responder.id},
            )
        else:
            sent = step(
                "send",
                Status.SENT,
                at,
                requester_user,
                requester.id,
                {"responding_authority": responder.id},
            )
        if not sent:
            return steps, marks
        s["sent"] = True
        marks["sent_at"] = sent_at = at
        if fate < WITHDRAWN:  # not competent, sent by mistake
            at += days(rng.uniform(1, 30))
            if step(
                "withdraw",
                Status.WITHDRAWN,
                at,
                requester_user,
                requester.id,
                {},
                "The responding authority is not competent; sent again elsewhere.",
            ):
                marks["closed_at"] = at
            return steps, marks
        acting = by(responder)
        if responder.uses_allocation:
            at += days(rng.uniform(0.1, 2))
            if not step(
                "allocate",
                Status.SENT,
                at,
                responder.allocator,
                responder.id,
                {"handlers": [acting.id]},
            ):
                return steps, marks
            s["allocated_handlers"] = frozenset({acting.id})
        if fate < NEVER_ACCEPTED:
            return steps, marks
        accept_days = rng.expovariate(1 / 3.0) if rng.random() < 0.88 else rng.uniform(7, 30)
        at = max(at, sent_at + days(accept_days))
        if not step(
            "accept",
            Status.ACCEPTED,
            at,
            acting,
            responder.id,
            {"responding_authority": responder.id},
        ):
            return steps, marks
        s["responder_accepted"] = True
        marks["accepted_at"] = at
        if s["reply_date"] and rng.random() < 0.6:
            at += timedelta(minutes=rng.randint(5, 600))
            if step(
                "agree_reply_date",
                Status.ACCEPTED,
                at,
                acting,
                responder.id,
                {"date": s["reply_date"].date.isoformat()},
            ):
                s["reply_date"] = replace(s["reply_date"], agreed=True)
        band = rng.random()
        answer_days = (
            rng.uniform(1, 14)
            if band < 0.6
            else rng.uniform(14, 28)
            if band < 0.73
            else 28 + rng.expovariate(1 / 30)
        )
        answered = max(at + timedelta(hours=2), sent_at + days(answer_days))
        remaining = asked
        if len(asked) > 3 and rng.random() < 0.15:  # a partial reply first
            part = sorted(rng.sample(asked, len(asked) // 2))
            at = at + (answered - at) / 2
            if not self.reply(
                s, steps, marks, ReplyKind.PARTIAL, part, at, acting, responder, facts
            ):
                return steps, marks
            remaining = [o for o in asked if o not in part]
        if fate < NEVER_ANSWERED:
            return steps, marks
        if not self.reply(
            s, steps, marks, ReplyKind.FULL, remaining, answered, acting, responder, facts
        ):
            return steps, marks
        marks["answered_at"] = at = answered
        if rng.random() < 0.05:  # additional information asked for, then given
            again = [rng.choice(asked)]
            at += days(rng.uniform(1, 10))
            if not step(
                "request_additional_information",
                Status.ADDITIONAL_INFORMATION_REQUESTED,
                at,
                requester_user,
                requester.id,
                {"questions": [facts.questions[o].number for o in again]},
                "Please say more about this point.",
            ):
                return steps, marks
            s["additional_information_questions"] = frozenset(again)
            at += days(rng.uniform(2, 15))
            if not self.reply(
                s, steps, marks, ReplyKind.ADDITIONAL, again, at, acting, responder, facts
            ):
                return steps, marks
        if s["settings"].referral_enabled and rng.random() < 0.06:
            at += days(rng.uniform(1, 10))
            coordinators = sorted(
                {requester.coordinators[area], responder.coordinators.get(area)} - {None}
            )
            if not step(
                "refer",
                Status.REFERRED,
                at,
                requester_user,
                requester.id,
                {"coordinators": coordinators},
                "We disagree with the reply.",
            ):
                return steps, marks
            coordinator = self.network.by_id[requester.coordinators[area]]
            at += days(rng.uniform(3, 30))
            if not step(
                "give_referral_opinion",
                Status.ANSWERED,
                at,
                by(coordinator),
                coordinator.id,
                {"coordinator": coordinator.id},
                "The reply is complete in our view.",
            ):
                return steps, marks
        if fate < NEVER_CLOSED:
            return steps, marks
        at += days(rng.expovariate(1 / 4.0))
        if not step("close", Status.CLOSED, at, requester_user, requester.id, {}):
            return steps, marks
        marks["closed_at"] = at
        if rng.random() < 0.2:
            at += days(rng.uniform(0.01, 3))
            if step(
                "give_feedback",
                Status.CLOSED,
                at,
                requester_user,
                requester.id,
                {"rating": rng.randint(3, 5)},
                "Quick and complete reply, thank you.",
            ):
                s["feedback_from"] = frozenset({requester_user.id})
        return steps, marks

    def reply(
        self,
        s: dict,
        steps: list[Step],
        marks: dict,
        kind: ReplyKind,
        ordinals: list[int],
        at: datetime,
        user: User,
        responder: Place,
        facts: SetFacts,
    ) -> bool:
        """The reply draft saved a little before the reply is sent (the draft alone while the
        sending is still ahead); whether the reply was sent."""
        drafted = max(at - timedelta(hours=self.rng.uniform(0.2, 30)), steps[-1].at)
        if drafted > self.now:
            return False
        numbers = [facts.questions[o].number for o in ordinals]
        status = s["status"]
        steps.append(
            Step("save_reply_draft", status, drafted, user, responder.id, {"questions": numbers})
        )
        answers = [(o, *self.value(facts.questions[o], at, responder.language)) for o in ordinals]
        if at > self.now:
            marks["draft"] = (answers, drafted, user)
            return False
        status = REPLIED[kind]
        action = REPLY_ACTIONS[kind]
        steps.append(
            Step(action, status, at, user, responder.id, {"kind": kind.value, "questions": numbers})
        )
        s["status"] = status
        s["replies"] = (*s["replies"], Reply(kind, frozenset(ordinals)))
        if kind == ReplyKind.ADDITIONAL:
            s["additional_information_questions"] = frozenset()
        marks["replies"].append((answers, at, user))
        return True

    # -- the rows

    def rows(self, tables: dict[str, list[str]]) -> str:
        """Every row of one request, appended to ``tables``; its status."""
        rng = self.rng
        area = rng.choices(AREAS, cum_weights=AREA_CUMULATIVE)[0]
        facts = self.sets[area]
        pq_type = rng.choice(PQ_TYPES) if area == PQ else None
        requester, responder = self.parties(area)
        request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        asked = self.questions(facts, pq_type)
        approval, referral = POLICIES.get((requester.member_state, area), (False, False))
        s = {
            "id": request_id,
            "area": area,
            "requester": requester.facts(area),
            "responder": responder.facts(area),
            "status": Status.DRAFT,
            "questions": frozenset(asked),
            "settings": Settings(approval_required=approval, referral_enabled=referral),
            "sent": False,
            "responder_accepted": False,
            "allocated_handlers": frozenset(),
            "replies": (),
            "additional_information_questions": frozenset(),
            "reply_date": None,
            "feedback_from": frozenset(),
        }
        created = self.created_at()
        steps, marks = self.play(s, created, requester, responder, asked, facts)
        state = RequestState(**s)
        subject, folded = self.subject(area, responder)
        language = requester.language if requester.language in DESCRIPTIONS else "en"
        closed = marks.get("closed_at")
        blocked = erased = None
        description = rng.choice(DESCRIPTIONS[language])
        if closed and months_after(closed, BLOCKING_MONTHS) < self.now:
            blocked = months_after(closed, BLOCKING_MONTHS)
            if months_after(closed, ERASURE_MONTHS) < self.now:
                erased = months_after(closed, ERASURE_MONTHS)
                subject, folded, description, language = {}, "", None, None
        last = steps[-1]
        sent_at, accepted_at = marks.get("sent_at"), marks.get("accepted_at")
        unaccepted_escalated = None
        if sent_at and (accepted_at or self.now) > sent_at + ACCEPTANCE:
            unaccepted_escalated = sent_at + ACCEPTANCE
        reply_due = state.reply_date.date if state.reply_date else None
        # the agreed date, else the one asked for (no counter-proposals here: the same day)
        reply_deadline = state.reply_date and (
            state.reply_date.date if state.reply_date.agreed else state.reply_date.requested
        )
        overdue_escalated = None
        if reply_deadline and (marks.get("answered_at") or self.now).date() > reply_deadline:
            overdue_escalated = datetime.combine(reply_deadline + timedelta(days=1), MIDNIGHT, UTC)
        inactivity = None  # reported once every INACTIVITY of no action, the last report kept
        if state.status not in (Status.DRAFT, *FINAL) and self.now - last.at >= INACTIVITY:
            inactivity = last.at + INACTIVITY * ((self.now - last.at) // INACTIVITY)
        if area == PQ:
            profession, sector = rng.choice(self.professions)
        else:
            profession, sector = None, rng.choice(self.activities)
        agreed = "t" if state.reply_date and state.reply_date.agreed else "f"
        tables["requests"].append(
            f"{request_id}\t{area}\t{facts.set_key}\t{facts.number}\t{pq_type or NULL}\t"
            f"{state.status.value}\t{requester.id}\t{responder.id}\t"
            f"{state.requester.coordinator_id or NULL}\t"
            f"{state.responder.coordinator_id or NULL}\t{_json(to_document(state))}\t"
            f"{_json(subject)}\t{folded}\t{_text(description)}\t{language or NULL}\t"
            f"{NULL}\t{created.isoformat()}\t{steps[0].user.id}\t{_at(sent_at)}\t"
            f"{_at(closed)}\t{last.user.username}\t{requester.member_state}\t"
            f"{responder.member_state}\t{profession or NULL}\t{sector}\t{_at(accepted_at)}\t"
            f"{_at(marks.get('answered_at'))}\t{_at(reply_due)}\t{agreed}\t"
            f"{_at(unaccepted_escalated)}\t{_at(overdue_escalated)}\t{_at(inactivity)}\t{_at(blocked)}\t"
            f"{_at(erased)}\t{NULL}\t{len(steps)}\t{last.at.isoformat()}\t{last.user.id}\t"
            f"{_at(sent_at)}\t{_at(reply_deadline)}\n"
        )
        questions = tables["request_questions"]
        # with the request's columns the statistics count questions by (r0011)
        counted = (
            f"{facts.set_key}\t{area}\t{_at(sent_at)}\t{requester.member_state}\t"
            f"{responder.member_state}\n"
        )
        for key in sorted({facts.questions[o].key for o in asked}):
            questions.append(f"{request_id}\t{key}\t{counted}")
        answers = tables["answers"]
        given_replies = list(enumerate(marks["replies"], start=1))
        if marks["draft"]:
            given_replies.append((0, marks["draft"]))
        for reply_number, (given, at, user) in given_replies:
            saved = at.isoformat()
            for ordinal, value, cannot, text, lang in given:
                if erased and facts.questions[ordinal].erased_with_the_subject:
                    value, text = None, None
                answers.append(
                    f"{request_id}\t{ordinal}\t{reply_number}\t{_json(value)}\t"
                    f"{cannot or NULL}\t{_text(text)}\t{lang or NULL}\t{saved}\t{user.id}\n"
                )
        history = tables["request_history"]
        for item in steps:
            history.append(
                f"{request_id}\t{item.action}\t{item.status.value}\t{item.at.isoformat()}\t"
                f"{item.user.id}\t{item.user.username}\t{item.authority}\t{_json(item.data)}\t"
                f"{_text(None if erased else item.text)}\t"
                f"{'en' if item.text and not erased else NULL}\n"
            )
        if sent_at and rng.random() < 0.2:
            end = closed or last.at
            for _ in range(rng.randint(1, 3)):
                side, place = (
                    (Side.REQUESTER, requester)
                    if rng.random() < 0.5
                    else (Side.RESPONDER, responder)
                )
                user = rng.choice(place.handlers)
                at = sent_at + (end - sent_at) * rng.random()
                question = rng.choice(asked) if rng.random() < 0.3 else NULL
                tables["comments"].append(
                    f"{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{request_id}\t"
                    f"{question}\t{side.value}\t{place.id}\t{user.id}\t{user.username}\t"
                    f"{'' if erased else COMMENT}\ten\t{at.isoformat()}\n"
                )
        return state.status.value


REPLIED = {
    ReplyKind.PARTIAL: Status.PARTIALLY_ANSWERED,
    ReplyKind.FULL: Status.ANSWERED,
    ReplyKind.ADDITIONAL: Status.ANSWERED,
}
REPLY_ACTIONS = {
    ReplyKind.PARTIAL: "send_partial_reply",
    ReplyKind.FULL: "send_full_reply",
    ReplyKind.ADDITIONAL: "provide_additional_information",
}
COMMENT = "We are checking the register and will answer shortly."
MIDNIGHT = datetime.min.time()
ACCEPTANCE = timedelta(days=ACCEPTANCE_DAYS)
AREAS = tuple(AREA_SHARES)
AREA_CUMULATIVE = tuple(itertools.accumulate(AREA_SHARES.values()))


REQUEST_COLUMNS = (
    "id", "area", "set_key", "set_number", "pq_type", "status", "requester_id", "responder_id",
    "requester_coordinator_id", "responder_coordinator_id", "state", "subject",
    "subject_search", "description", "description_language", "linked_from", "created_at",
    "created_by", "sent_at", "closed_at", "updated_by_username", "requester_state",
    "responder_state", "profession", "sector", "accepted_at", "answered_at", "reply_due",
    "reply_due_agreed", "unaccepted_escalated_at", "overdue_escalated_at",
    "inactivity_reported_at", "blocked_at", "erased_at", "contested_at", "version",
    "updated_at", "updated_by", "received_at", "reply_deadline",
)  # fmt: skip
TABLE_COLUMNS = {
    "requests": REQUEST_COLUMNS,
    "request_questions": ("request_id", "question_key", "set_key", "area", "sent_at",
                          "requester_state", "responder_state"),
    "answers": ("request_id", "question", "reply", "value", "cannot_provide", "text",
                "language", "saved_at", "saved_by"),
    "request_history": ("request_id", "action", "status", "at", "user_id", "username",
                        "authority_id", "data", "text", "language"),
    "comments": ("id", "request_id", "question", "side", "authority_id", "user_id", "username",
                 "text", "language", "created_at"),
}  # fmt: skip
LOADED_TABLES = tuple(TABLE_COLUMNS) + tuple(READ_MODEL_COLUMNS)


# --- the database -------------------------------------------------------------------------------


@dataclass
class BuildFacts:
    """What a build made, kept as the database's comment (``--reuse`` reads it)."""

    requests: int
    authorities: int
    seed: int
    built_at: str
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def _connect(uri: str):
    url = make_url(uri)
    return psycopg2.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database,
    )


def database_comment(uri: str) -> BuildFacts | None:
    """The facts of the build a database holds, if it was built by this module."""
    connection = _connect(uri)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            )
            (comment,) = cursor.fetchone()
    finally:
        connection.close()
    try:
        return BuildFacts(**json.loads(comment)) if comment else None
    except (ValueError, TypeError):
        return None


def build(
    uri: str,
    requests: int,
    authorities: int,
    log: Callable[[str], None] = print,
    seed: int = SEED,
    now: datetime | None = None,
    workers: int | None = None,
) -> BuildFacts:
    """Migrate the (empty) database at ``uri``, publish the shipped sets and lists, load the
    network and ``requests`` requests, index and analyse; the build's facts. The rows are
    generated and streamed by ``workers`` processes (one per core by default; 0: this one)."""
    with _blocking_driver():
        return _build(uri, requests, authorities, log, seed, now, workers)


@contextmanager
def _blocking_driver() -> Iterator[None]:
    """psycopg2 without the green wait callback eventlet's services install (COPY refuses
    to run under one), for the build, then as it was."""
    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    try:
        yield
    finally:
        psycopg2.extensions.set_wait_callback(callback)


def _build(uri, requests, authorities, log, seed, now, workers) -> BuildFacts:
    started = time.monotonic()
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    upgrade("requests", uri)
    publish_shipped_sets(uri)
    publish_shipped_lists(uri)
    network = build_network(authorities, seed)
    connection = _connect(uri)
    facts = BuildFacts(requests, authorities, seed, now.isoformat())
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # no row-by-row FK checks
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            indexes = _drop_secondary_indexes(cursor)
            for table, rows in read_model_rows(network, now).items():
                _copy(cursor, table, READ_MODEL_COLUMNS[table], "".join(map(line, rows)))
            sets = _set_facts(cursor)
            connection.commit()
            chunks = [
                (index, min(CHUNK, requests - first))
                for index, first in enumerate(range(0, requests, CHUNK))
            ]
            context = (uri, network, sets, now, seed)
            made = _made(context, chunks, workers)
            done = 0
            for rows, statuses in made:
                for table, count in rows.items():
                    facts.rows[table] = facts.rows.get(table, 0) + count
                for status, count in statuses.items():
                    facts.statuses[status] = facts.statuses.get(status, 0) + count
                done += sum(statuses.values())
                if done % (10 * CHUNK) == 0 or done == requests:
                    log(f"requests data: {done} requests in {time.monotonic() - started:.0f} s")
            facts.statuses = dict(sorted(facts.statuses.items(), key=lambda item: -item[1]))
            log(f"requests data: building {len(indexes)} indexes")
            for statement in indexes:
                cursor.execute(statement)
            connection.commit()
        _count_sent(uri)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")  # as autovacuum would have left the tables
            facts.seconds = round(time.monotonic() - started, 1)
            cursor.execute(
                f'COMMENT ON DATABASE "{make_url(uri).database}" IS %s',
                (json.dumps(facts.__dict__),),
            )
    finally:
        connection.close()
    log(f"requests data: built in {facts.seconds:.0f} s: {facts.statuses}")
    return facts


def _count_sent(uri: str) -> None:
    """The monthly counters of sent requests, counted from the rows copied in."""
    engine = create_engine(uri)
    try:
        with Session(engine) as session, session.begin():
            sent_counts.recount(session)
    finally:
        engine.dispose()


def _made(context: tuple, chunks: list[tuple[int, int]], workers: int | None) -> Iterator:
    """Each chunk made and loaded, in worker processes or (``workers`` 0) in this one."""
    if workers == 0:
        _start_worker(*context)
        try:
            yield from map(_chunk, chunks)
        finally:
            _Worker.connection.close()
        return
    with ProcessPoolExecutor(
        workers or os.cpu_count(), initializer=_start_worker, initargs=context
    ) as pool:
        yield from pool.map(_chunk, chunks)


class _Worker:
    """A worker process's request maker and database connection, for all its chunks."""

    maker: RequestMaker
    connection: psycopg2.extensions.connection


def _start_worker(uri: str, network: Network, sets: dict, now: datetime, seed: int) -> None:
    _Worker.maker = RequestMaker(network, sets, now, seed)
    _Worker.connection = _connect(uri)
    with _Worker.connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no row-by-row FK checks
        cursor.execute("SET synchronous_commit = off")
    _Worker.connection.commit()


def _chunk(task: tuple[int, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Make and load ``count`` requests from the chunk's own random sequence (the same data
    whatever the number of workers), in one transaction; rows per table, count per status."""
    index, count = task
    maker = _Worker.maker
    maker.rng = random.Random(f"{maker.seed}-chunk-{index}")
    tables: dict[str, list[str]] = {table: [] for table in TABLE_COLUMNS}
    statuses: dict[str, int] = {}
    for _ in range(count):
        status = maker.rows(tables)
        statuses[status] = statuses.get(status, 0) + 1
    with _Worker.connection.cursor() as cursor:
        for table, lines in tables.items():
            _copy(cursor, table, TABLE_COLUMNS[table], "".join(lines))
    _Worker.connection.commit()
    return {table: len(lines) for table, lines in tables.items()}, statuses


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the loaded tables' indexes that back no constraint; their definitions, to build
    them again once the rows are in."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = 'public' "
        "AND tablename = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        (list(LOADED_TABLES),),
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def _set_facts(cursor) -> dict[str, SetFacts]:
    cursor.execute(
        "SELECT set_key, number, document FROM question_set_versions WHERE status = 'published'"
    )
    latest: dict[str, tuple[int, dict]] = {}
    for set_key, number, document in cursor.fetchall():
        document = document if isinstance(document, dict) else json.loads(document)
        if set_key not in latest or number > latest[set_key][0]:
            latest[set_key] = (number, document)
    return {
        document["area"]: set_facts(set_key, number, document)
        for set_key, (number, document) in latest.items()
    }


def _copy(cursor, table: str, columns: tuple[str, ...], text: str) -> None:
    if text:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))
