"""The question set generator on PostgreSQL with truly concurrent administrators: two drafts
of the same new set, or of the next version of one, leave exactly one draft and a clear 409,
never two rows or a 500 (the rules are a primary key and a partial unique index)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from services.common.clock import FrozenClock
from services.common.errors import Conflict
from services.requests.models import QuestionSet, QuestionSetVersion
from services.requests.service import RequestsService
from tests.databases import prepare
from tests.integration.held_writes import inserts_held, outcomes
from tests.requests.documents import document
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy
from tests.translation.harness import administrator

pytestmark = pytest.mark.integration


@pytest.fixture
def requests_pg(pg_uri, service_config, container_factory):
    prepare("requests", pg_uri)
    config = {**service_config, "DB_URIS": {"requests": pg_uri}}
    container = started_on_clock(
        container_factory, RequestsService, config, FrozenClock(), fresh_event_queues=True
    )
    with SignedRpcProxy(config, timeout=30) as proxy:
        yield proxy.requests
    container.kill()  # before pg_uri drops the database


def counted(uri: str, model) -> int:
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


@pytest.mark.parametrize("table", ["question_sets", "question_set_versions"])
def test_two_administrators_drafting_one_new_set_at_once_leave_one_draft(
    requests_pg, pg_uri, table
):
    """Held at the set's row, both saw no set; held at the draft's, both saw no draft."""
    found = document("raced_services")
    if table == "question_set_versions":
        draft = requests_pg.create_question_set_draft(administrator(), {"document": found})
        requests_pg.publish_question_set(administrator(), found["key"],
                                         {"version": draft["version"]})  # fmt: skip

    with inserts_held(pg_uri, table) as wait_for:
        calls = [
            requests_pg.create_question_set_draft.call_async(administrator(), {"document": found})
            for _ in range(2)
        ]
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert won["status"] == "draft"
    assert (type(lost), lost.code) == (Conflict, "question_set.draft_exists")
    assert counted(pg_uri, QuestionSet) == 1
    drafts = 1 if table == "question_sets" else 2  # the published version and one draft
    assert counted(pg_uri, QuestionSetVersion) == drafts
