"""The demo requests (services/requests/demo.py): requests in every status between the demo
authorities, made by the demo users through the service's own operations, loaded once; the
parties known before the directory's events arrive, which still win; and what a demo user
sees of them through the running service."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.common.actor import dump_actor
from services.common.clock import utcnow
from services.common.db import StandaloneDatabase
from services.identity.demo_roster import demo_user, demo_users
from services.requests import directory_view
from services.requests.bootstrap import publish_shipped_lists, publish_shipped_sets
from services.requests.demo import ALWAYS, PROVISIONAL_VERSION, SCENARIOS, load_demo_requests
from services.requests.models import (
    Answer,
    Base,
    Comment,
    CoordinatorLink,
    HistoryEntry,
    KnownAuthority,
    KnownUser,
    Request,
    RequestPolicy,
)
from services.requests.workflow_state import Status
from services.translation.bootstrap import prepare_translation

MUENCHEN = demo_user("de-muenchen-handler").authority
ROMA = demo_user("it-roma-handler").authority


def shipped(uri: str) -> None:
    publish_shipped_sets(uri)
    publish_shipped_lists(uri)


@pytest.fixture
def shipped_uri(service_database) -> str:
    return service_database("requests", shipped, template="requests-shipped")


def rows(uri: str, statement):
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with Session(engine) as session:
            return session.execute(statement).all()
    finally:
        engine.dispose()


def statuses(uri: str) -> dict[str, int]:
    return dict(rows(uri, select(Request.status, func.count()).group_by(Request.status)))


def counts(uri: str) -> tuple:
    outbox = Base.kernel.outbox
    return tuple(
        rows(uri, select(func.count()).select_from(model))[0][0]
        for model in (Request, HistoryEntry, Answer, Comment, outbox, KnownAuthority)
    )


def test_with_the_directory_s_demo_settings_and_policies_the_demo_shows_every_status(
    shipped_uri,
):
    added = load_demo_requests(shipped_uri)

    assert added == len(SCENARIOS)
    assert set(statuses(shipped_uri)) == {status.value for status in Status}
    actions = {action for (action,) in rows(shipped_uri, select(HistoryEntry.action))}
    assert {"submit_for_approval", "approve", "allocate", "refer", "give_feedback",
            "propose_reply_date", "agree_reply_date", "send_partial_reply",
            "request_additional_information", "withdraw"} <= actions  # fmt: skip


def test_without_approval_referral_or_allocation_the_requests_take_the_other_way(shipped_uri):
    load_demo_requests(shipped_uri, settings={}, policies=[])

    assert set(statuses(shipped_uri)) == {status.value for status in ALWAYS}
    actions = {action for (action,) in rows(shipped_uri, select(HistoryEntry.action))}
    assert not actions & {"submit_for_approval", "approve", "allocate", "refer"}


def test_the_requests_are_made_by_the_demo_users_with_subjects_answers_and_comments(
    shipped_uri,
):
    load_demo_requests(shipped_uri, settings={}, policies=[])

    demo_ids = {person.id for person in demo_users()}
    made = rows(shipped_uri, select(Request.created_by, Request.subject))
    assert {created_by for created_by, _ in made} <= demo_ids
    assert all(subject["full_name"] for _, subject in made)
    answers = rows(shipped_uri, select(Answer.value, Answer.cannot_provide, Answer.reply))
    assert any(value == {"value": ["none_known"]} for value, _, _ in answers)
    assert any(reason == "not_held" for _, reason, _ in answers)
    assert any(reply == 0 for _, _, reply in answers)  # a reply draft not sent yet
    languages = {language for (language,) in rows(shipped_uri, select(Comment.language))}
    assert languages == {"it", "hu"}
    acting = {user_id for (user_id,) in rows(shipped_uri, select(HistoryEntry.user_id))}
    assert acting <= demo_ids


def test_the_requests_are_spread_over_the_past_weeks(shipped_uri):
    load_demo_requests(shipped_uri, settings={}, policies=[])
    loaded_at = utcnow()

    times = rows(shipped_uri, select(Request.created_at, Request.updated_at))
    assert max(updated for _, updated in times) <= loaded_at
    created = [at for at, _ in times]
    assert (max(created) - min(created)).days >= 30


def test_loading_again_adds_nothing(shipped_uri):
    load_demo_requests(shipped_uri, settings={}, policies=[])
    before = counts(shipped_uri)

    assert load_demo_requests(shipped_uri, settings={}, policies=[]) == 0
    assert counts(shipped_uri) == before


def test_the_parties_are_known_at_once_and_the_directory_s_events_win(shipped_uri):
    load_demo_requests(shipped_uri)
    (known,) = rows(shipped_uri, select(KnownAuthority).where(
        KnownAuthority.authority_id == MUENCHEN.id))  # fmt: skip
    assert known[0].version == PROVISIONAL_VERSION
    assert known[0].settings == {"uses_allocation": True, "coordinator_full_view": True}
    assert known[0].languages == ["de", "en"]
    links = rows(shipped_uri, select(CoordinatorLink.area, CoordinatorLink.coordinator_id).where(
        CoordinatorLink.authority_id == ROMA.id))  # fmt: skip
    assert set(links) == {(area, ROMA.validating_coordinator_id) for area, _ in ROMA.areas}
    policies = rows(shipped_uri, select(RequestPolicy.member_state, RequestPolicy.region))
    assert ("DE", "Bayern") in set(policies)
    (handler,) = rows(shipped_uri, select(KnownUser).where(
        KnownUser.user_id == demo_user("de-muenchen-handler").id))  # fmt: skip
    assert handler[0].authority_id == MUENCHEN.id
    assert {"right": "request_handler", "area": "services"} in handler[0].grants

    database = StandaloneDatabase(Base, "requests", shipped_uri)
    unit = database.unit_of_work()
    try:
        directory_view.remember_authority(
            unit,
            {"authority_id": MUENCHEN.id, "member_state": "DE", "region": "Bayern",
             "status": "validated", "coordinator_kind": None,
             "official_name": "Landeshauptstadt München, Kreisverwaltungsreferat",
             "official_language": "de", "titles": {}, "areas": [], "settings": {},
             "version": 1},
            utcnow(),
        )  # fmt: skip
        unit.commit()
    finally:
        unit.close()
        database.dispose()
    load_demo_requests(shipped_uri)

    (known,) = rows(shipped_uri, select(KnownAuthority).where(
        KnownAuthority.authority_id == MUENCHEN.id))  # fmt: skip
    assert known[0].version == 1
    assert known[0].official_name == "Landeshauptstadt München, Kreisverwaltungsreferat"


# --- through the running service -------------------------------------------------------------


def demo(uri: str) -> None:
    shipped(uri)
    load_demo_requests(uri)


@pytest.fixture
def requests_config(service_config, service_database, frozen_clock) -> dict:
    return {
        **service_config,
        "DB_URIS": {
            "requests": service_database("requests", demo, template="requests-demo"),
            "translation": service_database(
                "translation", lambda uri: prepare_translation(uri, frozen_clock())
            ),
        },
    }


def as_actor(username: str) -> dict:
    return dump_actor(demo_user(username).actor())


def test_a_demo_handler_finds_its_authority_s_requests_and_reads_one_in_its_language(proxy):
    mine = proxy.requests.list_requests(as_actor("it-roma-handler"), {"limit": 100})
    found = {item["status"] for item in mine["items"]}
    assert {"draft", "sent", "accepted", "answered", "closed", "withdrawn"} <= found

    theirs = proxy.requests.list_requests(as_actor("hu-budapest-handler"), {"box": "incoming"})
    (waiting,) = [item for item in theirs["items"] if item["status"] == "sent"]
    shown = proxy.requests.request(as_actor("hu-budapest-handler"), waiting["id"], {})
    assert shown["language"] == "hu"
    assert "accept" in shown["actions"]
    assert shown["subject_withheld"] is True

    allocated = proxy.requests.list_requests(as_actor("de-muenchen-handler"), {"box": "actions"})
    assert [item["status"] for item in allocated["items"]] == ["sent"]
    approving = proxy.requests.list_requests(
        as_actor("de-bayern-coordinator"), {"box": "coordinated"}
    )
    assert "awaiting_approval" in {item["status"] for item in approving["items"]}
