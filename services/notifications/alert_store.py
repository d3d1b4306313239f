"""Alerts in the notifications service's database: creating one, taking a step of its workflow
(the rules are services.notifications.alerts), reading it in the reader's view, the lists, the
late Professional Qualifications alerts and the member states' approval settings. Every change
saves the alert at the version read, writes its history and records its events in the same
transaction; the emails a step causes are queued with it."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.reference import EEA_COUNTRIES
from services.common.schemas import load
from services.notifications import alerts, directory_view
from services.notifications.alert_schemas import INPUTS
from services.notifications.alerts import Action, AlertFacts, Kind, Status, View
from services.notifications.mail_queue import queue_mailing
from services.notifications.models import (
    Alert,
    AlertComment,
    AlertHistory,
    AlertRecipient,
    AlertSetting,
    CoordinatorLink,
)

MAILBOX, DISSEMINATION = "mailbox", "dissemination"
# What a mailbox sees of a Professional Qualifications alert it has not routed.
LIMITED_FIELDS = ("profession", "scope")


# --- reading --------------------------------------------------------------------------------


def approval_required(session: Session, member_state: str) -> bool:
    setting = session.get(AlertSetting, member_state)
    return bool(setting and setting.approval_required)


def facts_of(session: Session, row: Alert) -> AlertFacts:
    recipients = session.scalars(
        select(AlertRecipient).where(AlertRecipient.alert_id == row.id)
    ).all()
    return AlertFacts(
        kind=Kind(row.kind),
        status=Status(row.status),
        sender_authority=row.sender_authority,
        sender_state=row.sender_state,
        coordinators=directory_view.alert_coordinators(session, row.sender_authority, row.area),
        mailboxes={item.member_state: item.authority_id for item in recipients
                   if item.via == MAILBOX},
        routed=frozenset(item.authority_id for item in recipients if item.via == DISSEMINATION),
        acknowledged=frozenset(item.authority_id for item in recipients if item.acknowledged_at),
        approval_required=approval_required(session, row.sender_state),
        unjustified=row.unjustified,
    )  # fmt: skip


def visible(session: Session, actor: Actor, alert_id: str) -> tuple[Alert, AlertFacts, View]:
    """The alert, its facts and the actor's view of it; NotFound when the actor may not learn
    that it exists."""
    row = session.get(Alert, alert_id)
    if row is not None:
        facts = facts_of(session, row)
        view = alerts.view_of(actor, facts)
        if view != View.NONE:
            return row, facts, view
    raise NotFound("There is no such alert, or it is not yours to read.", "alert.unknown")


def overdue(row: Alert, now: datetime) -> bool:
    if row.kind != Kind.PROFESSIONAL_QUALIFICATIONS:
        return False
    return row.late or alerts.overdue(row.deadline_at, row.sent_at, now)


def view(session: Session, actor: Actor, alert_id: str, now: datetime) -> dict:
    row, facts, seen = visible(session, actor, alert_id)
    full = seen == View.FULL
    content = dict(row.content)
    if not full:
        content = {key: content[key] for key in LIMITED_FIELDS if key in content}
    recipients = comments = history = []
    if full:
        recipients = [
            {"authority_id": item.authority_id, "member_state": item.member_state,
             "via": item.via, "acknowledged_at": item.acknowledged_at}
            for item in session.scalars(select(AlertRecipient).where(
                AlertRecipient.alert_id == row.id).order_by(AlertRecipient.added_at,
                                                            AlertRecipient.authority_id))
        ]  # fmt: skip
        comments = [
            {
                "id": item.id,
                "kind": item.kind,
                "authority_id": item.authority_id,
                "user_id": item.user_id,
                "text": item.text,
                "at": item.at,
            }
            for item in session.scalars(
                select(AlertComment)
                .where(AlertComment.alert_id == row.id)
                .order_by(AlertComment.at)
            )
        ]
        history = [
            {"action": item.action, "status": item.status, "user_id": item.user_id,
             "authority_id": item.authority_id, "at": item.at, "late": item.late}
            for item in session.scalars(select(AlertHistory).where(
                AlertHistory.alert_id == row.id).order_by(AlertHistory.id))
        ]  # fmt: skip
    return {
        "id": row.id, "kind": row.kind, "area": row.area, "status": row.status,
        "version": row.version, "view": seen.value, "sender_authority": row.sender_authority,
        "sender_state": row.sender_state, "title": row.title if full else None,
        "content": content,
        "professional": _dated(row.professional, "birth_date") if full else None,
        "personal_data_erased": row.personal_data_erased_at is not None,
        "member_states": row.member_states, "decision_date": row.decision_date,
        "deadline_at": row.deadline_at, "overdue": overdue(row, now),
        "created_at": row.created_at, "sent_at": row.sent_at, "closed_at": row.closed_at,
        "unjustified": row.unjustified, "unjustified_reason": row.unjustified_reason,
        "informed": _dated(row.informed, "informed_on") if full else None,
        "recipients": recipients, "comments": comments, "history": history,
        "actions": alerts.actions_for(actor, facts),
    }  # fmt: skip


def _dated(data: dict | None, *names: str) -> dict | None:
    """A JSON column's ISO dates as dates, as the view's schema writes them."""
    if data is None:
        return None
    return {**data, **{name: date.fromisoformat(data[name]) for name in names if data.get(name)}}


def _summary(row: Alert, seen: View, now: datetime) -> dict:
    return {
        "id": row.id, "kind": row.kind, "status": row.status, "view": seen.value,
        "title": row.title if seen == View.FULL else None,
        "sender_authority": row.sender_authority, "sender_state": row.sender_state,
        "created_at": row.created_at, "sent_at": row.sent_at, "deadline_at": row.deadline_at,
        "overdue": overdue(row, now), "unjustified": row.unjustified, "version": row.version,
    }  # fmt: skip


def _box(actor: Actor, box: str):
    received = select(AlertRecipient.alert_id).where(
        AlertRecipient.authority_id == actor.authority_id
    )
    if box == "outgoing":
        return Alert.sender_authority == actor.authority_id
    if box == "incoming":
        return Alert.id.in_(received)
    if box == "mailbox":
        return Alert.id.in_(received.where(AlertRecipient.via == MAILBOX))
    linked = exists().where(
        CoordinatorLink.authority_id == Alert.sender_authority,
        CoordinatorLink.area == Alert.area,
        CoordinatorLink.workflow == directory_view.ALERT_WORKFLOW,
        CoordinatorLink.coordinator_id == actor.authority_id,
        CoordinatorLink.linked.is_(True),
    )
    return and_(Alert.status == Status.AWAITING_APPROVAL.value, linked)


def listing(session: Session, actor: Actor, query: dict, now: datetime) -> dict:
    """A page of the actor's alerts in one box, newest first, each in the actor's view."""
    where = [_box(actor, query["box"])]
    if "kind" in query:
        where.append(Alert.kind == query["kind"])
    if "status" in query:
        where.append(Alert.status == query["status"])
    return _page(session, actor, where, query, now)


def _page(session: Session, actor: Actor, where: list, query: dict, now: datetime) -> dict:
    size, page = query["page_size"], query["page"]
    rows = session.scalars(
        select(Alert).where(*where).order_by(Alert.created_at.desc(), Alert.id)
    ).all()
    shown = []
    for row in rows:
        seen = alerts.view_of(actor, facts_of(session, row))
        if seen != View.NONE:
            shown.append(_summary(row, seen, now))
    return {"items": shown[(page - 1) * size : page * size], "page": page,
            "page_size": size, "total": len(shown)}  # fmt: skip


def late(session: Session, actor: Actor, query: dict, now: datetime) -> dict:
    """Professional Qualifications alerts sent, modified or closed after their 3-day deadline,
    or still unsent past it: every state's for Commission administrators, the own state's
    for its alert authorisers."""
    where = [
        Alert.kind == Kind.PROFESSIONAL_QUALIFICATIONS.value,
        Alert.status != Status.WITHDRAWN.value,
        or_(Alert.late.is_(True), and_(Alert.sent_at.is_(None), Alert.deadline_at <= now)),
    ]
    if actor.has_right(Right.COMMISSION_ADMINISTRATOR):
        if "member_state" in query:
            where.append(Alert.sender_state == query["member_state"])
    elif actor.has_right(Right.ALERT_AUTHORISER, alerts.AREA_OF[Kind.PROFESSIONAL_QUALIFICATIONS]):
        where.append(Alert.sender_state == actor.member_state)
    else:
        raise Forbidden(
            "The list of late alerts is for alert coordinators and the Commission.",
            "alert.late_list_forbidden",
        )
    size, page = query["page_size"], query["page"]
    rows = session.scalars(select(Alert).where(*where).order_by(Alert.deadline_at, Alert.id))
    items = [_summary(row, View.LIMITED, now) for row in rows]
    return {"items": items[(page - 1) * size : page * size], "page": page,
            "page_size": size, "total": len(items)}  # fmt: skip


# --- changing -------------------------------------------------------------------------------


def _event(row: Alert, actor: Actor, authority_ids, late: bool = False) -> dict:
    return {
        "alert_id": row.id, "kind": row.kind, "area": row.area, "status": row.status,
        "sender_authority": row.sender_authority, "sender_state": row.sender_state,
        "member_states": list(row.member_states), "authority_ids": sorted(authority_ids),
        "actor_authority": actor.authority_id, "unjustified": row.unjustified,
        "late": late, "version": row.version,
    }  # fmt: skip


def _history(unit: UnitOfWork, row: Alert, actor: Actor, action: str, late: bool = False):
    unit.session.add(
        AlertHistory(
            alert_id=row.id, action=action, status=row.status, user_id=actor.user_id,
            authority_id=actor.authority_id, at=unit.now(), late=late,
        )
    )  # fmt: skip


def _content(kind: Kind, data: dict) -> dict:
    """The alert's columns from its creation input (already loaded by its kind's schema)."""
    content = {key: value for key, value in data.items() if key not in ("professional",)}
    for key, value in list(content.items()):
        if hasattr(value, "isoformat"):
            content[key] = value.isoformat()
    title = data.get("title") or data.get("profession") or ""
    content.pop("title", None)
    states = content.pop("member_states", None)
    if kind == Kind.DEROGATION:
        states = [data["provider_state"]]
    return {"title": title, "content": content, "member_states": sorted(set(states or [])),
            "professional": _professional(data.get("professional")),
            "decision_date": data.get("decision_date")}  # fmt: skip


def _professional(data: dict | None) -> dict | None:
    if data is None:
        return None
    return {**data, "birth_date": data["birth_date"].isoformat()}


def _check_states(kind: Kind, actor: Actor, columns: dict) -> None:
    if kind != Kind.PROFESSIONAL_QUALIFICATIONS and actor.member_state in columns["member_states"]:
        field = "provider_state" if kind == Kind.DEROGATION else "member_states"
        raise ValidationFailed.from_fields({field: ["Not the sender's own member state."]})


def create(unit: UnitOfWork, actor: Actor, kind: Kind, data: dict) -> Alert:
    area = alerts.AREA_OF[kind]
    actor.require(Right.ALERT_HANDLER, area)
    if not directory_view.alert_authorities(unit.session, [actor.authority_id], area):
        raise Forbidden(
            "Your authority does not take part in this area's alerts.",
            "alert.authority_not_in_alerts",
            {"area": area},
        )
    columns = _content(kind, load(INPUTS[kind], data))
    _check_states(kind, actor, columns)
    now = unit.now()
    row = Alert(
        id=str(uuid.uuid4()), kind=kind.value, area=area, status=Status.DRAFT.value,
        sender_authority=actor.authority_id, sender_state=actor.member_state,
        created_by=actor.user_id, created_at=now, updated_at=now, updated_by=actor.user_id,
        version=1, late=False, unjustified=False, **columns,
        deadline_at=alerts.pq_deadline(columns["decision_date"])
        if columns["decision_date"] else None,
    )  # fmt: skip
    unit.session.add(row)
    _history(unit, row, actor, "create")
    unit.record_event("alert_created", row.id, _event(row, actor, ()))
    return row


def act(unit: UnitOfWork, actor: Actor, alert_id: str, action: Action, data: dict) -> Alert:
    """Take ``action`` on the alert at the version read; its status, history, events and
    emails follow."""
    session, now = unit.session, unit.now()
    row, facts, _seen = visible(session, actor, alert_id)
    alerts.check(actor, facts, action)
    row.require_version(data["version"])
    after = alerts.status_after(facts, action)
    concerned: list[str] = []
    late = False
    if action == Action.EDIT_DRAFT:
        _edit_draft(actor, row, data)
    elif action in (Action.SEND, Action.APPROVE):
        concerned = _send(unit, row, facts, after)
    elif action == Action.REFUSE_APPROVAL:
        _comment(unit, row, actor, "approval_refused", _needed(data, "reason"))
    elif action == Action.DISSEMINATE:
        concerned = _disseminate(unit, actor, row, facts, data)
    elif action == Action.ACKNOWLEDGE:
        recipient = session.get(AlertRecipient, (row.id, actor.authority_id))
        recipient.acknowledged_at, recipient.acknowledged_by = now, actor.user_id
        concerned = [actor.authority_id]
    elif action == Action.COMMENT:
        kind = "further_information" if data.get("further_information") else "comment"
        _comment(unit, row, actor, kind, _needed(data, "text"))
        concerned = [actor.authority_id]
    elif action == Action.ANSWER:
        _comment(unit, row, actor, "answer", _needed(data, "text"))
        concerned = [actor.authority_id]
    elif action == Action.MARK_UNJUSTIFIED:
        row.unjustified, row.unjustified_reason = True, _needed(data, "reason")
        concerned = sorted(facts.recipients)
    elif action == Action.MODIFY:
        late = _modify(row, data, now)
    elif action == Action.RECORD_INFORMATION:
        row.informed = {"informed_on": _needed(data, "informed_on").isoformat(),
                        "means": _needed(data, "means")}  # fmt: skip
    elif action == Action.CLOSE and row.kind == Kind.PROFESSIONAL_QUALIFICATIONS:
        late = alerts.overdue(alerts.pq_deadline(_needed(data, "decision_date")), now, now)
    if action in (Action.CLOSE, Action.WITHDRAW):
        row.closed_at = now
        _erase_personal_data(unit, row)
    row.late = row.late or late
    row.status = after.value
    row.touch(actor.user_id, now)
    _history(unit, row, actor, action.value, late)
    names = alerts.events_of(facts, action)
    first = None
    for event_name in names:
        envelope = unit.record_event(event_name, row.id, _event(row, actor, concerned, late))
        first = first or envelope
    after_facts = facts_of(session, row) if concerned else facts
    for number, mailing in enumerate(
        alerts.mailings(row.id, after_facts, after, action, tuple(concerned), actor.authority_id)
    ):
        queue_mailing(unit, f"{first['id']}:{mailing.template}:{number}", mailing)
    return row


def _needed(data: dict, name: str):
    if data.get(name) in (None, ""):
        raise ValidationFailed.from_fields({name: ["Missing data for required field."]})
    return data[name]


def _edit_draft(actor: Actor, row: Alert, data: dict) -> None:
    kind = Kind(row.kind)
    columns = _content(kind, load(INPUTS[kind], _needed(data, "draft")))
    _check_states(kind, actor, columns)
    for name, value in columns.items():
        setattr(row, name, value)
    if columns["decision_date"]:
        row.deadline_at = alerts.pq_deadline(columns["decision_date"])


def _send(unit: UnitOfWork, row: Alert, facts: AlertFacts, after: Status) -> list[str]:
    """Find the receiving mailboxes (all of them must be known), and if the alert goes out
    now, make them its recipients."""
    kind = Kind(row.kind)
    states = alerts.receiving_states(kind, row.sender_state, row.member_states)
    found = directory_view.mailboxes(unit.session, states, row.area)
    missing = [state for state in states if state not in found]
    if missing:
        raise Conflict(
            "Some member states have no incoming alert mailbox for this area.",
            "alert.mailbox_missing",
            {"member_states": missing},
        )
    if after == Status.AWAITING_APPROVAL:
        if not facts.coordinators:
            raise Conflict(
                "Your member state's alerts need approval, and your authority has no alert "
                "coordinator to approve them.",
                "alert.no_alert_coordinator",
            )
        return []
    now = unit.now()
    row.sent_at = now
    if kind == Kind.PROFESSIONAL_QUALIFICATIONS:
        row.late = alerts.overdue(row.deadline_at, now, now)
    unit.session.add_all(
        AlertRecipient(alert_id=row.id, authority_id=mailbox, member_state=state, via=MAILBOX,
                       added_at=now, added_by=None)
        for state, mailbox in sorted(found.items())
    )  # fmt: skip
    return sorted(set(found.values()))


def _disseminate(
    unit: UnitOfWork, actor: Actor, row: Alert, facts: AlertFacts, data: dict
) -> list[str]:
    """The mailbox's alert coordinator sends the alert on to authorities of its own state that
    take part in the area's alerts; those already reached are left as they are."""
    state = facts.state_of_mailbox(actor.authority_id)
    wanted = sorted(set(_needed(data, "authority_ids")))
    eligible = directory_view.alert_authorities(unit.session, wanted, row.area)
    refused = [ident for ident in wanted if eligible.get(ident) != state]
    if refused:
        raise ValidationFailed(
            "Only authorities of your member state that take part in this area's alerts can "
            "receive it.",
            "alert.recipient_not_eligible",
            {"errors": {"authority_ids": [f"Not eligible: {', '.join(refused)}"]}},
        )
    new = [ident for ident in wanted if ident not in facts.recipients]
    now = unit.now()
    unit.session.add_all(
        AlertRecipient(alert_id=row.id, authority_id=ident, member_state=state,
                       via=DISSEMINATION, added_at=now, added_by=actor.user_id)
        for ident in new
    )  # fmt: skip
    return new


def _comment(unit: UnitOfWork, row: Alert, actor: Actor, kind: str, text: str) -> None:
    unit.session.add(
        AlertComment(
            id=str(uuid.uuid4()), alert_id=row.id, kind=kind, authority_id=actor.authority_id,
            user_id=actor.user_id, text=text, at=unit.now(),
        )
    )  # fmt: skip


def _modify(row: Alert, data: dict, now: datetime) -> bool:
    """A Professional Qualifications alert changed after a new decision: late when made
    after the 3-day deadline of that decision."""
    decided = _needed(data, "decision_date")
    changes = _needed(data, "changes")
    content = dict(row.content)
    for name, value in changes.items():
        content[name] = value.isoformat() if hasattr(value, "isoformat") else value
        if name == "profession":
            row.title = value
    row.content = content
    return alerts.overdue(alerts.pq_deadline(decided), now, now)


def _erase_personal_data(unit: UnitOfWork, row: Alert) -> None:
    """A Professional Qualifications alert's personal data goes when it is closed or
    withdrawn: the professional's identity, and the comments' texts that might name them.
    The history (who did what, when) stays."""
    if row.kind != Kind.PROFESSIONAL_QUALIFICATIONS:
        return
    row.professional = None
    row.personal_data_erased_at = unit.now()
    for comment in unit.session.scalars(
        select(AlertComment).where(AlertComment.alert_id == row.id)
    ):
        comment.text = ""


# --- approval settings per member state ------------------------------------------------------


def settings(session: Session) -> list[dict]:
    rows = session.scalars(select(AlertSetting).order_by(AlertSetting.member_state))
    return [{"member_state": row.member_state, "approval_required": row.approval_required,
             "version": row.version} for row in rows]  # fmt: skip


def may_set(session: Session, actor: Actor, member_state: str) -> bool:
    """A Commission administrator, or a data administrator of the state's national IMI
    coordinator (NIMIC)."""
    if actor.has_right(Right.COMMISSION_ADMINISTRATOR):
        return True
    known = directory_view.authority(session, actor.authority_id)
    return (
        known is not None
        and known.coordinator_kind == directory_view.NIMIC
        and known.member_state == member_state == actor.member_state
        and actor.has_right(Right.DATA_ADMINISTRATOR)
    )


def set_setting(unit: UnitOfWork, actor: Actor, member_state: str, data: dict) -> dict:
    if member_state not in EEA_COUNTRIES:
        raise ValidationFailed.from_fields({"member_state": ["An EEA member state is expected."]})
    if not may_set(unit.session, actor, member_state):
        raise Forbidden(
            "Only a Commission administrator or the member state's national coordinator may "
            "set whether its alerts need approval.",
            "alert.setting_forbidden",
        )
    now = unit.now()
    row = unit.session.get(AlertSetting, member_state)
    if row is None:
        row = AlertSetting(member_state=member_state, version=0, updated_at=now)
        unit.session.add(row)
    else:
        row.require_version(data["version"])
    row.approval_required = data["approval_required"]
    row.touch(actor.user_id, now)
    unit.record_event(
        "alert_approval_setting_changed", member_state,
        {"member_state": member_state, "approval_required": row.approval_required,
         "version": row.version},
    )  # fmt: skip
    return {"member_state": member_state, "approval_required": row.approval_required,
            "version": row.version}  # fmt: skip
