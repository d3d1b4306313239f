"""The settings the requests service decides with (DOMAIN.md sections 1 and 4): an authority's
settings (allocation, the coordinator's full view) and the request policies of member states,
regions and legislative areas; who changes them, the compare-and-set on their versions, and the
events that publish them."""

from __future__ import annotations

import uuid

import pytest

from services.common.actor import Right
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.directory.domain import EffectivePolicy, effective_policy

from .harness import COMMISSION, actor

OFF = {"uses_allocation": False, "coordinator_full_view": False}


def settings(version: int, allocation: bool = True, full_view: bool = False) -> dict:
    return {"uses_allocation": allocation, "coordinator_full_view": full_view, "version": version}


def policy(member_state="DE", region=None, area="services", approval=True, referral=False,
           **more) -> dict:  # fmt: skip
    return {"member_state": member_state, "region": region, "area": area,
            "approval_required": approval, "referral_enabled": referral, **more}  # fmt: skip


# --- an authority's settings -----------------------------------------------------------------


def test_a_new_authority_has_both_settings_off_in_its_read_and_its_event(directory, events):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")

    read = directory.rpc.get_authority(directory.user_of(record), record["id"])

    assert record["settings"] == OFF
    assert read["settings"] == OFF
    assert events.wait_for("authority_registered", record["id"])[0]["data"]["settings"] == OFF


def test_the_lda_switches_allocation_on_as_a_new_version_published_as_authority_updated(
    directory, events
):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    lda = directory.lda_of(record)

    changed = directory.rpc.set_settings(lda, record["id"], settings(1, True, True))

    assert changed["settings"] == {"uses_allocation": True, "coordinator_full_view": True}
    assert changed["version"] == 2
    assert directory.rpc.get_authority(nimic.admin, record["id"])["settings"] == changed["settings"]
    [updated] = events.wait_for("authority_updated", record["id"])
    assert updated["data"]["changed"] == ["settings"]
    assert updated["data"]["settings"] == changed["settings"]
    assert updated["data"]["version"] == 2
    stored = directory.store.authority(record["id"])
    assert (stored.uses_allocation, stored.coordinator_full_view, stored.updated_by) == (
        True, True, lda["user_id"],
    )  # fmt: skip


def test_every_later_authority_event_carries_the_settings(directory, events):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    lda = directory.lda_of(record)
    directory.rpc.set_settings(lda, record["id"], settings(1, True, False))

    directory.rpc.update_authority(lda, record["id"], {"phone": "+49 89 1", "version": 2})

    later = events.wait_for("authority_updated", record["id"], 2)[1]["data"]
    assert later["changed"] == ["phone"]
    assert later["settings"] == {"uses_allocation": True, "coordinator_full_view": False}
    assert later["version"] == 3


def test_the_same_settings_again_change_nothing_and_publish_nothing(directory, events, store):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    lda = directory.lda_of(record)
    directory.rpc.set_settings(lda, record["id"], settings(1, True))

    again = directory.rpc.set_settings(lda, record["id"], settings(2, True))

    assert again["version"] == 2
    events.wait_for("authority_updated", record["id"])
    assert store.outbox_types().count("authority_updated") == 1


def test_settings_on_a_stale_version_are_a_conflict_naming_who_saved_first(directory, store):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    lda = directory.lda_of(record)
    saved = directory.rpc.set_settings(lda, record["id"], settings(1, True))

    with pytest.raises(Conflict) as caught:
        directory.rpc.set_settings(nimic.admin, record["id"], settings(1, False, True))

    assert caught.value.code == "error.stale_version"
    assert caught.value.extra == {"current_version": 2, "changed_by": lda["user_id"],
                                  "changed_by_username": lda["username"],
                                  "changed_at": saved["updated_at"]}  # fmt: skip
    assert store.authority(record["id"]).coordinator_full_view is False


@pytest.mark.parametrize(
    "body",
    [
        {"uses_allocation": True, "version": 1},
        {"uses_allocation": True, "coordinator_full_view": False},
        {"uses_allocation": "yes please", "coordinator_full_view": False, "version": 1},
        {**settings(1), "allocators": 2},
    ],
)
def test_settings_need_both_values_and_the_version(directory, store, body):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")

    with pytest.raises(ValidationFailed):
        directory.rpc.set_settings(directory.lda_of(record), record["id"], body)
    assert store.authority(record["id"]).version == 1


def test_the_settings_of_an_unknown_authority_are_not_found(directory):
    with pytest.raises(NotFound):
        directory.rpc.set_settings(COMMISSION, str(uuid.uuid4()), settings(1))


# Who may change an authority's settings: (who, allowed); the authority is registered by the
# German NIMIC, has a LIMIC for professional qualifications linked and lies in Bayern.
SETTINGS_EDITORS = [
    ("its local data administrator", True),
    ("its validating coordinator", True),
    ("its linked coordinator", True),
    ("the Commission", True),
    ("its request handler and allocator", False),
    ("its validating coordinator's user without data administration", False),
    ("a coordinator of its region that coordinates it not", False),
    ("another member state's national coordinator", False),
    ("another authority's local data administrator", False),
]


@pytest.mark.parametrize(("who", "allowed"), SETTINGS_EDITORS)
def test_who_changes_an_authoritys_settings(directory, who, allowed):
    nimic = directory.nimic("DE")
    limic = directory.coordinator(nimic, "LIMIC", coordinated_areas=["professional_qualifications"])
    sdimic = directory.coordinator(nimic, "SDIMIC", coordinated_region="Bayern")
    record = directory.register(nimic.admin, "DE", links=[
        {"area": "professional_qualifications", "workflow": "information_requests",
         "coordinator_id": limic.id}])  # fmt: skip
    neighbour = directory.register(nimic.admin, "DE")
    actors = {
        "its local data administrator": directory.lda_of(record),
        "its validating coordinator": nimic.admin,
        "its linked coordinator": limic.admin,
        "the Commission": COMMISSION,
        "its request handler and allocator": actor(
            record["id"], "DE", Right.REQUEST_HANDLER, Right.ALLOCATOR),
        "its validating coordinator's user without data administration": actor(
            nimic.id, "DE", Right.LOCAL_DATA_ADMINISTRATOR, Right.REQUEST_HANDLER),
        "a coordinator of its region that coordinates it not": sdimic.admin,
        "another member state's national coordinator": directory.nimic("AT").admin,
        "another authority's local data administrator": directory.lda_of(neighbour),
    }  # fmt: skip

    if allowed:
        changed = directory.rpc.set_settings(actors[who], record["id"], settings(1, True, True))
        assert changed["settings"] == {"uses_allocation": True, "coordinator_full_view": True}
    else:
        with pytest.raises(Forbidden) as caught:
            directory.rpc.set_settings(actors[who], record["id"], settings(1, True, True))
        assert caught.value.code == "authority.not_editor"
        assert directory.store.authority(record["id"]).uses_allocation is False


# --- request policies --------------------------------------------------------------------------


def test_the_national_coordinator_sets_a_policy_that_is_listed_and_published(directory, events):
    nimic = directory.nimic("DE")

    saved = directory.rpc.put_request_policy(nimic.admin, policy(approval=True))
    listed = directory.rpc.list_request_policies(
        directory.user_of(nimic.record), {"member_state": "DE"}
    )

    assert saved["version"] == 1
    assert (saved["member_state"], saved["region"], saved["area"]) == ("DE", None, "services")
    assert listed["items"] == [saved]
    [changed] = events.wait_for("request_policy_changed", saved["id"])
    assert changed["data"] == {
        "policy_id": saved["id"], "member_state": "DE", "region": None, "area": "services",
        "approval_required": True, "referral_enabled": False, "deleted": False, "version": 1,
    }  # fmt: skip


def test_policies_are_listed_per_member_state_the_whole_states_first(directory):
    nimic = directory.nimic("DE")
    austria = directory.nimic("AT")
    for body in (policy(region="Sachsen", area="solvit"), policy(region="Bayern"),
                 policy(area="solvit"), policy(referral=True)):  # fmt: skip
        directory.rpc.put_request_policy(nimic.admin, body)
    directory.rpc.put_request_policy(austria.admin, policy("AT"))

    listed = directory.rpc.list_request_policies(COMMISSION, {"member_state": "DE"})["items"]
    services = directory.rpc.list_request_policies(
        COMMISSION, {"member_state": "DE", "area": "services"}
    )["items"]

    assert [(item["region"], item["area"]) for item in listed] == [
        (None, "services"), (None, "solvit"), ("Bayern", "services"), ("Sachsen", "solvit"),
    ]  # fmt: skip
    assert [(item["region"], item["area"]) for item in services] == [
        (None, "services"), ("Bayern", "services"),
    ]  # fmt: skip
    assert effective_policy(listed, "DE", "Bayern", "services") == EffectivePolicy(True, False)
    assert effective_policy(listed, "DE", "Hessen", "services") == EffectivePolicy(True, True)


def test_an_existing_policy_is_changed_only_with_the_version_read(directory, events):
    nimic = directory.nimic("DE")
    first = directory.rpc.put_request_policy(nimic.admin, policy(approval=True))
    editor = directory.admin_of(nimic.record)

    with pytest.raises(Conflict) as without:
        directory.rpc.put_request_policy(editor, policy(approval=False))
    changed = directory.rpc.put_request_policy(
        editor, policy(approval=False, referral=True, version=1)
    )
    with pytest.raises(Conflict) as stale:
        directory.rpc.put_request_policy(nimic.admin, policy(approval=True, version=1))

    assert without.value.code == "error.stale_version"
    assert without.value.extra["current_version"] == 1
    assert changed["id"] == first["id"]
    assert changed["version"] == 2
    assert stale.value.extra == {"current_version": 2, "changed_by": editor["user_id"],
                                 "changed_at": changed["updated_at"]}  # fmt: skip
    published = events.wait_for("request_policy_changed", first["id"], 2)[1]["data"]
    assert (published["approval_required"], published["referral_enabled"]) == (False, True)
    assert published["version"] == 2


def test_the_same_values_again_change_nothing_and_publish_nothing(directory, events, store):
    nimic = directory.nimic("DE")
    first = directory.rpc.put_request_policy(nimic.admin, policy())

    again = directory.rpc.put_request_policy(nimic.admin, policy(version=1))

    assert again["version"] == 1
    events.wait_for("request_policy_changed", first["id"])
    assert store.outbox_types().count("request_policy_changed") == 1


def test_a_deleted_policy_no_longer_applies_and_setting_it_again_goes_on_with_its_versions(
    directory, events
):
    nimic = directory.nimic("DE")
    first = directory.rpc.put_request_policy(nimic.admin, policy(approval=True))

    directory.rpc.delete_request_policy(nimic.admin, first["id"], {"version": 1})
    listed = directory.rpc.list_request_policies(COMMISSION, {"member_state": "DE"})["items"]
    with pytest.raises(Conflict) as edited:
        directory.rpc.put_request_policy(nimic.admin, policy(approval=False, version=1))
    with pytest.raises(NotFound) as twice:
        directory.rpc.delete_request_policy(nimic.admin, first["id"], {"version": 2})
    again = directory.rpc.put_request_policy(nimic.admin, policy(referral=True))

    assert listed == []
    assert edited.value.code == "error.stale_version"
    assert edited.value.extra["current_version"] is None
    assert edited.value.extra["changed_by"] == nimic.admin["user_id"]
    assert twice.value.code == "request_policy.unknown"
    assert (again["id"], again["version"]) == (first["id"], 3)
    published = [env["data"] for env in events.wait_for("request_policy_changed", first["id"], 3)]
    assert [(data["deleted"], data["version"]) for data in published] == [
        (False, 1), (True, 2), (False, 3),
    ]  # fmt: skip
    assert published[1]["approval_required"] is True  # the deleted row's last values
    assert effective_policy([published[1]], "DE", None, "services") == EffectivePolicy()


def test_a_deletion_names_the_version_read(directory, store):
    nimic = directory.nimic("DE")
    first = directory.rpc.put_request_policy(nimic.admin, policy())
    directory.rpc.put_request_policy(nimic.admin, policy(approval=False, version=1))

    with pytest.raises(Conflict) as stale:
        directory.rpc.delete_request_policy(nimic.admin, first["id"], {"version": 1})
    with pytest.raises(ValidationFailed):
        directory.rpc.delete_request_policy(nimic.admin, first["id"], {})

    assert stale.value.extra["current_version"] == 2
    assert directory.rpc.list_request_policies(COMMISSION, {"member_state": "DE"})["items"]


def test_an_unknown_policy_is_not_found(directory):
    nimic = directory.nimic("DE")

    with pytest.raises(NotFound) as caught:
        directory.rpc.delete_request_policy(nimic.admin, str(uuid.uuid4()), {"version": 1})
    with pytest.raises(Conflict) as edited:
        directory.rpc.put_request_policy(nimic.admin, policy(version=4))

    assert caught.value.code == "request_policy.unknown"
    assert edited.value.extra["current_version"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"area": "astrology"}, "area"),
        ({"area": "Services"}, "area"),
        ({"member_state": "XX"}, "member_state"),
        ({"member_state": "EU"}, "member_state"),
        ({"region": ""}, "region"),
        ({"region": "x" * 121}, "region"),
        ({"approval_required": None}, "approval_required"),
        ({"version": 0}, "version"),
        ({"version": "1"}, "version"),
        ({"allocation": True}, "allocation"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field_and_stores_nothing(
    directory, store, change, field
):
    nimic = directory.nimic("DE")
    before = store.snapshot()

    with pytest.raises(ValidationFailed) as caught:
        directory.rpc.put_request_policy(nimic.admin, {**policy(), **change})

    assert field in caught.value.extra["errors"]
    assert store.new_rows(before) == {}


def test_no_policy_is_set_for_an_area_whose_information_requests_are_switched_off(directory):
    nimic = directory.nimic("DE")
    directory.rpc.set_area_workflow(COMMISSION, "solvit", "information_requests", False)

    with pytest.raises(ValidationFailed) as caught:
        directory.rpc.put_request_policy(nimic.admin, policy(area="solvit"))

    assert "area" in caught.value.extra["errors"]


def test_greece_may_be_written_gr_and_is_stored_as_el(directory):
    nimic = directory.nimic("EL")

    saved = directory.rpc.put_request_policy(nimic.admin, policy("GR"))

    assert saved["member_state"] == "EL"
    listed = directory.rpc.list_request_policies(COMMISSION, {"member_state": "GR"})["items"]
    assert [item["id"] for item in listed] == [saved["id"]]


# Who may set and delete which policy: (who, member state, region, area, refusal or None). The
# German NIMIC, an SDIMIC for Bayern and a LIMIC for services are registered.
POLICY_SETTERS = [
    ("German NIMIC", "DE", None, "services", None),
    ("German NIMIC", "DE", "Sachsen", "professional_qualifications", None),
    ("SDIMIC Bayern", "DE", "Bayern", "services", None),
    ("SDIMIC Bayern", "DE", None, "services", "request_policy.outside_scope"),
    ("SDIMIC Bayern", "DE", "Sachsen", "services", "request_policy.outside_scope"),
    ("LIMIC services", "DE", None, "services", None),
    ("LIMIC services", "DE", "Bayern", "services", None),
    ("LIMIC services", "DE", None, "solvit", "request_policy.outside_scope"),
    ("German NIMIC", "AT", None, "services", "request_policy.outside_scope"),
    ("German NIMIC's clerk", "DE", None, "services", "request_policy.not_coordinator"),
    ("an authority's administrator", "DE", None, "services", "request_policy.not_coordinator"),
    ("the Commission", "DE", None, "services", "request_policy.not_coordinator"),
]


@pytest.mark.parametrize(("who", "member_state", "region", "area", "refusal"), POLICY_SETTERS)
def test_who_sets_and_deletes_which_request_policy(
    directory, store, who, member_state, region, area, refusal
):
    nimic = directory.nimic("DE")
    austria = directory.nimic("AT")
    sdimic = directory.coordinator(nimic, "SDIMIC", coordinated_region="Bayern")
    limic = directory.coordinator(nimic, "LIMIC", coordinated_areas=["services"])
    authority = directory.register(nimic.admin, "DE")
    actors = {
        "German NIMIC": nimic.admin,
        "SDIMIC Bayern": sdimic.admin,
        "LIMIC services": limic.admin,
        "German NIMIC's clerk": actor(nimic.id, "DE", Right.LOCAL_DATA_ADMINISTRATOR,
                                      Right.REQUEST_HANDLER),
        "an authority's administrator": directory.admin_of(authority),
        "the Commission": COMMISSION,
    }  # fmt: skip
    body = policy(member_state, region, area)
    owner = nimic if member_state == "DE" else austria

    if refusal is None:
        saved = directory.rpc.put_request_policy(actors[who], body)
        directory.rpc.delete_request_policy(actors[who], saved["id"], {"version": 1})
        return
    with pytest.raises(Forbidden) as refused_put:
        directory.rpc.put_request_policy(actors[who], body)
    saved = directory.rpc.put_request_policy(owner.admin, body)
    with pytest.raises(Forbidden) as refused_delete:
        directory.rpc.delete_request_policy(actors[who], saved["id"], {"version": 1})
    assert refused_put.value.code == refusal
    assert refused_delete.value.code == refusal
    listed = directory.rpc.list_request_policies(COMMISSION, {"member_state": member_state})
    assert [item["version"] for item in listed["items"]] == [1]
