"""Authorities: registration along the coordinator hierarchy, reading, editing, roles, links,
and the lists coordinators keep (DOMAIN.md sections 1 and 2)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.common.actor import Right
from services.common.envelope import make_envelope
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .harness import COMMISSION, actor, authority_data


def test_the_commission_registers_one_nimic_per_member_state(directory):
    nimic = directory.nimic("AT")

    assert nimic.record["coordinator_kind"] == "NIMIC"
    assert nimic.record["status"] == "validated"
    assert nimic.record["validating_coordinator"] is None
    with pytest.raises(Conflict) as caught:
        directory.nimic("AT")
    assert caught.value.code == "authority.nimic_exists"


def test_a_coordinator_registers_an_authority_validated_linked_and_with_its_first_user(
    directory, events
):
    nimic = directory.nimic("DE")

    record = directory.register(nimic.admin, "DE")

    assert record["status"] == "validated"
    assert record["validating_coordinator"]["id"] == nimic.id
    assert [(link["area"], link["coordinator"]["id"]) for link in record["links"]] == [
        ("professional_qualifications", nimic.id)
    ]
    registered = events.wait_for("authority_registered", record["id"])[0]["data"]
    assert registered["validating_coordinator_id"] == nimic.id
    assert "first_user" not in registered
    assert "erika@example.de" not in str(registered)
    first_user = events.wait_for("first_user_requested", record["id"])[0]["data"]
    assert first_user["email"] == "erika@example.de"
    assert first_user["password_now"] is True


def test_the_first_user_event_leaves_the_outbox_once_sent(directory, events, store, eventually):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    events.wait_for("first_user_requested", record["id"])

    eventually(lambda: assert_not_in("first_user_requested", store.outbox_types()))


def assert_not_in(item, items):
    assert item not in items


def test_the_hierarchy_decides_who_registers_which_coordinator(directory):
    nimic = directory.nimic("DE")
    sdimic = directory.coordinator(nimic, "SDIMIC", coordinated_region="Bayern")
    dimic = directory.coordinator(sdimic, "DIMIC", coordinated_region="Bayern")

    with pytest.raises(Forbidden):
        directory.coordinator(dimic, "DIMIC", coordinated_region="Bayern")
    with pytest.raises(Forbidden):
        directory.coordinator(sdimic, "DIMIC", coordinated_region="Sachsen", region="Sachsen")
    with pytest.raises(Forbidden):
        directory.coordinator(sdimic, "LIMIC", coordinated_areas=["services"])
    assert directory.register(dimic.admin, "DE")["validating_coordinator"]["id"] == dimic.id


def test_a_coordinator_registers_nothing_outside_its_country_or_areas(directory):
    nimic = directory.nimic("DE")
    limic = directory.coordinator(nimic, "LIMIC", coordinated_areas=["services"])

    with pytest.raises(Forbidden):
        directory.register(nimic.admin, "AT")
    with pytest.raises(Forbidden):
        directory.register(limic.admin, "DE")  # professional qualifications: not its area
    services = [{"area": "services", "workflow": "information_requests"}]
    assert directory.register(limic.admin, "DE", areas=services)["status"] == "validated"


def test_only_the_commission_registers_one_of_its_own_services_under_eu(directory):
    nimic = directory.nimic("DE")
    alerts = [{"area": "services", "workflow": "alerts", "roles": ["incoming_alert_mailbox"]}]

    with pytest.raises(Forbidden):
        directory.register(nimic.admin, "EU", areas=alerts)
    record = directory.register(COMMISSION, "EU", areas=alerts)
    assert record["member_state"] == "EU"
    assert record["status"] == "validated"


def test_a_user_without_the_data_administrator_right_registers_nothing(directory):
    nimic = directory.nimic("DE")
    clerk = actor(nimic.id, "DE", Right.REQUEST_HANDLER)

    with pytest.raises(Forbidden):
        directory.register(clerk, "DE")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"areas": []}, "areas"),
        ({"areas": [{"area": "astrology", "workflow": "alerts"}]}, "areas"),
        ({"areas": [{"area": "solvit", "workflow": "alerts"}]}, "areas"),
        ({"member_state": "XX"}, "member_state"),
        ({"email": "not-an-email"}, "email"),
        ({"official_name": "x" * 301}, "official_name"),
        ({"languages": ["klingon"]}, "languages"),
        ({"first_user": {"full_name": "A", "email": "bad", "language": "de"}}, "first_user"),
        ({"competences": {"keyword": ["no-such-keyword"]}}, "competences.keyword"),
        ({"coordinator_kind": "SDIMIC"}, "coordinated_region"),
        ({"shoe_size": 44}, "shoe_size"),
    ],
)
def test_a_bad_registration_is_refused_naming_the_field_and_stores_nothing(
    directory, store, change, field
):
    nimic = directory.nimic("DE")
    before = store.snapshot()

    with pytest.raises(ValidationFailed) as caught:
        directory.rpc.register_authority(nimic.admin, {**authority_data("DE"), **change})

    assert field in caught.value.extra["errors"]
    assert store.new_rows(before) == {}


def test_an_authority_reads_in_the_readers_language_with_a_fallback(directory):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")

    in_german = directory.rpc.get_authority(directory.user_of(record, "de"), record["id"])
    in_maltese = directory.rpc.get_authority(directory.user_of(record, "mt"), record["id"])

    assert in_german["title"] == {"text": "Anerkennungsstelle für Heilberufe", "language": "de",
                                  "status": "original"}  # fmt: skip
    assert in_maltese["title"]["language"] == "en"
    assert in_maltese["title"]["status"] == "translated"


def test_an_unknown_authority_is_not_found(directory):
    with pytest.raises(NotFound):
        directory.rpc.get_authority(COMMISSION, str(uuid.uuid4()))


def test_the_lda_edits_contact_details_but_not_the_official_name(directory, events):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    lda = directory.lda_of(record)

    edited = directory.rpc.update_authority(
        lda, record["id"], {"phone": "+49 89 1234", "version": record["version"]}
    )
    assert edited["phone"] == "+49 89 1234"
    assert edited["version"] == record["version"] + 1
    assert events.wait_for("authority_updated", record["id"])[0]["data"]["changed"] == ["phone"]

    with pytest.raises(Forbidden) as caught:
        directory.rpc.update_authority(
            lda, record["id"], {"official_name": "Neuer Name", "version": edited["version"]}
        )
    assert caught.value.code == "authority.not_name_owner"


def test_only_the_validating_coordinator_renames_and_the_commission_renames_a_nimic(directory):
    nimic = directory.nimic("DE")
    other = directory.nimic("AT")
    record = directory.register(nimic.admin, "DE")

    renamed = directory.rpc.update_authority(
        nimic.admin, record["id"], {"official_name": "Neuer Name", "version": 1}
    )
    assert renamed["official_name"] == "Neuer Name"
    with pytest.raises(Forbidden):
        directory.rpc.update_authority(other.admin, record["id"], {"phone": "+43 1", "version": 2})
    with pytest.raises(Forbidden):
        directory.rpc.update_authority(
            nimic.admin, nimic.id, {"official_name": "Selbst", "version": 1}
        )
    assert (
        directory.rpc.update_authority(
            COMMISSION, nimic.id, {"official_name": "Bundesamt", "version": 1}
        )["official_name"]
        == "Bundesamt"
    )


def test_a_change_on_a_stale_version_is_a_conflict_naming_who_changed_it(directory, store):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    lda = directory.lda_of(record)
    saved = directory.rpc.update_authority(lda, record["id"], {"phone": "+49 1", "version": 1})

    with pytest.raises(Conflict) as caught:
        directory.rpc.update_authority(lda, record["id"], {"phone": "+49 2", "version": 1})

    assert caught.value.code == "error.stale_version"
    assert caught.value.extra == {
        "current_version": 2,
        "changed_by": lda["user_id"],
        "changed_by_username": lda["username"],
        "changed_at": saved["updated_at"],
    }
    assert store.authority(record["id"]).phone == "+49 1"


def test_roles_are_set_by_coordinators_not_by_the_authority(directory):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    areas = {"areas": [
        {"area": "professional_qualifications", "workflow": "alerts",
         "roles": ["incoming_alert_mailbox", "alert_authority"], "direction": "receive"},
    ], "version": 1}  # fmt: skip

    with pytest.raises(Forbidden):
        directory.rpc.set_roles(directory.lda_of(record), record["id"], areas)
    changed = directory.rpc.set_roles(nimic.admin, record["id"], areas)

    assert changed["areas"] == [{"area": "professional_qualifications", "workflow": "alerts",
                                 "roles": ["alert_authority", "incoming_alert_mailbox"],
                                 "direction": "receive"}]  # fmt: skip


def test_the_lda_links_further_coordinators_and_the_validating_one_stays(directory, events):
    nimic = directory.nimic("DE")
    limic = directory.coordinator(nimic, "LIMIC", coordinated_areas=["professional_qualifications"])
    record = directory.register(nimic.admin, "DE")
    link = {"area": "professional_qualifications", "workflow": "information_requests"}

    linked = directory.rpc.set_links(
        directory.lda_of(record), record["id"],
        {"links": [{**link, "coordinator_id": limic.id}], "version": 1},
    )  # fmt: skip

    assert sorted(item["coordinator"]["id"] for item in linked["links"]) == sorted(
        [nimic.id, limic.id]
    )
    assert any(
        env["data"]["coordinator_id"] == limic.id
        for env in events.wait_for("coordinator_linked", record["id"], 2)
    )


def test_an_authority_becomes_active_at_its_first_users_first_login(
    directory, events, directory_config
):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    lists = {"which": "without_active_users"}
    before = directory.rpc.list_authorities(nimic.admin, lists)
    assert record["id"] in ids(before)

    user = {"user_id": str(uuid.uuid4()), "authority_id": record["id"], "member_state": "DE",
            "grants": [{"right": "local_data_administrator", "area": None}]}  # fmt: skip
    dispatch = event_dispatcher(directory_config)
    for name in ("user_created", "first_login_completed"):
        envelope = make_envelope("identity", name, user["user_id"], user, directory.clock())
        dispatch("identity", name, envelope)
    events.wait_for("authority_activated", record["id"])

    after = directory.rpc.list_authorities(nimic.admin, lists)
    assert record["id"] not in ids(after)
    counted = {row["member_state"]: row["authorities"] for row in before["per_member_state"]}
    assert sum(counted.values()) == before["total"]  # the whole list, not its page
    assert {row["member_state"]: row["authorities"] for row in after["per_member_state"]}.get(
        "DE", 0
    ) == counted["DE"] - 1
    assert directory.rpc.get_authority(nimic.admin, record["id"])["active"] is True
    few = directory.rpc.list_authorities(nimic.admin, {"which": "few_administrators"})
    line = next(item for item in few["items"] if item["id"] == record["id"])
    assert line["local_data_administrators"] == 1


def user_events_out_of_order(directory, directory_container, directory_config, events_in_order):
    """Dispatches identity's user events in the order given, each with its own time, and
    waits until the directory handled them all."""
    dispatch = event_dispatcher(directory_config)
    handled = []

    def all_handled(worker_ctx, result, exc_info):
        handled.append(worker_ctx)
        return len(handled) == len(events_in_order)

    with entrypoint_waiter(
        directory_container, "on_user_changed", timeout=10, callback=all_handled
    ):
        for name, user, at in events_in_order:
            dispatch("identity", name, make_envelope("identity", name, user["user_id"], user, at))


def lda_count(directory, nimic, record) -> int:
    few = directory.rpc.list_authorities(nimic.admin, {"which": "few_administrators"})
    return next(item for item in few["items"] if item["id"] == record["id"])[
        "local_data_administrators"
    ]


def test_an_older_user_event_arriving_late_changes_nothing_and_a_deleted_user_stays_deleted(
    directory, directory_container, directory_config
):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    now = directory.clock()
    lda = {"user_id": str(uuid.uuid4()), "authority_id": record["id"], "member_state": "DE",
           "grants": [{"right": "local_data_administrator", "area": None}]}  # fmt: skip
    basic = {**lda, "grants": [{"right": "basic_user", "area": None}]}
    gone = {**lda, "user_id": str(uuid.uuid4())}

    user_events_out_of_order(directory, directory_container, directory_config, [
        ("user_rights_changed", basic, now + timedelta(seconds=2)),
        ("user_created", lda, now),  # older: the rights stay those of the later change
        ("user_deleted", gone, now + timedelta(seconds=3)),
        ("user_created", gone, now),  # older than the deletion: no resurrection
        ("first_login_completed", lda, now + timedelta(seconds=1)),  # older, but it counts
    ])  # fmt: skip

    assert lda_count(directory, nimic, record) == 0
    assert directory.rpc.get_authority(nimic.admin, record["id"])["active"] is True


def test_only_coordinators_keep_lists(directory):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")

    with pytest.raises(Forbidden):
        directory.rpc.list_authorities(directory.lda_of(record), {})


def ids(page: dict) -> set[str]:
    return {item["id"] for item in page["items"]}


def test_the_authoritys_own_administrator_confirms_the_details_a_coordinator_typed(
    directory, events
):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    assert record["data_confirmed"] is False

    with pytest.raises(Forbidden):
        directory.rpc.confirm_authority_data(nimic.admin, record["id"], {"version": 1})
    confirmed = directory.rpc.confirm_authority_data(
        directory.lda_of(record), record["id"], {"version": 1}
    )

    assert confirmed["data_confirmed"] is True
    assert confirmed["version"] == 2
    changes = [env["data"]["changed"] for env in events.wait_for("authority_updated", record["id"])]
    assert changes == [["data_confirmed"]]
    with pytest.raises(Conflict):
        directory.rpc.confirm_authority_data(directory.lda_of(record), record["id"], {"version": 1})
