"""Property-based tests of the request life cycle: Hypothesis drives random sequences of
actions, by random users of every authority, with fitting and unfitting inputs, and after every
step checks that nothing reached a status or a view the rules forbid.

The views are checked against an entitlement written here from DOMAIN.md section 4, from what
the test itself saw happen (was the request sent, did the current responder accept it, who
forwarded it), not from the state's own flags or the visibility table. A seeded walk of the
same machine shows that the random sequences do reach every row of the table.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from services.common.actor import Actor, Right
from services.common.errors import Conflict, Forbidden, ImiError, ValidationFailed
from services.requests.visibility import View, view_of
from services.requests.workflow import (
    EVENTS,
    TRANSITIONS,
    Action,
    actions_for,
    apply,
    create_draft,
    rows_of,
    transition_for,
)
from services.requests.workflow_doc import GENERAL_REFUSALS, requirements
from services.requests.workflow_parties import parties_of
from services.requests.workflow_state import (
    FINAL_STATUSES,
    ReplyKind,
    RequestState,
    Settings,
    Status,
)
from tests.requests.workflow_world import (
    ALLOCATING,
    AREA,
    AUTHORITIES,
    EVERYONE,
    IT_OTHER,
    OTHER_RESPONDER,
    REQUESTER,
    RESPONDER,
)

T = TypeVar("T")
F, W, M, N = View.FULL, View.FULL_WITHOUT_PERSONAL_DATA, View.MONITORING, View.NONE
ERROR_OF_CODE: dict[str, type[ImiError]] = {code: error for code, error, _ in GENERAL_REFUSALS}
ERROR_OF_CODE |= {requirement.code: requirement.error for requirement in requirements()}
ACTIONS = sorted(set(Action) - {Action.CREATE_DRAFT})
TEXTS = ("", "   ", "See question 2: the register says otherwise.")
DATES = (None, datetime.date(2030, 5, 1), datetime.date(2030, 6, 1))
AFTER_THE_FULL_REPLY = {
    Status.ANSWERED, Status.ADDITIONAL_INFORMATION_REQUESTED, Status.REFERRED, Status.CLOSED,
}  # fmt: skip
REPLIES = {
    Action.SEND_PARTIAL_REPLY: ReplyKind.PARTIAL,
    Action.SEND_FULL_REPLY: ReplyKind.FULL,
    Action.PROVIDE_ADDITIONAL_INFORMATION: ReplyKind.ADDITIONAL,
}


class Chooser(Protocol):
    """Where the machine's choices come from: Hypothesis's draws, or a seeded random."""

    def pick(self, options: Sequence[T]) -> T: ...

    def subset(self, options: Sequence[T]) -> frozenset[T]: ...

    def flip(self) -> bool: ...

    def likely(self) -> bool:
        """True three times in four."""


class Drawn:
    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def pick(self, options: Sequence[T]) -> T:
        return self.data.draw(st.sampled_from(list(options)))

    def subset(self, options: Sequence[T]) -> frozenset[T]:
        if not options:
            return frozenset()
        return frozenset(self.data.draw(st.sets(st.sampled_from(list(options)))))

    def flip(self) -> bool:
        return self.data.draw(st.booleans())

    def likely(self) -> bool:
        return self.data.draw(st.integers(0, 3)) < 3


class Seeded:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, options: Sequence[T]) -> T:
        return self.rng.choice(list(options))

    def subset(self, options: Sequence[T]) -> frozenset[T]:
        return frozenset(option for option in options if self.rng.random() < 0.5)

    def flip(self) -> bool:
        return self.rng.random() < 0.5

    def likely(self) -> bool:
        return self.rng.random() < 0.75


@dataclass
class Seen:
    """What the test saw happen to one request, independently of the state's own flags."""

    sent: bool = False
    accepted_by: str | None = None
    forwarders: set[str] = field(default_factory=set)
    events: list[str] = field(default_factory=list)


class RequestLifeCycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.requests: dict[str, RequestState] = {}
        self.seen: dict[str, Seen] = {}
        self.authorities = AUTHORITIES
        self.applied: set[tuple[Action, Status]] = set()
        self.reached: set[Status] = set()

    # --- Driving ----------------------------------------------------------------------------

    def create(self, chooser: Chooser) -> None:
        """One request, with random settings, authorities' options and questions."""
        self.authorities = tuple(
            replace(authority, coordinator_full_view=chooser.flip()) for authority in AUTHORITIES
        )
        facts = {authority.id: authority for authority in self.authorities}
        options = Settings(chooser.flip(), chooser.flip(), chooser.flip())
        responder = facts[
            chooser.pick([RESPONDER.id, OTHER_RESPONDER.id, ALLOCATING.id, IT_OTHER.id])
        ]
        questions = chooser.subset(range(1, 6)) | {1}
        outcome = create_draft(
            chooser.pick([actor for actor in EVERYONE if actor.authority_id == REQUESTER.id
                          and actor.has_right(Right.REQUEST_HANDLER, AREA)]),
            "request-1", AREA, facts[REQUESTER.id], options,
            questions=questions, responder=responder,
        )  # fmt: skip
        assert outcome.event_name == "request_created"
        self.requests[outcome.new_state.id] = outcome.new_state
        self.seen[outcome.new_state.id] = Seen(events=[outcome.event_name])
        self.reached.add(Status.DRAFT)

    def act(self, chooser: Chooser) -> None:
        """One action on one request by one user: mostly one the user is offered, with inputs
        that fit it; sometimes anything at all."""
        state = self.requests[chooser.pick(sorted(self.requests))]
        offered = {actor: actions_for(actor, state) for actor in EVERYONE}
        actions = set().union(*offered.values())
        if actions and chooser.likely():
            if len(actions) > 1 and chooser.likely():
                actions.discard(Action.WITHDRAW)  # it ends the walk: take it less often
            action = chooser.pick(sorted(actions))
            actor = chooser.pick([actor for actor, its in offered.items() if action in its])
        else:
            actor, action = chooser.pick(EVERYONE), chooser.pick(ACTIONS)
        inputs = self.inputs_for(chooser, action, state)
        try:
            outcome = apply(state, action, actor, **inputs)
        except (Forbidden, Conflict, ValidationFailed) as error:
            refusal = error
        else:
            self.check_transition(state, action, actor, inputs, outcome)
            self.record(state, action, outcome)
            return
        assert type(refusal) is ERROR_OF_CODE[refusal.code], refusal.code

    def inputs_for(self, chooser: Chooser, action: Action, state: RequestState) -> dict:
        names = sorted({name for row in rows_of(action) for name in row.inputs})
        inputs: dict[str, Any] = {}
        for name in names:
            if name != "linked_request_id" and not chooser.likely() and chooser.flip():
                continue  # left out (the service always passes the id of a split's request)
            inputs[name] = self.value_for(chooser, name, action, state)
        return inputs

    def value_for(self, chooser: Chooser, name: str, action: Action, state: RequestState):
        if name == "questions":
            if not chooser.likely():
                return chooser.subset(range(0, 8))
            if action == Action.SEND_FULL_REPLY:
                return state.open_questions
            if action == Action.SEND_PARTIAL_REPLY:
                return chooser.subset(sorted(state.open_questions))
            return chooser.subset(sorted(state.questions)) or frozenset(sorted(state.questions)[:1])
        if name == "to":
            fitting = [
                authority for authority in self.authorities
                if state.responder and authority.member_state == state.responder.member_state
                and authority.id not in {state.responder.id, state.requester.id}
            ]  # fmt: skip
            return chooser.pick(fitting if fitting and chooser.likely() else self.authorities)
        if name == "responder":
            return chooser.pick([None, *self.authorities])
        if name == "linked_request_id":
            return f"request-{len(self.requests) + 1}"
        if name == "date":
            return chooser.pick(DATES[1:] if chooser.likely() else DATES)
        if name == "handlers":
            responder = state.responder.id if state.responder else ""
            return chooser.subset(
                [actor.user_id for actor in EVERYONE if actor.authority_id == responder]
            )
        return TEXTS[-1] if chooser.likely() else chooser.pick(TEXTS)

    # --- Checks of one applied action -------------------------------------------------------

    def check_transition(self, state, action, actor, inputs, outcome) -> None:
        row = transition_for(action, state.status)
        new = outcome.new_state
        assert row is not None, "an action the table has no row for was applied"
        assert parties_of(actor, state) & row.who, "a party the row does not name acted"
        assert outcome.event_name == row.event
        assert outcome.event_name in EVENTS
        assert new.id == state.id
        assert new.status == (row.target or state.status)
        if state.status in FINAL_STATUSES:
            assert action == Action.GIVE_FEEDBACK
            assert new.status == Status.CLOSED
        # sent replies are never edited: the new replies extend the old ones
        assert new.replies[: len(state.replies)] == state.replies
        added = new.replies[len(state.replies) :]
        assert len(added) == (1 if action in REPLIES else 0)
        if added:
            assert added[0].kind == REPLIES[action]
            assert added[0].questions == frozenset(inputs.get("questions") or ())
        if (
            state.responder is not None
            and state.responder.uses_allocation
            and actor.authority_id == state.responder.id
            and action not in (Action.ALLOCATE, Action.GIVE_FEEDBACK)
        ):
            assert actor.user_id in state.allocated_handlers, "an unallocated handler acted"
        if action == Action.SPLIT:
            self.check_split(state, new, outcome.linked_request, frozenset(inputs["questions"]))
        else:
            assert outcome.linked_request is None

    def check_split(self, before, kept, linked, forwarded) -> None:
        assert linked is not None
        assert linked.id not in self.requests
        assert linked.questions == forwarded
        assert kept.questions | linked.questions == before.questions
        assert not kept.questions & linked.questions
        assert kept.questions
        assert linked.status == Status.SENT
        assert linked.linked_from == before.id
        assert linked.id in kept.linked_requests
        assert linked.requester == before.requester
        assert linked.responder.member_state == before.responder.member_state

    def record(self, state: RequestState, action: Action, outcome) -> None:
        new, seen = outcome.new_state, self.seen[state.id]
        seen.events.append(outcome.event_name)
        if outcome.event_name in ("request_sent", "request_approved"):
            seen.sent = True
        if outcome.event_name in ("request_accepted", "request_split"):
            seen.accepted_by = state.responder.id
        if outcome.event_name == "request_forwarded":
            seen.forwarders.add(state.responder.id)
            seen.accepted_by = None
        if outcome.linked_request is not None:
            linked = outcome.linked_request
            self.requests[linked.id] = linked
            self.seen[linked.id] = Seen(sent=True, events=[])
        self.requests[state.id] = new
        self.applied.add((action, state.status))
        self.reached.add(new.status)

    # --- Invariants over every request and every user ---------------------------------------

    def check_requests(self) -> None:
        for request_id, state in self.requests.items():
            seen = self.seen[request_id]
            assert state.responder is None or state.responder.id != state.requester.id
            assert state.responder is None or state.responder.id not in state.former_responders
            assert state.former_responders == seen.forwarders
            assert state.responder_accepted == (
                state.responder is not None and seen.accepted_by == state.responder.id
            )
            if seen.sent:
                assert state.questions
            if state.status in AFTER_THE_FULL_REPLY:
                assert not state.open_questions
            for actor in EVERYONE:
                self.check_view(actor, state, seen)

    def check_view(self, actor: Actor, state: RequestState, seen: Seen) -> None:
        view = view_of(actor, state)
        assert view.rank <= entitlement(actor, state, seen).rank, (actor.username, view)
        own = actor.authority_id
        handler = actor.has_right(Right.REQUEST_HANDLER, AREA)
        if own in seen.forwarders and own not in _coordinators(state):
            assert view == N, "a forwarder sees the request again"
        if own == state.requester.id and handler:
            assert view == F
        if state.responder and own == state.responder.id and handler and seen.sent:
            assert view == (F if seen.accepted_by == own else W)

    # --- Hypothesis's rules -----------------------------------------------------------------

    @initialize(data=st.data())
    def start(self, data) -> None:
        self.create(Drawn(data))

    @rule(data=st.data())
    def step(self, data) -> None:
        self.act(Drawn(data))

    @invariant()
    def nothing_forbidden_is_reached(self) -> None:
        self.check_requests()


def _coordinators(state: RequestState) -> set[str | None]:
    return {state.requester.coordinator_id, state.responder and state.responder.coordinator_id}


def entitlement(actor: Actor, state: RequestState, seen: Seen) -> View:
    """The widest view DOMAIN.md section 4 allows ``actor``, from what the test saw."""
    own = actor.authority_id
    handler = actor.has_right(Right.REQUEST_HANDLER, AREA)
    allocator = actor.has_right(Right.ALLOCATOR, AREA)
    views = [N]
    if own == state.requester.id:
        views.append(F if handler else W if allocator else M)
    if state.responder is not None and own == state.responder.id and seen.sent:
        accepted = seen.accepted_by == own
        views.append(F if handler and accepted else W if handler or allocator else M)
    if handler and own == state.requester.coordinator_id and state.status != Status.DRAFT:
        intervening = state.status in (Status.AWAITING_APPROVAL, Status.REFERRED)
        views.append(W if intervening and state.requester.coordinator_full_view else M)
    if handler and state.responder is not None and own == state.responder.coordinator_id:
        intervening = state.status == Status.REFERRED and state.responder.coordinator_full_view
        views.append((W if intervening else M) if seen.sent else N)
    return max(views, key=lambda view: view.rank)


RequestLifeCycle.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestRequestLifeCycle = RequestLifeCycle.TestCase


def test_seeded_walks_reach_every_status_and_take_every_row_of_the_table():
    machine_runs = []
    rng = random.Random(20110801)
    for _ in range(500):
        machine = RequestLifeCycle()
        chooser = Seeded(rng)
        machine.create(chooser)
        for _ in range(40):
            machine.act(chooser)
        machine.check_requests()
        machine_runs.append(machine)
    applied = set().union(*(machine.applied for machine in machine_runs))
    reached = set().union(*(machine.reached for machine in machine_runs))
    assert reached == set(Status)
    expected = {
        (row.action, status)
        for row in TRANSITIONS
        if row.action != Action.CREATE_DRAFT
        for status in row.sources
    }
    assert expected - applied == set()
