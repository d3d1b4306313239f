"""The kernel's optimistic concurrency (services.common.models.Versioned) on SQLite: a save is
a compare-and-set on the version read, and the loser of two saves gets a StaleVersion naming
the version now, who saved it and when. Two units of work on two connections of one file play
the two editors; tests/integration/test_*_concurrency.py race real services on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool

from services.common.db import StandaloneDatabase
from services.common.entrypoints import _is_final
from services.common.errors import Conflict, StaleVersion
from services.common.kernel_tables import declare_kernel_tables
from services.common.models import Versioned
from services.common.transactions import transactional

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class DocumentsBase(DeclarativeBase):
    pass


class Document(Versioned, DocumentsBase):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    read_count: Mapped[int] = mapped_column(default=0)


KERNEL_TABLES = declare_kernel_tables(DocumentsBase)


class Editor:
    """A service's entry point as @transactional wraps it, on its own unit of work."""

    def __init__(self, database: StandaloneDatabase):
        self.db = database.unit_of_work()

    @transactional
    def retitle(self, title: str, version: int, editor: str) -> int:
        document = self.db.session.get(Document, "d1")
        document.require_version(version)
        document.title = title
        document.touch(editor, self.db.now())
        return document.version

    @transactional
    def count_a_reading(self) -> int:
        document = self.db.session.get(Document, "d1")
        document.read_count += 1
        return document.version


@pytest.fixture
def databases(sqlite_uri):
    """Two processes' databases on one file, a document at version 1 in it."""
    engine = create_engine(sqlite_uri, poolclass=NullPool)
    DocumentsBase.metadata.create_all(engine)
    engine.dispose()
    first, second = (
        StandaloneDatabase(DocumentsBase, "kernel_versioned", sqlite_uri, lambda: NOW)
        for _ in range(2)
    )
    unit = first.unit_of_work()
    unit.session.add(Document(id="d1", title="Draft", updated_at=NOW, updated_by="u-0"))
    unit.commit()
    unit.close()
    yield first, second
    first.dispose()
    second.dispose()


def stored(database: StandaloneDatabase) -> Document:
    unit = database.unit_of_work()
    document = unit.session.get(Document, "d1")
    unit.close()
    return document


def test_of_two_saves_of_one_version_the_second_is_refused_naming_who_saved_first_and_when(
    databases,
):
    first, second = databases
    anna, berta = Editor(first), Editor(second)
    read = berta.db.session.get(Document, "d1")  # Berta read version 1 too, before Anna saved

    assert anna.retitle("Anna's", 1, "u-anna") == 2
    with pytest.raises(StaleVersion) as caught:
        berta.retitle("Berta's", read.version, "u-berta")  # past the check, refused by the UPDATE

    document = stored(first)
    assert (document.title, document.version, document.updated_by) == ("Anna's", 2, "u-anna")
    assert caught.value.status == 409
    assert caught.value.code == "error.stale_version"
    assert caught.value.extra == {
        "current_version": 2,
        "changed_by": "u-anna",
        "changed_at": NOW.isoformat(),
    }


def test_a_version_known_to_be_old_is_refused_at_once_with_the_same_answer(databases):
    first, second = databases
    Editor(first).retitle("Anna's", 1, "u-anna")

    with pytest.raises(StaleVersion) as caught:
        Editor(second).retitle("Berta's", 1, "u-berta")

    assert caught.value.extra == {
        "current_version": 2,
        "changed_by": "u-anna",
        "changed_at": NOW.isoformat(),
    }
    assert stored(first).title == "Anna's"


def test_a_save_that_is_not_an_edit_keeps_the_version_so_editors_copies_stay_current(databases):
    first, second = databases
    berta = Editor(second)
    read = berta.db.session.get(Document, "d1")

    assert Editor(first).count_a_reading() == 1
    assert berta.retitle("Berta's", read.version, "u-berta") == 2

    document = stored(first)
    assert (document.title, document.read_count, document.version) == ("Berta's", 1, 2)


def test_a_save_that_is_not_an_edit_is_still_refused_on_a_copy_an_editor_made_stale(databases):
    first, second = databases
    reader = Editor(second)
    read = reader.db.session.get(Document, "d1")  # kept: the session holds it weakly
    Editor(first).retitle("Anna's", 1, "u-anna")

    with pytest.raises(StaleVersion) as caught:
        reader.count_a_reading()  # on the copy of version 1 it holds

    assert caught.value.extra["current_version"] == read.version == 2  # read again

    assert (stored(first).read_count, stored(first).title) == (0, "Anna's")


def test_an_event_handler_that_lost_a_race_on_a_version_is_tried_again_other_conflicts_are_final():
    assert not _is_final(StaleVersion("Saved meanwhile.", None, {"current_version": 2}))
    assert _is_final(Conflict("Validated already.", "authority.already_validated"))
