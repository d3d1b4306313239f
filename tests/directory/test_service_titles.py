"""Machine-translated informal titles from the translation service
(``informal_titles_translated``): they fill the languages without a person's title, never
replace one, are searchable at once, and are announced by ``authority_updated``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from nameko.standalone.events import event_dispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.envelope import make_envelope
from services.directory.models import SearchDocument
from services.directory.search import fold
from tests.events import wait_until
from tests.services import delete_event_queues

GERMAN = "Anerkennungsstelle für Heilberufe"
ENGLISH = "Recognition of health professions"


def send_titles(config: dict, authority_id: str, titles: dict, event_id: str | None = None):
    data = {"authority_id": authority_id, "titles": titles, "status": "machine",
            "engine": "ctranslate2"}  # fmt: skip
    envelope = make_envelope(
        "translation", "informal_titles_translated", authority_id, data, datetime.now(UTC),
        event_id=event_id,
    )  # fmt: skip
    event_dispatcher(config)("translation", "informal_titles_translated", envelope)


def titles_of(directory, record: dict) -> dict:
    authority = directory.rpc.get_authority(directory.admin_of(record), record["id"])
    return {language: (t["text"], t["status"]) for language, t in authority["titles"].items()}


def search_document(store, authority_id: str) -> str:
    with Session(store.engine) as session:
        return session.scalar(
            select(SearchDocument.folded).where(SearchDocument.authority_id == authority_id)
        )


def registered(directory) -> dict:
    nimic = directory.nimic("DE")
    return directory.register(nimic.admin, "DE", titles={"de": GERMAN, "en": ENGLISH})


def test_machine_titles_fill_the_missing_languages_and_are_searchable(directory, directory_config):
    record = registered(directory)
    updates_before = len(directory.events.of("authority_updated", record["id"]))

    send_titles(directory_config, record["id"], {
        "fr": "Reconnaissance des professions de santé",
        "pl": "Uznawanie zawodów medycznych",
    })  # fmt: skip
    wait_until(lambda: "fr" in titles_of(directory, record), "the French title")

    titles = titles_of(directory, record)
    assert titles["fr"] == ("Reconnaissance des professions de santé", "machine")
    assert titles["pl"] == ("Uznawanie zawodów medycznych", "machine")
    assert titles["de"] == (GERMAN, "original")
    assert titles["en"] == (ENGLISH, "translated")
    folded = search_document(directory.store, record["id"])
    assert "reconnaissance des professions de sante" in folded
    assert "uznawanie zawodow medycznych" in folded
    reader = directory.user_of(record, language="fr")
    found = directory.rpc.search_authorities(reader, {"text": "reconnaissance professions"})
    assert [item["id"] for item in found["items"]] == [record["id"]]
    [*_, update] = directory.events.wait_for("authority_updated", record["id"], updates_before + 1)
    assert update["data"]["changed"] == ["titles"]
    assert update["data"]["titles"]["fr"] == "Reconnaissance des professions de santé"
    # not an edit: the version a person holds stays valid
    assert update["data"]["version"] == record["version"]


def test_a_persons_title_is_never_overwritten_and_replaces_a_machine_one(
    directory, directory_config
):
    record = registered(directory)

    send_titles(directory_config, record["id"], {
        "en": "Machine guess", "de": "Maschinell", "it": "Riconoscimento delle professioni",
    })  # fmt: skip
    wait_until(lambda: "it" in titles_of(directory, record), "the Italian title")
    admin = directory.admin_of(record)
    current = directory.rpc.get_authority(admin, record["id"])
    directory.rpc.update_authority(
        admin, record["id"],
        {"version": current["version"], "titles": {"it": "Riconoscimento professioni sanitarie"}},
    )  # fmt: skip
    send_titles(directory_config, record["id"], {"it": "Another machine guess", "sv": "Erkännande"})
    wait_until(lambda: "sv" in titles_of(directory, record), "the Swedish title")

    titles = titles_of(directory, record)
    assert titles["en"] == (ENGLISH, "translated")
    assert titles["de"] == (GERMAN, "original")
    assert titles["it"] == ("Riconoscimento professioni sanitarie", "translated")
    assert titles["sv"] == ("Erkännande", "machine")


def test_nothing_changed_publishes_nothing_and_a_repeated_event_is_handled_once(
    directory, directory_config
):
    record = registered(directory)
    event_id = str(uuid.uuid4())
    before = len(directory.events.of("authority_updated", record["id"]))

    send_titles(directory_config, record["id"], {"fi": "Terveysalan ammattien tunnustaminen"},
                event_id=event_id)  # fmt: skip
    directory.events.wait_for("authority_updated", record["id"], before + 1)
    send_titles(directory_config, record["id"], {"fi": "Something else"}, event_id=event_id)
    send_titles(directory_config, record["id"], {"en": "Only a machine guess"})
    send_titles(directory_config, str(uuid.uuid4()), {"fi": "An unknown authority"})
    send_titles(directory_config, record["id"], {"nl": "Erkenning van beroepen"})
    wait_until(lambda: "nl" in titles_of(directory, record), "the Dutch title")

    assert titles_of(directory, record)["fi"] == ("Terveysalan ammattien tunnustaminen", "machine")
    directory.events.wait_for("authority_updated", record["id"], before + 2)
    assert len(directory.events.of("authority_updated", record["id"])) == before + 2


# --- the chain: directory -> translation -> directory ------------------------------------------


def test_an_authority_registered_with_a_german_title_gets_machine_titles_once(
    directory, directory_config, container_factory, service_config, tmp_path
):
    from services.translation.bootstrap import prepare_translation
    from services.translation.service import TranslationService
    from tests.databases import prepare
    from tests.translation.machine_harness import build_tiny_model

    models = tmp_path / "models"
    build_tiny_model(models, "de", "en", seed=1)
    build_tiny_model(models, "en", "fr", seed=2)
    translation_uri = prepare(
        "translation", f"sqlite:///{tmp_path / 'translation.db'}", prepare_translation
    )
    translation = container_factory(TranslationService, {
        **service_config, "DB_URIS": {"translation": translation_uri},
        "TRANSLATION": {"ENGINE": "ctranslate2", "MODEL_DIR": str(models)},
    })  # fmt: skip
    # without the authority events earlier tests of the run left for the translation service
    delete_event_queues(translation, service_config)
    translation.start()
    nimic = directory.nimic("DE")

    record = directory.register(nimic.admin, "DE", titles={"de": GERMAN})
    wait_until(lambda: {"en", "fr"} <= set(titles_of(directory, record)), "the machine titles")
    second = directory.register(nimic.admin, "DE", titles={"de": GERMAN})
    wait_until(lambda: {"en", "fr"} <= set(titles_of(directory, second)), "the next ones")

    titles = titles_of(directory, record)
    assert set(titles) == {"de", "en", "fr"}
    assert titles["de"] == (GERMAN, "original")
    assert titles["en"][1] == titles["fr"][1] == "machine"
    assert fold(titles["en"][0]) in search_document(directory.store, record["id"])
    # one machine fill, one authority_updated: the translation service's second look at the
    # titles (after that event) finds nothing new to publish
    assert len(directory.events.of("authority_updated", record["id"])) == 1
