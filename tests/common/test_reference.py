"""Reference data built from Babel: checked against real CLDR names, no fixtures beyond tmp_path."""

from __future__ import annotations

import json

import pytest

from services.common import reference
from services.common.reference import (
    COMMISSION,
    EEA_COUNTRIES,
    EU_LANGUAGES,
    EU_MEMBER_STATES,
    SUPPORTED_LANGUAGES,
    export,
    languages,
    member_states,
    normalise_member_state,
)


def by_code(entries: list) -> dict:
    return {entry["code"]: entry for entry in entries}


def test_the_code_lists_have_24_eu_languages_26_supported_and_30_eea_countries():
    assert len(set(EU_LANGUAGES)) == 24
    assert SUPPORTED_LANGUAGES[-2:] == ("is", "no")
    assert len(set(SUPPORTED_LANGUAGES)) == 26
    assert len(set(EU_MEMBER_STATES)) == 27
    assert len(set(EEA_COUNTRIES)) == 30
    assert "EL" in EEA_COUNTRIES
    assert "GR" not in EEA_COUNTRIES


def test_there_are_31_member_states_each_named_in_26_languages():
    states = member_states()
    assert [state["code"] for state in states] == [*EEA_COUNTRIES, COMMISSION]
    for state in states:
        assert set(state["names"]) == set(SUPPORTED_LANGUAGES)
        assert all(name and name != state["code"] for name in state["names"].values())
        assert state["untranslated"] == []


def test_greece_keeps_the_eus_code_and_cldrs_iso_code():
    greece = by_code(member_states())["EL"]
    assert greece["iso_code"] == "GR"
    assert greece["eu_member"] is True
    assert greece["names"]["el"] == "Ελλάδα"


def test_germany_is_named_in_greek_german_and_irish():
    names = by_code(member_states())["DE"]["names"]
    assert names["el"] == "Γερμανία"
    assert names["de"] == "Deutschland"
    assert names["ga"] == "an Ghearmáin"


def test_norway_is_named_in_norwegian_through_the_bokmal_locale():
    assert by_code(member_states())["NO"]["names"]["no"] == "Norge"


def test_the_commission_is_named_as_the_european_union_and_is_no_member_state():
    commission = by_code(member_states())[COMMISSION]
    assert commission["names"]["en"] == "European Union"
    assert commission["names"]["fr"] == "Union européenne"
    assert commission["eu_member"] is False


def test_the_efta_countries_are_not_eu_members():
    states = by_code(member_states())
    assert [code for code in EEA_COUNTRIES if not states[code]["eu_member"]] == ["IS", "LI", "NO"]


def test_each_of_the_26_languages_is_named_in_each_of_them():
    langs = languages()
    assert [language["code"] for language in langs] == list(SUPPORTED_LANGUAGES)
    for language in langs:
        assert set(language["names"]) == set(SUPPORTED_LANGUAGES)
        assert all(name and name != language["code"] for name in language["names"].values())


def test_languages_are_named_by_cldr():
    names = by_code(languages())
    assert names["el"]["names"]["el"] == "Ελληνικά"
    assert names["de"]["names"]["el"] == "Γερμανικά"
    assert names["no"]["names"]["en"] == "Norwegian"
    assert names["mt"]["names"]["mt"] == "Malti"


def test_a_missing_translation_falls_back_to_english_and_is_listed():
    names, untranslated = reference._names(
        lambda locale: "Atlantis" if locale.language == "en" else None
    )
    assert set(names.values()) == {"Atlantis"}
    assert untranslated == [language for language in SUPPORTED_LANGUAGES if language != "en"]


def test_a_callers_change_to_the_result_does_not_reach_the_cache():
    member_states()[0]["names"]["en"] = "changed"
    assert member_states()[0]["names"]["en"] == "Austria"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("GR", "EL"), ("gr", "EL"), ("el", "EL"), ("de", "DE"), (" no ", "NO"), ("eu", "EU")],
)
def test_member_state_codes_are_normalised_to_the_eus(code, expected):
    assert normalise_member_state(code) == expected


@pytest.mark.parametrize("code", ["XX", "UK", "", "DEU"])
def test_an_unknown_member_state_code_is_refused(code):
    with pytest.raises(ValueError, match="Unknown member state"):
        normalise_member_state(code)


def test_export_writes_readable_utf8_json(tmp_path):
    states_path, languages_path = export(tmp_path / "reference")
    states_text = states_path.read_text(encoding="utf-8")
    assert "Γερμανία" in states_text
    assert json.loads(states_text) == member_states()
    assert json.loads(languages_path.read_text(encoding="utf-8")) == languages()
    assert states_path.name == "member_states.json"
    assert languages_path.name == "languages.json"
