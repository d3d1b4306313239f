"""Integration: the directory's search on PostgreSQL (pg_trgm) and the real broker.

Same policy as tests/integration/test_directory_postgres.py: a fresh database per test built by
the Alembic migrations, the real service in a nameko container. The scenarios are those of the
SQLite service tests (tests/directory/test_search.py), so both engines answer alike.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.common.clock import FrozenClock, utcnow
from services.common.errors import ValidationFailed
from services.directory.bootstrap import prepare_directory
from services.directory.service import DirectoryService
from tests.databases import prepare
from tests.directory.harness import Directory, Store, directory_listener
from tests.directory.test_search import (
    HOSTILE_QUERIES,
    build_world,
    check_filters_combine_with_text_and_alone,
    check_free_text_in_any_language_script_and_spelling,
    check_results_speak_the_searchers_language,
    found,
)
from tests.events import listening
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def directory(pg_uri, service_config, container_factory):
    frozen = FrozenClock(utcnow())
    prepare("directory", pg_uri, lambda uri: prepare_directory(uri, frozen()))
    config = {**service_config, "DB_URIS": {"directory": pg_uri}}
    events = listening(
        container_factory, config, directory_listener, "directory_listener_integration_search_pg"
    )

    container = started_on_clock(container_factory, DirectoryService, config, frozen)
    store = Store(pg_uri)
    with SignedRpcProxy(config, timeout=10) as proxy:
        yield Directory(proxy.directory, events, store, frozen)
    # before pg_uri drops the database (nameko's fast_teardown kills containers last)
    container.kill()
    events.container.kill()
    store.dispose()


@pytest.fixture
def world(directory):
    return build_world(directory)


def test_the_indexes_exist_and_the_vocabulary_learns_every_indexed_word(directory, world):
    with directory.store.engine.connect() as connection:
        indexes = dict(
            connection.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE "
                     "'authority_search%'")
            ).all()
        )  # fmt: skip
        learnt = set(
            connection.scalars(
                text("SELECT word FROM authority_search_words WHERE word IN "
                     "('barristers', 'iatrikos', 'bayerische', 'honorable')")
            )
        )  # fmt: skip

    assert "authority_search_vector" in indexes["authority_search_fts"]
    assert "gin_trgm_ops" in indexes["authority_search_words_trgm"]
    assert learnt == {"barristers", "iatrikos", "bayerische", "honorable"}


def test_free_text_finds_authorities_in_any_language_script_and_spelling(directory, world):
    check_free_text_in_any_language_script_and_spelling(directory, world)


def test_filters_combine_with_free_text_or_select_alone(directory, world):
    check_filters_combine_with_text_and_alone(directory, world)


def test_results_are_in_the_searchers_language_with_contacts_and_coordinators(directory, world):
    check_results_speak_the_searchers_language(directory, world)


def test_hostile_input_is_refused_or_only_words(directory, world):
    reader = directory.user_of(world.kings_inns)
    kings = world.kings_inns["official_name"]

    for query in HOSTILE_QUERIES:
        with pytest.raises(ValidationFailed):
            directory.rpc.search_authorities(reader, query)
    assert found(directory, reader, text="kings') OR 1=1; -- % _ \\ inns barrister") == [kings]
    assert found(directory, reader, text="'; DELETE FROM authorities; --") == []
