"""services/common/reads.py on SQLite: the rows SQLAlchemy would return, converted the same
way, and a statement the read cannot convert refused when it is prepared."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.common.reads import PreparedRead
from tests.common.reads_cases import assert_same_rows_as_sqlalchemy, filled_engine, things


def test_a_prepared_read_returns_what_sqlalchemy_returns_on_sqlite(tmp_path):
    engine = filled_engine(f"sqlite:///{tmp_path / 'reads.db'}")

    assert_same_rows_as_sqlalchemy(engine)


def test_a_prepared_read_of_nothing_is_an_empty_list(tmp_path):
    engine = filled_engine(f"sqlite:///{tmp_path / 'reads.db'}")

    assert PreparedRead(select(things.c.id).where(things.c.id > 99)).rows(engine, {}) == []


def test_a_column_the_read_cannot_convert_is_refused_when_prepared():
    with pytest.raises(TypeError, match="'extra'"):
        PreparedRead(select(things.c.id, things.c.extra))
