"""What a request's PDF report holds (DOMAIN.md section 4, "Report"): the parts the reader asked
for among those its view of the request shows (services.requests.request_views.render decides
the view; nothing here widens it), as texts in the reader's language.

The header (id, area, status, parties, dates) is in every report: every view has it. The parts
a reader picks are ``PARTS`` (services.requests.schemas.reports); ``subject`` is the subject's
personal data: the subject's block and the answers to questions marked as personal data, so
that a report without it carries no personal data. A part the view does not show is left out
silently, and the subject never appears once the request's personal data are blocked or erased
(DOMAIN.md section 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.requests import request_views, shared_lists
from services.requests.exchange import Loaded
from services.requests.models import KnownAuthority
from services.requests.question_sets import AnswerType
from services.requests.schemas.reports import PARTS

ANSWER_VALUES = "answer_values"
PQ_REQUEST_TYPES = "pq_request_types"
AREAS = "directory.legislative_area"  # the directory's reference list, in the catalogue
SUBJECT_FIELDS = (
    "full_name", "other_names", "date_of_birth", "place_of_birth", "nationality",
    "identity_numbers", "address", "business_name",
)  # fmt: skip


@dataclass(frozen=True)
class Line:
    """One line of text, with its label where it has one ("Status: Accepted")."""

    text: str
    label: str | None = None


@dataclass(frozen=True)
class Item:
    """A question, a comment, a history entry: a heading and its lines."""

    heading: str
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...] = ()
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Report:
    request_id: str
    language: str
    title: str
    sections: tuple[Section, ...]
    printed: str  # the footer's label before the print time
    page: str  # the footer's label before "n / N"
    personal_data: bool  # whether the subject's personal data are printed
    file_name: str


def namespaces(set_key: str) -> list[str]:
    """The catalogue namespaces a report reads its texts from: the view's and its own."""
    return [
        *request_views.namespaces(set_key),
        shared_lists.namespace(ANSWER_VALUES),
        shared_lists.namespace(PQ_REQUEST_TYPES),
        shared_lists.namespace(shared_lists.REPORT_LABELS),
        AREAS,
    ]


def asked_parts(parts: str | None) -> frozenset[str]:
    """The parts named in the query (comma-separated, checked by its schema); all by default."""
    return frozenset(parts.split(",")) if parts else frozenset(PARTS)


def contents(
    session: Session,
    loaded: Loaded,
    view: dict,
    asked: frozenset[str],
    catalogue: dict[str, dict],
    now: datetime,
) -> Report:
    """The report of ``view`` (the reader's view, rendered in its language) with the parts
    ``asked`` that the view shows."""
    texts = _Texts(session, catalogue)
    label = texts.label
    row = loaded.row
    blocked = row.blocked_at is not None or row.erased_at is not None
    # the view holds the subject (or says it withholds it) only where the reader may see it;
    # once blocked, every view withholds it, and the report says it is blocked instead
    subject_visible = "subject" in asked and (
        view.get("subject_withheld") is False or (blocked and "subject_withheld" in view)
    )
    personal = subject_visible and not blocked and bool(view["subject"])
    names = _authority_names(session, view)
    sections = [_header(view, texts, personal), _parties(view, names, label), _dates(view, label)]
    if subject_visible and (blocked or personal):
        sections.append(_subject(view["subject"] if personal else None, label))
    if "description" in asked and view.get("description"):
        sections.append(Section(label("description"), (_free_text(view["description"]),)))
    if {"questions", "answers"} & asked and "questions" in view:
        sections.append(_questions(view, texts, "answers" in asked, personal))
    if "comments" in asked and "comments" in view:
        sections.append(_comments(view, names, label))
    if "attachments" in asked and "attachments" in view:
        sections.append(_attachments(view, label))
    if "history" in asked and "history" in view:
        sections.append(_history(view, names, label))
    return Report(
        request_id=row.id, language=view["language"], title=label("title"),
        sections=tuple(sections), printed=f"{label('printed')} {_moment(now)}",
        page=label("page"), personal_data=personal,
        file_name=f"request-{row.id}-report-{view['language']}.pdf",
    )  # fmt: skip


class _Texts:
    """The report's labels and the lists' texts in the reader's language (the catalogue's,
    else the English the list was last published with)."""

    def __init__(self, session: Session, catalogue: dict[str, dict]):
        self.session, self.catalogue = session, catalogue

    def label(self, key: str) -> str:
        return self.item(shared_lists.REPORT_LABELS, key)

    def item(self, name: str, key: str) -> str:
        return shared_lists.label(self.session, name, key, self.catalogue)["text"]

    def area(self, code: str) -> str:
        found = self.catalogue.get(f"{AREAS}.{code}")
        return found["text"] if found else code


def _header(view: dict, texts: _Texts, personal: bool) -> Section:
    label = texts.label
    lines = [
        Line(view["id"], label("request")),
        Line(texts.area(view["area"]), label("legislative_area")),
    ]
    if view.get("pq_type"):
        lines.append(Line(texts.item(PQ_REQUEST_TYPES, view["pq_type"]), label("request_type")))
    lines.append(Line(view["status_label"]["text"], label("status")))
    if not personal:
        lines.append(Line(label("without_personal_data")))
    return Section(label("title"), tuple(lines))


def _parties(view: dict, names: dict[str, str], label) -> Section:
    lines = []
    for role, party in (("requesting_authority", view["requester"]),
                        ("responding_authority", view["responder"])):  # fmt: skip
        if party is None:
            continue
        lines.append(Line(names.get(party["authority_id"], party["authority_id"]), label(role)))
        lines.append(Line(party["member_state"], label("member_state")))
        if party["coordinator_id"]:
            coordinator = party["coordinator_id"]
            lines.append(Line(names.get(coordinator, coordinator), label("coordinator")))
    return Section(label("parties"), tuple(lines))


def _dates(view: dict, label) -> Section:
    lines = [Line(_moment(view["created_at"]), label("created"))]
    if view["sent_at"]:
        lines.append(Line(_moment(view["sent_at"]), label("sent")))
    if view["closed_at"]:
        lines.append(Line(_moment(view["closed_at"]), label("closed")))
    reply_date = view.get("reply_date")
    if reply_date:
        how = label("reply_date_agreed" if reply_date["agreed"] else "reply_date_proposed")
        lines.append(Line(f"{_day(reply_date['date'])} ({how})", label("reply_date")))
    return Section(label("dates"), tuple(lines))


def _subject(subject: dict | None, label) -> Section:
    """The subject's block; ``None``: its data are blocked (kept as proof, never shown)."""
    if subject is None:
        return Section(label("subject"), (Line(label("personal_data_blocked")),))
    lines = []
    for field in SUBJECT_FIELDS:
        value = subject.get(field)
        if not value:
            continue
        if field == "other_names":
            value = ", ".join(value)
        elif field == "identity_numbers":
            value = "; ".join(f"{number['kind']}: {number['value']}" for number in value)
        lines.append(Line(_day(value) if field == "date_of_birth" else value, label(field)))
    return Section(label("subject"), tuple(lines))


def _questions(view: dict, texts: _Texts, with_answers: bool, personal: bool) -> Section:
    label = texts.label
    attachments = {item.id: item.name for item in view.get("attachments", ())}
    items = []
    for question in view["questions"]:
        lines: list[Line] = []
        if with_answers:
            withheld = question["personal_data"] and not personal
            for answer in question["answers"]:
                lines += _answer(question, answer, withheld, texts, attachments)
            lines = lines or [Line(label("not_answered"))]
        items.append(Item(f"{question['number']} {question['text']['text']}", tuple(lines)))
    return Section(label("questions"), items=tuple(items) or (Item(label("none")),))


def _answer(
    question: dict, answer: dict, withheld: bool, texts: _Texts, attachments: dict[str, str]
) -> list[Line]:
    label = texts.label
    reply = label("reply_draft") if answer["draft"] else f"{label('reply')} {answer['reply']}"
    if withheld or answer["withheld"]:
        return [Line(label("withheld"), reply)]
    if answer["cannot_provide"]:
        shown = texts.item(ANSWER_VALUES, "cannot_be_provided")
        lines = [Line(f"{shown}: {answer['cannot_provide']['text']}", reply)]
    else:
        lines = [Line(_value(question, answer["value"], texts, attachments), reply)]
    if answer["text"]:
        lines.append(_free_text(answer["text"]))
    return lines


def _value(question: dict, value, texts: _Texts, attachments: dict[str, str]) -> str:
    """A structured answer as the reader reads it: options and yes/no in its language."""
    kind = question["answer"]
    if kind == AnswerType.YES_NO:
        return texts.item(ANSWER_VALUES, "yes" if value else "no")
    if kind in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
        options = {option["key"]: option["text"]["text"] for option in question["options"]}
        chosen = value if isinstance(value, list) else [value]
        return "; ".join(options.get(key, key) for key in chosen)
    if kind == AnswerType.DOCUMENT:
        return "; ".join(attachments.get(key, key) for key in value)
    return str(value)


def _comments(view: dict, names: dict[str, str], label) -> Section:
    items = []
    for comment in view["comments"]:
        heading = f"{_moment(comment['created_at'])} · {_who(comment, names)}"
        if comment["question"]:
            heading += f" · {label('question')} {comment['question']}"
        items.append(Item(heading, (_free_text(comment["text"]),)))
    return Section(label("comments"), items=tuple(items) or (Item(label("none")),))


def _attachments(view: dict, label) -> Section:
    lines = tuple(
        Line(f"{item.name} [{item.language}] · {_moment(item.uploaded_at)}")
        for item in view["attachments"]
    )
    return Section(label("attachments"), lines or (Line(label("none")),))


def _history(view: dict, names: dict[str, str], label) -> Section:
    items = []
    for entry in view["history"]:
        lines = [Line(_who(entry, names))]
        questions = entry["data"].get("questions")
        if questions:
            lines.append(Line(", ".join(questions), label("question")))
        if entry["text"]:
            lines.append(_free_text(entry["text"]))
        items.append(Item(f"{_moment(entry['at'])} · {entry['label']['text']}", tuple(lines)))
    return Section(label("history"), items=tuple(items))


def _who(entry: dict, names: dict[str, str]) -> str:
    authority = entry["authority_id"]
    where = names.get(authority, authority) if authority else None
    who = entry["username"] or ""
    return f"{who} ({where})" if where else who


def _free_text(text: dict) -> Line:
    """A free text as written, with the language it was written in."""
    return Line(f"{text['text']} [{text['language']}]" if text["language"] else text["text"])


def _authority_names(session: Session, view: dict) -> dict[str, str]:
    """The official names of the authorities the report names, as the directory says now."""
    ids = {view["requester"]["authority_id"], view["requester"]["coordinator_id"]}
    if view["responder"]:
        ids |= {view["responder"]["authority_id"], view["responder"]["coordinator_id"]}
    ids |= {entry["authority_id"] for entry in view.get("history", ())}
    ids |= {comment["authority_id"] for comment in view.get("comments", ())}
    ids.discard(None)
    return dict(
        session.execute(
            select(KnownAuthority.authority_id, KnownAuthority.official_name).where(
                KnownAuthority.authority_id.in_(ids)
            )
        ).all()
    )


def _moment(at: datetime) -> str:
    """A time as every language reads it: ISO 8601, in UTC."""
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _day(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else value
