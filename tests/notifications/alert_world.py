"""A small world for the alert rules' unit tests: an Italian sending authority and its alert
coordinator, the German and Commission incoming alert mailboxes, a German authority the German
mailbox disseminates to, an Austrian outsider, and users with each alert right."""

from __future__ import annotations

from dataclasses import replace

from services.common.actor import Actor, Grant, Right
from services.notifications.alerts import AlertFacts, Kind, Status

SD_AREA, PQ_AREA = "services", "professional_qualifications"
SENDER, IT_COORDINATOR = "it-sender", "it-coordinator"
DE_MAILBOX, EU_MAILBOX, DE_AUTHORITY, AT_AUTHORITY = (
    "de-mailbox",
    "eu-mailbox",
    "de-auth",
    "at-auth",
)
STATES = {SENDER: "IT", IT_COORDINATOR: "IT", DE_MAILBOX: "DE", EU_MAILBOX: "EU", "fr-auth": "FR",
          DE_AUTHORITY: "DE", AT_AUTHORITY: "AT"}  # fmt: skip


def user(authority: str, *rights: Right, area: str | None = SD_AREA) -> Actor:
    grants = frozenset(Grant(right, area) for right in rights)
    name = "-".join(right.value for right in rights)
    return Actor(f"{authority}/{name}", name, authority, STATES[authority], "en", grants)


def handler(authority: str, area: str = SD_AREA) -> Actor:
    return user(authority, Right.ALERT_HANDLER, area=area)


def authoriser(authority: str, area: str = SD_AREA) -> Actor:
    return user(authority, Right.ALERT_AUTHORISER, area=area)


def basic(authority: str) -> Actor:
    return user(authority, Right.BASIC_USER)


def draft(kind: Kind = Kind.SERVICES, **changes) -> AlertFacts:
    facts = AlertFacts(kind, Status.DRAFT, SENDER, "IT", coordinators=frozenset({IT_COORDINATOR}))
    return replace(facts, **changes)


def awaiting(kind: Kind = Kind.SERVICES) -> AlertFacts:
    return draft(kind, status=Status.AWAITING_APPROVAL, approval_required=True)


def sent(kind: Kind = Kind.SERVICES, **changes) -> AlertFacts:
    mailboxes = {"DE": DE_MAILBOX, "EU": EU_MAILBOX}
    if kind == Kind.PROFESSIONAL_QUALIFICATIONS:
        mailboxes = {"DE": DE_MAILBOX}
    return draft(kind, status=Status.SENT, mailboxes=mailboxes,
                 routed=frozenset({DE_AUTHORITY}), **changes)  # fmt: skip


def closure_proposed() -> AlertFacts:
    return replace(sent(), status=Status.CLOSURE_PROPOSED)
