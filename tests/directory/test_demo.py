"""The demo data: a living directory loaded into a fresh migrated database, validated like
real input, and loaded once however often ``prepare`` runs."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.common.reference import EEA_COUNTRIES
from services.directory.bootstrap import prepare_directory
from services.directory.demo import load_demo
from services.directory.models import (
    Authority,
    AuthorityArea,
    AuthorityTitle,
    Outbox,
    Register,
    Term,
)
from tests.databases import prepare

from .harness import Store


@pytest.fixture
def demo_uri(sqlite_uri) -> str:
    return prepare("directory", sqlite_uri, prepare_directory, load_demo)


@pytest.fixture
def session(demo_uri):
    engine = create_engine(demo_uri, poolclass=NullPool)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_every_member_state_has_its_nimic_and_there_are_other_coordinators(session):
    nimics = session.scalars(select(Authority.member_state).where(
        Authority.coordinator_kind == "NIMIC")).all()  # fmt: skip
    kinds = Counter(session.scalars(select(Authority.coordinator_kind)))

    assert sorted(nimics) == sorted(EEA_COUNTRIES)
    assert min(kinds["SDIMIC"], kinds["DIMIC"], kinds["LIMIC"]) >= 2


def test_several_hundred_authorities_spread_over_member_states_and_areas(session):
    per_state = Counter(session.scalars(select(Authority.member_state)))
    per_area = Counter(session.scalars(select(AuthorityArea.area)))
    areas = set(session.scalars(select(Term.code).where(Term.kind == "legislative_area")))

    assert sum(per_state.values()) >= 300
    assert min(per_state.values()) >= 5
    assert {"professional_qualifications", "services", "posting_of_workers", "solvit"} <= set(
        per_area
    )
    assert set(per_area) <= areas
    assert (
        session.scalar(
            select(func.count()).select_from(Authority).where(Authority.status != "validated")
        )
        == 0
    )


def test_informal_titles_come_in_several_languages(session):
    languages = Counter(session.scalars(select(AuthorityTitle.language)))
    per_authority = session.scalars(
        select(func.count()).select_from(AuthorityTitle).group_by(AuthorityTitle.authority_id)
    ).all()

    assert len(languages) >= 10
    assert min(per_authority) >= 3


def test_every_authority_but_the_nimics_has_a_validating_coordinator_of_its_country(session):
    coordinators = {
        row.id: row.member_state
        for row in session.execute(select(Authority.id, Authority.member_state).where(
            Authority.coordinator_kind.is_not(None)))
    }  # fmt: skip
    for authority in session.scalars(select(Authority)):
        if authority.coordinator_kind == "NIMIC":
            assert authority.validating_coordinator_id is None
        else:
            assert coordinators[authority.validating_coordinator_id] == authority.member_state
            assert {link.coordinator_id for link in authority.links} == {
                authority.validating_coordinator_id
            }


def test_the_emails_are_example_addresses_never_real_mailboxes(session):
    emails = session.scalars(select(Authority.email)).all()

    assert all(email.split("@")[1].startswith("example.") for email in emails)


def test_at_least_fifty_registers_across_fifteen_member_states_with_english_texts(session):
    registers = session.scalars(select(Register)).all()

    assert len(registers) >= 50
    assert len({register.member_state for register in registers}) >= 15
    for register in registers:
        languages = {text.language for text in register.texts}
        assert {"en", register.source_language} <= languages
        assert register.folded
    assert len({register.source_language for register in registers}) >= 5


def test_every_demo_entry_is_announced_through_the_outbox(session):
    types = Counter(session.scalars(select(Outbox.event_type)))

    assert types["authority_registered"] == session.scalar(
        select(func.count()).select_from(Authority)
    )
    assert types["register_changed"] == session.scalar(select(func.count()).select_from(Register))
    assert "first_user_requested" not in types


def test_a_second_load_changes_nothing(demo_uri):
    store = Store(demo_uri)
    before = store.snapshot()

    assert load_demo(demo_uri) == (0, 0)

    assert store.new_rows(before) == {}
    store.dispose()
