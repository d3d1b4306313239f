"""The shared pre-translated lists of requests (content/lists.yaml): reasons an answer cannot
be provided, reasons to decline a request for additional information, the types of
Professional Qualifications requests, and the texts of structured answers. Each item is a
catalogue entry ``requests.list.<list>.<item>``; a list is published (``list_published``) when
preparation finds it changed, and kept in the service's database for its own checks."""

from __future__ import annotations

from services.common.db import UnitOfWork
from services.requests.models import SharedList

NAMESPACE_PREFIX = "requests.list"
ITEM_LENGTH = 200
SOURCE_LANGUAGE = "en"


def namespace(name: str) -> str:
    return f"{NAMESPACE_PREFIX}.{name}"


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
