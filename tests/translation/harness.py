"""The translation test harness: a listener recording the service's events, actors as the
gateway would pass them, and entries to register. No fixtures here: conftest.py builds them,
and tests/integration/test_translation_postgres.py reuses the pieces."""

from __future__ import annotations

import uuid

from services.common.actor import Actor, Grant, Right, dump_actor
from tests.events import EventLog, listener_for

TRANSLATION_EVENTS = (
    "entry_registered",
    "entry_source_changed",
    "translation_submitted",
    "translation_reviewed",
    "translation_rejected",
    "translations_imported",
    "texts_changed",
)
COMMISSION_AUTHORITY_ID = "00000000-0000-4000-8000-00000000e0e0"


def translation_listener(name: str, log: EventLog) -> type:
    """A small nameko service that records every translation event in ``log``."""
    return listener_for("translation", TRANSLATION_EVENTS, name, log)


def actor(*rights: Right, authority_id: str = COMMISSION_AUTHORITY_ID, state: str = "EU") -> dict:
    return dump_actor(
        Actor(
            user_id=str(uuid.uuid4()),
            username=f"u{uuid.uuid4().hex[:8]}",
            authority_id=authority_id,
            member_state=state,
            grants=frozenset(Grant(right) for right in rights),
        )
    )


def translator() -> dict:
    return actor(Right.COMMISSION_TRANSLATOR)


def administrator() -> dict:
    return actor(Right.COMMISSION_ADMINISTRATOR)


def user() -> dict:
    return actor(Right.BASIC_USER, authority_id=str(uuid.uuid4()), state="DE")


def entry(namespace: str = "test.labels", name: str | None = None, **changes) -> dict:
    data = {
        "key": f"{namespace}.{name or uuid.uuid4().hex[:10]}",
        "namespace": namespace,
        "source_text": "Request for {count} documents",
        "description": "A label of the test suite.",
        "max_length": 60,
    }
    data.update(changes)
    return data


def xliff(language: str, *units: tuple[str, str, str], state: str = "translated") -> str:
    """An XLIFF 2.0 file as a translation tool writes it: (key, source, target) per unit."""
    body = "".join(
        f'<unit id="{key}"><segment state="{state}"><source>{source}</source>'
        f"<target>{target}</target></segment></unit>"
        for key, source, target in units
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" '
        f'srcLang="en" trgLang="{language}"><file id="f">{body}</file></xliff>'
    )
