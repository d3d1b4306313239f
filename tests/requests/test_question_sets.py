"""The rules of question set documents (services/requests/question_sets.py): pure, no I/O."""

from __future__ import annotations

from services.requests.question_sets import (
    changed_published_texts,
    localised,
    numbered_questions,
    problems,
    text_keys,
)

from .documents import changed, document, question


def test_a_valid_document_has_no_problems_and_numbered_questions():
    found = document("svc")

    assert problems(found) == {}
    assert [(n.number, n.question["key"]) for n in numbered_questions(found)] == [
        ("1.1", "legally_established"), ("1.2", "legal_form"), ("2.1", "sanctions"),
    ]  # fmt: skip


def test_every_text_has_a_catalogue_key_in_the_sets_namespace():
    keys = [text.key for text in text_keys(document("svc"))]

    assert keys == [
        "requests.question_set.svc.title",
        "requests.question_set.svc.description",
        "requests.question_set.svc.group.establishment",
        "requests.question_set.svc.group.conduct",
        "requests.question_set.svc.question.legally_established.text",
        "requests.question_set.svc.question.legally_established.help",
        "requests.question_set.svc.question.legal_form.text",
        "requests.question_set.svc.question.legal_form.option.company",
        "requests.question_set.svc.question.legal_form.option.sole_trader",
        "requests.question_set.svc.question.sanctions.text",
    ]


def test_what_a_schema_cannot_state_is_refused_field_by_field():
    broken = changed(document("svc"))
    broken["groups"][1]["key"] = "establishment"
    question(broken, "sanctions")["key"] = "legal_form"
    question(broken, "legally_established")["options"] = [{"key": "x", "text": {"en": "X"}}]
    question(broken, "legally_established")["request_types"] = ["general"]
    broken["title"] = {"it": "Solo italiano"}

    found = problems(broken)

    assert set(found) == {"groups", "questions", "options", "request_types", "texts"}
    assert found["texts"] == ["requests.question_set.svc.title: no text in en."]


def test_a_choice_needs_two_options():
    broken = changed(document("svc"))
    question(broken, "legal_form")["options"] = question(broken, "legal_form")["options"][:1]

    assert problems(broken) == {"options": ["legal_form: a choice needs at least two options."]}


def test_request_types_belong_to_professional_qualifications_only():
    pq = changed(document("pq", area="professional_qualifications"))
    question(pq, "sanctions")["request_types"] = ["permanent_establishment"]

    assert problems(pq) == {}


def test_a_published_text_cannot_change_but_new_keys_can_come():
    first = document("svc")
    second = changed(first)
    question(second, "sanctions")["text"]["en"] = "Which penalties were imposed?"
    second["groups"][1]["questions"].append(
        {"key": "penalties", "answer": "date", "text": {"en": "Since when?"}}
    )
    translated_only = changed(first)
    question(translated_only, "sanctions")["text"]["de"] = "Welche Sanktionen?"

    assert changed_published_texts(second, [first]) == [
        "requests.question_set.svc.question.sanctions.text"
    ]
    assert changed_published_texts(translated_only, [first]) == []


def test_a_reader_gets_the_catalogue_then_the_document_then_the_source_marked():
    catalogue = {
        "requests.question_set.svc.question.legal_form.text": {
            "text": "Qual è la forma giuridica del prestatore?", "fallback": False,
        },
        "requests.question_set.svc.question.sanctions.text": {
            "text": "Which sanctions were imposed on the provider?", "fallback": True,
        },
    }  # fmt: skip

    view = localised(document("svc"), 1, "it", catalogue)

    first, second = view["groups"]
    assert view["title"] == {"text": "Verifiche su un prestatore", "fallback": False}
    assert first["questions"][1]["text"]["text"] == "Qual è la forma giuridica del prestatore?"
    assert first["questions"][1]["options"][1]["text"] == {
        "text": "Un imprenditore individuale", "fallback": False
    }  # fmt: skip
    assert first["questions"][0]["help"] == {
        "text": "As the register of the establishment shows.", "fallback": True
    }  # fmt: skip
    assert second["questions"][0]["text"]["fallback"] is True
    assert second["questions"][0]["number"] == "2.1"
    assert second["questions"][0]["personal_data"] is True
