"""A request's history and status read in the reader's language (issue 11, point 6): each
history entry carries the label of its action and the view the label of the request's status,
from the shared lists ``history_actions`` and ``request_statuses`` once they are in the
translation catalogue, and their English source marked as a fallback until then.

The catalogue of these tests holds the lists from the start, loaded by the translation
service's own loader from the payload ``list_published`` carries: waiting for the shipped
events instead would have the translation service load the shipped question sets' thousands of
texts at the same time, during which the view's call for its texts may time out (the view then
shows the fallbacks). The way of the events to the catalogue is tested in
test_service_question_sets.py.
"""

# The Greek letters of the expected texts are meant (RUF001 takes them for Latin look-alikes).
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
import yaml

from services.common.db import StandaloneDatabase
from services.common.schemas import dump, load
from services.requests import shared_lists
from services.requests.bootstrap import LISTS_FILE
from services.requests.schemas import SharedListsSchema
from services.requests.shared_lists import HISTORY_ACTIONS, REQUEST_STATUSES, namespace
from services.requests.workflow import Action
from services.requests.workflow_state import Status
from services.translation.bootstrap import load_shipped, prepare_translation, shared_list_entries
from services.translation.models import Base as TranslationBase
from tests.requests.exchange_harness import (
    BUDAPEST_HANDLER,
    ROMA_HANDLER,
    act,
    load_network,
    new_request,
)


def with_the_shared_lists(uri: str, now) -> None:
    """The catalogue at ``uri`` with its shipped texts and the requests service's shared lists,
    as the translation service leaves it once it has handled their ``list_published``."""
    prepare_translation(uri, now)
    shipped = yaml.safe_load(LISTS_FILE.read_text(encoding="utf-8"))
    database = StandaloneDatabase(TranslationBase, "translation", uri, clock=lambda: now)
    unit = database.unit_of_work()
    try:
        for name, items in dump(SharedListsSchema, load(SharedListsSchema, shipped)).items():
            published = {"list": name, "entries": shared_lists.entries(name, items)}
            load_shipped(unit, shared_list_entries(published))
        unit.commit()
    finally:
        unit.close()
        database.dispose()


@pytest.fixture
def lists_in_catalogue() -> bool:
    return True


@pytest.fixture
def requests_config(service_config, service_database, frozen_clock, lists_in_catalogue) -> dict:
    """The network of tests/requests/network.py, and a catalogue with or without the lists."""
    translation = (
        service_database(
            "translation",
            lambda uri: with_the_shared_lists(uri, frozen_clock()),
            template="translation-requests-lists",
        )
        if lists_in_catalogue
        else service_database("translation", lambda uri: prepare_translation(uri, frozen_clock()))
    )
    requests = service_database("requests", load_network, template="requests-network")
    return {**service_config, "DB_URIS": {"requests": requests, "translation": translation}}


@pytest.fixture
def accepted(proxy) -> dict:
    """A request created in Rome, sent and accepted in Budapest."""
    draft = new_request(proxy)
    return act(proxy, BUDAPEST_HANDLER, act(proxy, ROMA_HANDLER, draft, "send"), "accept")


def read(proxy, actor: dict, request_id: str, language: str) -> tuple[list[dict], dict]:
    """The labels of the request's history and its status label, as ``actor`` reads them."""
    view = proxy.requests.request(actor, request_id, {"language": language})
    return [entry["label"] for entry in view["history"]], view["status_label"]


def labels_in_catalogue(proxy, language: str) -> bool:
    """Every label of both lists has reached the catalogue in ``language``."""
    query = {"language": language,
             "namespaces": [namespace(HISTORY_ACTIONS), namespace(REQUEST_STATUSES)]}  # fmt: skip
    texts = proxy.translation.bundle(ROMA_HANDLER, query)["texts"]
    return len(texts) == len(Action) + len(Status)


def test_the_history_and_status_read_in_hungarian_and_in_greek(proxy, accepted):
    hungarian = read(proxy, BUDAPEST_HANDLER, accepted["id"], "hu")
    greek = read(proxy, ROMA_HANDLER, accepted["id"], "el")

    assert hungarian == (
        [{"text": "Létrehozta a megkeresés tervezetét", "fallback": False},
         {"text": "Elküldte a megkeresést", "fallback": False},
         {"text": "Elfogadta a megkeresést", "fallback": False}],
        {"text": "Elfogadva", "fallback": False},
    )  # fmt: skip
    assert greek == (
        [{"text": "Δημιουργήθηκε σχέδιο αιτήματος", "fallback": False},
         {"text": "Το αίτημα απεστάλη", "fallback": False},
         {"text": "Το αίτημα έγινε αποδεκτό", "fallback": False}],
        {"text": "Έγινε αποδεκτό", "fallback": False},
    )  # fmt: skip


@pytest.mark.parametrize("lists_in_catalogue", [False])
def test_before_the_catalogue_has_the_labels_readers_get_the_english_marked_as_fallback(
    proxy, accepted
):
    # The shipped lists' events wait in the outbox: the frozen clock has not made them due.
    history, status = read(proxy, BUDAPEST_HANDLER, accepted["id"], "hu")

    assert not labels_in_catalogue(proxy, "hu")
    assert history == [
        {"text": "Created the draft request", "fallback": True},
        {"text": "Sent the request", "fallback": True},
        {"text": "Accepted the request", "fallback": True},
    ]
    assert status == {"text": "Accepted", "fallback": True}
