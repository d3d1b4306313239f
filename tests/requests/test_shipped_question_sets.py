"""The question sets and shared lists shipped with the requests service are complete and well
formed: every text in the 26 supported languages, within its length, with snake_case keys unique
in their set, structured answers that fit their type, and areas the directory knows.

The files are read raw with PyYAML, as a translator or an administrator edits them: nothing of
the requests service is needed, so a broken file fails here before any service loads it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from services.common.reference import SUPPORTED_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "services" / "requests" / "content"
QUESTION_SETS = CONTENT / "question_sets"
LISTS = CONTENT / "lists.yaml"
LEGISLATIVE_AREAS = ROOT / "services" / "directory" / "data" / "legislative_areas.yaml"

SHIPPED_SETS = ("professional_qualifications", "services", "posting_of_workers")
ANSWER_TYPES = ("yes_no", "single_choice", "multiple_choice", "date", "document", "free_text")
CHOICE_TYPES = ("single_choice", "multiple_choice")
KINDS = ("information", "action")
KEY = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MIN_QUESTIONS = 15

TITLE_MAX = 120
OPTION_MAX = 120
QUESTION_MAX = 400
HELP_MAX = 600
DESCRIPTION_MAX = 400
LIST_ENTRY_MAX = 120

LIST_MINIMUMS = {
    "cannot_provide_reasons": 6,
    "pq_request_types": 3,
    "decline_reasons": 4,
    "answer_values": 3,
    "history_actions": 24,
    "request_statuses": 10,
    "report_labels": 40,
}
REQUIRED_LIST_KEYS = {
    "pq_request_types": {"permanent_establishment", "temporary_provision", "general"},
    "answer_values": {"yes", "no", "cannot_be_provided"},
}

QUESTION_FIELDS = {
    "key", "answer", "text", "help", "options", "personal_data", "request_types", "fields",
}  # fmt: skip
GROUP_FIELDS = {"key", "title", "questions"}
SET_FIELDS = {"key", "area", "kind", "source_language", "title", "description", "groups"}


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def question_set(key: str) -> dict:
    return read(QUESTION_SETS / f"{key}.yaml")


@cache
def lists() -> dict:
    return read(LISTS)


def questions(document: dict) -> list[dict]:
    return [question for group in document["groups"] for question in group["questions"]]


def texts_of(document: dict) -> list[tuple[str, dict, int, list[str]]]:
    """Every translated text of a set: (where it is, the texts, its maximum length, its fields)."""
    found = [
        ("title", document["title"], TITLE_MAX, []),
        ("description", document["description"], DESCRIPTION_MAX, []),
    ]
    for group in document["groups"]:
        found.append((f"group {group['key']}", group["title"], TITLE_MAX, []))
        for question in group["questions"]:
            where = f"question {question['key']}"
            fields = list(question.get("fields", []))
            found.append((where, question["text"], QUESTION_MAX, fields))
            if "help" in question:
                found.append((f"{where} help", question["help"], HELP_MAX, fields))
            for option in question.get("options", []):
                found.append((f"{where} option {option['key']}", option["text"], OPTION_MAX, []))
    return found


def translation_problems(where: str, texts: object, maximum: int, fields: list[str]) -> list:
    if not isinstance(texts, dict):
        return [f"{where}: not a mapping of languages"]
    problems = []
    languages = set(texts)
    if languages != set(SUPPORTED_LANGUAGES):
        missing = sorted(set(SUPPORTED_LANGUAGES) - languages)
        extra = sorted(map(str, languages - set(SUPPORTED_LANGUAGES)))
        problems.append(f"{where}: missing {missing}, unexpected {extra}")
    for language, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where} [{language}]: empty or not a string")
            continue
        if text != text.strip():
            problems.append(f"{where} [{language}]: leading or trailing white space")
        if len(text) > maximum:
            problems.append(f"{where} [{language}]: {len(text)} characters, over {maximum}")
        placeholders = PLACEHOLDER.findall(text)
        undeclared = set(placeholders) - set(fields)
        stray = {text.count("{"), text.count("}")} != {len(placeholders)}
        if undeclared or stray:
            problems.append(f"{where} [{language}]: placeholder braces not declared in fields")
    return problems


def test_the_three_sets_are_shipped_and_named_after_their_key():
    shipped = sorted(path.stem for path in QUESTION_SETS.glob("*.yaml"))
    assert shipped == sorted(SHIPPED_SETS)
    for key in SHIPPED_SETS:
        assert question_set(key)["key"] == key


@pytest.mark.parametrize("key", SHIPPED_SETS)
def test_a_set_has_only_known_fields_a_known_kind_and_english_as_source(key):
    document = question_set(key)
    assert set(document) == SET_FIELDS
    assert document["kind"] in KINDS
    assert document["source_language"] == "en"
    for group in document["groups"]:
        assert set(group) == GROUP_FIELDS, group.get("key")
        assert group["questions"], f"group {group['key']} has no questions"
        for question in group["questions"]:
            assert set(question) <= QUESTION_FIELDS, question.get("key")
            assert {"key", "answer", "text"} <= set(question), question.get("key")


@pytest.mark.parametrize("key", SHIPPED_SETS)
def test_every_text_of_a_set_is_in_the_26_languages_and_within_its_length(key):
    problems = []
    for where, texts, maximum, fields in texts_of(question_set(key)):
        problems += translation_problems(where, texts, maximum, fields)
    assert problems == []


@pytest.mark.parametrize("key", SHIPPED_SETS)
def test_keys_of_groups_questions_and_options_are_snake_case_and_unique(key):
    document = question_set(key)
    group_keys = [group["key"] for group in document["groups"]]
    question_keys = [question["key"] for question in questions(document)]
    for keys in (group_keys, question_keys):
        assert all(isinstance(k, str) and KEY.match(k) for k in keys), keys
        assert len(keys) == len(set(keys)), keys
    for question in questions(document):
        option_keys = [option["key"] for option in question.get("options", [])]
        assert all(isinstance(k, str) and KEY.match(k) for k in option_keys), question["key"]
        assert len(option_keys) == len(set(option_keys)), question["key"]


@pytest.mark.parametrize("key", SHIPPED_SETS)
def test_options_are_given_exactly_for_the_choice_types_and_at_least_two(key):
    for question in questions(question_set(key)):
        assert question["answer"] in ANSWER_TYPES, question["key"]
        if question["answer"] in CHOICE_TYPES:
            assert len(question.get("options", [])) >= 2, question["key"]
            assert all(set(option) == {"key", "text"} for option in question["options"])
        else:
            assert "options" not in question, question["key"]


@pytest.mark.parametrize("key", SHIPPED_SETS)
def test_a_set_has_enough_questions_and_says_which_answers_are_personal_data(key):
    document = question_set(key)
    assert len(questions(document)) >= MIN_QUESTIONS
    for question in questions(document):
        assert isinstance(question.get("personal_data"), bool), question["key"]


def test_every_answer_type_is_used_somewhere_in_the_shipped_sets():
    used = {question["answer"] for key in SHIPPED_SETS for question in questions(question_set(key))}
    assert used == set(ANSWER_TYPES)


def test_request_types_appear_only_in_professional_qualifications_and_on_every_question():
    types = {entry["key"] for entry in lists()["pq_request_types"]}
    for key in SHIPPED_SETS:
        for question in questions(question_set(key)):
            if key == "professional_qualifications":
                given = question.get("request_types")
                assert given, question["key"]
                assert set(given) <= types, question["key"]
                assert len(given) == len(set(given)), question["key"]
            else:
                assert "request_types" not in question, (key, question["key"])


def test_every_pq_request_type_has_questions():
    used = {
        request_type
        for question in questions(question_set("professional_qualifications"))
        for request_type in question["request_types"]
    }
    assert used == {entry["key"] for entry in lists()["pq_request_types"]}


@pytest.mark.parametrize("key", SHIPPED_SETS)
def test_a_set_belongs_to_an_area_of_the_directory_that_has_information_requests(key):
    areas = {area["code"]: area for area in read(LEGISLATIVE_AREAS)}
    area = question_set(key)["area"]
    assert area in areas
    assert "information_requests" in areas[area]["workflows"]


@pytest.mark.parametrize("key", SHIPPED_SETS)
def test_declared_fields_are_used_in_the_question_they_belong_to(key):
    for question in questions(question_set(key)):
        for field in question.get("fields", []):
            assert KEY.match(field), question["key"]
            assert f"{{{field}}}" in question["text"]["en"], (question["key"], field)


def test_the_shared_lists_are_complete_with_unique_keys_in_the_26_languages():
    document = lists()
    assert set(document) == set(LIST_MINIMUMS)
    problems = []
    for name, minimum in LIST_MINIMUMS.items():
        entries = document[name]
        keys = [entry["key"] for entry in entries]
        assert len(entries) >= minimum, name
        assert all(isinstance(k, str) and KEY.match(k) for k in keys), (name, keys)
        assert len(keys) == len(set(keys)), name
        assert REQUIRED_LIST_KEYS.get(name, set()) <= set(keys), name
        for entry in entries:
            assert set(entry) == {"key", "text"}, (name, entry.get("key"))
            problems += translation_problems(
                f"{name} {entry['key']}", entry["text"], LIST_ENTRY_MAX, []
            )
    assert problems == []


def test_the_reasons_lists_offer_an_other_reason_to_explain_in_a_comment():
    for name in ("cannot_provide_reasons", "decline_reasons"):
        assert "other" in {entry["key"] for entry in lists()[name]}, name
