"""The directory's pure rules: who may register, validate, rename, edit and set roles."""

from __future__ import annotations

import pytest

from services.common.actor import Actor, Grant, Right
from services.directory.domain import (
    CoordinatorKind,
    Place,
    may_change_official_name,
    may_edit,
    may_register,
    may_set_roles,
    may_validate,
)

NIMIC = Place("nimic-de", "DE", coordinator_kind=CoordinatorKind.NIMIC)
SDIMIC = Place("sdimic-by", "DE", "Bayern", CoordinatorKind.SDIMIC, coordinated_region="Bayern")
LIMIC = Place(
    "limic-pq", "DE", coordinator_kind=CoordinatorKind.LIMIC,
    coordinated_areas=frozenset({"professional_qualifications"}),
)  # fmt: skip
DIMIC = Place("dimic-by", "DE", "Bayern", CoordinatorKind.DIMIC, coordinated_region="Bayern")
AUTHORITY = Place("auth", "DE", "Bayern", validating_coordinator_id=NIMIC.id,
                  linked_coordinator_ids=frozenset({LIMIC.id}))  # fmt: skip
PQ = frozenset({"professional_qualifications"})


def someone(place: Place | None, *rights: Right, member_state: str | None = None) -> Actor:
    return Actor(
        user_id="u", username="u",
        authority_id=place.id if place else "commission",
        member_state=member_state or (place.member_state if place else "EU"),
        grants=frozenset(Grant(right) for right in rights),
    )  # fmt: skip


COMMISSION = someone(None, Right.COMMISSION_ADMINISTRATOR)


@pytest.mark.parametrize(
    ("registrar", "kind", "region", "areas", "allowed"),
    [
        (NIMIC, CoordinatorKind.SDIMIC, "Bayern", PQ, True),
        (NIMIC, CoordinatorKind.NIMIC, None, PQ, False),
        (SDIMIC, CoordinatorKind.DIMIC, "Bayern", PQ, True),
        (SDIMIC, CoordinatorKind.DIMIC, "Sachsen", PQ, False),
        (SDIMIC, CoordinatorKind.LIMIC, "Bayern", PQ, False),
        (LIMIC, CoordinatorKind.DIMIC, None, PQ, True),
        (LIMIC, None, None, frozenset({"services"}), False),
        (DIMIC, CoordinatorKind.DIMIC, "Bayern", PQ, False),
        (DIMIC, None, "Bayern", PQ, True),
        (AUTHORITY, None, "Bayern", PQ, False),
    ],
)
def test_the_hierarchy_and_scope_decide_who_registers_what(registrar, kind, region, areas, allowed):
    admin = someone(registrar, Right.DATA_ADMINISTRATOR)

    assert may_register(admin, registrar, kind, "DE", region, areas) is allowed


def test_a_coordinator_registers_nothing_in_another_member_state():
    admin = someone(NIMIC, Right.DATA_ADMINISTRATOR)

    assert not may_register(admin, NIMIC, None, "AT", None, PQ)


def test_a_coordinators_user_without_the_data_administrator_right_acts_for_no_one():
    clerk = someone(NIMIC, Right.LOCAL_DATA_ADMINISTRATOR, Right.REQUEST_HANDLER)

    assert not may_register(clerk, NIMIC, None, "DE", None, PQ)
    assert not may_set_roles(clerk, NIMIC, AUTHORITY)
    assert not may_validate(clerk, NIMIC, AUTHORITY)


def test_the_commission_registers_nimics_and_renames_them_and_only_it():
    assert may_register(COMMISSION, None, CoordinatorKind.NIMIC, "DE", None, frozenset())
    assert may_change_official_name(COMMISSION, None, NIMIC)
    assert not may_change_official_name(someone(NIMIC, Right.DATA_ADMINISTRATOR), NIMIC, NIMIC)
    pretender = someone(None, Right.COMMISSION_ADMINISTRATOR, member_state="DE")
    assert not may_change_official_name(pretender, None, NIMIC)


def test_only_the_validating_coordinator_renames_an_authority():
    assert may_change_official_name(someone(NIMIC, Right.DATA_ADMINISTRATOR), NIMIC, AUTHORITY)
    assert not may_change_official_name(someone(LIMIC, Right.DATA_ADMINISTRATOR), LIMIC, AUTHORITY)
    lda = someone(AUTHORITY, Right.LOCAL_DATA_ADMINISTRATOR)
    assert not may_change_official_name(lda, AUTHORITY, AUTHORITY)


def test_local_data_administrators_and_coordinators_edit_and_others_do_not():
    assert may_edit(someone(AUTHORITY, Right.LOCAL_DATA_ADMINISTRATOR), AUTHORITY, AUTHORITY)
    assert may_edit(someone(LIMIC, Right.DATA_ADMINISTRATOR), LIMIC, AUTHORITY)
    assert not may_edit(someone(AUTHORITY, Right.REQUEST_HANDLER), AUTHORITY, AUTHORITY)
    assert not may_edit(someone(SDIMIC, Right.DATA_ADMINISTRATOR), SDIMIC, AUTHORITY)


def test_roles_are_for_coordinators_and_validation_for_the_validating_one():
    lda = someone(AUTHORITY, Right.LOCAL_DATA_ADMINISTRATOR)
    assert not may_set_roles(lda, AUTHORITY, AUTHORITY)
    assert may_set_roles(someone(LIMIC, Right.DATA_ADMINISTRATOR), LIMIC, AUTHORITY)
    assert may_validate(someone(NIMIC, Right.DATA_ADMINISTRATOR), NIMIC, AUTHORITY)
    assert not may_validate(someone(LIMIC, Right.DATA_ADMINISTRATOR), LIMIC, AUTHORITY)
