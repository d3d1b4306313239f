"""A small world of authorities and users for the workflow's unit and property tests: an
Italian requesting authority and Hungarian responders, their coordinators, and users with
each right in the area "pq" (Professional Qualifications)."""

from __future__ import annotations

from dataclasses import replace

from services.common.actor import Actor, Grant, Right
from services.requests.workflow import Action, apply, create_draft
from services.requests.workflow_state import AuthorityFacts, RequestState, Settings

AREA = "pq"
OTHER_AREA = "services"

IT_COORDINATOR = AuthorityFacts("it-coordinator", "IT")
HU_COORDINATOR = AuthorityFacts("hu-coordinator", "HU")
REQUESTER = AuthorityFacts("it-requester", "IT", coordinator_id=IT_COORDINATOR.id)
RESPONDER = AuthorityFacts("hu-responder", "HU", coordinator_id=HU_COORDINATOR.id)
OTHER_RESPONDER = AuthorityFacts("hu-other", "HU", coordinator_id=HU_COORDINATOR.id)
ALLOCATING = AuthorityFacts(
    "hu-allocating", "HU", uses_allocation=True, coordinator_id=HU_COORDINATOR.id
)
AUSTRIAN = AuthorityFacts("at-authority", "AT")
IT_OTHER = AuthorityFacts("it-other", "IT", coordinator_id=IT_COORDINATOR.id)
AUTHORITIES = (
    REQUESTER, IT_OTHER, IT_COORDINATOR, RESPONDER, OTHER_RESPONDER, ALLOCATING, HU_COORDINATOR,
    AUSTRIAN,
)  # fmt: skip


def user(authority: AuthorityFacts, name: str, *rights: Right, area: str | None = AREA) -> Actor:
    grants = frozenset(Grant(right, area) for right in rights)
    return Actor(f"{authority.id}/{name}", name, authority.id, authority.member_state, "en", grants)


def handler(authority: AuthorityFacts, name: str = "handler") -> Actor:
    return user(authority, name, Right.REQUEST_HANDLER)


def allocator(authority: AuthorityFacts) -> Actor:
    return user(authority, "allocator", Right.ALLOCATOR)


def basic_user(authority: AuthorityFacts) -> Actor:
    return user(authority, "basic", Right.BASIC_USER)


def lda(authority: AuthorityFacts) -> Actor:
    return user(authority, "lda", Right.LOCAL_DATA_ADMINISTRATOR, area=None)


def users_of(authority: AuthorityFacts) -> tuple[Actor, ...]:
    """Every kind of user an authority has: two handlers, an allocator, a basic user, an LDA,
    a handler of another area and one with every right in every area."""
    return (
        handler(authority),
        handler(authority, "second-handler"),
        allocator(authority),
        basic_user(authority),
        lda(authority),
        user(authority, "other-area-handler", Right.REQUEST_HANDLER, area=OTHER_AREA),
        user(authority, "everything", Right.REQUEST_HANDLER, Right.ALLOCATOR, area=None),
    )


EVERYONE = tuple(actor for authority in AUTHORITIES for actor in users_of(authority))


def draft(
    questions=(1, 2, 3, 4),
    responder: AuthorityFacts | None = RESPONDER,
    requester: AuthorityFacts = REQUESTER,
    **settings: bool,
) -> RequestState:
    return create_draft(
        handler(requester), "request-1", AREA, requester, Settings(**settings),
        questions=questions, responder=responder,
    ).new_state  # fmt: skip


def step(state: RequestState, action: Action, actor: Actor, **inputs) -> RequestState:
    return apply(state, action, actor, **inputs).new_state


def responder_of(state: RequestState) -> Actor:
    """A handler of the responder who may act on the request (allocating it first if needed)."""
    assert state.responder is not None
    return handler(state.responder)


def sent(**options) -> RequestState:
    state = draft(**options)
    return step(state, Action.SEND, handler(state.requester))


def accepted(**options) -> RequestState:
    state = sent(**options)
    return step(state, Action.ACCEPT, responder_of(state))


def answered(**options) -> RequestState:
    state = accepted(**options)
    return step(state, Action.SEND_FULL_REPLY, responder_of(state), questions=state.questions)


def with_responder(state: RequestState, **facts) -> RequestState:
    assert state.responder is not None
    return replace(state, responder=replace(state.responder, **facts))
