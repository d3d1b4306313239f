"""What the request pages make of their forms before any service is called: the create form's
messages per field, the answers of the reply form in each question's answer type, and the
version a form carries after a conflict."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from gateway.web.forms import read_form
from gateway.web.request_choices import REPORT_PART_LABELS, may_copy
from gateway.web.request_pages import (
    NewRequestForm,
    _answerable,
    _answers,
    _fresh_version,
    _with_lists,
)
from services.requests.schemas.reports import PARTS


def question(number: str, answer: str, answers: list | None = None) -> dict:
    return {"number": number, "answer": answer, "answers": answers or []}


def sent(value: object) -> dict:
    return {"draft": False, "value": value}


def test_a_create_form_without_questions_or_name_has_a_message_beside_each_field():
    posted = MultiDict({"set_key": "services", "date_of_birth": "3 May", "nationality": "it"})

    _, errors = read_form(NewRequestForm, _with_lists(posted, ("questions",)))

    assert errors == {
        "questions": "web.request_form.questions_missing",
        "full_name": "web.form.required",
        "date_of_birth": "web.form.invalid",
        "nationality": "web.form.invalid",
    }


def test_a_create_form_keeps_every_question_ticked():
    posted = MultiDict(
        [("set_key", "services"), ("questions", "1.1"), ("questions", "2.4"),
         ("full_name", "Fekete Ádám")]
    )  # fmt: skip

    values, errors = read_form(NewRequestForm, _with_lists(posted, ("questions",)))

    assert errors == {}
    assert values["questions"] == ["1.1", "2.4"]


def test_the_reply_form_gives_each_answer_in_its_question_s_type():
    shown = {"status": "accepted", "questions": [
        question("1.1", "yes_no"), question("1.4", "single_choice"),
        question("1.5", "multiple_choice"), question("2.1", "date"),
        question("2.4", "free_text"), question("3.1", "yes_no"),
        question("3.2", "free_text", [sent("Già inviata.")]),
    ]}  # fmt: skip
    posted = MultiDict([
        ("answer-1.1", "false"), ("answer-1.4", "private_limited_company"),
        ("answer-1.5", "a"), ("answer-1.5", "b"), ("answer-2.1", "2026-01-31"),
        ("answer-2.4", "  Szöveg.  "), ("cannot-3.1", "not_held"), ("answer-3.2", "Again"),
    ])  # fmt: skip

    answers = _answers(shown, posted, "hu")

    assert answers == [
        {"question": "1.1", "value": False},
        {"question": "1.4", "value": "private_limited_company"},
        {"question": "1.5", "value": ["a", "b"]},
        {"question": "2.1", "value": "2026-01-31"},
        {"question": "2.4", "value": "Szöveg.", "language": "hu"},
        {"question": "3.1", "cannot_provide": "not_held", "value": None},
    ]  # 3.2 was answered in a sent reply: not again


def test_while_additional_information_is_asked_every_question_may_be_answered_again():
    shown = {"status": "additional_information_requested",
             "questions": [question("1.1", "yes_no", [sent(True)])]}  # fmt: skip

    assert _answerable(shown) == ["1.1"]
    assert _answerable({**shown, "status": "partially_answered"}) == []


def test_after_a_conflict_the_form_keeps_the_input_but_not_the_stale_version():
    posted = MultiDict({"version": "3", "reason": "Cessata attività."})

    kept = _fresh_version(posted)

    assert "version" not in kept
    assert kept["reason"] == "Cessata attività."


def test_the_report_form_offers_every_part_the_service_prints_in_its_order():
    assert tuple(REPORT_PART_LABELS) == PARTS


def test_the_copy_form_is_offered_to_request_handlers_of_the_requesting_authority_only():
    shown = {"area": "services", "requester": {"authority_id": "roma"}}

    def actor(authority: str, right: str, area: str | None = "services") -> dict:
        return {"authority_id": authority, "grants": [{"right": right, "area": area}]}

    assert may_copy(actor("roma", "request_handler"), shown)
    assert may_copy(actor("roma", "request_handler", None), shown)
    assert not may_copy(actor("roma", "request_handler", "professional_qualifications"), shown)
    assert not may_copy(actor("roma", "allocator"), shown)
    assert not may_copy(actor("budapest", "request_handler"), shown)
