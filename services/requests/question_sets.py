"""Question sets: the pre-translated questions a request is built from, and their rules.

A question set belongs to one legislative area and is versioned: a Commission administrator
drafts a version (the question set generator), publishes it, and from then on it never
changes; a request keeps the version it was created with. A version is one document: groups of
questions, numbered by their order (question 2.3 is the third of the second group), each with
its structured answer type, its options, an optional help text, and whether its answer is the
subject's personal data.

Every text of a document is an entry of the translation service's catalogue, keyed by the
set's namespace and the keys of the document (``text_keys``), so that readers get it in their
language with the catalogue's fallback. A document holds its texts in the source language
(and any translations it ships); the catalogue holds the rest. Since a key names one text in
every version of a set, a text once published cannot change its source: a question whose
meaning changes is a new question, with a new key (``changed_published_texts``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

NAMESPACE_PREFIX = "requests.question_set"
PROFESSIONAL_QUALIFICATIONS = "professional_qualifications"
# The longest text of each kind, in any language (the catalogue's max_length of its entry).
TITLE_LENGTH, QUESTION_LENGTH, HELP_LENGTH, OPTION_LENGTH = 120, 400, 600, 120


class AnswerType(StrEnum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    DATE = "date"
    DOCUMENT = "document"
    FREE_TEXT = "free_text"


CHOICES = frozenset({AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE})


class Kind(StrEnum):
    """A request for information asks questions; one for action gives instructions."""

    INFORMATION = "information"
    ACTION = "action"


class PqRequestType(StrEnum):
    """The types of Professional Qualifications requests (DOMAIN.md section 4)."""

    PERMANENT_ESTABLISHMENT = "permanent_establishment"
    TEMPORARY_PROVISION = "temporary_provision"
    GENERAL = "general"


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


@dataclass(frozen=True)
class NumberedQuestion:
    number: str  # "2.3"
    group_key: str
    question: dict


def namespace(set_key: str) -> str:
    return f"{NAMESPACE_PREFIX}.{set_key}"


def numbered_questions(document: dict) -> Iterator[NumberedQuestion]:
    for group_number, group in enumerate(document["groups"], start=1):
        for question_number, question in enumerate(group["questions"], start=1):
            yield NumberedQuestion(f"{group_number}.{question_number}", group["key"], question)


@dataclass(frozen=True)
class Text:
    key: str  # in the catalogue
    texts: dict[str, str]  # by language
    max_length: int


def text_keys(document: dict) -> Iterator[Text]:
    """Every text of ``document``, keyed as in the catalogue."""
    prefix = namespace(document["key"])
    yield Text(f"{prefix}.title", document["title"], TITLE_LENGTH)
    if document.get("description"):
        yield Text(f"{prefix}.description", document["description"], HELP_LENGTH)
    for group in document["groups"]:
        yield Text(f"{prefix}.group.{group['key']}", group["title"], TITLE_LENGTH)
    for numbered in numbered_questions(document):
        question = numbered.question
        stem = question_stem(document["key"], question["key"])
        yield Text(f"{stem}.text", question["text"], QUESTION_LENGTH)
        if question.get("help"):
            yield Text(f"{stem}.help", question["help"], HELP_LENGTH)
        for option in question.get("options") or ():
            yield Text(f"{stem}.option.{option['key']}", option["text"], OPTION_LENGTH)


def question_stem(set_key: str, question_key: str) -> str:
    return f"{namespace(set_key)}.question.{question_key}"


def problems(document: dict) -> dict[str, list[str]]:
    """What breaks the rules a schema cannot state, by field; empty when the document holds."""
    found: dict[str, list[str]] = {}
    source = document["source_language"]
    for text in text_keys(document):
        if not text.texts.get(source, "").strip():
            found.setdefault("texts", []).append(f"{text.key}: no text in {source}.")
    _unique(found, "groups", [group["key"] for group in document["groups"]])
    questions = [numbered.question for numbered in numbered_questions(document)]
    _unique(found, "questions", [question["key"] for question in questions])
    pq = document["area"] == PROFESSIONAL_QUALIFICATIONS
    for question in questions:
        options = question.get("options") or []
        choice = AnswerType(question["answer"]) in CHOICES
        if choice and len(options) < 2:
            found.setdefault("options", []).append(
                f"{question['key']}: a choice needs at least two options."
            )
        if not choice and options:
            found.setdefault("options", []).append(f"{question['key']}: only a choice has options.")
        _unique(found, "options", [f"{question['key']}.{option['key']}" for option in options])
        if question.get("request_types") and not pq:
            found.setdefault("request_types", []).append(
                f"{question['key']}: only Professional Qualifications requests have types."
            )
    return found


def changed_published_texts(document: dict, published: list[dict]) -> list[str]:
    """The keys whose source text differs from the one a published version gave them."""
    source = document["source_language"]
    before: dict[str, str] = {}
    for earlier in published:
        for text in text_keys(earlier):
            before[text.key] = text.texts.get(earlier["source_language"], "")
    return sorted(
        text.key
        for text in text_keys(document)
        if text.key in before and before[text.key] != text.texts.get(source, "")
    )


def _unique(found: dict[str, list[str]], field: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            found.setdefault(field, []).append(f"{key}: given twice.")
        seen.add(key)


def localised(document: dict, number: int, language: str, catalogue: dict[str, dict]) -> dict:
    """Version ``number`` of ``document`` in ``language``: each text from the catalogue's
    bundle (``catalogue``: key to ``{text, fallback}``), else the document's own, else its
    source text marked as a fallback."""
    by_key = {text.key: text.texts for text in text_keys(document)}
    source = document["source_language"]

    def read(key: str) -> dict | None:
        if key not in by_key:
            return None
        found = catalogue.get(key)
        if found is not None and not found.get("fallback"):
            return {"text": found["text"], "fallback": False}
        texts = by_key[key]
        if language in texts:
            return {"text": texts[language], "fallback": False}
        return {"text": texts[source], "fallback": language != source}

    prefix = namespace(document["key"])
    groups = []
    for group_number, group in enumerate(document["groups"], start=1):
        questions = []
        for question_number, question in enumerate(group["questions"], start=1):
            stem = question_stem(document["key"], question["key"])
            questions.append({
                "key": question["key"],
                "number": f"{group_number}.{question_number}",
                "answer": question["answer"],
                "text": read(f"{stem}.text"),
                "help": read(f"{stem}.help"),
                "options": [
                    {"key": option["key"], "text": read(f"{stem}.option.{option['key']}")}
                    for option in question.get("options") or ()
                ],
                "personal_data": question.get("personal_data", False),
                "request_types": question.get("request_types"),
            })  # fmt: skip
        title = read(f"{prefix}.group.{group['key']}")
        groups.append(
            {"key": group["key"], "number": group_number, "title": title, "questions": questions}
        )
    return {
        "key": document["key"], "area": document["area"], "kind": document["kind"],
        "number": number, "language": language, "title": read(f"{prefix}.title"),
        "description": read(f"{prefix}.description"), "groups": groups,
    }  # fmt: skip
