"""Reference lists through the real broker: any user reads them in a language, Commission
administrators add and change entries and switch an area's workflows, every change is a
terms_changed event, and hostile input changes nothing (DOMAIN.md sections 1 and 2)."""

from __future__ import annotations

import pytest

from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .harness import COMMISSION, authority_data

FIREARMS = {
    "code": "firearms",
    "names": {"en": "Firearms", "fr": "Armes à feu", "de": "Feuerwaffen"},
    "workflows": ["information_requests", "notifications"],
}


def by_code(answer: dict) -> dict:
    return {item["code"]: item for item in answer["items"]}


def test_a_user_reads_the_legislative_areas_in_their_language_with_their_workflows(directory):
    nimic = directory.nimic("DE")

    answer = directory.rpc.list_terms(directory.user_of(nimic.record, "de"), {
        "kind": "legislative_area"})  # fmt: skip

    areas = by_code(answer)
    assert answer["language"] == "de"
    assert areas["posting_of_workers"]["name"] == "Entsendung von Arbeitnehmern"
    assert areas["posting_of_workers"]["untranslated"] is False
    assert [item["code"] for item in answer["items"]][:4] == [
        "professional_qualifications", "services", "posting_of_workers", "solvit"
    ]  # fmt: skip
    assert {w["workflow"] for w in areas["solvit"]["workflows"]} == {"information_requests"}
    assert "alerts" in {w["workflow"] for w in areas["services"]["workflows"]}


def test_a_list_is_read_in_another_language_and_by_parent_with_english_stand_ins(directory):
    nimic = directory.nimic("DE")
    directory.rpc.add_term(COMMISSION, "profession", english_only("art_therapist", "health"))

    answer = directory.rpc.list_terms(
        directory.user_of(nimic.record),
        {"kind": "profession", "parent": "health", "language": "fr"},
    )

    professions = by_code(answer)
    assert professions["doctor_of_medicine"] == {
        "kind": "profession", "code": "doctor_of_medicine", "parent": "health",
        "name": "Médecin", "untranslated": False, "active": True, "position": 0, "version": 1,
    }  # fmt: skip
    assert professions["physiotherapist"]["name"] == "Kinésithérapeute"
    assert professions["art_therapist"]["name"] == "Art therapist"
    assert professions["art_therapist"]["untranslated"] is True
    assert "architect" not in professions
    positions = [item["position"] for item in answer["items"]]
    assert positions == sorted(positions)


def test_member_states_are_read_like_every_other_list(directory):
    nimic = directory.nimic("DE")

    answer = directory.rpc.list_terms(
        directory.user_of(nimic.record), {"kind": "member_state", "language": "de"}
    )

    states = by_code(answer)
    assert len(states) == 31
    assert states["DE"]["name"] == "Deutschland"
    assert states["EL"]["untranslated"] is False


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "astrology"}, "kind"),
        ({"kind": "profession", "language": "tlh"}, "language"),
        ({"kind": "profession", "parent": "NOT A CODE"}, "parent"),
        ({"kind": "profession", "colour": "blue"}, "colour"),
    ],
)
def test_a_bad_query_is_refused_naming_the_field(directory, query, field):
    nimic = directory.nimic("DE")

    with pytest.raises(ValidationFailed) as caught:
        directory.rpc.list_terms(directory.user_of(nimic.record), query)

    assert field in caught.value.extra["errors"]


def test_only_the_commission_reads_inactive_entries(directory):
    nimic = directory.nimic("DE")
    query = {"kind": "policy_area", "include_inactive": True}

    with pytest.raises(Forbidden):
        directory.rpc.list_terms(nimic.admin, query)
    assert directory.rpc.list_terms(COMMISSION, query)["items"]


def test_the_commission_adds_a_legislative_area_that_authorities_can_then_use(directory, events):
    added = directory.rpc.add_term(COMMISSION, "legislative_area", FIREARMS)

    assert added["version"] == 1
    assert added["names"]["fr"] == "Armes à feu"
    assert added["names"]["it"] == "Firearms"
    assert "it" in added["untranslated_languages"]
    assert {"en", "fr", "de"}.isdisjoint(added["untranslated_languages"])
    assert [w["workflow"] for w in added["workflows"]] == ["information_requests", "notifications"]
    changed = events.wait_for("terms_changed", "legislative_area/firearms")[0]["data"]
    assert changed == {
        "kind": "legislative_area", "code": "firearms", "version": 1, "active": True,
        "workflows": ["information_requests", "notifications"],
    }  # fmt: skip
    nimic = directory.nimic("FR")
    italian = by_code(directory.rpc.list_terms(directory.user_of(nimic.record, "it"),
                                               {"kind": "legislative_area"}))  # fmt: skip
    assert (italian["firearms"]["name"], italian["firearms"]["untranslated"]) == (
        "Firearms", True
    )  # fmt: skip
    record = directory.register(
        nimic.admin, "FR", areas=[{"area": "firearms", "workflow": "notifications"}]
    )
    assert record["areas"][0]["area"] == "firearms"


def test_a_new_profession_goes_into_its_sector_after_the_shipped_ones(directory, events):
    added = directory.rpc.add_term(COMMISSION, "profession", {
        "code": "cable_car_operator", "parent": "transport",
        "names": {"en": "Cable car operator"}})  # fmt: skip

    professions = directory.rpc.list_terms(COMMISSION, {"kind": "profession"})["items"]
    assert professions[-1]["code"] == "cable_car_operator"
    assert added["position"] == max(item["position"] for item in professions)
    assert len(added["untranslated_languages"]) == 25
    events.wait_for("terms_changed", "profession/cable_car_operator")


def test_only_commission_administrators_maintain_the_lists(directory, store):
    nimic = directory.nimic("DE")
    before = store.snapshot()

    with pytest.raises(Forbidden):
        directory.rpc.add_term(nimic.admin, "legislative_area", FIREARMS)
    with pytest.raises(Forbidden):
        directory.rpc.update_term(nimic.admin, "keyword", "minimum_pay",
                                  {"active": False, "version": 1})  # fmt: skip
    with pytest.raises(Forbidden):
        directory.rpc.set_area_workflow(nimic.admin, "services", "alerts", False)
    assert store.new_rows(before) == {}


@pytest.mark.parametrize(
    ("kind", "data", "error", "field"),
    [
        ("astrology", {"code": "x", "names": {"en": "X"}}, ValidationFailed, "kind"),
        ("member_state", {"code": "xx", "names": {"en": "X"}}, ValidationFailed, "kind"),
        ("policy_area", {"code": "Bad Code", "names": {"en": "X"}}, ValidationFailed, "code"),
        ("policy_area", {"code": "x", "names": {"xx": "X", "en": "X"}}, ValidationFailed,
         "names"),
        ("policy_area", {"code": "x", "names": {"en": "X" * 201}}, ValidationFailed, "names"),
        ("policy_area", {"code": "x", "names": {"en": "   "}}, ValidationFailed, "names"),
        ("policy_area", {"code": "x", "names": {}}, ValidationFailed, "names"),
        ("policy_area", {"code": "x", "names": {"fr": "Chose"}}, ValidationFailed, "names"),
        ("policy_area", {"code": "x", "names": {"en": "X"}, "colour": 1}, ValidationFailed,
         "colour"),
        ("policy_area", {"code": "x", "names": {"en": "X"}, "parent": "health"},
         ValidationFailed, "parent"),
        ("policy_area", {"code": "x", "names": {"en": "X"}, "workflows": ["alerts"]},
         ValidationFailed, "workflows"),
        ("legislative_area", {"code": "x", "names": {"en": "X"}}, ValidationFailed,
         "workflows"),
        ("legislative_area", {"code": "x", "names": {"en": "X"}, "workflows": ["gossip"]},
         ValidationFailed, "workflows"),
        ("profession", {"code": "x", "names": {"en": "X"}}, ValidationFailed, "parent"),
        ("profession", {"code": "x", "names": {"en": "X"}, "parent": "astrology"},
         ValidationFailed, "parent"),
        ("workflow", {"code": "gossip", "names": {"en": "Gossip"}}, ValidationFailed, "kind"),
        ("policy_area", {"code": "environment", "names": {"en": "X"}}, Conflict, None),
        ("legislative_area", {**FIREARMS, "code": "solvit"}, Conflict, None),
    ],
)  # fmt: skip
def test_a_bad_addition_is_refused_clearly_and_stores_nothing(
    directory, store, kind, data, error, field
):
    before = store.snapshot()

    with pytest.raises(error) as caught:
        directory.rpc.add_term(COMMISSION, kind, data)

    if field is not None:
        assert field in caught.value.extra["errors"]
    else:
        assert caught.value.code == "term.exists"
    assert store.new_rows(before) == {}


def test_an_update_fills_the_languages_given_and_a_stale_version_is_refused(directory, events):
    directory.rpc.add_term(COMMISSION, "keyword", english_only("pay_slips", "posting_of_workers"))
    names = {"de": "Lohnabrechnungen", "fr": "Bulletins de paie"}
    updated = directory.rpc.update_term(
        COMMISSION, "keyword", "pay_slips", {"names": names, "version": 1}
    )

    assert updated["version"] == 2
    assert (updated["names"]["de"], updated["names"]["it"]) == ("Lohnabrechnungen", "Pay slips")
    assert {"de", "fr", "en"}.isdisjoint(updated["untranslated_languages"])
    assert "it" in updated["untranslated_languages"]
    assert events.wait_for("terms_changed", "keyword/pay_slips", 2)[-1]["data"]["version"] == 2
    with pytest.raises(Conflict) as caught:
        directory.rpc.update_term(COMMISSION, "keyword", "pay_slips",
                                  {"names": {"it": "Buste paga"}, "version": 1})  # fmt: skip
    assert caught.value.code == "error.stale_version"
    assert caught.value.extra == {
        "current_version": 2,
        "changed_by": updated["updated_by"],
        "changed_at": updated["updated_at"],
    }


def test_a_new_english_name_moves_the_stand_ins_but_keeps_the_translations(directory):
    updated = directory.rpc.update_term(COMMISSION, "policy_area", "fisheries", {
        "names": {"en": "Fisheries and oceans"}, "version": 1})  # fmt: skip

    assert updated["names"]["fr"] == "Pêche"
    assert updated["untranslated_languages"] == []
    directory.rpc.add_term(COMMISSION, "profession", english_only("art_therapist", "health"))
    profession = directory.rpc.update_term(COMMISSION, "profession", "art_therapist", {
        "names": {"en": "Arts therapist"}, "version": 1})  # fmt: skip
    assert profession["names"]["pl"] == "Arts therapist"


@pytest.mark.parametrize(
    ("kind", "code", "data", "error"),
    [
        ("keyword", "minimum_pay", {"version": 1}, ValidationFailed),
        ("keyword", "minimum_pay", {"active": False}, ValidationFailed),
        ("keyword", "minimum_pay", {"names": {"xx": "X"}, "version": 1}, ValidationFailed),
        ("keyword", "minimum_pay", {"names": {"de": "X" * 201}, "version": 1}, ValidationFailed),
        ("keyword", "Not A Code", {"active": False, "version": 1}, ValidationFailed),
        ("keyword", "no_such_keyword", {"active": False, "version": 1}, NotFound),
        ("astrology", "x", {"active": False, "version": 1}, ValidationFailed),
    ],
)
def test_a_bad_update_is_refused_and_changes_nothing(directory, store, kind, code, data, error):
    before = store.snapshot()

    with pytest.raises(error):
        directory.rpc.update_term(COMMISSION, kind, code, data)

    assert store.new_rows(before) == {}
    keyword = by_code(directory.rpc.list_terms(COMMISSION, {"kind": "keyword"}))["minimum_pay"]
    assert keyword["version"] == 1


def test_a_deactivated_entry_is_no_longer_offered_nor_accepted(directory):
    nimic = directory.nimic("DE")
    directory.rpc.update_term(COMMISSION, "policy_area", "energy", {"active": False, "version": 1})

    offered = by_code(directory.rpc.list_terms(nimic.admin, {"kind": "policy_area"}))
    kept = by_code(directory.rpc.list_terms(COMMISSION, {"kind": "policy_area",
                                                         "include_inactive": True}))  # fmt: skip
    assert "energy" not in offered
    assert kept["energy"]["active"] is False
    with pytest.raises(ValidationFailed) as caught:
        directory.rpc.register_authority(
            nimic.admin, authority_data("DE", competences={"policy_area": ["energy"]})
        )
    assert "competences.policy_area" in caught.value.extra["errors"]


def test_an_areas_workflow_is_switched_off_and_on_independently(directory, events):
    nimic = directory.nimic("DE")
    alerts = [{"area": "services", "workflow": "alerts"}]

    off = directory.rpc.set_area_workflow(COMMISSION, "services", "alerts", False)

    assert {"workflow": "alerts", "active": False} in off["workflows"]
    offered = by_code(directory.rpc.list_terms(nimic.admin, {"kind": "legislative_area"}))
    assert "alerts" not in {w["workflow"] for w in offered["services"]["workflows"]}
    assert "alerts" in {w["workflow"] for w in offered["professional_qualifications"]["workflows"]}
    with pytest.raises(ValidationFailed):
        directory.register(nimic.admin, "DE", areas=alerts)
    changed = events.wait_for("terms_changed", "legislative_area/services")[0]["data"]
    assert "alerts" not in changed["workflows"]

    on = directory.rpc.set_area_workflow(COMMISSION, "services", "alerts", True)

    assert on["version"] == off["version"] + 1
    assert directory.register(nimic.admin, "DE", areas=alerts)["areas"][0]["workflow"] == "alerts"
    again = directory.rpc.set_area_workflow(COMMISSION, "services", "alerts", True)
    assert again["version"] == on["version"]


def test_a_workflow_is_added_to_an_area_that_lacked_it(directory):
    answer = directory.rpc.set_area_workflow(COMMISSION, "solvit", "repositories", True)

    assert {"workflow": "repositories", "active": True} in answer["workflows"]


@pytest.mark.parametrize(
    ("area", "workflow", "active", "error"),
    [
        ("astrology", "alerts", True, NotFound),
        ("services", "gossip", True, ValidationFailed),
        ("services", "alerts", "maybe", ValidationFailed),
        ("Not An Area", "alerts", True, ValidationFailed),
    ],
)
def test_a_bad_workflow_switch_is_refused(directory, store, area, workflow, active, error):
    before = store.snapshot()

    with pytest.raises(error):
        directory.rpc.set_area_workflow(COMMISSION, area, workflow, active)

    assert store.new_rows(before) == {}


def english_only(code: str, parent: str) -> dict:
    """A Commission addition named in English only: every other language stands in."""
    return {"code": code, "parent": parent, "names": {"en": code.replace("_", " ").capitalize()}}
