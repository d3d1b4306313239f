"""Who the demo users are (services/identity/demo_roster.py), checked without a service: their
secrets pass the policies a first login enforces, their rights fit their authorities, and the
credentials README.md and docs/demo.md print are the shipped ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.common.actor import Right
from services.identity.demo_roster import demo_authorities, demo_users, roster_authorities
from services.identity.domain import (
    ALL_AUTHORITY_RIGHTS,
    USERNAME_ALPHABET,
    check_password,
    check_security_code,
)

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `([a-z-]+)` \| `([^`]+)` \| `([0-9]{12})` \|", re.MULTILINE)


def test_every_password_and_security_code_passes_the_policies_of_a_first_login():
    for person in demo_users():
        assert check_password(person.password, person.username) == [], person.username
        assert check_security_code(person.security_code) == [], person.username


def test_usernames_and_ids_are_unique_and_no_generated_username_can_take_one():
    users = demo_users()

    assert len({person.username for person in users}) == len(users)
    assert len({person.id for person in users}) == len(users)
    assert "-" not in USERNAME_ALPHABET
    for person in users:
        assert person.username.startswith(person.authority.member_state.lower() + "-")


def test_each_authority_s_first_user_is_listed_first_with_every_right():
    seen: set[str] = set()
    for person in demo_users():
        if person.authority.id not in seen:
            assert person.every_right, person.username
            assert {grant.right for grant in person.grants} == ALL_AUTHORITY_RIGHTS
            assert all(grant.area is None for grant in person.grants)
        seen.add(person.authority.id)


def test_rights_held_per_area_are_in_areas_where_the_authority_exchanges_requests():
    for person in demo_users():
        exchanged = {area for area, workflow in person.authority.areas
                     if workflow == "information_requests"}  # fmt: skip
        for grant in person.grants:
            if grant.right in (Right.REQUEST_HANDLER, Right.ALLOCATOR) and grant.area:
                assert grant.area in exchanged, (person.username, grant)


def test_alert_rights_held_per_area_are_in_areas_where_the_authority_takes_part_in_alerts():
    for person in demo_users():
        alerting = {area for area, workflow in person.authority.areas if workflow == "alerts"}
        for grant in person.grants:
            if grant.right in (Right.ALERT_HANDLER, Right.ALERT_AUTHORISER) and grant.area:
                assert grant.area in alerting, (person.username, grant)


def test_the_users_work_at_demo_authorities_of_the_directory_and_their_coordinators_too():
    planned = {authority.id for authority in demo_authorities().values()}
    found = {authority.id for authority in roster_authorities()}

    assert found <= planned
    for person in demo_users():
        assert person.authority.validating_coordinator_id in found | {None}
    assert {person.authority.member_state for person in demo_users()} == {"IT", "HU", "DE", "EU"}


@pytest.mark.parametrize("document", ["README.md", "docs/demo.md"])
def test_the_documents_show_the_shipped_credentials(document):
    shown = ROW.findall((ROOT / document).read_text(encoding="utf-8"))

    assert sorted(shown) == sorted(
        (person.username, person.password, person.security_code) for person in demo_users()
    )
