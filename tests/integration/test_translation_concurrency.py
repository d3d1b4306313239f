"""Integration: two people save the same version of a catalogue entry, or of a translation, or
decide on the same submitted translation (one approves, the other rejects), at the same
moment, on PostgreSQL. The database decides (a compare-and-set on the version): one
save is kept, the other is refused with a StaleVersion naming who saved first and when, and
nothing is lost.

The service runs on a fresh database built by the Alembic migrations, as in
tests/integration/test_translation_postgres.py (without the shipped content, which these tests
do not read); tests/integration/overlap.py makes the two saves overlap every time.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.common.clock import FrozenClock, utcnow
from services.translation.models import Entry, Translation
from services.translation.service import TranslationService
from tests.databases import prepare
from tests.integration.overlap import held_saves, race, stale_version_of
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy
from tests.translation.harness import administrator, entry, translator

pytestmark = pytest.mark.integration


@pytest.fixture
def translation(pg_uri, service_config, container_factory):
    """The running service's RPC proxy and its container."""
    prepare("translation", pg_uri)
    config = {**service_config, "DB_URIS": {"translation": pg_uri}}
    container = started_on_clock(
        container_factory,
        TranslationService,
        config,
        FrozenClock(utcnow()),
        fresh_event_queues=True,
    )
    with SignedRpcProxy(config, timeout=10) as proxy:
        yield proxy.translation, container
    container.kill()  # before pg_uri drops the database


def stored(uri: str, model: type, *identity):
    engine = create_engine(uri, poolclass=NullPool)
    with Session(engine) as session:
        row = session.get(model, identity)
        session.expunge_all()
    engine.dispose()
    return row


def refusal(version: int, by: dict, row) -> dict:
    return {
        "code": "error.stale_version",
        "current_version": version,
        "changed_by": by["user_id"],
        "changed_at": row.updated_at.isoformat(),
    }


def test_two_overlapping_changes_of_an_entry_keep_one_and_refuse_the_other(translation, pg_uri):
    rpc, container = translation
    new = entry(namespace="test.race")
    rpc.register_entries(administrator(), {"entries": [new]})
    editors = [administrator(), administrator()]
    texts = ["Application for {count} documents", "Demand for {count} documents"]

    with held_saves(container, "entries", pg_uri) as hold:
        outcome = race(*(
            rpc.register_entries.call_async(editor, {"entries": [{**new, "source_text": text}]})
            for editor, text in zip(editors, texts, strict=True)
        ))  # fmt: skip

    row = stored(pg_uri, Entry, new["key"])
    assert hold.overlapped
    assert (row.source_text, row.source_version, row.version) == (texts[outcome.winner], 2, 2)
    assert stale_version_of(outcome) == refusal(2, editors[outcome.winner], row)


def test_two_overlapping_translations_of_one_version_keep_one_and_refuse_the_other(
    translation, pg_uri
):
    rpc, container = translation
    new = entry(namespace="test.race")
    rpc.register_entries(administrator(), {"entries": [new]})
    first = {"text": "Wniosek o {count} dokumenty", "version": 0}
    rpc.submit_translation(translator(), "pl", new["key"], first)
    editors = [translator(), translator()]
    texts = ["Wniosek o {count} dokumentów", "Prośba o {count} dokumenty"]

    with held_saves(container, "translations", pg_uri) as hold:
        outcome = race(*(
            rpc.submit_translation.call_async(
                editor, "pl", new["key"], {"text": text, "version": 1}
            )
            for editor, text in zip(editors, texts, strict=True)
        ))  # fmt: skip

    row = stored(pg_uri, Translation, new["key"], "pl")
    assert hold.overlapped
    assert (row.text, row.version) == (texts[outcome.winner], 2)
    assert (outcome.saved["text"], outcome.saved["version"]) == (row.text, 2)
    assert stale_version_of(outcome) == refusal(2, editors[outcome.winner], row)


def test_an_approval_and_a_rejection_of_one_version_keep_one_and_refuse_the_other(
    translation, pg_uri
):
    rpc, container = translation
    new = entry(namespace="test.race")
    rpc.register_entries(administrator(), {"entries": [new]})
    rpc.submit_translation(
        translator(), "hr", new["key"], {"text": "Zahtjev za {count} dokumenata", "version": 0}
    )
    approver, rejecter = translator(), translator()

    with held_saves(container, "translations", pg_uri) as hold:
        outcome = race(
            rpc.review_translation.call_async(approver, "hr", new["key"], {"version": 1}),
            rpc.reject_translation.call_async(
                rejecter, "hr", new["key"], {"version": 1, "reason": "Wrong case after 'za'."}
            ),
        )

    row = stored(pg_uri, Translation, new["key"], "hr")
    assert hold.overlapped
    decided = [("reviewed", None), ("missing", "Wrong case after 'za'.")][outcome.winner]
    assert (row.status, row.rejection_reason, row.version) == (*decided, 2)
    assert outcome.saved["status"] == row.status
    assert stale_version_of(outcome) == refusal(2, [approver, rejecter][outcome.winner], row)
