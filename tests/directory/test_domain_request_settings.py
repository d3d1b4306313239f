"""The pure rules of the settings the requests service reads: who changes an authority's
settings and a member state's request policies, and which policy is in force."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.actor import Right
from services.directory.domain import (
    NO_POLICY,
    CoordinatorKind,
    EffectivePolicy,
    Place,
    PolicyRefusal,
    effective_policy,
    may_change_settings,
    policy_id,
    request_policy_refusal,
)

from .test_domain import AUTHORITY, COMMISSION, DIMIC, LIMIC, NIMIC, SDIMIC, someone

NOT_COORDINATOR = PolicyRefusal.NOT_COORDINATOR
OUTSIDE_SCOPE = PolicyRefusal.OUTSIDE_SCOPE
LIMIC_BY_SERVICES = Place(
    "limic-by-sv", "DE", "Bayern", CoordinatorKind.LIMIC, coordinated_region="Bayern",
    coordinated_areas=frozenset({"services"}),
)  # fmt: skip
NIMIC_AT = Place("nimic-at", "AT", coordinator_kind=CoordinatorKind.NIMIC)


def row(region=None, area="services", approval=False, referral=False, member_state="DE", **more):
    return {"member_state": member_state, "region": region, "area": area,
            "approval_required": approval, "referral_enabled": referral, **more}  # fmt: skip


# --- who changes an authority's settings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "own", "allowed"),
    [
        (someone(AUTHORITY, Right.LOCAL_DATA_ADMINISTRATOR), AUTHORITY, True),
        (someone(NIMIC, Right.DATA_ADMINISTRATOR), NIMIC, True),  # validating coordinator
        (someone(LIMIC, Right.DATA_ADMINISTRATOR), LIMIC, True),  # linked coordinator
        (COMMISSION, None, True),
        (someone(AUTHORITY, Right.REQUEST_HANDLER, Right.ALLOCATOR), AUTHORITY, False),
        (someone(NIMIC, Right.LOCAL_DATA_ADMINISTRATOR), NIMIC, False),  # not data administrator
        (someone(SDIMIC, Right.DATA_ADMINISTRATOR), SDIMIC, False),  # coordinates it not
        (someone(NIMIC_AT, Right.DATA_ADMINISTRATOR), NIMIC_AT, False),
    ],
)
def test_the_authoritys_administrators_and_its_coordinators_change_its_settings(who, own, allowed):
    assert may_change_settings(who, own, AUTHORITY) is allowed


# --- who sets a request policy -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("own", "region", "area", "refusal"),
    [
        (NIMIC, None, "services", None),
        (NIMIC, "Bayern", "professional_qualifications", None),
        (NIMIC, "Sachsen", "solvit", None),
        (SDIMIC, "Bayern", "services", None),
        (SDIMIC, None, "services", OUTSIDE_SCOPE),  # the whole state is not its region
        (SDIMIC, "Sachsen", "services", OUTSIDE_SCOPE),
        (DIMIC, "Bayern", "solvit", None),
        (DIMIC, None, "solvit", OUTSIDE_SCOPE),
        (LIMIC, None, "professional_qualifications", None),  # its area, in the whole state
        (LIMIC, "Sachsen", "professional_qualifications", None),
        (LIMIC, None, "services", OUTSIDE_SCOPE),
        (LIMIC_BY_SERVICES, "Bayern", "services", None),
        (LIMIC_BY_SERVICES, None, "services", OUTSIDE_SCOPE),
        (LIMIC_BY_SERVICES, "Bayern", "solvit", OUTSIDE_SCOPE),
        (NIMIC_AT, None, "services", OUTSIDE_SCOPE),  # another member state's
        (AUTHORITY, None, "services", NOT_COORDINATOR),
    ],
)
def test_the_national_coordinator_sets_every_policy_of_its_state_and_others_only_in_their_scope(
    own, region, area, refusal
):
    admin = someone(own, Right.DATA_ADMINISTRATOR)

    assert request_policy_refusal(admin, own, "DE", region, area) == refusal


def test_a_coordinators_user_without_the_data_administrator_right_sets_no_policy():
    clerk = someone(NIMIC, Right.LOCAL_DATA_ADMINISTRATOR, Right.REQUEST_HANDLER)

    assert request_policy_refusal(clerk, NIMIC, "DE", None, "services") == NOT_COORDINATOR


def test_the_commission_sets_no_member_states_policy():
    assert request_policy_refusal(COMMISSION, None, "DE", None, "services") == NOT_COORDINATOR


# --- the policy in force ---------------------------------------------------------------------


def test_without_a_policy_nothing_is_required_or_enabled():
    assert effective_policy([], "DE", "Bayern", "services") == NO_POLICY
    assert EffectivePolicy(approval_required=False, referral_enabled=False) == NO_POLICY


def test_the_member_states_policy_applies_in_every_region_without_its_own():
    rows = [row(None, approval=True), row("Sachsen", referral=True)]

    assert effective_policy(rows, "DE", "Bayern", "services") == EffectivePolicy(True, False)
    assert effective_policy(rows, "DE", None, "services") == EffectivePolicy(True, False)


def test_a_regions_policy_overrides_the_member_states():
    rows = [row(None, approval=True, referral=True), row("Bayern", approval=False, referral=False)]

    assert effective_policy(rows, "DE", "Bayern", "services") == NO_POLICY
    assert effective_policy(rows, "DE", "Sachsen", "services") == EffectivePolicy(True, True)


def test_a_policy_of_another_area_or_member_state_does_not_apply():
    rows = [row(None, area="solvit", approval=True), row(None, member_state="AT", referral=True)]

    assert effective_policy(rows, "DE", None, "services") == NO_POLICY


def test_a_deleted_row_counts_as_absent():
    rows = [row(None, approval=True), row("Bayern", referral=True, deleted=True)]

    assert effective_policy(rows, "DE", "Bayern", "services") == EffectivePolicy(True, False)


@dataclass
class StoredRow:
    member_state: str
    region: str | None
    area: str
    approval_required: bool
    referral_enabled: bool


def test_rows_may_be_objects_with_those_attributes():
    rows = [StoredRow("DE", "Bayern", "services", True, True)]

    assert effective_policy(rows, "DE", "Bayern", "services") == EffectivePolicy(True, True)


REGIONS = st.sampled_from([None, "Bayern", "Sachsen"])
ROWS = st.lists(
    st.builds(
        row, region=REGIONS, area=st.sampled_from(["services", "solvit"]), approval=st.booleans(),
        referral=st.booleans(), member_state=st.sampled_from(["DE", "AT"]),
        deleted=st.booleans(),
    ),
    max_size=12,
    unique_by=lambda item: (item["member_state"], item["region"], item["area"]),
)  # fmt: skip


@given(rows=ROWS, region=REGIONS, area=st.sampled_from(["services", "solvit"]))
def test_the_most_specific_live_row_decides_whatever_the_order(rows, region, area):
    live = {(r["member_state"], r["region"], r["area"]): r for r in rows if not r["deleted"]}
    expected = live.get(("DE", region, area)) if region is not None else None
    expected = expected or live.get(("DE", None, area))

    found = effective_policy(rows, "DE", region, area)

    assert found == effective_policy(list(reversed(rows)), "DE", region, area)
    if expected is None:
        assert found == NO_POLICY
    else:
        assert found == EffectivePolicy(expected["approval_required"], expected["referral_enabled"])


def test_a_policys_id_is_one_per_key_and_tells_the_whole_state_from_a_region():
    assert policy_id("DE", None, "services") == policy_id("DE", None, "services")
    ids = {policy_id("DE", None, "services"), policy_id("DE", "Bayern", "services"),
           policy_id("DE", "Bayern", "solvit"), policy_id("AT", None, "services"),
           policy_id("DE", "null", "services")}  # fmt: skip
    assert len(ids) == 5
