"""The past requests the training environment's statistics count (services/requests/
demo_history.py): two years of them between the directory's demo authorities, answered as the
network answered in 2011, each state agreeing with its columns, none at a demo user's
authority, loaded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.identity.demo_roster import roster_authorities
from services.requests.bootstrap import publish_shipped_lists, publish_shipped_sets
from services.requests.demo import load_demo_requests
from services.requests.demo_history import HISTORY_USER, load_demo_history
from services.requests.models import Request, RequestQuestion
from services.requests.request_codec import from_document
from services.requests.workflow_state import ReplyKind

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def shipped(uri: str) -> None:
    publish_shipped_sets(uri)
    publish_shipped_lists(uri)


@pytest.fixture
def history_uri(service_database) -> str:
    uri = service_database("requests", shipped, template="requests-shipped")
    load_demo_requests(uri)
    load_demo_history(uri, lambda: NOW)
    return uri


def past_requests(uri: str) -> list[Request]:
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(Request).where(Request.created_by == HISTORY_USER)))
    finally:
        engine.dispose()


def test_two_years_of_requests_between_authorities_where_no_demo_user_works(history_uri):
    found = past_requests(history_uri)

    demo_places = {authority.id for authority in roster_authorities()}
    assert 2000 <= len(found) <= 3000
    assert not {row.requester_id for row in found} & demo_places
    assert not {row.responder_id for row in found} & demo_places
    assert all(row.subject == {} for row in found)
    assert {row.area for row in found} == {
        "professional_qualifications", "services", "posting_of_workers",
    }  # fmt: skip
    assert len({row.requester_state for row in found}) >= 25
    assert min(row.sent_at for row in found) < NOW - timedelta(days=700)
    assert max(row.sent_at for row in found) < NOW
    assert all(row.profession for row in found if row.area == "professional_qualifications")


def test_about_half_are_answered_within_two_weeks_and_a_quarter_after_more_than_four(
    history_uri,
):
    answered = [row.answered_at - row.sent_at for row in past_requests(history_uri)
                if row.answered_at]  # fmt: skip

    within_two = sum(took <= timedelta(weeks=2) for took in answered) / len(answered)
    over_four = sum(took > timedelta(weeks=4) for took in answered) / len(answered)
    assert 0.48 <= within_two <= 0.6
    assert 0.22 <= over_four <= 0.32


def test_each_request_s_state_agrees_with_the_columns_the_statistics_count(history_uri):
    engine = create_engine(history_uri, poolclass=NullPool)
    with Session(engine) as session:
        rows = session.scalars(select(Request).where(Request.created_by == HISTORY_USER)).all()
        for row in rows:
            state = from_document(row.state)
            assert state.status.value == row.status
            assert state.responder_accepted == (row.accepted_at is not None)
            assert bool(state.replies) == (row.answered_at is not None)
            assert all(reply.kind == ReplyKind.FULL for reply in state.replies)
            assert row.sent_at <= (row.accepted_at or row.sent_at) <= row.updated_at
            assert len(row.asked) == len(state.questions)
            assert {(q.sent_at, q.requester_state, q.responder_state) for q in row.asked} == {
                (row.sent_at, row.requester_state, row.responder_state)
            }
    engine.dispose()


def test_loading_again_adds_nothing(history_uri):
    engine = create_engine(history_uri, poolclass=NullPool)
    with engine.connect() as connection:
        before = connection.scalar(select(func.count()).select_from(RequestQuestion))

        assert load_demo_history(history_uri, lambda: NOW + timedelta(days=1)) == 0
        assert connection.scalar(select(func.count()).select_from(RequestQuestion)) == before
    engine.dispose()
