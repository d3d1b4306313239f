"""The pure rules of invitations (services/directory/domain.py): no fixtures, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common.actor import Actor, Grant, Right
from services.directory.domain import (
    CoordinatorKind,
    InvitationStatus,
    Place,
    Rejection,
    due_for_reminder,
    has_expired,
    is_valid_email,
    may_invite,
    may_release_invitations,
    may_resubmit,
    normalise_email,
    offers,
    rejection_of,
    usable,
    within_daily_limit,
)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PQ = ("professional_qualifications", "information_requests")
OFFERED = {PQ, ("services", "alerts")}


def person(member_state: str, *rights: Right) -> Actor:
    return Actor("u1", "de12345678", "a1", member_state, grants=frozenset(map(Grant, rights)))


@pytest.mark.parametrize(
    ("email", "areas", "reason"),
    [
        ("neu@amt.example.de", [PQ], None),
        (" Neu@Amt.Example.DE ", [PQ], None),
        ("not-an-email", [PQ], Rejection.INVALID_EMAIL),
        ("a@b", [PQ], Rejection.INVALID_EMAIL),
        ("a..b@amt.example.de", [PQ], Rejection.INVALID_EMAIL),
        ("two@@amt.example.de", [PQ], Rejection.INVALID_EMAIL),
        ("taken@amt.example.de", [PQ], Rejection.DUPLICATED_EMAIL),
        ("TAKEN@amt.example.de", [PQ], Rejection.DUPLICATED_EMAIL),
        ("neu@amt.example.de", [], Rejection.NO_AREA),
        ("neu@amt.example.de", [("astrology", "alerts")], Rejection.NO_AREA),
        ("neu@amt.example.de", [PQ, ("services", "repositories")], Rejection.NO_AREA),
        ("not-an-email", [], Rejection.INVALID_EMAIL),
    ],
)
def test_each_invitation_is_rejected_with_its_one_reason(email, areas, reason):
    assert rejection_of(email, areas, {"taken@amt.example.de"}, OFFERED) == reason


def test_addresses_are_compared_without_case_or_surrounding_spaces():
    assert normalise_email("  Erika@Example.DE ") == "erika@example.de"
    assert is_valid_email("erika@example.de")
    assert not is_valid_email("x" * 250 + "@example.de")


@pytest.mark.parametrize(
    ("already", "accepted", "expected"),
    [(0, 3, (3, 0)), (0, 100, (100, 0)), (0, 101, (100, 1)), (98, 5, (2, 3)), (120, 4, (0, 4))],
)
def test_what_exceeds_the_daily_limit_is_held(already, accepted, expected):
    assert within_daily_limit(already, accepted, 100) == expected


def test_only_a_coordinators_data_administrator_invites():
    coordinator = Place("a1", "DE", coordinator_kind=CoordinatorKind.LIMIC)
    authority = Place("a1", "DE")

    assert may_invite(person("DE", Right.DATA_ADMINISTRATOR), coordinator)
    assert not may_invite(person("DE", Right.LOCAL_DATA_ADMINISTRATOR), coordinator)
    assert not may_invite(person("DE", Right.DATA_ADMINISTRATOR), authority)
    assert not may_invite(person("DE", Right.DATA_ADMINISTRATOR), None)


def test_only_the_commission_releases_held_invitations():
    assert may_release_invitations(person("EU", Right.COMMISSION_ADMINISTRATOR))
    assert not may_release_invitations(person("DE", Right.DATA_ADMINISTRATOR))
    assert not may_release_invitations(person("DE", Right.COMMISSION_ADMINISTRATOR))


def test_a_coordinator_of_some_areas_offers_only_those():
    assert offers(frozenset(), "services")
    assert offers(frozenset({"services"}), "services")
    assert not offers(frozenset({"services"}), "solvit")


def test_a_code_works_while_sent_and_before_it_expires():
    later = NOW + timedelta(days=30)

    assert usable(InvitationStatus.SENT, later, NOW)
    assert not usable(InvitationStatus.SENT, NOW, NOW)
    assert not usable(InvitationStatus.USED, later, NOW)
    assert not usable(InvitationStatus.HELD, None, NOW)
    assert not usable(InvitationStatus.EXPIRED, later, NOW)


def test_the_reminder_is_due_once_in_the_last_five_days():
    expires = NOW + timedelta(days=30)

    assert not due_for_reminder("sent", expires, None, NOW + timedelta(days=24, hours=23), 5)
    assert due_for_reminder("sent", expires, None, NOW + timedelta(days=25), 5)
    assert not due_for_reminder("sent", expires, NOW, NOW + timedelta(days=26), 5)
    assert not due_for_reminder("sent", expires, None, expires, 5)
    assert not due_for_reminder("held", None, None, NOW, 5)


def test_a_sent_invitation_expires_at_its_end_and_only_an_expired_one_is_resubmitted():
    expires = NOW + timedelta(days=30)

    assert not has_expired("sent", expires, expires - timedelta(seconds=1))
    assert has_expired("sent", expires, expires)
    assert not has_expired("used", expires, expires + timedelta(days=1))
    assert may_resubmit(InvitationStatus.EXPIRED)
    assert not any(may_resubmit(status) for status in ("held", "sent", "used"))
