"""services/common/reads.py on PostgreSQL (psycopg2, named parameters, aware timestamps)."""

from __future__ import annotations

import pytest

from tests.common.reads_cases import assert_same_rows_as_sqlalchemy, filled_engine

pytestmark = pytest.mark.integration


def test_a_prepared_read_returns_what_sqlalchemy_returns_on_postgresql(pg_uri):
    engine = filled_engine(pg_uri)
    try:
        assert_same_rows_as_sqlalchemy(engine)
    finally:
        engine.dispose()
