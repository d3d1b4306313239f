"""Integration: the translation service on PostgreSQL and the real broker.

Same policy as the other integration tests: a fresh database built by the Alembic migrations
(tests/common/test_migrations.py compares them with the models), the shipped content loaded,
the real service in a nameko container; only the database differs from the service tests.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from services.common.clock import FrozenClock, utcnow
from services.common.errors import Conflict
from services.translation.bootstrap import prepare_translation
from services.translation.models import Entry
from services.translation.service import TranslationService
from tests.databases import prepare
from tests.integration.held_writes import inserts_held, outcomes
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy
from tests.translation.harness import administrator, entry, translator, user

pytestmark = pytest.mark.integration


@pytest.fixture
def translation(pg_uri, service_config, container_factory):
    prepare("translation", pg_uri)
    frozen = FrozenClock(utcnow())
    assert prepare_translation(pg_uri, frozen()) > 0
    assert prepare_translation(pg_uri, frozen()) == 0
    config = {**service_config, "DB_URIS": {"translation": pg_uri}}

    container = started_on_clock(
        container_factory, TranslationService, config, frozen, fresh_event_queues=True
    )
    with SignedRpcProxy(config, timeout=10) as proxy:
        yield proxy.translation
    container.kill()  # before pg_uri drops the database


def test_bundles_and_translations_work_on_postgresql(translation):
    new = entry(namespace="test.pg")
    translation.register_entries(administrator(), {"entries": [new]})
    held = translation.bundle(user(), {"language": "pl", "namespaces": ["email", "test.pg"]})
    translation.submit_translation(
        translator(), "pl", new["key"], {"text": "Wniosek o {count} dokumentów", "version": 0}
    )
    fresh = translation.bundle(
        user(), {"language": "pl", "namespaces": ["test.pg"], "since_revision": held["revision"]}
    )
    report = translation.translation_status(user())

    assert held["texts"]["email.invitation.subject"]["text"].startswith("Zaproszenie")
    assert held["texts"][new["key"]]["fallback"] is True
    assert fresh["texts"] == {
        new["key"]: {"text": "Wniosek o {count} dokumentów", "status": "translated",
                     "fallback": False, "outdated": False},
    }  # fmt: skip
    assert len(report["languages"]) == 26


def test_one_new_entry_registered_by_two_calls_at_once_is_stored_once_and_the_other_gets_a_409(
    translation, pg_uri
):
    """Both calls find no entry with the key, then both insert it (held_writes.py makes them
    overlap): one row, and a 409 for the other rather than a 500."""
    new = entry(namespace="test.race")
    with inserts_held(pg_uri, "entries") as wait_for:
        calls = [
            translation.register_entries.call_async(administrator(), {"entries": [new]})
            for _ in (1, 2)
        ]
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert [item["key"] for item in won["entries"]] == [new["key"]]
    assert (type(lost), lost.code) == (Conflict, "translation.entry_registered_meanwhile")
    engine = create_engine(pg_uri, poolclass=NullPool)
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(Entry).where(
            Entry.key == new["key"]))  # fmt: skip
    engine.dispose()
    assert stored == 1
