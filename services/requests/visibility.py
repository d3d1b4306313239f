"""Who sees what of a request (DOMAIN.md section 4, "Visibility"), as one table of party by
status.

Each cell is a view, or a named rule where the view depends on more than the status (whether
the request ever reached the responder, whether the responder accepted it, whether an authority
lets its coordinator see details to intervene). A user that is several parties gets the widest
of their views; a user that is none of them sees nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from services.common.actor import Actor
from services.requests.workflow_parties import Party, parties_of
from services.requests.workflow_state import RequestState, Status


class View(StrEnum):
    NONE = "none"
    MONITORING = "monitoring"
    FULL_WITHOUT_PERSONAL_DATA = "full_without_personal_data"
    FULL = "full"

    @property
    def rank(self) -> int:
        return RANKS[self]


RANKS = {view: number for number, view in enumerate(View)}  # narrowest first

# What each view shows, by group of fields; each view shows what the narrower ones show.
MONITORING_FIELDS = frozenset({"status", "dates", "parties"})
CONTENT_FIELDS = frozenset(
    {"questions", "answers", "comments", "attachments", "reply_date", "history"}
)
SHOWS: dict[View, frozenset[str]] = {
    View.NONE: frozenset(),
    View.MONITORING: MONITORING_FIELDS,
    View.FULL_WITHOUT_PERSONAL_DATA: MONITORING_FIELDS | CONTENT_FIELDS,
    View.FULL: MONITORING_FIELDS | CONTENT_FIELDS | {"subject"},
}


@dataclass(frozen=True)
class Rule:
    """A cell whose view depends on more than the status."""

    text: str
    view: Callable[[RequestState], View]


Cell = View | Rule

N, M, W, F = View.NONE, View.MONITORING, View.FULL_WITHOUT_PERSONAL_DATA, View.FULL

AS_ACCEPTED = Rule(
    "none if it never reached the responder; full once it accepted; else full without "
    "personal data",
    lambda state: N if not state.sent else F if state.responder_accepted else W,
)
WITHOUT_PERSONAL_DATA_IF_SENT = Rule(
    "full without personal data if it reached the responder, else none",
    lambda state: W if state.sent else N,
)
MONITORING_IF_SENT = Rule(
    "monitoring if it reached the responder, else none",
    lambda state: M if state.sent else N,
)
AS_THE_REQUESTER_ALLOWS = Rule(
    "full without personal data if the requesting authority lets its coordinator see details "
    "to intervene, else monitoring",
    lambda state: W if state.requester.coordinator_full_view else M,
)
AS_THE_RESPONDER_ALLOWS = Rule(
    "full without personal data if the responding authority lets its coordinator see details "
    "to intervene, else monitoring",
    lambda state: W if state.responder and state.responder.coordinator_full_view else M,
)
ACCEPTED, UNSENT_W, UNSENT_M = AS_ACCEPTED, WITHOUT_PERSONAL_DATA_IF_SENT, MONITORING_IF_SENT
BY_REQUESTER, BY_RESPONDER = AS_THE_REQUESTER_ALLOWS, AS_THE_RESPONDER_ALLOWS

S = Status
COLUMNS = (
    S.DRAFT, S.AWAITING_APPROVAL, S.SENT, S.ACCEPTED, S.PARTIALLY_ANSWERED, S.ANSWERED,
    S.ADDITIONAL_INFORMATION_REQUESTED, S.REFERRED, S.CLOSED, S.WITHDRAWN,
)  # fmt: skip

# fmt: off
VISIBILITY: dict[Party, tuple[Cell, ...]] = {
    # one cell per status, in the order of COLUMNS (draft ... withdrawn)
    Party.REQUESTING_HANDLER:     (F, F,            F, F, F, F, F, F,            F, F),
    Party.REQUESTING_ALLOCATOR:   (W, W,            W, W, W, W, W, W,            W, W),
    Party.REQUESTING_USER:        (M, M,            M, M, M, M, M, M,            M, M),
    Party.RESPONDING_HANDLER:     (N, N,            W, F, F, F, F, F,            F, ACCEPTED),
    Party.ALLOCATED_HANDLER:      (N, N,            W, F, F, F, F, F,            F, ACCEPTED),
    Party.UNALLOCATED_HANDLER:    (N, N,            W, F, F, F, F, F,            F, ACCEPTED),
    Party.RESPONDING_ALLOCATOR:   (N, N,            W, W, W, W, W, W,            W, UNSENT_W),
    Party.RESPONDING_USER:        (N, N,            M, M, M, M, M, M,            M, UNSENT_M),
    Party.REQUESTING_COORDINATOR: (N, BY_REQUESTER, M, M, M, M, M, BY_REQUESTER, M, UNSENT_M),
    Party.RESPONDING_COORDINATOR: (N, N,            M, M, M, M, M, BY_RESPONDER, M, UNSENT_M),
    Party.FORMER_RESPONDER:       (N, N,            N, N, N, N, N, N,            N, N),
}
# fmt: on


def party_view(party: Party, state: RequestState) -> View:
    cell = VISIBILITY[party][COLUMNS.index(state.status)]
    return cell.view(state) if isinstance(cell, Rule) else cell


def widest(views: list[View]) -> View:
    return max(views, key=lambda view: view.rank, default=View.NONE)


def view_of(actor: Actor, state: RequestState) -> View:
    """The view ``actor`` gets of the request in ``state``."""
    return widest([party_view(party, state) for party in parties_of(actor, state)])
