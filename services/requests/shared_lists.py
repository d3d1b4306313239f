"""The shared pre-translated lists of requests (content/lists.yaml): reasons an answer cannot
be provided, reasons to decline a request for additional information, the types of
Professional Qualifications requests, the texts of structured answers, and the labels of a
request's history (one per action of services.requests.workflow), of its statuses and of its
PDF report. Each item is a catalogue entry ``requests.list.<list>.<item>``; a list is
published (``list_published``) when preparation finds it changed, and kept in the service's
database for its own checks and for the source texts a reader gets while the catalogue has
none."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.requests.models import SharedList

NAMESPACE_PREFIX = "requests.list"
ITEM_LENGTH = 200
SOURCE_LANGUAGE = "en"
HISTORY_ACTIONS = "history_actions"
REQUEST_STATUSES = "request_statuses"
REPORT_LABELS = "report_labels"


def namespace(name: str) -> str:
    return f"{NAMESPACE_PREFIX}.{name}"


def label(session: Session, name: str, item: str, catalogue: dict[str, dict]) -> dict:
    """Item ``item`` of the list ``name`` as ``{text, fallback}`` in the language of
    ``catalogue`` (a bundle of the translation service: key to ``{text, fallback}``); where the
    catalogue has no text for it, the English source of the list as last published, else the
    item's key, marked as a fallback."""
    found = catalogue.get(f"{namespace(name)}.{item}")
    if found is not None:
        return {"text": found["text"], "fallback": bool(found.get("fallback"))}
    stored = session.get(SharedList, name)
    items = stored.items if stored is not None else []
    source = next((entry["text"][SOURCE_LANGUAGE] for entry in items if entry["key"] == item), item)
    return {"text": source, "fallback": True}


def publish_if_changed(unit: UnitOfWork, name: str, items: list[dict]) -> bool:
    """Store the list and record ``list_published``, unless it is stored as it is."""
    stored = unit.session.get(SharedList, name)
    if stored is not None and stored.items == items:
        return False
    if stored is None:
        stored = SharedList(name=name)
        unit.session.add(stored)
    stored.items, stored.updated_at = items, unit.now()
    unit.record_event("list_published", name, {"list": name, "entries": entries(name, items)})
    return True


def entries(name: str, items: list[dict]) -> list[dict]:
    return [
        {"key": f"{namespace(name)}.{item['key']}", "namespace": namespace(name),
         "source_language": SOURCE_LANGUAGE, "source_text": item["text"][SOURCE_LANGUAGE],
         "max_length": ITEM_LENGTH, "texts": item["text"]}
        for item in items
    ]  # fmt: skip
