"""Every action of the workflow and every status of a request has its label in the shared lists
(services/requests/content/lists.yaml): ``history_actions`` and ``request_statuses``, in the 26
supported languages, and no two items of a list read alike in any language. An action or a
status added to the workflow without its label fails here. Unit tests: no fixture, no broker.
"""

from __future__ import annotations

from enum import StrEnum

import pytest
import yaml

from services.common.reference import SUPPORTED_LANGUAGES
from services.common.schemas import load
from services.requests.bootstrap import LISTS_FILE
from services.requests.schemas import SharedListsSchema
from services.requests.shared_lists import HISTORY_ACTIONS, REQUEST_STATUSES
from services.requests.workflow import Action
from services.requests.workflow_state import Status

LABELS = {HISTORY_ACTIONS: Action, REQUEST_STATUSES: Status}


def shipped(name: str) -> dict[str, dict[str, str]]:
    """The list as preparation reads it: through the shipped lists' schema."""
    found = load(SharedListsSchema, yaml.safe_load(LISTS_FILE.read_text(encoding="utf-8")))
    return {item["key"]: item["text"] for item in found[name]}


@pytest.mark.parametrize(("name", "values"), LABELS.items())
def test_every_value_has_exactly_one_label(name: str, values: type[StrEnum]):
    assert sorted(shipped(name)) == sorted(value.value for value in values)


@pytest.mark.parametrize("name", LABELS)
def test_every_label_is_written_in_the_26_languages(name: str):
    incomplete = {
        key: sorted(set(SUPPORTED_LANGUAGES) - {lang for lang, text in texts.items() if text})
        for key, texts in shipped(name).items()
    }
    assert {key: missing for key, missing in incomplete.items() if missing} == {}


@pytest.mark.parametrize("name", LABELS)
def test_no_two_labels_of_a_list_read_alike_in_a_language(name: str):
    items = shipped(name).values()
    alike = {
        language
        for language in SUPPORTED_LANGUAGES
        if len({texts[language].casefold() for texts in items}) < len(items)
    }
    assert alike == set()
