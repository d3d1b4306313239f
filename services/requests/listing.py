"""Lists of requests and the search (DOMAIN.md section 4, "Lists"): my authority's incoming and
outgoing requests, those it coordinates, the action list (what waits for me now), the urgency
list (services/requests/urgency.py) and a search by status, dates, parties, area, question and
subject, one page at a time.

Pages are ordered by last change, newest first (the urgency list: most late first), and
continue from a cursor (the last row's time and id), so that a page never repeats or skips a
request when others change meanwhile.
Each row is shown in the reader's view: the subject's name only to those who may see
personal data; a search by subject finds only requests whose subject the reader may see, and
never one whose personal data is blocked.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from datetime import datetime

import orjson
from sqlalchemy import Row, Text, and_, bindparam, cast, or_, select, tuple_, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BindParameter, BooleanClauseList

from services.common.actor import Actor
from services.common.errors import ValidationFailed
from services.requests import blocking, subject_words, urgency, workflow
from services.requests.models import Request, RequestQuestion
from services.requests.request_codec import from_document
from services.requests.visibility import View, view_of
from services.requests.workflow import Action
from services.requests.workflow_state import Status

S = Status
# What a reader's own authority must do next, by the side it is on.
REQUESTER_TURN = (S.DRAFT, S.ANSWERED)
RESPONDER_TURN = (S.SENT, S.ACCEPTED, S.PARTIALLY_ANSWERED, S.ADDITIONAL_INFORMATION_REQUESTED)
COORDINATOR_TURN = (S.AWAITING_APPROVAL, S.REFERRED)
# Actions that move a request on; the others (a date, feedback) do not put it on a list.
PROGRESS = frozenset(Action) - {
    Action.EDIT_DRAFT, Action.SAVE_REPLY_DRAFT, Action.PROPOSE_REPLY_DATE,
    Action.COUNTER_PROPOSE_REPLY_DATE, Action.AGREE_REPLY_DATE, Action.GIVE_FEEDBACK,
    Action.WITHDRAW,
}  # fmt: skip
# What a row of a list is made of (not the request's other columns: a description, the time
# line), read as plain rows; the workflow state as its JSON text, parsed only when a row's view
# and actions are not known yet (``_view_and_actions``).
LISTED = (
    Request.id, Request.area, Request.set_key, Request.pq_type, Request.status,
    Request.requester_id, Request.responder_id, Request.created_at, Request.sent_at,
    Request.updated_at, Request.subject, cast(Request.state, Text).label("state"),
    Request.blocked_at, Request.erased_at, Request.contested_at,
)  # fmt: skip
# How many (reader, state) pairs keep their view and actions: about 2 MB per thousand.
KNOWN_VIEWS = 20_000


def page(session: Session, actor: Actor, query: dict, now: datetime) -> dict:
    """One page of the list ``query["box"]`` with the query's filters."""
    if query["box"] == "urgent":
        return _urgent_page(session, actor, query, now)
    box = query["box"]
    position = _decode(query["cursor"]) if query.get("cursor") else None
    limit = query["limit"]
    filters = _filter_names(query)
    parameters = {**_parameters(query, actor), "size": limit + 1}
    items: list[dict] = []
    last: Row | None = None
    more = True
    # Rows the SQL finds but the reader's view or the action filter leaves out are skipped;
    # reading on in chunks fills the page (one row more than it holds: whether more follow).
    while len(items) < limit:
        statement = _page_statement(box, filters, position is not None)
        if position is not None:
            parameters["at"], parameters["last_id"] = position
        chunk = session.execute(statement, parameters).all()
        for row in chunk:
            last, position = row, (row.updated_at, row.id)
            item = _item(actor, row, box, bool(query.get("subject")))
            if item is not None:
                items.append(item)
                if len(items) == limit:
                    break
        if len(chunk) < parameters["size"] and (not chunk or last is chunk[-1]):
            more = False
            break
    return {"items": items, "next_cursor": _encode(position) if more and position else None}


@functools.lru_cache(maxsize=512)
def _page_statement(box: str, filters: tuple[str, ...], after: bool):
    """The SQL of a chunk of ``box`` with these filters, built once per shape of query: every
    value (the reader's authority, the filters, the position, the size) is a bound parameter
    given at execution. Building it (a few hundred SQLAlchemy objects) cost more CPU than the
    database's work for a page (docs/performance.md, "Requests at scale"). A search by
    subject is one branch: the subject's keys give the authority's few requests naming the
    words, whatever its part in them (services/requests/subject_words.py)."""
    condition = _box(box, bindparam("own"))
    parts = [condition] if "subject" in filters else _parts(condition)
    branches = [_filtered(select(Request.id).where(part), filters) for part in parts]
    return _rows(branches, after)


def _parts(condition) -> list:
    """The alternatives of a box's condition (a requester's, a responder's, a coordinator's
    requests), each of which one index reads in page order."""
    if isinstance(condition, BooleanClauseList) and condition.operator is operators.or_:
        return [part for clause in condition.clauses for part in _parts(clause)]
    return [condition]


def _rows(branches: list, after: bool):
    """The next ``size`` rows (after the position when ``after``) in page order: each
    alternative's first ``size`` ids from its own index, then the rows of the newest of
    them. (One query with the alternatives OR'ed would read and sort every request of the
    authority.)"""
    size = bindparam("size")
    ordered = [
        _after(branch, after).order_by(Request.updated_at.desc(), Request.id.desc()).limit(size)
        for branch in branches
    ]
    if len(ordered) == 1:
        ids = ordered[0]
    else:
        ids = union_all(*(select(part.c.id) for part in (query.subquery() for query in ordered)))
    return (
        select(*LISTED)
        .where(Request.id.in_(ids))
        .order_by(Request.updated_at.desc(), Request.id.desc())
        .limit(size)
    )


def _urgent_page(session: Session, actor: Actor, query: dict, now: datetime) -> dict:
    """The urgency list (services/requests/urgency.py), most late first: the moment each
    request became urgent depends on its reason and area, so the keys of the reader's urgent
    requests (those past a limit, a few per authority) are read and ranked first, and only the
    page's rows after. The cursor is the last row's moment and id, as in the other lists."""
    days = urgency.acceptance_days(session)
    statement = _urgent_statement(days.default, tuple(sorted(days.areas.items())),
                                  _filter_names(query))  # fmt: skip
    parameters = {**_parameters(query, actor), **urgency.limits(days, now)}
    keys = session.execute(statement, parameters).all()
    ranked = sorted({key.id: urgency.Urgency.of(key, days) for key in keys}.values())
    if query.get("cursor"):
        position = _decode(query["cursor"])
        ranked = [found for found in ranked if (found.since, found.request_id) > position]
    limit = query["limit"]
    items: list[dict] = []
    read = 0
    while len(items) < limit and read < len(ranked):
        chunk = ranked[read : read + limit - len(items)]
        rows = session.execute(_LISTED_BY_ID, {"ids": [found.request_id for found in chunk]})
        by_id = {row.id: row for row in rows}
        for found in chunk:
            read += 1
            row = by_id.get(found.request_id)
            item = _item(actor, row, "urgent", bool(query.get("subject"))) if row else None
            if item is not None:
                items.append({**item, "urgency": found.reason.value, "urgent_since": found.since,
                              "days_late": found.days_late(now)})  # fmt: skip
                if len(items) == limit:
                    break
    last = ranked[read - 1] if read else None
    more = read < len(ranked)
    return {"items": items, "next_cursor": _encode((last.since, last.request_id)) if more else None}


@functools.lru_cache(maxsize=64)
def _urgent_statement(default_days: int, area_days: tuple, filters: tuple[str, ...]):
    """The keys of the urgency list for this acceptance setting and these filters, built
    once (every value bound; ``_page_statement`` says why)."""
    days = urgency.AcceptanceDays(default_days, dict(area_days))
    return union_all(*(_filtered(keys, filters) for keys in urgency.urgent_for(days)))


_LISTED_BY_ID = select(*LISTED).where(Request.id.in_(bindparam("ids", expanding=True)))


def _after(statement, after: bool):
    """The rows after the position (a row's last change ``at`` and ``last_id``) in the page
    order, when ``after``."""
    if not after:
        return statement
    last_seen = tuple_(
        bindparam("at", type_=Request.updated_at.type),
        bindparam("last_id", type_=Request.id.type),
    )
    return statement.where(tuple_(Request.updated_at, Request.id) < last_seen)


def _box(box: str, own: BindParameter):
    requester = Request.requester_id == own
    responder = and_(Request.responder_id == own, Request.sent_at.is_not(None))
    coordinator = or_(
        and_(Request.requester_coordinator_id == own, Request.status != S.DRAFT.value),
        and_(Request.responder_coordinator_id == own, Request.sent_at.is_not(None)),
    )
    if box == "outgoing":
        return requester
    if box == "incoming":
        return responder
    if box == "coordinated":
        return coordinator
    if box == "actions":
        return or_(
            and_(requester, Request.status.in_([s.value for s in REQUESTER_TURN])),
            and_(responder, Request.status.in_([s.value for s in RESPONDER_TURN])),
            and_(coordinator, Request.status.in_([s.value for s in COORDINATOR_TURN])),
        )
    return or_(requester, responder, coordinator)


# The filters a list query may set, in the order their conditions are added.
FILTERS = (
    "status", "area", "requester", "responder", "created_from", "created_to", "sent_from",
    "sent_to", "updated_from", "updated_to", "question", "subject",
)  # fmt: skip
EQUAL = {"area": Request.area, "requester": Request.requester_id,
         "responder": Request.responder_id}  # fmt: skip
PERIODS = {"created": Request.created_at, "sent": Request.sent_at, "updated": Request.updated_at}


def _condition(name: str):
    """The condition of the filter ``name`` on a bound parameter of the same name."""
    if name == "status":
        return Request.status.in_(bindparam(name, expanding=True))
    if name == "question":
        asking = select(RequestQuestion.request_id).where(
            RequestQuestion.question_key == bindparam(name)
        )
        return Request.id.in_(asking)
    if name == "subject":
        searched = bindparam(name, type_=subject_words.SearchedWords())
        return and_(subject_words.NamesEveryWord(searched), Request.blocked_at.is_(None))
    if name in EQUAL:
        return EQUAL[name] == bindparam(name)
    period, edge = name.split("_")
    column = PERIODS[period]
    value = bindparam(name, type_=column.type)
    return column >= value if edge == "from" else column < value


def _filter_names(query: dict) -> tuple[str, ...]:
    """The filters the query sets, in a fixed order (the shape of its statement)."""
    return tuple(name for name in FILTERS if query.get(name))


def _parameters(query: dict, actor: Actor) -> dict:
    """The reader's authority (``own``) and the filters' values, as the statements bind them."""
    values = {name: query[name] for name in _filter_names(query)} | {"own": actor.authority_id}
    if "status" in values:
        values["status"] = values["status"].split(",")
    if "subject" in values:
        values["subject"] = (actor.authority_id, subject_words.words(values["subject"]))
    return values


def _filtered(statement, filters: tuple[str, ...]):
    for name in filters:
        statement = statement.where(_condition(name))
    return statement


def _item(actor: Actor, row: Row, box: str, by_subject: bool) -> dict | None:
    view, actions = _view_and_actions(actor, row.state)
    view = blocking.capped(view, row)
    if view == View.NONE or (by_subject and view != View.FULL):
        return None
    if box == "actions" and not actions & PROGRESS:
        return None
    return {
        "id": row.id, "area": row.area, "set_key": row.set_key, "pq_type": row.pq_type,
        "status": row.status, "view": view.value,
        "requester_id": row.requester_id, "responder_id": row.responder_id,
        "created_at": row.created_at, "sent_at": row.sent_at, "updated_at": row.updated_at,
        "blocked_at": row.blocked_at, "erased_at": row.erased_at,
        "contested": row.contested_at is not None,
        "subject_name": (row.subject or {}).get("full_name") if view == View.FULL else None,
        "actions": sorted(action.value for action in actions),
    }  # fmt: skip


@functools.lru_cache(maxsize=KNOWN_VIEWS)
def _view_and_actions(actor: Actor, state: str) -> tuple[View, frozenset[Action]]:
    """The reader's view of a request in the workflow state ``state`` (its JSON text) and the
    actions it may take there: a function of the two alone, kept for the rows a reader lists
    again and again (a list page, its refresh, a colleague's same list). Parsing the state
    and deciding both took a third of a list call (docs/performance.md, "Requests at scale")."""
    parsed = from_document(orjson.loads(state))
    return view_of(actor, parsed), workflow.actions_for(actor, parsed)


def _encode(position: tuple[datetime, str]) -> str:
    at, last_id = position
    raw = json.dumps([at.isoformat(), last_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, last_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(at), str(last_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as broken:
        raise ValidationFailed.from_fields({"cursor": ["Not a cursor of this list."]}) from broken
