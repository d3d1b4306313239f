"""Making the catalogue ready: every text the services ship, loaded at every
``services.manage prepare`` (idempotent).

Two sources: the content files of ./content (one YAML document per namespace: source texts
and their translations) and the directory's reference lists (services/directory/data), whose
names per language become entries ``directory.<kind>.<code>``. A shipped translation is
written as ``translated`` where the catalogue has none, or where the one it has also came from
the shipped files; a translator's own work in the catalogue is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.clock import utcnow
from services.common.config import database_uri
from services.common.db import StandaloneDatabase, UnitOfWork
from services.common.reference import FALLBACK_LANGUAGE
from services.translation.catalogue import CONTENT_AUTHOR, Changes, upsert_entry, write_translation
from services.translation.domain import Status
from services.translation.models import Base, Entry, Translation

CONTENT_DIR = Path(__file__).parent / "content"
DIRECTORY_DATA_DIR = Path(__file__).resolve().parents[1] / "directory" / "data"
_KEYS_PER_QUERY = 500  # well inside SQLite's limit of bound parameters per statement


def prepare(config: dict, out: TextIO) -> None:
    """The translation service's preparation hook (services/manage.py)."""
    written = prepare_translation(database_uri(config, "translation"))
    print(f"translation: shipped texts loaded ({written} translations written)", file=out)


def content_entries(folder: Path = CONTENT_DIR, pattern: str = "*.yaml") -> Iterator[dict]:
    """Every entry of the content files (those matching ``pattern``), as ``{key, namespace,
    ..., texts}``."""
    for path in sorted(folder.glob(pattern)):
        for document in yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
            namespace = document["namespace"]
            for name, entry in document["entries"].items():
                source_language = document.get("source_language", FALLBACK_LANGUAGE)
                yield {
                    "key": f"{namespace}.{name}",
                    "namespace": namespace,
                    "source_language": source_language,
                    "source_text": entry["texts"][source_language],
                    "description": entry.get("description"),
                    "max_length": entry.get("max_length"),
                    "owner": document.get("owner", "catalogue"),
                    "texts": entry["texts"],
                }


def directory_entries(folder: Path = DIRECTORY_DATA_DIR, pattern: str = "*.yaml") -> Iterator[dict]:
    """The directory's reference lists: ``<kind>s.yaml`` holds entries with names per
    language; a name missing, or listed in the entry's ``untranslated``, is missing here."""
    for path in sorted(folder.glob(pattern)):
        kind = _singular(path.stem)
        namespace = f"directory.{kind}"
        for item in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or []:
            names = dict(item.get("names") or {})
            if FALLBACK_LANGUAGE not in names:
                continue
            for language in item.get("untranslated", ()):
                names.pop(language, None)
            yield {
                "key": f"{namespace}.{item['code']}",
                "namespace": namespace,
                "source_language": FALLBACK_LANGUAGE,
                "source_text": names[FALLBACK_LANGUAGE],
                "description": f"A {kind.replace('_', ' ')} of the directory's reference lists.",
                "max_length": None,
                "owner": "directory",
                "texts": names,
            }


def question_set_entries(published: dict) -> Iterator[dict]:
    """The texts of a question set the requests service published (question_set_published)."""
    for entry in published["entries"]:
        yield {
            **entry,
            "description": (
                f"A text of the question set {published['set_key']} (version "
                f"{published['number']}), shown to request handlers."
            ),
            "owner": "requests",
        }


def shared_list_entries(published: dict) -> Iterator[dict]:
    """The texts of a shared list the requests service published (list_published)."""
    for entry in published["entries"]:
        yield {
            **entry,
            "description": f"An item of the requests service's list {published['list']}.",
            "owner": "requests",
        }


def notification_type_entries(published: dict) -> Iterator[dict]:
    """The texts of a generic notification type's version the notifications service published
    (notification_type_texts_published): English sources, translated in the catalogue."""
    for entry in published["entries"]:
        yield {
            **entry,
            "texts": {entry["source_language"]: entry["source_text"]},
            "owner": "notifications",
        }


def _singular(plural: str) -> str:
    return plural[:-3] + "y" if plural.endswith("ies") else plural.removesuffix("s")


def load_shipped(unit: UnitOfWork, entries: Iterable[dict]) -> int:
    """Upsert the entries and their shipped translations; how many texts were written.

    The stored rows of these entries are read first, in a few queries, so that looking up
    each of some twenty thousand texts asks the database nothing, and the session is not
    flushed before each lookup (the new rows go at the entries' own flushes and at commit): on
    PostgreSQL this took a minute, now seconds. Only these entries' rows are read, so a
    question set of a hundred texts costs the service milliseconds, not a read of the whole
    catalogue."""
    with unit.session.no_autoflush:
        return _load_shipped(unit, list(entries))


def _load_shipped(unit: UnitOfWork, entries: list[dict]) -> int:
    known = _stored_rows(unit.session, [data["key"] for data in entries])
    changes = Changes(unit)
    written = 0
    for data in entries:
        entry = upsert_entry(unit, changes, data)
        for language, text in data["texts"].items():
            if language == entry.source_language or not text:
                continue
            row = known.get((entry.key, language))
            if (
                row is not None
                and row.status != Status.MISSING
                and (row.translated_by != CONTENT_AUTHOR)
            ):
                continue
            _, changed = write_translation(
                unit, changes, entry, language, text, Status.TRANSLATED, CONTENT_AUTHOR, known
            )
            written += changed
    changes.announce()
    return written


def _stored_rows(session: Session, keys: list[str]) -> dict[tuple[str, str], Translation]:
    """The translations of ``keys`` by (key, language); their entries are read into the
    session's identity map, where ``upsert_entry`` finds them without a query."""
    known = {}
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start : start + _KEYS_PER_QUERY]
        session.scalars(select(Entry).where(Entry.key.in_(chunk))).all()
        rows = session.scalars(select(Translation).where(Translation.key.in_(chunk)))
        known.update({(row.key, row.language): row for row in rows})
    return known


def prepare_translation(uri: str, now=None) -> int:
    """Load every shipped text into the catalogue at ``uri``; the texts written."""
    database = StandaloneDatabase(Base, "translation", uri, clock=(lambda: now) if now else utcnow)
    unit = database.unit_of_work()
    try:
        written = load_shipped(unit, content_entries())
        written += load_shipped(unit, directory_entries())
        unit.commit()
        return written
    finally:
        unit.close()
        database.dispose()
