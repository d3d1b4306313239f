"""Narrowing the audit trail through the running service: a period of days in UTC (both
included) and kinds of entry, on entries written at different moments of the frozen clock;
what does not fit is refused field by field, and who may read the trail is as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.errors import Forbidden, Unauthenticated, ValidationFailed

LAST_SECOND_OF_THE_6TH = datetime(2026, 1, 6, 23, 59, 59, tzinfo=UTC)
MIDNIGHT_OF_THE_7TH = datetime(2026, 1, 7, 0, 0, tzinfo=UTC)


def listed(trail: dict) -> list[tuple[str, str | None]]:
    return [(entry["action"], entry["target_user_id"]) for entry in trail["items"]]


@pytest.fixture
def two_days(identity, network, frozen_clock):
    """The network's entries on the 5th; the administrator reads the clerk's record in the
    last second of the 6th and the basic user's at midnight of the 7th."""
    frozen_clock.now = LAST_SECOND_OF_THE_6TH
    identity.rpc.get_user(network.lda.actor, network.clerk.id)
    frozen_clock.now = MIDNIGHT_OF_THE_7TH
    identity.rpc.get_user(network.lda.actor, network.basic.id)
    return network


def test_the_trail_of_a_period_holds_the_entries_of_its_days_in_utc_both_included(
    identity, two_days
):
    lda = two_days.lda.actor
    whole = identity.rpc.audit(lda, {"page_size": 100})

    sixth = identity.rpc.audit(lda, {"since": "2026-01-06", "until": "2026-01-06"})
    from_the_7th = identity.rpc.audit(lda, {"since": "2026-01-07"})
    to_the_6th = identity.rpc.audit(lda, {"until": "2026-01-06", "page_size": 100})
    to_the_end = identity.rpc.audit(lda, {"until": "9999-12-31", "page_size": 100})
    before = identity.rpc.audit(lda, {"until": "2026-01-04"})

    viewed_clerk = ("personal_data_viewed", two_days.clerk.id)
    viewed_basic = ("personal_data_viewed", two_days.basic.id)
    assert listed(sixth) == [viewed_clerk]
    assert sixth["items"][0]["at"].startswith("2026-01-06T23:59:59")
    assert (listed(from_the_7th), from_the_7th["total"]) == ([viewed_basic], 1)
    assert to_the_6th["total"] == whole["total"] - 1
    assert viewed_basic not in listed(to_the_6th)
    assert listed(to_the_6th)[0] == viewed_clerk  # newest first, as unfiltered
    assert to_the_end["items"] == whole["items"]
    assert (before["items"], before["total"]) == ([], 0)


def test_the_trail_of_some_kinds_holds_those_entries_only(identity, network):
    lda = network.lda.actor
    with pytest.raises(Unauthenticated):
        identity.login(network.clerk.username, "Not-the-password-1")
    identity.rpc.get_user(lda, network.clerk.id)

    failed = identity.rpc.audit(lda, {"kind": ["login_failed"]})
    failed_or_read = identity.rpc.audit(lda, {"kind": "login_failed,personal_data_viewed"})
    created = identity.rpc.audit(lda, {"kind": ["user_created"], "page_size": 100})
    clerk_created = identity.rpc.audit(
        lda, {"kind": ["user_created"], "user_id": network.clerk.id, "since": "2026-01-05"}
    )
    revoked = identity.rpc.audit(lda, {"kind": ["tokens_revoked"]})

    assert (listed(failed), failed["total"]) == ([("login_failed", network.clerk.id)], 1)
    assert failed["items"][0]["details"] == {"reason": "credentials"}
    assert listed(failed_or_read) == [
        ("personal_data_viewed", network.clerk.id), ("login_failed", network.clerk.id),
    ]  # fmt: skip
    assert {action for action, _ in listed(created)} == {"user_created"}
    assert {target for _, target in listed(created)} >= {network.basic.id, network.clerk.id}
    assert listed(clerk_created) == [("user_created", network.clerk.id)]
    assert revoked["total"] == 0


def test_an_unknown_kind_or_a_period_that_ends_before_it_starts_is_refused(identity, network):
    lda = network.lda.actor
    refused = {}
    for name, query in {
        "an unknown kind": {"kind": "coffee_break"},
        "an unknown kind among known ones": {"kind": ["login_failed", "coffee_break"]},
        "no kind at all": {"kind": []},
        "more kinds than there are": {"kind": ",".join(["login_failed"] * 16)},
        "a day that is none": {"since": "2026-02-30"},
        "a time for a day": {"until": "yesterday"},
        "an end before the start": {"since": "2026-01-06", "until": "2026-01-05"},
    }.items():
        with pytest.raises(ValidationFailed) as caught:
            identity.rpc.audit(lda, query)
        refused[name] = set(caught.value.extra["errors"])

    assert refused == {
        "an unknown kind": {"kind"},
        "an unknown kind among known ones": {"kind"},
        "no kind at all": {"kind"},
        "more kinds than there are": {"kind"},
        "a day that is none": {"since"},
        "a time for a day": {"until"},
        "an end before the start": {"until"},
    }
    one_day = identity.rpc.audit(lda, {"since": "2026-01-05", "until": "2026-01-05"})
    assert one_day["total"] > 0


def test_filters_change_nothing_of_who_may_read_the_trail(identity, network):
    query = {"authority_id": network.authority, "since": "2026-01-05", "kind": ["user_created"]}

    by_coordinator = identity.rpc.audit(network.coordinator_admin.actor, query)
    assert {action for action, _ in listed(by_coordinator)} == {"user_created"}
    for outsider, scoped in (
        (network.basic, {"since": "2026-01-05", "kind": ["user_created"]}),
        (network.other_lda, query),
        (network.other_coordinator_admin, query),
    ):
        with pytest.raises(Forbidden) as caught:
            identity.rpc.audit(outsider.actor, scoped)
        assert caught.value.code == "audit.not_administrator"
