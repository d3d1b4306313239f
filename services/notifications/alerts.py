"""Pure rules of alerts (DOMAIN.md section 5, docs/alerts.md): the Services Directive alert,
the Professional Qualifications alert and the case-by-case derogation, their statuses, who may
take which step, what each reader sees, the 3-day deadline of a Professional Qualifications
alert and the emails each step causes. No I/O: the storage (services.notifications.alert_store)
gathers the facts, these rules decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from services.common.actor import Actor, Right
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.reference import COMMISSION, EEA_COUNTRIES
from services.notifications.domain import Audience, Mailing

WORKFLOW = "alerts"
# The directory's roles of an authority in an area's alert workflow (services/directory/data).
MAILBOX_ROLE = "incoming_alert_mailbox"
ALERT_ROLES = frozenset({"incoming_alert_mailbox", "alert_coordinator", "alert_authority"})
# A Professional Qualifications alert goes out within 3 days of the decision (Directive
# 2005/36/EC, Article 56a(3)), and so does its modification or closure.
PQ_DAYS = 3


class Kind(StrEnum):
    SERVICES = "services"
    PROFESSIONAL_QUALIFICATIONS = "professional_qualifications"
    DEROGATION = "derogation"


AREA_OF = {
    Kind.SERVICES: "services",
    Kind.PROFESSIONAL_QUALIFICATIONS: "professional_qualifications",
    Kind.DEROGATION: "services",
}


class Status(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    SENT = "sent"
    CLOSURE_PROPOSED = "closure_proposed"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    EDIT_DRAFT = "edit_draft"
    SEND = "send"
    APPROVE = "approve"
    REFUSE_APPROVAL = "refuse_approval"
    DISSEMINATE = "disseminate"
    ACKNOWLEDGE = "acknowledge"
    COMMENT = "comment"
    PROPOSE_CLOSURE = "propose_closure"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    MARK_UNJUSTIFIED = "mark_unjustified"
    MODIFY = "modify"
    RECORD_INFORMATION = "record_information"
    ANSWER = "answer"


class View(StrEnum):
    NONE = "none"
    # a Professional Qualifications alert in a mailbox not yet routed: profession and scope
    LIMITED = "limited"
    FULL = "full"


@dataclass(frozen=True)
class AlertFacts:
    """What the rules need to know of one alert: its kind and status, who sent it, the alert
    coordinators linked to the sender, the mailbox of each member state it went to (the
    Commission's under ``EU``), the authorities the mailboxes disseminated it to and those
    that acknowledged it."""

    kind: Kind
    status: Status
    sender_authority: str
    sender_state: str
    coordinators: frozenset[str] = frozenset()
    mailboxes: Mapping[str, str] = field(default_factory=dict)
    routed: frozenset[str] = frozenset()
    acknowledged: frozenset[str] = frozenset()
    approval_required: bool = False
    unjustified: bool = False

    @property
    def area(self) -> str:
        return AREA_OF[self.kind]

    @property
    def recipients(self) -> frozenset[str]:
        return frozenset(self.mailboxes.values()) | self.routed

    def state_of_mailbox(self, authority_id: str) -> str | None:
        for state, mailbox in self.mailboxes.items():
            if mailbox == authority_id:
                return state
        return None


# --- who the actor is to the alert --------------------------------------------------------


def _alert_user(actor: Actor, area: str) -> bool:
    return actor.has_right(Right.ALERT_HANDLER, area) or actor.has_right(
        Right.ALERT_AUTHORISER, area
    )


def is_sender(actor: Actor, facts: AlertFacts) -> bool:
    """An alert handler of the sending authority: writes, sends, follows up its alert."""
    return actor.authority_id == facts.sender_authority and actor.has_right(
        Right.ALERT_HANDLER, facts.area
    )


def is_sender_coordinator(actor: Actor, facts: AlertFacts) -> bool:
    """An alert authoriser of an alert coordinator linked to the sender for alerts."""
    return actor.authority_id in facts.coordinators and actor.has_right(
        Right.ALERT_AUTHORISER, facts.area
    )


def is_mailbox_coordinator(actor: Actor, facts: AlertFacts) -> bool:
    """An alert authoriser of a receiving member state's incoming alert mailbox (its alert
    coordinator), the Commission's included."""
    return actor.authority_id in facts.mailboxes.values() and actor.has_right(
        Right.ALERT_AUTHORISER, facts.area
    )


def is_national_mailbox_coordinator(actor: Actor, facts: AlertFacts) -> bool:
    state = facts.state_of_mailbox(actor.authority_id)
    return state not in (None, COMMISSION) and is_mailbox_coordinator(actor, facts)


def is_commission_coordinator(actor: Actor, facts: AlertFacts) -> bool:
    return facts.mailboxes.get(COMMISSION) == actor.authority_id and actor.has_right(
        Right.ALERT_AUTHORISER, facts.area
    )


def is_recipient(actor: Actor, facts: AlertFacts) -> bool:
    """An alert handler or authoriser of an authority the alert reached (a mailbox, or an
    authority a mailbox disseminated it to)."""
    return actor.authority_id in facts.recipients and _alert_user(actor, facts.area)


def view_of(actor: Actor, facts: AlertFacts) -> View:
    """What ``actor`` may read of the alert. Drafts stay in the sending authority (and with
    its coordinators once submitted for approval); a Professional Qualifications alert shows a
    mailbox only its profession and scope, the authorities it is routed to all of it."""
    if actor.authority_id == facts.sender_authority and _alert_user(actor, facts.area):
        return View.FULL
    if facts.status == Status.DRAFT:
        return View.NONE
    if is_sender_coordinator(actor, facts):
        return View.FULL
    if not is_recipient(actor, facts):
        return View.NONE
    if facts.kind == Kind.PROFESSIONAL_QUALIFICATIONS and actor.authority_id not in facts.routed:
        return View.LIMITED
    return View.FULL


# --- the steps ------------------------------------------------------------------------------

OPEN = frozenset({Status.SENT, Status.CLOSURE_PROPOSED})
ALL_KINDS = frozenset(Kind)
ALERT_KINDS = frozenset({Kind.SERVICES, Kind.PROFESSIONAL_QUALIFICATIONS})
SD, PQ, DEROGATION = Kind.SERVICES, Kind.PROFESSIONAL_QUALIFICATIONS, Kind.DEROGATION


@dataclass(frozen=True)
class Step:
    """An action: the kinds and statuses it applies to, and who may take it."""

    kinds: frozenset[Kind]
    statuses: frozenset[Status]
    who: tuple  # predicates (actor, facts) -> bool, any of which allows
    events: tuple[str, ...]


# fmt: off
STEPS: dict[Action, Step] = {
    Action.EDIT_DRAFT: Step(ALL_KINDS, frozenset({Status.DRAFT}), (is_sender,),
                            ("alert_draft_edited",)),
    Action.SEND: Step(ALL_KINDS, frozenset({Status.DRAFT}), (is_sender,), ("alert_sent",)),
    Action.APPROVE: Step(ALL_KINDS, frozenset({Status.AWAITING_APPROVAL}),
                         (is_sender_coordinator,), ("alert_approved", "alert_sent")),
    Action.REFUSE_APPROVAL: Step(ALL_KINDS, frozenset({Status.AWAITING_APPROVAL}),
                                 (is_sender_coordinator,), ("alert_approval_refused",)),
    Action.DISSEMINATE: Step(ALERT_KINDS, OPEN, (is_national_mailbox_coordinator,),
                             ("alert_disseminated",)),
    Action.ACKNOWLEDGE: Step(ALERT_KINDS, OPEN, (is_recipient,), ("alert_acknowledged",)),
    Action.COMMENT: Step(ALL_KINDS, OPEN | {Status.ANSWERED}, (is_sender, is_recipient),
                         ("alert_comment_added",)),
    Action.PROPOSE_CLOSURE: Step(frozenset({SD}), frozenset({Status.SENT}), (is_sender,),
                                 ("alert_closure_proposed",)),
    Action.CLOSE: Step(ALL_KINDS, OPEN | {Status.ANSWERED}, (is_sender, is_commission_coordinator),
                       ("alert_closed",)),
    Action.WITHDRAW: Step(ALL_KINDS, OPEN | {Status.DRAFT, Status.AWAITING_APPROVAL},
                          (is_sender,), ("alert_withdrawn",)),
    Action.MARK_UNJUSTIFIED: Step(frozenset({SD}), OPEN | {Status.CLOSED},
                                  (is_sender, is_sender_coordinator),
                                  ("alert_marked_unjustified",)),
    Action.MODIFY: Step(frozenset({PQ}), frozenset({Status.SENT}), (is_sender,),
                        ("alert_modified",)),
    Action.RECORD_INFORMATION: Step(frozenset({PQ}), frozenset({Status.SENT}), (is_sender,),
                                    ("alert_professional_informed",)),
    Action.ANSWER: Step(frozenset({DEROGATION}), frozenset({Status.SENT}),
                        (is_national_mailbox_coordinator,), ("alert_answered",)),
}
# fmt: on
# Every event name an alert's step records (services.common.contracts checks each).
EVENTS = frozenset(
    {"alert_created", "alert_submitted_for_approval"}
    | {name for step in STEPS.values() for name in step.events}
)


def action_named(name: str) -> Action:
    try:
        return Action(name)
    except ValueError:
        raise Conflict(
            f"There is no alert action {name!r}.", "alert.unknown_action", {"action": name}
        ) from None


def kind_named(name: str) -> Kind:
    try:
        return Kind(name)
    except ValueError:
        raise NotFound(f"There is no kind of alert {name!r}.", "alert.unknown_kind") from None


def status_allows(facts: AlertFacts, action: Action) -> bool:
    step = STEPS[action]
    if facts.kind not in step.kinds or facts.status not in step.statuses:
        return False
    if action == Action.CLOSE:  # a Services Directive alert closes after a proposal
        return facts.kind != SD or facts.status == Status.CLOSURE_PROPOSED
    if action == Action.MARK_UNJUSTIFIED:
        return not facts.unjustified
    return True


def role_allows(actor: Actor, facts: AlertFacts, action: Action) -> bool:
    step = STEPS[action]
    if action == Action.CLOSE and facts.kind != SD:
        return is_sender(actor, facts)
    if action == Action.ACKNOWLEDGE and actor.authority_id in facts.acknowledged:
        return False
    return any(allowed(actor, facts) for allowed in step.who)


def check(actor: Actor, facts: AlertFacts, action: Action) -> None:
    """Raise Conflict when the alert's kind or status does not take ``action`` now, Forbidden
    when ``actor`` may not take it."""
    if not status_allows(facts, action):
        raise Conflict(
            f"An alert in status {facts.status.value} does not take the action {action.value}.",
            "alert.action_not_allowed",
            {"action": action.value, "status": facts.status.value},
        )
    if not role_allows(actor, facts, action):
        raise Forbidden(
            f"Your role towards this alert does not allow the action {action.value}.",
            "alert.role_missing",
            {"action": action.value},
        )


def actions_for(actor: Actor, facts: AlertFacts) -> list[str]:
    """The actions ``actor`` may take now, in the order of the workflow."""
    return [
        action.value
        for action in Action
        if status_allows(facts, action) and role_allows(actor, facts, action)
    ]


def status_after(facts: AlertFacts, action: Action) -> Status:
    if action == Action.SEND:
        needs_approval = facts.approval_required and facts.kind != DEROGATION
        return Status.AWAITING_APPROVAL if needs_approval else Status.SENT
    return {
        Action.APPROVE: Status.SENT,
        Action.REFUSE_APPROVAL: Status.DRAFT,
        Action.PROPOSE_CLOSURE: Status.CLOSURE_PROPOSED,
        Action.CLOSE: Status.CLOSED,
        Action.WITHDRAW: Status.WITHDRAWN,
        Action.ANSWER: Status.ANSWERED,
    }.get(action, facts.status)


def events_of(facts: AlertFacts, action: Action) -> tuple[str, ...]:
    if action == Action.SEND and status_after(facts, action) == Status.AWAITING_APPROVAL:
        return ("alert_submitted_for_approval",)
    return STEPS[action].events


def receiving_states(kind: Kind, sender_state: str, chosen: list[str]) -> list[str]:
    """The member states an alert goes to: a Professional Qualifications alert to every other
    EEA state; a Services Directive alert to the chosen ones and the Commission; a derogation
    to the provider's state and the Commission. Never the sender's own state."""
    if kind == PQ:
        states = [state for state in EEA_COUNTRIES if state != sender_state]
    else:
        states = [state for state in dict.fromkeys(chosen) if state != sender_state]
        states.append(COMMISSION)
    return sorted(set(states))


# --- the 3-day deadline -------------------------------------------------------------------


def pq_deadline(decision_date: date) -> datetime:
    """The end of the third day after the decision (UTC): the alert, or its modification or
    closure, is late from then on."""
    return datetime.combine(decision_date + timedelta(days=PQ_DAYS + 1), time(), UTC)


def overdue(deadline: datetime | None, done_at: datetime | None, now: datetime) -> bool:
    """Late: done after the deadline, or not done and the deadline has passed."""
    if deadline is None:
        return False
    return (done_at or now) >= deadline


# --- who is emailed -------------------------------------------------------------------------


# Steps every authority an alert reached is told of, by email and in its users' inboxes.
TOLD_RECIPIENTS = {
    Action.PROPOSE_CLOSURE: "email.alert_closure_proposed",
    Action.CLOSE: "email.alert_closed",
    Action.WITHDRAW: "email.alert_withdrawn",
    Action.MARK_UNJUSTIFIED: "email.alert_marked_unjustified",
}


def mailings(
    alert_id: str,
    facts: AlertFacts,
    after: Status,
    action: Action,
    new_recipients: tuple[str, ...] = (),
    actor_authority: str | None = None,
) -> list[Mailing]:
    """The emails a step causes: never any content of the alert, only a link.

    - submitted for approval: the alert authorisers of the sender's alert coordinators;
    - sent (directly or on approval): each receiving mailbox's alert authorisers (its alert
      coordinator) and its functional address;
    - disseminated: the alert handlers of each authority it now reaches, and their functional
      addresses;
    - closure proposed, closed, withdrawn, marked unjustified: every authority it reached,
      the alert handlers of the authorities it was disseminated to and the alert authorisers
      of the mailboxes (a draft withdrawn reached nobody); and the sender's alert handlers
      when someone else took the step (the Commission closed it, the sender's coordinator
      marked it unjustified).
    """
    area, link = facts.area, {"alert": alert_id}
    if action == Action.SEND and after == Status.AWAITING_APPROVAL:
        if not facts.coordinators:
            return []
        return [Mailing(
            "email.alert_approval_needed",
            Audience(tuple(sorted(facts.coordinators)), Right.ALERT_AUTHORISER, area),
            {"authority_name": {"authority": facts.sender_authority}, "link": link},
        )]  # fmt: skip
    if action in (Action.SEND, Action.APPROVE) and after == Status.SENT:
        return [
            Mailing(
                "email.alert_received",
                Audience((mailbox,), Right.ALERT_AUTHORISER, area, functional=True),
                {"member_state_name": {"member_state": state}, "link": link},
            )
            for state, mailbox in sorted(facts.mailboxes.items())
        ]
    if action == Action.DISSEMINATE:
        return [
            Mailing(
                "email.alert_disseminated",
                Audience((authority,), Right.ALERT_HANDLER, area, functional=True),
                {"authority_name": {"authority": authority}, "link": link},
            )
            for authority in new_recipients
        ]
    template = TOLD_RECIPIENTS.get(action)
    if template is None:
        return []
    mailboxes = set(facts.mailboxes.values())
    told = set(facts.recipients)
    if facts.recipients and actor_authority not in (None, facts.sender_authority):
        told.add(facts.sender_authority)
    return [
        Mailing(
            template,
            Audience(
                (authority,),
                Right.ALERT_AUTHORISER if authority in mailboxes else Right.ALERT_HANDLER,
                area,
            ),
            {"authority_name": {"authority": authority}, "link": link},
        )
        for authority in sorted(told)
    ]
