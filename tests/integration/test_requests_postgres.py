"""The question set generator on PostgreSQL with truly concurrent administrators: two drafts
of the same new set, or of the next version of one, leave exactly one draft and a clear 409,
never two rows or a 500 (the rules are a primary key and a partial unique index)."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, create_engine, func, select, text

from services.common.clock import FrozenClock
from services.common.errors import Conflict, StaleVersion
from services.requests.bootstrap import publish_shipped_lists, publish_shipped_sets
from services.requests.models import (
    Answer,
    QuestionSet,
    QuestionSetVersion,
    Request,
    SentQuestionCount,
    SentRequestCount,
)
from services.requests.service import RequestsService
from services.requests.subject_words import NamesEveryWord, SearchedWords
from tests.databases import prepare
from tests.integration.held_writes import inserts_held, outcomes
from tests.requests import network, statistics_world
from tests.requests.documents import document
from tests.requests.exchange_harness import BUDAPEST_HANDLER, ROMA_HANDLER
from tests.requests.network import BUDAPEST, ROMA
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


# --- requests: two handlers saving what they read, at once -----------------------------------


@pytest.fixture
def network_pg(pg_uri, service_config, container_factory):
    """The requests service on PostgreSQL with the shipped sets and the tests' network."""
    prepare("requests", pg_uri, publish_shipped_sets, publish_shipped_lists, network.seed)
    config = {**service_config, "DB_URIS": {"requests": pg_uri}}
    container = started_on_clock(
        container_factory, RequestsService, config, FrozenClock(), fresh_event_queues=True
    )
    with SignedRpcProxy(config, timeout=30) as proxy:
        yield proxy.requests
    container.kill()


def stored_answers(uri: str, request_id: str) -> list[tuple]:
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            return connection.execute(
                select(Answer.question, Answer.reply, Answer.value, Answer.saved_by).where(
                    Answer.request_id == request_id
                )
            ).all()
    finally:
        engine.dispose()


def test_two_handlers_saving_one_reply_draft_at_once_leave_the_first_and_a_409_naming_it(
    network_pg, pg_uri
):
    draft = network_pg.create_request(ROMA_HANDLER, {
        "set_key": "services", "questions": ["1.1"], "responder_id": BUDAPEST.id,
        "subject": {"full_name": "Mario Rossi"}, "coordinator_id": network.IT_COORDINATOR.id,
    })  # fmt: skip
    sent = network_pg.act_on_request(ROMA_HANDLER, draft["id"], "send",
                                     {"version": draft["version"]})  # fmt: skip
    accepted = network_pg.act_on_request(
        BUDAPEST_HANDLER, draft["id"], "accept", {"version": sent["version"]}
    )
    colleague = network.handler(BUDAPEST, "colleague")

    with inserts_held(pg_uri, "answers") as wait_for:
        calls = [
            network_pg.save_reply_draft.call_async(
                who, draft["id"],
                {"version": accepted["version"], "answers": [{"question": "1.1", "value": yes}]},
            )
            for who, yes in ((BUDAPEST_HANDLER, True), (colleague, False))
        ]  # fmt: skip
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert isinstance(lost, StaleVersion)
    assert lost.extra["changed_by"] == won["updated_by"]
    assert lost.extra["changed_by_username"] == won["updated_by_username"]
    assert lost.extra["current_version"] == won["version"]
    ((question, reply, value, saved_by),) = stored_answers(pg_uri, draft["id"])
    assert (question, reply) == (1, 0)
    assert saved_by == won["updated_by"]
    assert value == {"value": saved_by == BUDAPEST_HANDLER["user_id"]}


def test_two_handlers_editing_one_draft_at_once_change_it_once(network_pg, pg_uri):
    draft = network_pg.create_request(ROMA_HANDLER, {
        "set_key": "services", "questions": ["1.1"], "subject": {"full_name": "Mario Rossi"},
        "coordinator_id": network.IT_COORDINATOR.id,
    })  # fmt: skip
    colleague = network.handler(ROMA, "colleague")

    with inserts_held(pg_uri, "request_history") as wait_for:
        calls = [
            network_pg.edit_request_draft.call_async(
                who, draft["id"], {"version": draft["version"], "questions": questions}
            )
            for who, questions in ((ROMA_HANDLER, ["1.1", "1.2"]), (colleague, ["2.1"]))
        ]
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert isinstance(lost, StaleVersion)
    assert lost.extra["changed_by"] == won["updated_by"]
    final = network_pg.request(ROMA_HANDLER, draft["id"], {})
    assert [q["number"] for q in final["questions"]] == [q["number"] for q in won["questions"]]
    assert final["version"] == draft["version"] + 1


def test_requests_sent_at_once_are_each_counted_in_their_month(network_pg, pg_uri):
    """Held at the monthly counters' insert, three sends of one set in one month all saw no
    counter yet; each is counted once (an upsert adding in the database)."""
    drafts = [
        network_pg.create_request(ROMA_HANDLER, {
            "set_key": "services", "questions": ["1.1", "1.4"], "responder_id": BUDAPEST.id,
            "subject": {"full_name": f"Mario Rossi {number}"},
            "coordinator_id": network.IT_COORDINATOR.id,
        })
        for number in range(3)
    ]  # fmt: skip

    with inserts_held(pg_uri, "sent_request_counts") as wait_for:
        calls = [
            network_pg.act_on_request.call_async(
                ROMA_HANDLER, draft["id"], "send", {"version": draft["version"]}
            )
            for draft in drafts
        ]
        wait_for(3)

    sent, refused = outcomes(calls)
    assert (len(sent), refused) == (3, [])
    assert counted_sends(pg_uri) == (
        [("services", 3)],
        [("legal_form", 3), ("lawfully_established", 3)],
    )
    statistics_world.check_counters_agree(pg_uri)


def counted_sends(uri: str) -> tuple[list, list]:
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            return (
                connection.execute(
                    select(SentRequestCount.set_key, SentRequestCount.requests)
                ).all(),
                connection.execute(
                    select(SentQuestionCount.question_key, SentQuestionCount.requests).order_by(
                        SentQuestionCount.question_key.desc()
                    )
                ).all(),
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("own", ["it-roma", "o'brien\\office"])
def test_a_search_s_keys_match_the_words_of_the_reader_s_authority_alone(pg_uri, own):
    """The search's text query (services/requests/subject_words.py) holds any authority id as
    its keys' party: a quote or a backslash in it neither breaks the query nor matches
    another authority's keys (migration r0014's imi_subject_keys)."""
    prepare("requests", pg_uri)
    engine = create_engine(pg_uri)
    searched = SearchedWords().process_bind_param((own, ["ada", "statistica"]), engine.dialect)
    matches = text("SELECT imi_subject_keys(ARRAY[:party, NULL], :names) @@ CAST(:q AS tsquery)")
    try:
        with engine.connect() as connection:
            found = {
                (party, names): connection.scalar(
                    matches, {"party": party, "names": names, "q": searched}
                )
                for party in (own, "it-other")
                for names in ("statistica maria ada", "ada", "")
            }
    finally:
        engine.dispose()
    assert found == {
        (own, "statistica maria ada"): True, (own, "ada"): False, (own, ""): False,
        ("it-other", "statistica maria ada"): False, ("it-other", "ada"): False,
        ("it-other", ""): False,
    }  # fmt: skip


@pytest.mark.parametrize("restored", [False, True], ids=["migrated", "dumped and restored"])
def test_a_search_by_subject_can_read_the_keys_index(pg_uri, restored):
    """The search's condition writes the keys index's expression, so that PostgreSQL can read
    the index (not the whole table): on the migrated schema, and with the index made again
    from the definition PostgreSQL gives of it, as pg_dump writes it and a restore reads it.
    (The table is empty: with sequential scans off, only the index can answer.)"""
    prepare("requests", pg_uri)
    engine = create_engine(pg_uri)
    searched = SearchedWords().process_bind_param(("it-roma", ["ada"]), engine.dialect)
    condition = NamesEveryWord(bindparam("subject", type_=SearchedWords()))
    compiled = select(Request.id).where(condition).compile(dialect=engine.dialect)
    try:
        with engine.begin() as connection:
            if restored:
                definition = connection.scalar(
                    text("SELECT pg_get_indexdef('requests_subject_keys'::regclass)")
                )
                connection.execute(text("DROP INDEX requests_subject_keys"))
                connection.execute(text(definition))
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = connection.exec_driver_sql(f"EXPLAIN {compiled}", {"subject": searched})
            plan = "\n".join(plan.scalars())
    finally:
        engine.dispose()
    assert "Index Scan on requests_subject_keys" in plan
