"""The directory of registers: adding, changing, translating, deleting and searching registers
(DOMAIN.md section 2), through the real broker."""

from __future__ import annotations

import uuid

import pytest

from services.common.actor import Right
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .harness import COMMISSION, actor

TEXTS = {
    "name": "Ärzteregister der Landesärztekammer",
    "nature": "Öffentliches Berufsregister",
    "content": "Approbierte Ärztinnen und Ärzte mit Fachgebiet und Anschrift",
    "access_conditions": "Online frei einsehbar",
}
ENGLISH = {
    "name": "Register of doctors",
    "nature": "Public professional register",
    "content": "Licensed doctors with their speciality and address",
    "access_conditions": "Free online consultation",
}


def register_data(authority_id: str, **changes) -> dict:
    data = {
        "authority_id": authority_id,
        "url": "https://www.example.de/arztsuche",
        "access": "public",
        "source_language": "de",
        "texts": dict(TEXTS),
    }
    data.update(changes)
    return data


@pytest.fixture
def keeper(directory) -> tuple[dict, dict]:
    """An authority registered by its NIMIC, and its local data administrator."""
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    return record, directory.lda_of(record)


def test_an_authority_adds_a_register_in_its_member_state_and_it_is_announced(
    directory, events, keeper
):
    record, lda = keeper

    register = directory.rpc.create_register(lda, register_data(record["id"]))

    assert register["member_state"] == "DE"
    assert register["authority"]["id"] == record["id"]
    assert register["text"]["status"] == "original"
    assert register["translations"] == {"de": "original"}
    changed = events.wait_for("register_changed", register["id"])[0]["data"]
    assert changed["change"] == "created"
    assert changed["languages"] == ["de"]
    assert "Ärzte" not in str(changed)


def test_the_member_state_of_a_register_cannot_be_chosen(directory, keeper):
    record, lda = keeper

    with pytest.raises(ValidationFailed) as caught:
        directory.rpc.create_register(lda, register_data(record["id"], member_state="AT"))
    assert "member_state" in caught.value.extra["errors"]


def test_only_keepers_of_the_authority_add_its_registers(directory, keeper):
    record, _ = keeper
    stranger = directory.nimic("AT")
    clerk = actor(record["id"], "DE", Right.REQUEST_HANDLER)

    for who in (stranger.admin, clerk):
        with pytest.raises(Forbidden):
            directory.rpc.create_register(who, register_data(record["id"]))
    assert directory.rpc.create_register(COMMISSION, register_data(record["id"]))["id"]


def test_a_register_for_an_unknown_authority_is_not_found(directory):
    with pytest.raises(NotFound):
        directory.rpc.create_register(COMMISSION, register_data(str(uuid.uuid4())))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.de/register"}, "url"),
        ({"url": "https://example.de/" + "x" * 500}, "url"),
        ({"access": "everyone"}, "access"),
        ({"source_language": "tlh"}, "source_language"),
        ({"texts": {**TEXTS, "name": "x" * 301}}, "texts"),
        ({"texts": {**TEXTS, "content": "x" * 2001}}, "texts"),
        ({"texts": {"name": "Nur ein Name"}}, "texts"),
        ({"texts": {**TEXTS, "nature": "   "}}, "nature"),
        ({"authority_id": "x" * 65}, "authority_id"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_a_bad_register_is_refused_naming_the_field_and_stores_nothing(
    directory, store, keeper, change, field
):
    record, lda = keeper
    before = store.snapshot()

    with pytest.raises(ValidationFailed) as caught:
        directory.rpc.create_register(lda, {**register_data(record["id"]), **change})

    assert field in caught.value.extra["errors"]
    assert store.new_rows(before) == {}


def test_a_register_reads_in_the_readers_language_else_in_its_source_language(directory, keeper):
    record, lda = keeper
    register = directory.rpc.create_register(lda, register_data(record["id"]))
    translated = directory.rpc.translate_register(
        lda, register["id"], "en", {**ENGLISH, "version": register["version"]}
    )

    in_english = directory.rpc.get_register(directory.user_of(record, "en"), register["id"])
    in_swedish = directory.rpc.get_register(directory.user_of(record, "sv"), register["id"])

    assert translated["translations"] == {"de": "original", "en": "translated"}
    assert in_english["text"]["name"] == "Register of doctors"
    assert in_english["text"]["language"] == "en"
    assert in_swedish["requested_language"] == "sv"
    assert in_swedish["text"]["language"] == "de"
    assert in_swedish["text"]["name"] == TEXTS["name"]


def test_a_new_source_text_marks_the_translations_outdated(directory, events, keeper):
    record, lda = keeper
    register = directory.rpc.create_register(lda, register_data(record["id"]))
    register = directory.rpc.translate_register(
        lda, register["id"], "en", {**ENGLISH, "version": 1}
    )

    updated = directory.rpc.update_register(
        lda, register["id"],
        {"texts": {**TEXTS, "content": "Ärzte und Zahnärzte"}, "version": register["version"]},
    )  # fmt: skip

    assert updated["translations"] == {"de": "original", "en": "outdated"}
    assert updated["version"] == 3
    changes = [e["data"]["change"] for e in events.wait_for("register_changed", register["id"], 3)]
    assert changes == ["created", "translated", "updated"]


def test_a_change_on_a_stale_version_names_who_changed_the_register_and_when(directory, keeper):
    record, lda = keeper
    register = directory.rpc.create_register(lda, register_data(record["id"]))
    saved = directory.rpc.update_register(
        lda, register["id"], {"access": "restricted", "version": 1}
    )

    with pytest.raises(Conflict) as caught:
        directory.rpc.update_register(lda, register["id"], {"access": "on_request", "version": 1})

    assert caught.value.code == "error.stale_version"
    assert caught.value.extra == {
        "current_version": 2,
        "changed_by": lda["user_id"],
        "changed_at": saved["updated_at"],
    }


def test_the_source_language_is_changed_not_translated(directory, keeper):
    record, lda = keeper
    register = directory.rpc.create_register(lda, register_data(record["id"]))

    with pytest.raises(ValidationFailed):
        directory.rpc.translate_register(lda, register["id"], "de", {**TEXTS, "version": 1})
    with pytest.raises(ValidationFailed):
        directory.rpc.translate_register(lda, register["id"], "xx", {**ENGLISH, "version": 1})


def test_the_commissions_translators_translate_but_do_not_change_registers(directory, keeper):
    record, lda = keeper
    register = directory.rpc.create_register(lda, register_data(record["id"]))
    translator = actor(str(uuid.uuid4()), "EU", Right.COMMISSION_TRANSLATOR)

    translated = directory.rpc.translate_register(
        translator, register["id"], "fr",
        {"name": "Registre des médecins", "nature": "Registre professionnel public",
         "content": "Médecins autorisés", "access_conditions": "Consultation libre",
         "version": 1},
    )  # fmt: skip

    assert translated["translations"]["fr"] == "translated"
    with pytest.raises(Forbidden):
        directory.rpc.update_register(translator, register["id"], {"access": "restricted",
                                                                   "version": 2})  # fmt: skip


def test_a_deleted_register_is_gone_and_announced(directory, events, keeper):
    record, lda = keeper
    register = directory.rpc.create_register(lda, register_data(record["id"]))

    assert directory.rpc.delete_register(lda, register["id"]) is None

    with pytest.raises(NotFound):
        directory.rpc.get_register(lda, register["id"])
    deleted = events.wait_for("register_changed", register["id"], 2)[1]["data"]
    assert deleted["change"] == "deleted"


def test_a_basic_user_deletes_no_register(directory, keeper):
    record, lda = keeper
    register = directory.rpc.create_register(lda, register_data(record["id"]))

    with pytest.raises(Forbidden):
        directory.rpc.delete_register(directory.user_of(record), register["id"])
    assert directory.rpc.get_register(lda, register["id"])["id"] == register["id"]


def test_registers_are_found_by_words_in_any_language_accents_and_case_aside(directory, keeper):
    record, lda = keeper
    doctors = directory.rpc.create_register(lda, register_data(record["id"]))
    directory.rpc.translate_register(lda, doctors["id"], "en", {**ENGLISH, "version": 1})
    trade = directory.rpc.create_register(
        lda, register_data(record["id"], access="restricted", texts={
            "name": "Gewerberegister", "nature": "Behördliches Register",
            "content": "Angemeldete Gewerbe", "access_conditions": "Nur für Behörden"}),
    )  # fmt: skip
    reader = directory.user_of(record)

    def found(**query) -> list[str]:
        return [item["id"] for item in directory.rpc.search_registers(reader, query)["items"]]

    assert found(text="ARZTEREGISTER") == [doctors["id"]]
    assert found(text="licensed doctors") == [doctors["id"]]
    assert found(text="gewerbe") == [trade["id"]]
    assert found(access="restricted") == [trade["id"]]
    assert sorted(found(member_state="DE", authority_id=record["id"])) == sorted(
        [doctors["id"], trade["id"]]
    )
    assert found(member_state="AT") == []
    page = directory.rpc.search_registers(reader, {"page_size": 1, "page": 2})
    assert (page["total"], len(page["items"])) == (2, 1)


@pytest.mark.parametrize(
    "text", ["zzz' OR '1'='1", 'zzz"; DROP TABLE registers; --', "zzz%", "zzz_", "zzz\\"]
)
def test_injection_looking_search_text_finds_nothing_and_harms_nothing(directory, keeper, text):
    record, lda = keeper
    directory.rpc.create_register(lda, register_data(record["id"]))
    reader = directory.user_of(record)

    assert directory.rpc.search_registers(reader, {"text": text})["items"] == []
    assert directory.rpc.search_registers(reader, {})["total"] == 1


@pytest.mark.parametrize(
    "query",
    [{"text": "x" * 201}, {"text": "%"}, {"text": "' --"}, {"page_size": 1000},
     {"member_state": "XX"}, {"access": "all"}, {"text": "a b c d e f g h i"}, {"sort": "name"}],
)  # fmt: skip
def test_a_bad_search_is_refused(directory, keeper, query):
    record, _ = keeper

    with pytest.raises(ValidationFailed):
        directory.rpc.search_registers(directory.user_of(record), query)
