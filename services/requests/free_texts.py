"""The free texts of a request that a reader may have machine-translated beside the original
(DOMAIN.md section 6): the description, answers' texts, comments, and the reasons,
justifications and opinions of its history, each named by a reference the request's view
gives (``comment:<id>``).

A reader gets only a text its view shows it. The subject's personal data (names, date of
birth, identity numbers, address) go with the text to the translation service, which masks
them wherever and however the text writes them before any external engine sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.errors import NotFound
from services.requests.exchange import DRAFT_REPLY, Loaded
from services.requests.models import Answer, Comment, HistoryEntry
from services.requests.question_sets import AnswerType
from services.requests.request_views import DRAFT_READERS
from services.requests.visibility import SHOWS, View
from services.requests.workflow_parties import parties_of

# What the translation service takes to mask (MAX_PERSONAL_VALUE, MAX_PERSONAL_VALUES there).
LONGEST_VALUE, MOST_VALUES = 200, 50


@dataclass(frozen=True)
class FreeText:
    text: str
    language: str | None


def find(session: Session, actor: Actor, loaded: Loaded, reference: str) -> FreeText:
    """The text ``reference`` names, if the actor's view of the request shows it."""
    kind, _, ident = reference.partition(":")
    found = None
    if "questions" in SHOWS[loaded.view]:
        found = {
            "description": lambda: _description(loaded),
            "answer": lambda: _answer(session, actor, loaded, ident),
            "comment": lambda: _comment(session, loaded, ident),
            "history": lambda: _history(session, loaded, ident),
        }.get(kind, lambda: None)()
    if found is None or not found.text.strip():
        raise NotFound(
            "This request has no such text, or not one you may read.",
            "request.unknown_text",
            {"text": reference},
        )
    return found


def personal_data(subject: dict) -> list[str]:
    """The subject's values to mask before an external engine."""
    values = [subject.get("full_name"), *(subject.get("other_names") or ())]
    values += [subject.get(name) for name in
               ("date_of_birth", "place_of_birth", "address", "business_name")]  # fmt: skip
    values += [number["value"] for number in subject.get("identity_numbers") or ()]
    parts = [
        part.strip()[:LONGEST_VALUE]
        for value in values
        if value
        for part in (value.split(",") if len(value) > LONGEST_VALUE else [value])
    ]
    return [part for part in parts if part][:MOST_VALUES]


def _description(loaded: Loaded) -> FreeText | None:
    row = loaded.row
    return FreeText(row.description, row.description_language) if row.description else None


def _answer(session: Session, actor: Actor, loaded: Loaded, ident: str) -> FreeText | None:
    answer = session.get(Answer, int(ident)) if ident.isdigit() else None
    if answer is None or answer.request_id != loaded.row.id:
        return None
    if answer.reply == DRAFT_REPLY and not parties_of(actor, loaded.state) & DRAFT_READERS:
        return None
    if answer.question in loaded.questions.personal() and loaded.view != View.FULL:
        return None
    question = loaded.questions.question(answer.question)
    if answer.text:
        return FreeText(answer.text, answer.language)
    if question["answer"] == AnswerType.FREE_TEXT.value and answer.value:
        return FreeText(answer.value["value"], answer.language)
    return None


def _comment(session: Session, loaded: Loaded, ident: str) -> FreeText | None:
    comment = session.get(Comment, ident)
    if comment is None or comment.request_id != loaded.row.id:
        return None
    return FreeText(comment.text, comment.language)


def _history(session: Session, loaded: Loaded, ident: str) -> FreeText | None:
    entry = session.get(HistoryEntry, int(ident)) if ident.isdigit() else None
    if entry is None or entry.request_id != loaded.row.id or not entry.text:
        return None
    return FreeText(entry.text, entry.language)
