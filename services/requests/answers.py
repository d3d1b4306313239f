"""The questions of a request and their answers, checked against the question set version
the request was created with (DOMAIN.md section 4).

Inside the service a question is its ordinal in the version (1 for the first question of the
first group, and on through the groups), which is what the workflow counts; readers and
writers name it by its number ("2.3": the third question of the second group). An answer is
either a value of the question's answer type or "cannot be provided" with a reason from the
shared pre-translated list; either may carry a free text in a given language.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.common.errors import ValidationFailed
from services.requests.question_sets import AnswerType, NumberedQuestion, numbered_questions

CANNOT_PROVIDE_REASONS = "cannot_provide_reasons"
DECLINE_REASONS = "decline_reasons"
TEXT_LENGTH = 8000


@dataclass(frozen=True)
class Questions:
    """The numbered questions of one version, by ordinal and by number."""

    numbered: tuple[NumberedQuestion, ...]

    @classmethod
    def of(cls, document: dict) -> Questions:
        return cls(tuple(numbered_questions(document)))

    def number(self, ordinal: int) -> str:
        return self.numbered[ordinal - 1].number

    def question(self, ordinal: int) -> dict:
        return self.numbered[ordinal - 1].question

    def ordinals(self, numbers: Iterable[str], field: str = "questions") -> frozenset[int]:
        """The ordinals of ``numbers``; a number the version does not have is refused."""
        by_number = {item.number: index for index, item in enumerate(self.numbered, start=1)}
        numbers = list(numbers)
        unknown = sorted({number for number in numbers if number not in by_number})
        if unknown:
            raise ValidationFailed.from_fields(
                {field: [f"No question {number} in this question set." for number in unknown]}
            )
        return frozenset(by_number[number] for number in numbers)

    def numbers(self, ordinals: Iterable[int]) -> list[str]:
        return [self.number(ordinal) for ordinal in sorted(ordinals)]

    def personal(self) -> frozenset[int]:
        """The questions whose answer is the subject's personal data."""
        return frozenset(
            index
            for index, item in enumerate(self.numbered, start=1)
            if item.question.get("personal_data")
        )

    def for_type(self, pq_type: str | None) -> frozenset[int]:
        """The questions a request of ``pq_type`` may ask (all, for requests without a type)."""
        return frozenset(
            index
            for index, item in enumerate(self.numbered, start=1)
            if pq_type is None
            or not item.question.get("request_types")
            or pq_type in item.question["request_types"]
        )


@dataclass(frozen=True)
class CheckedAnswer:
    question: int
    value: dict | None
    cannot_provide: str | None
    text: str | None
    language: str | None


def check_answers(
    questions: Questions,
    asked: frozenset[int],
    answers: list[dict],
    reasons: frozenset[str],
    attachments: frozenset[str],
    language: str,
) -> list[CheckedAnswer]:
    """Each answer checked against its question; every problem reported at once, by the
    answer's position (``answers.0.value``)."""
    problems: dict[str, list[str]] = {}
    checked = []
    numbers = [answer["question"] for answer in answers]
    if len(set(numbers)) != len(numbers):
        problems["answers"] = ["A question is answered at most once in one save."]
    for position, answer in enumerate(answers):
        where = f"answers.{position}"
        try:
            (ordinal,) = questions.ordinals([answer["question"]], f"{where}.question")
        except ValidationFailed as refused:
            problems.update(refused.extra["errors"])
            continue
        if ordinal not in asked:
            problems[f"{where}.question"] = ["This request does not ask this question."]
            continue
        found = _problem(questions.question(ordinal), answer, reasons, attachments)
        if found:
            problems[f"{where}.{found[0]}"] = [found[1]]
            continue
        text = answer.get("text")
        checked.append(
            CheckedAnswer(
                ordinal,
                _value(questions.question(ordinal), answer.get("value")),
                answer.get("cannot_provide"),
                text,
                (answer.get("language") or language) if text or _is_text(questions, ordinal)
                else None,
            )
        )  # fmt: skip
    if problems:
        raise ValidationFailed.from_fields(problems)
    return checked


def _is_text(questions: Questions, ordinal: int) -> bool:
    return questions.question(ordinal)["answer"] == AnswerType.FREE_TEXT.value


def _problem(
    question: dict, answer: dict, reasons: frozenset[str], attachments: frozenset[str]
) -> tuple[str, str] | None:
    value, reason = answer.get("value"), answer.get("cannot_provide")
    if (value is None) == (reason is None):
        return "value", "Give either a value or a reason it cannot be provided."
    if reason is not None:
        if reason not in reasons:
            return "cannot_provide", f"Not a reason of the list: {', '.join(sorted(reasons))}."
        return None
    kind = AnswerType(question["answer"])
    options = {option["key"] for option in question.get("options") or ()}
    if kind == AnswerType.YES_NO and not isinstance(value, bool):
        return "value", "A yes/no question takes true or false."
    if kind == AnswerType.SINGLE_CHOICE and value not in options:
        return "value", f"Choose one of: {', '.join(sorted(options))}."
    if kind == AnswerType.MULTIPLE_CHOICE and not (
        isinstance(value, list)
        and value
        and set(value) <= options
        and len(set(value)) == len(value)
    ):
        return "value", f"Choose one or more of: {', '.join(sorted(options))}."
    if kind == AnswerType.DATE and not _is_date(value):
        return "value", "A date question takes a date (YYYY-MM-DD)."
    if kind == AnswerType.FREE_TEXT and not (isinstance(value, str) and value.strip()):
        return "value", "A free-text question takes a text."
    if kind == AnswerType.FREE_TEXT and len(value) > TEXT_LENGTH:
        return "value", f"A text of at most {TEXT_LENGTH} characters."
    if kind == AnswerType.DOCUMENT and not (
        isinstance(value, list) and value and set(value) <= attachments
    ):
        return "value", "A document question takes the ids of attachments of this request."
    return None


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _value(question: dict, value: Any) -> dict | None:
    """The value as stored: ``{"value": …}`` (a date as written, options sorted)."""
    if value is None:
        return None
    if isinstance(value, list):
        value = sorted(value)
    return {"value": value}
