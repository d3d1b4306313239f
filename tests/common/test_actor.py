"""The actor every call carries: its wire form and the questions asked of it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.actor import Actor, ActorSchema, Grant, Right, dump_actor, load_actor
from services.common.errors import Forbidden, ValidationFailed
from services.common.schemas import load

HANDLER_IN_SERVICES = Grant(Right.REQUEST_HANDLER, "services")
ALLOCATOR_EVERYWHERE = Grant(Right.ALLOCATOR)


def an_actor(*grants: Grant, **changes) -> Actor:
    fields = {
        "user_id": "u-1",
        "username": "mmuster",
        "authority_id": "a-17",
        "member_state": "DE",
        "language": "de",
        "grants": frozenset(grants),
        "session_id": "s-9",
    }
    return Actor(**{**fields, **changes})


def test_an_actor_survives_the_round_trip_through_its_wire_form():
    actor = an_actor(HANDLER_IN_SERVICES, ALLOCATOR_EVERYWHERE)

    wire = dump_actor(actor)

    assert load_actor(wire) == actor
    assert sorted(wire["grants"], key=lambda grant: grant["right"]) == [
        {"right": "allocator", "area": None},
        {"right": "request_handler", "area": "services"},
    ]


def test_loading_fills_the_defaults_of_language_grants_and_session():
    actor = load_actor(
        {"user_id": "u-1", "username": "mmuster", "authority_id": "a-17", "member_state": "DE"}
    )

    assert actor.language == "en"
    assert actor.grants == frozenset()
    assert actor.session_id is None


def test_a_right_held_in_one_area_counts_there_and_not_in_another():
    actor = an_actor(HANDLER_IN_SERVICES)

    assert actor.has_right(Right.REQUEST_HANDLER, "services")
    assert not actor.has_right(Right.REQUEST_HANDLER, "professional_qualifications")


def test_a_right_held_without_an_area_counts_in_every_area():
    actor = an_actor(ALLOCATOR_EVERYWHERE)

    assert actor.has_right(Right.ALLOCATOR, "services")
    assert actor.has_right(Right.ALLOCATOR, "professional_qualifications")
    assert actor.has_right(Right.ALLOCATOR)


def test_asking_without_an_area_finds_a_right_held_in_any_area():
    actor = an_actor(HANDLER_IN_SERVICES)

    assert actor.has_right(Right.REQUEST_HANDLER)
    assert not actor.has_right(Right.ALERT_HANDLER)


def test_the_rights_of_an_actor_are_listed_once_each():
    actor = an_actor(HANDLER_IN_SERVICES, Grant(Right.REQUEST_HANDLER, "posting"))

    assert actor.rights == frozenset({Right.REQUEST_HANDLER})


def test_require_passes_silently_when_the_right_is_held():
    an_actor(HANDLER_IN_SERVICES).require(Right.REQUEST_HANDLER, "services")


def test_require_raises_forbidden_naming_the_missing_right():
    actor = an_actor(HANDLER_IN_SERVICES)

    with pytest.raises(Forbidden) as caught:
        actor.require(Right.REQUEST_HANDLER, "posting")

    error = caught.value
    assert error.code == "error.right_missing"
    assert error.extra == {"right": "request_handler"}
    assert "request_handler" in error.detail
    assert error.status == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"member_state": "DEU"}, "member_state"),
        ({"user_id": ""}, "user_id"),
        ({"language": "x"}, "language"),
        ({"grants": [{"right": "emperor"}]}, "grants"),
        ({"grants": [{"right": "allocator", "area": ""}]}, "grants"),
        ({"shoe_size": 44}, "shoe_size"),
    ],
)
def test_an_actor_with_a_bad_field_is_refused_naming_it(change, field):
    wire = {**dump_actor(an_actor(HANDLER_IN_SERVICES)), **change}

    with pytest.raises(ValidationFailed) as caught:
        load_actor(wire)

    assert field in caught.value.extra["errors"]


def test_an_actor_missing_its_user_is_refused():
    wire = dump_actor(an_actor())
    del wire["user_id"]

    with pytest.raises(ValidationFailed) as caught:
        load_actor(wire)

    assert caught.value.extra["errors"] == {"user_id": ["Missing data for required field."]}


junk = st.one_of(st.text(max_size=70), st.integers(), st.none(), st.binary(max_size=4))


def mostly(valid):
    """Values that are usually valid, so that both verdicts are exercised."""
    return st.one_of(valid, valid, valid, junk)


ids = st.text(min_size=1, max_size=64)
wire_grants = st.lists(
    mostly(
        st.fixed_dictionaries(
            {"right": mostly(st.sampled_from([r.value for r in Right]))},
            optional={"area": mostly(st.one_of(st.none(), ids)), "extra": junk},
        )
    ),
    max_size=3,
)
wire_actors = st.fixed_dictionaries(
    {
        "user_id": mostly(ids),
        "username": mostly(ids),
        "authority_id": mostly(ids),
        "member_state": mostly(st.sampled_from(["DE", "EU"])),
    },
    optional={
        "language": mostly(st.sampled_from(["de", "mt", "fil"])),
        "grants": mostly(wire_grants),
        "session_id": mostly(st.one_of(st.none(), ids)),
        "shoe_size": junk,
    },
)


def schema_verdict(wire):
    try:
        return load(ActorSchema, wire)
    except ValidationFailed:
        return "refused"


@given(wire_actors)
def test_the_quick_actor_check_agrees_with_the_schema(wire):
    try:
        quick = load_actor(wire)
    except ValidationFailed:
        quick = "refused"

    assert quick == schema_verdict(wire)


@pytest.mark.parametrize("area", ["PQ\x1e", "\n", "a\x7fb"])
def test_an_area_with_a_control_character_is_refused(area):
    wire = {"user_id": "u", "username": "n", "authority_id": "a", "member_state": "DE",
            "grants": [{"right": "basic_user", "area": area}]}  # fmt: skip

    with pytest.raises(ValidationFailed):
        load_actor(wire)
