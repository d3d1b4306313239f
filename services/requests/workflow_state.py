"""The facts of one information request that its life cycle reads and changes (DOMAIN.md
section 4), as immutable values.

The requests service loads a ``RequestState`` from its tables, asks services.requests.workflow
what an action does to it and stores the state it gets back. Free texts (justifications,
reasons, opinions, feedback) and the subject's data are not part of it: the workflow checks that
they were given, the service keeps them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    SENT = "sent"
    ACCEPTED = "accepted"
    PARTIALLY_ANSWERED = "partially_answered"
    ANSWERED = "answered"
    ADDITIONAL_INFORMATION_REQUESTED = "additional_information_requested"
    REFERRED = "referred"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


FINAL_STATUSES = frozenset({Status.CLOSED, Status.WITHDRAWN})
OPEN_STATUSES = frozenset(Status) - FINAL_STATUSES


class Side(StrEnum):
    REQUESTER = "requester"
    RESPONDER = "responder"


class ReplyKind(StrEnum):
    PARTIAL = "partial"
    FULL = "full"
    ADDITIONAL = "additional"


@dataclass(frozen=True)
class AuthorityFacts:
    """What the workflow needs to know of the requesting or responding authority, read by the
    service from its copy of the directory when the authority becomes a party."""

    id: str
    member_state: str
    uses_allocation: bool = False
    coordinator_id: str | None = None  # its request coordinator for this request
    coordinator_full_view: bool = False  # it lets that coordinator see details to intervene


@dataclass(frozen=True)
class Settings:
    """Settings of the requester's member state, region and legislative area for this request."""

    approval_required: bool = False
    referral_enabled: bool = False
    forwarding_after_acceptance: bool = False


@dataclass(frozen=True)
class Reply:
    """A sent reply: the numbers of the questions it answers. Never changed once sent."""

    kind: ReplyKind
    questions: frozenset[int]


@dataclass(frozen=True)
class ReplyDate:
    """The reply date on the table: proposed by one side, agreed by the other or not yet.
    ``requested`` is the requester's own last proposal, which a new responder starts from."""

    date: datetime.date
    proposed_by: Side
    requested: datetime.date
    agreed: bool = False

    def pending_from(self, side: Side) -> bool:
        return not self.agreed and self.proposed_by == side


@dataclass(frozen=True)
class RequestState:
    id: str
    area: str
    requester: AuthorityFacts
    responder: AuthorityFacts | None = None
    status: Status = Status.DRAFT
    questions: frozenset[int] = frozenset()
    settings: Settings = Settings()
    sent: bool = False  # it has reached a responder
    responder_accepted: bool = False  # the current responder has accepted it
    former_responders: frozenset[str] = frozenset()
    allocated_handlers: frozenset[str] = frozenset()
    replies: tuple[Reply, ...] = ()
    additional_information_questions: frozenset[int] = frozenset()
    reply_date: ReplyDate | None = None
    linked_from: str | None = None
    linked_requests: tuple[str, ...] = ()
    feedback_from: frozenset[str] = frozenset()

    @property
    def answered_questions(self) -> frozenset[int]:
        """Questions answered by a sent partial or full reply."""
        return frozenset().union(
            *(reply.questions for reply in self.replies if reply.kind != ReplyKind.ADDITIONAL)
        )

    @property
    def open_questions(self) -> frozenset[int]:
        return self.questions - self.answered_questions
