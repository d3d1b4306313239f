"""Who an actor is to one request: its parties, from its rights in the request's legislative
area and from which authorities the request names (DOMAIN.md sections 1 and 4).

A user can be several parties at once (a request handler who is also an allocator); the
workflow lets it act when any of them may, and shows it the widest view any of them gets.
"""

from __future__ import annotations

from enum import StrEnum

from services.common.actor import Actor, Right
from services.requests.workflow_state import RequestState, Side


class Party(StrEnum):
    REQUESTING_HANDLER = "requesting_handler"
    REQUESTING_ALLOCATOR = "requesting_allocator"
    REQUESTING_USER = "requesting_user"
    RESPONDING_HANDLER = "responding_handler"
    ALLOCATED_HANDLER = "allocated_handler"
    UNALLOCATED_HANDLER = "unallocated_handler"
    RESPONDING_ALLOCATOR = "responding_allocator"
    RESPONDING_USER = "responding_user"
    REQUESTING_COORDINATOR = "requesting_coordinator"
    RESPONDING_COORDINATOR = "responding_coordinator"
    FORMER_RESPONDER = "former_responder"


DESCRIPTIONS = {
    Party.REQUESTING_HANDLER: "a request handler of the requesting authority",
    Party.REQUESTING_ALLOCATOR: "an allocator of the requesting authority",
    Party.REQUESTING_USER: "any user of the requesting authority (basic user, LDA, …)",
    Party.RESPONDING_HANDLER: (
        "a request handler of the responding authority, which does not work with allocation"
    ),
    Party.ALLOCATED_HANDLER: (
        "a request handler of the responding authority, which works with allocation, "
        "allocated to this request"
    ),
    Party.UNALLOCATED_HANDLER: (
        "a request handler of the responding authority, which works with allocation, "
        "not allocated to this request (reads, does not act)"
    ),
    Party.RESPONDING_ALLOCATOR: "an allocator of the responding authority",
    Party.RESPONDING_USER: "any user of the responding authority (basic user, LDA, …)",
    Party.REQUESTING_COORDINATOR: (
        "a request handler of the requesting authority's request coordinator"
    ),
    Party.RESPONDING_COORDINATOR: (
        "a request handler of the responding authority's request coordinator"
    ),
    Party.FORMER_RESPONDER: "any user of an authority that forwarded the request on",
}

# The parties that act for the responding authority: the responder's handlers where it does
# not work with allocation, else only the allocated ones.
ACTING_RESPONDERS = frozenset({Party.RESPONDING_HANDLER, Party.ALLOCATED_HANDLER})
RESPONDING_HANDLERS = ACTING_RESPONDERS | {Party.UNALLOCATED_HANDLER}


def parties_of(actor: Actor, state: RequestState) -> frozenset[Party]:
    """Every party ``actor`` is to the request in ``state``; empty for an outsider."""
    handler = actor.has_right(Right.REQUEST_HANDLER, state.area)
    allocator = actor.has_right(Right.ALLOCATOR, state.area)
    own = actor.authority_id
    responder = state.responder
    parties: set[Party] = set()
    if own == state.requester.id:
        parties.add(Party.REQUESTING_USER)
        parties |= {Party.REQUESTING_HANDLER} if handler else set()
        parties |= {Party.REQUESTING_ALLOCATOR} if allocator else set()
    if responder is not None and own == responder.id:
        parties.add(Party.RESPONDING_USER)
        parties |= {_responding_handler(actor, state)} if handler else set()
        parties |= {Party.RESPONDING_ALLOCATOR} if allocator else set()
    if handler and own == state.requester.coordinator_id:
        parties.add(Party.REQUESTING_COORDINATOR)
    if handler and responder is not None and own == responder.coordinator_id:
        parties.add(Party.RESPONDING_COORDINATOR)
    if own in state.former_responders:
        parties.add(Party.FORMER_RESPONDER)
    return frozenset(parties)


def _responding_handler(actor: Actor, state: RequestState) -> Party:
    assert state.responder is not None
    if not state.responder.uses_allocation:
        return Party.RESPONDING_HANDLER
    if actor.user_id in state.allocated_handlers:
        return Party.ALLOCATED_HANDLER
    return Party.UNALLOCATED_HANDLER


def side_of(parties: frozenset[Party]) -> Side | None:
    """The side a handler acts for: the requester's, the responder's, or None."""
    if Party.REQUESTING_HANDLER in parties:
        return Side.REQUESTER
    if parties & ACTING_RESPONDERS:
        return Side.RESPONDER
    return None
