"""Pure rules of the notifications service: which event becomes which email to whom, when a
failed delivery is tried again, and how a template's placeholders are filled. No I/O."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from services.common.actor import Right

TEMPLATE_PREFIX = "email."
# The first retry after a failed delivery; each next one waits twice as long, up to the cap.
FIRST_RETRY = timedelta(seconds=30)
RETRY_CAP = timedelta(minutes=15)
# A message the mail server still refuses after this long is given up and logged as failed;
# a mail server down for an hour costs a delay, never a message.
GIVE_UP_AFTER = timedelta(days=2)
# How long a replica may hold a message it is sending before another takes it again (a
# replica killed mid-send): far longer than one SMTP conversation may last.
SENDING_LEASE = timedelta(minutes=2)
# SMTP replies that mean the server will never take this message (RFC 5321, 5yz).
PERMANENT_CODES = range(500, 600)
STATUS_LIST = "requests.list.request_statuses"


class MailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class JobStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"


class Outcome(StrEnum):
    """What one delivery attempt came to, as the delivery log records it."""

    ACCEPTED = "accepted"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    GIVEN_UP = "given_up"


@dataclass(frozen=True)
class Backoff:
    """Retries that wait twice as long each time, up to a cap, until a deadline after the
    first try."""

    first: timedelta
    cap: timedelta
    give_up_after: timedelta

    def delay(self, attempts: int) -> timedelta:
        """The pause after the ``attempts``-th failed attempt (1, 2, …)."""
        return min(self.first * (2 ** max(attempts - 1, 0)), self.cap)

    def next_try(self, created_at: datetime, attempts: int, now: datetime) -> datetime | None:
        """When to try again after a transient failure, or None once it is given up."""
        if now - created_at >= self.give_up_after:
            return None
        return now + self.delay(attempts)


# emails (and the mailings they are addressed from): 30 s, 1 min, 2 min, …, at most 15 min
# apart, for two days
MAIL_BACKOFF = Backoff(FIRST_RETRY, RETRY_CAP, GIVE_UP_AFTER)
retry_delay = MAIL_BACKOFF.delay
next_try = MAIL_BACKOFF.next_try


def is_permanent(smtp_code: int | None) -> bool:
    return smtp_code is not None and smtp_code in PERMANENT_CODES


# --- who is told what ----------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """The people of some authorities that one email is meant for: those with ``right`` (in
    ``area``, when one is given), and the authority's functional address when ``functional``."""

    authority_ids: tuple[str, ...]
    right: Right
    area: str | None = None
    functional: bool = False

    def as_dict(self) -> dict:
        return {
            "authority_ids": list(self.authority_ids),
            "right": self.right.value,
            "area": self.area,
            "functional": self.functional,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Audience:
        return cls(
            tuple(data["authority_ids"]), Right(data["right"]), data.get("area"),
            bool(data.get("functional")),
        )  # fmt: skip


@dataclass(frozen=True)
class Mailing:
    """One email to send to an audience: its template and its placeholders (typed values
    that the renderer resolves in each reader's language, see ``fill``)."""

    template: str
    audience: Audience
    params: dict = field(default_factory=dict)


# Transitions after which the other party hears of the new status (DOMAIN.md section 4).
STATUS_CHANGES = frozenset({
    "request_accepted", "request_split", "reply_sent", "additional_information_requested",
    "additional_information_declined", "additional_information_provided", "request_closed",
    "request_referred", "referral_opinion_given", "request_withdrawn",
})  # fmt: skip
# A request arriving at a responder: sent, sent after approval, forwarded to it.
ARRIVALS = frozenset({"request_sent", "request_approved", "request_forwarded"})
ADDITIONS = frozenset({"comment_added", "attachment_added"})


def request_mailings(event_type: str, data: dict) -> list[Mailing]:
    """The emails a requests event causes (DOMAIN.md section 4, "Notifications"): never any
    content of the request, only who it is between, its status and a link."""
    request_id, area = data["request_id"], data["area"]
    requester, responder = data["requesting_authority"], data.get("responding_authority")
    link = {"request": request_id}
    mailings = []
    if event_type in ARRIVALS and responder:
        mailings.append(
            Mailing(
                "email.request_received",
                Audience((responder,), Right.REQUEST_HANDLER, area, functional=True),
                {"authority_name": {"authority": responder}, "link": link},
            )
        )
    if event_type in STATUS_CHANGES:
        for party in _other_parties(data, requester, responder):
            mailings.append(
                Mailing(
                    "email.request_status_changed",
                    Audience((party,), Right.REQUEST_HANDLER, area),
                    {
                        "authority_name": {"authority": party},
                        "status": {"label": f"{STATUS_LIST}.{data['status']}"},
                        "link": link,
                    },
                )
            )
    if event_type in ADDITIONS:
        for party in _other_parties(data, requester, responder):
            mailings.append(
                Mailing(
                    "email.request_comment_added",
                    Audience((party,), Right.REQUEST_HANDLER, area),
                    {"authority_name": {"authority": party}, "link": link},
                )
            )
    return mailings


# the events that need the intervention of coordinators, and the email that tells them
COORDINATOR_TEMPLATES = {
    "request_submitted_for_approval": "email.request_approval_needed",
    "request_referred": "email.request_referred",
}


def coordinator_mailing(event_type: str, data: dict, coordinators: list[str]) -> Mailing | None:
    """The email to the coordinators an event needs the intervention of (approval, referral):
    coordinators are told only where they must act (DOMAIN.md section 4)."""
    template = COORDINATOR_TEMPLATES.get(event_type)
    if template is None or not coordinators:
        return None
    return Mailing(
        template,
        Audience(tuple(sorted(set(coordinators))), Right.REQUEST_HANDLER, data["area"]),
        {"authority_name": {"authority": data["requesting_authority"]},
         "link": {"request": data["request_id"]}},
    )  # fmt: skip


def _other_parties(data: dict, requester: str, responder: str | None) -> list[str]:
    """The party that did not act; both parties when a coordinator acted (an opinion)."""
    actor = data.get("actor_authority")
    parties = [party for party in (requester, responder) if party]
    return [party for party in parties if party != actor]


# --- filling a template --------------------------------------------------------------------


class _Keep(dict):
    """A placeholder without a value stays as it is written, rather than failing the email."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with its ``{placeholders}`` replaced; braces of any other kind are left alone."""
    formatter = string.Formatter()
    try:
        parsed = list(formatter.parse(text))
    except ValueError:
        return text
    known = _Keep(values)
    out = []
    for literal, name, _spec, _conversion in parsed:
        out.append(literal)
        if name is not None:
            out.append(str(known[name]) if name.isidentifier() else "{" + name + "}")
    return "".join(out)


# --- webhooks -------------------------------------------------------------------------------

WEBHOOK_FIRST_RETRY = timedelta(seconds=10)
WEBHOOK_RETRY_CAP = timedelta(hours=1)
# A delivery its subscriber has not taken for this long goes to the dead letters, where it
# holds back the later events of its subject until an operator re-drives or discards it.
WEBHOOK_DEAD_AFTER = timedelta(hours=24)
WEBHOOK_LEASE = timedelta(seconds=60)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    DEAD = "dead"
    DISCARDED = "discarded"


# Deliveries that hold back the later ones of their subject.
UNFINISHED = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value, DeliveryStatus.DEAD.value)


# webhook deliveries: 10 s, 20 s, 40 s, …, at most an hour apart, for a day, then the dead
# letters
WEBHOOK_BACKOFF = Backoff(WEBHOOK_FIRST_RETRY, WEBHOOK_RETRY_CAP, WEBHOOK_DEAD_AFTER)
webhook_retry = WEBHOOK_BACKOFF.next_try


def webhook_url_problem(url: str, allow_loopback_http: bool) -> str | None:
    """Why ``url`` cannot receive deliveries, or None: HTTPS only (plain HTTP to this machine
    only where the configuration allows it, for development), no credentials in it."""
    try:
        parsed = urlsplit(url)
    except ValueError:  # brackets of an IPv6 address not closed, or not around one
        return "an absolute https:// URL is expected"
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        return "an absolute https:// URL is expected"
    if parsed.username or parsed.password:
        return "credentials in the URL are not accepted"
    if parsed.scheme == "http" and not (allow_loopback_http and parsed.hostname in LOOPBACK_HOSTS):
        return "deliveries go over https only"
    return None
