"""The statistics of requests for coordinators and the Commission (DOMAIN.md section 7;
docs/requests-statistics.md): who may read them, which requests each reader counts, and the
figures, as JSON rows or as one CSV per figure.

**Who counts what.** The Commission (its administrators, or a coordinator of the Commission)
counts every request; a national coordinator (NIMIC) the requests its member state sent or
received; any other coordinator (SDIMIC, DIMIC, LIMIC) the requests that name it as a request
coordinator, that it is a party to, or whose requesting or responding authority is linked to
it now for the request's area. Anyone else is refused. The scope is a condition of the query
that counts (``counted``), never a filter applied afterwards.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    CompoundSelect,
    Select,
    Subquery,
    and_,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from services.common.actor import Actor, Right
from services.common.errors import Forbidden
from services.common.reference import COMMISSION
from services.requests import question_sets, reference_lists, sent_counts
from services.requests import statistics_queries as queries
from services.requests.directory_view import REQUEST_WORKFLOW, VALIDATED
from services.requests.models import (
    COUNTED,
    CoordinatorLink,
    KnownAuthority,
    QuestionSetVersion,
    Request,
    RequestQuestion,
    SentQuestionCount,
    SentRequestCount,
)
from services.requests.question_sets import VersionStatus

NATIONAL_COORDINATOR = "NIMIC"
FIGURES = (
    "by_area", "by_member_state", "by_month", "by_profession", "by_sector", "questions",
    "response_times", "pending", "scoreboard",
)  # fmt: skip
# What a figure counts from: the request's columns the queries read.
COUNTED_COLUMNS = tuple(getattr(Request, name) for name in ("sent_at", *COUNTED))


@dataclass(frozen=True)
class Scope:
    """Which requests a reader counts: ``commission`` (all), ``member_state`` (those its
    member state sent or received) or ``coordinator`` (those of the authorities it
    coordinates)."""

    kind: str
    member_state: str | None = None
    coordinator_id: str | None = None
    linked: tuple[str, ...] = ()  # authorities linked to the coordinator, in any area


def scope_of(session: Session, actor: Actor) -> Scope:
    """The reader's scope, from its rights and its authority's place in the read model of the
    directory; Forbidden for a reader who is neither the Commission nor a coordinator."""
    own = session.get(KnownAuthority, actor.authority_id)
    coordinator = own is not None and own.status == VALIDATED and own.coordinator_kind
    if actor.member_state == COMMISSION and (
        actor.has_right(Right.COMMISSION_ADMINISTRATOR) or coordinator
    ):
        return Scope("commission")
    if coordinator and own.coordinator_kind == NATIONAL_COORDINATOR:
        return Scope("member_state", member_state=own.member_state)
    if coordinator:
        linked = session.scalars(
            select(CoordinatorLink.authority_id)
            .where(
                CoordinatorLink.coordinator_id == own.authority_id,
                CoordinatorLink.workflow == REQUEST_WORKFLOW,
                CoordinatorLink.linked.is_(True),
            )
            .distinct()
        )
        return Scope("coordinator", coordinator_id=own.authority_id, linked=tuple(linked))
    raise Forbidden(
        "The statistics of requests are for coordinators and the Commission.",
        "request.statistics_not_allowed",
    )


def counted_requests(scope: Scope, query: dict) -> Subquery:
    """The requests the figures count: sent, in the scope, the period and the area."""
    return _scoped(select(*COUNTED_COLUMNS), scope, query).subquery("counted")


def counted_questions(scope: Scope, query: dict) -> tuple[Subquery, Subquery]:
    """The questions of the requests ``counted_requests`` gives, as rows of (set_key,
    question_key, requests) to add up, and the requests of their sets as (set_key, requests).

    The Commission's come from the counters kept per month (sent_counts.py) for the whole
    months of the period, and from the rows for its other days; anyone else's from the rows
    of its scope, the questions from the columns each repeats of its request
    (models.RequestQuestion)."""
    if scope.kind == "commission":
        return _from_counters(query)
    conditions = _conditions(RequestQuestion, query)
    if scope.kind == "member_state":  # one scan: no index of its own by member state
        conditions.append(
            or_(
                RequestQuestion.requester_state == scope.member_state,
                RequestQuestion.responder_state == scope.member_state,
            )
        )
    if scope.kind == "coordinator":
        coordinated = select(Request.id).where(*_conditions(Request, query), _coordinated(scope))
        conditions.append(RequestQuestion.request_id.in_(coordinated))
    counted = counted_requests(scope, query)
    sets = select(counted.c.set_key, func.count().label("requests")).group_by(counted.c.set_key)
    return _asked(conditions).subquery("asked"), sets.subquery("sets")


def _from_counters(query: dict) -> tuple[Subquery, Subquery]:
    period = sent_counts.split(query.get("sent_from"), query.get("sent_to"))
    area = query.get("area")
    asked: list[Select] = []
    sets: list[Select] = []
    if period.months is not None:
        first, last = period.months
        for counters, parts, keys in (
            (SentQuestionCount, asked, ("set_key", "question_key")),
            (SentRequestCount, sets, ("set_key",)),
        ):
            conditions = [counters.area == area] if area else []
            if first is not None:
                conditions.append(counters.month >= first)
            if last is not None:
                conditions.append(counters.month <= last)
            parts.append(
                select(*(getattr(counters, key) for key in keys), counters.requests).where(
                    *conditions
                )
            )
    for start, end in period.days:
        asked.append(_asked(_sent_between(RequestQuestion, start, end, area)))
        sets.append(
            select(Request.set_key, func.count().label("requests"))
            .where(*_sent_between(Request, start, end, area))
            .group_by(Request.set_key)
        )
    return _union(asked, "asked"), _union(sets, "sets")


def _asked(conditions: list) -> Select:
    return (
        select(RequestQuestion.set_key, RequestQuestion.question_key,
               func.count().label("requests"))
        .where(*conditions)
        .group_by(RequestQuestion.set_key, RequestQuestion.question_key)
    )  # fmt: skip


def _union(parts: list[Select], name: str) -> Subquery:
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery(name)


def _conditions(source, query: dict) -> list:
    """Sent, in the period (days in UTC, both included) and the area; ``source`` the
    requests or their questions, which have these columns alike."""
    sent_to = query.get("sent_to")
    day_after = None if not sent_to or sent_to >= date.max else sent_to + timedelta(days=1)
    return _sent_between(
        source,
        sent_counts.midnight(query.get("sent_from")),
        sent_counts.midnight(day_after),
        query.get("area"),
    )


def _sent_between(source, start: datetime | None, end: datetime | None, area: str | None) -> list:
    """Sent at ``start`` or later and before ``end`` (None: no bound), in ``area`` if given."""
    conditions = [source.sent_at.is_not(None)]
    if start is not None:
        conditions.append(source.sent_at >= start)
    if end is not None:
        conditions.append(source.sent_at < end)
    if area:
        conditions.append(source.area == area)
    return conditions


def _scoped(rows: Select, scope: Scope, query: dict) -> Select | CompoundSelect:
    conditions = _conditions(Request, query)
    if scope.kind == "member_state":
        # Two branches, each read from its own index; a request within one state counted once.
        state = scope.member_state
        return union_all(
            rows.where(*conditions, Request.requester_state == state),
            rows.where(
                *conditions,
                Request.responder_state == state,
                Request.requester_state.is_distinct_from(state),
            ),
        )
    if scope.kind == "coordinator":
        conditions.append(_coordinated(scope))
    return rows.where(*conditions)


def _coordinated(scope: Scope):
    own = scope.coordinator_id
    parties = (*scope.linked, own)

    def linked(authority):
        return exists().where(
            CoordinatorLink.authority_id == authority,
            CoordinatorLink.area == Request.area,
            CoordinatorLink.coordinator_id == own,
            CoordinatorLink.workflow == REQUEST_WORKFLOW,
            CoordinatorLink.linked.is_(True),
        )

    return or_(
        Request.requester_coordinator_id == own,
        Request.responder_coordinator_id == own,
        Request.requester_id == own,
        Request.responder_id == own,
        and_(Request.requester_id.in_(parties), linked(Request.requester_id)),
        and_(Request.responder_id.in_(parties), linked(Request.responder_id)),
    )


def compute(session: Session, actor: Actor, query: dict, now: datetime) -> dict:
    """The figures asked for (all by default) in the reader's scope, with what they were
    counted over; the questions without their texts yet (``with_texts``)."""
    scope = scope_of(session, actor)
    counted = counted_requests(scope, query)
    language = query.get("language") or actor.language
    wanted = query["figures"].split(",") if query.get("figures") else FIGURES
    limit = query.get("questions_limit", 20)
    computed: dict[str, Callable[[], list[dict]]] = {
        "by_area": lambda: queries.by_area(session, counted),
        "by_member_state": lambda: queries.by_member_state(session, counted),
        "by_month": lambda: queries.by_month(session, counted),
        "by_profession": lambda: _professions(session, counted, language),
        "by_sector": lambda: _sectors(session, counted, language),
        "questions": lambda: queries.questions(session, *counted_questions(scope, query), limit),
        "response_times": lambda: queries.response_times(session, counted),
        "pending": lambda: queries.pending(session, counted, now),
        "scoreboard": lambda: queries.scoreboard(session, counted, now),
    }
    return {
        "scope": scope, "sent_from": query.get("sent_from"), "sent_to": query.get("sent_to"),
        "area": query.get("area"), "language": language, "computed_at": now,
        "pilot_areas": queries.pilot_areas(session),
        **{name: computed[name]() for name in FIGURES if name in wanted},
    }  # fmt: skip


def _professions(session: Session, counted: Subquery, language: str) -> list[dict]:
    profession = reference_lists.PROFESSION
    return [
        {"profession": code, "name": reference_lists.name(profession, code, language),
         "profession_sector": reference_lists.parent(profession, code), "requests": requests}
        for code, requests in queries.by_column(session, counted, "profession")
    ]  # fmt: skip


def _sectors(session: Session, counted: Subquery, language: str) -> list[dict]:
    activity = reference_lists.ECONOMIC_ACTIVITY
    return [
        {"sector": code, "name": reference_lists.name(activity, code, language),
         "section": reference_lists.parent(activity, code) or code, "requests": requests}
        for code, requests in queries.by_column(session, counted, "sector")
    ]  # fmt: skip


def question_namespaces(rows: list[dict]) -> list[str]:
    return sorted({question_sets.namespace(row["set_key"]) for row in rows})


def shipped_texts(session: Session, rows: list[dict]) -> dict[str, tuple[dict, str]]:
    """The questions' texts the published versions of their sets ship, by catalogue key,
    each with its source language; a key's text from the latest version that has it."""
    documents = session.scalars(
        select(QuestionSetVersion.document)
        .where(
            QuestionSetVersion.set_key.in_({row["set_key"] for row in rows}),
            QuestionSetVersion.status == VersionStatus.PUBLISHED.value,
        )
        .order_by(QuestionSetVersion.number.desc())
    )
    shipped: dict[str, tuple[dict, str]] = {}
    for document in documents:
        for text in question_sets.text_keys(document):
            shipped.setdefault(text.key, (text.texts, document["source_language"]))
    return shipped


def with_texts(
    rows: list[dict], shipped: dict, language: str, catalogue: dict[str, dict]
) -> list[dict]:
    """Each question with its text in ``language``: the catalogue's, else the one its set
    ships, else its source text (a fallback)."""
    return [
        {**row, **_text(question_sets.question_stem(row["set_key"], row["question"]) + ".text",
                        shipped, language, catalogue)}
        for row in rows
    ]  # fmt: skip


def _text(key: str, shipped: dict, language: str, catalogue: dict[str, dict]) -> dict:
    found = catalogue.get(key)
    if found is not None and not found.get("fallback"):
        return {"text": found["text"], "text_fallback": False}
    if key not in shipped:
        return {"text": None, "text_fallback": True}
    texts, source = shipped[key]
    if language in texts:
        return {"text": texts[language], "text_fallback": False}
    return {"text": texts[source], "text_fallback": language != source}


def as_csv(rows: list[dict], columns: list[str]) -> str:
    """One figure as CSV (RFC 4180): a header row of ``columns``, then a line per row;
    an empty cell for a value there is none of, true/false for a yes or no."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in columns])
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
