"""The demo data: a living directory loaded into a fresh migrated database, validated like
real input, and loaded once however often ``prepare`` runs."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.common.reference import COMMISSION, EEA_COUNTRIES
from services.directory.bootstrap import prepare_directory
from services.directory.demo import demo_id, load_demo
from services.directory.domain import EffectivePolicy, effective_policy, policy_id
from services.directory.models import (
    Authority,
    AuthorityArea,
    AuthorityTitle,
    CoordinatorLink,
    Outbox,
    Register,
    RequestPolicy,
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
    per_state = Counter(session.scalars(select(Authority.member_state).where(
        Authority.member_state != COMMISSION)))  # fmt: skip
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


def test_each_member_state_and_the_commission_has_its_incoming_alert_mailbox(session):
    """Every NIMIC receives its state's Services Directive and Professional Qualifications
    alerts, the Commission's own mailbox the Services Directive ones; the municipal offices
    send and receive them."""
    rows = session.execute(select(Authority.member_state, AuthorityArea.area,
                                  AuthorityArea.roles).join(AuthorityArea).where(
        AuthorityArea.workflow == "alerts")).all()  # fmt: skip
    mailboxes = {
        area: sorted(state for state, found, roles in rows
                     if found == area and "incoming_alert_mailbox" in roles)
        for area in ("services", "professional_qualifications")
    }  # fmt: skip

    assert mailboxes["services"] == sorted([*EEA_COUNTRIES, COMMISSION])
    assert mailboxes["professional_qualifications"] == sorted(EEA_COUNTRIES)
    roma = session.get(Authority, demo_id("IT/municipality/Roma"))
    assert {(item.area, item.workflow) for item in roma.areas} >= {
        ("services", "alerts"), ("professional_qualifications", "alerts")}  # fmt: skip


def test_informal_titles_come_in_several_languages(session):
    languages = Counter(session.scalars(select(AuthorityTitle.language)))
    per_authority = session.scalars(
        select(func.count()).select_from(AuthorityTitle).group_by(AuthorityTitle.authority_id)
    ).all()

    assert len(languages) >= 10
    assert min(per_authority) >= 3


def test_every_authority_has_a_validating_coordinator_of_its_country_but_the_top_ones(session):
    """The NIMICs and the Commission's alert mailbox are the Commission's: none."""
    coordinators = {
        row.id: row.member_state
        for row in session.execute(select(Authority.id, Authority.member_state).where(
            Authority.coordinator_kind.is_not(None)))
    }  # fmt: skip
    for authority in session.scalars(select(Authority)):
        if authority.coordinator_kind == "NIMIC" or authority.member_state == COMMISSION:
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

    assert load_demo(demo_uri) == (0, 0, 0)

    assert store.new_rows(before) == {}
    store.dispose()


def published(session, event_type: str) -> list[dict]:
    rows = session.scalars(select(Outbox).where(Outbox.event_type == event_type))
    return [row.envelope["data"] for row in rows]


def test_every_demo_coordinator_link_is_announced_as_a_real_registrations_is(session):
    links = {
        (link.authority_id, link.area, link.workflow, link.coordinator_id)
        for link in session.scalars(select(CoordinatorLink))
    }
    announced = [
        (data["authority_id"], data["area"], data["workflow"], data["coordinator_id"])
        for data in published(session, "coordinator_linked")
    ]

    assert len(links) > 400
    assert sorted(announced) == sorted(links)
    assert all(data["linked"] for data in published(session, "coordinator_linked"))


def test_a_few_demo_authorities_work_with_allocation_or_give_their_coordinators_the_full_view(
    session,
):
    munich = session.get(Authority, demo_id("DE/municipality/München"))
    krakow = session.get(Authority, demo_id("PL/chamber/Kraków"))
    registered = {data["authority_id"]: data for data in published(session, "authority_registered")}

    assert (munich.uses_allocation, munich.coordinator_full_view) == (True, True)
    assert (krakow.uses_allocation, krakow.coordinator_full_view) == (False, True)
    assert registered[munich.id]["settings"] == {"uses_allocation": True,
                                                 "coordinator_full_view": True}  # fmt: skip
    allocating = session.scalar(
        select(func.count()).select_from(Authority).where(Authority.uses_allocation)
    )
    assert 2 <= allocating <= 10
    assert sum(data["settings"]["uses_allocation"] for data in registered.values()) == allocating


def test_demo_request_policies_are_set_and_announced(session):
    rows = session.scalars(select(RequestPolicy)).all()
    announced = {data["policy_id"]: data for data in published(session, "request_policy_changed")}

    assert len(rows) >= 3
    assert {row.id for row in rows} == set(announced)
    assert all(announced[row.id]["version"] == row.version == 1 for row in rows)
    assert effective_policy(rows, "DE", "Hessen", "services") == EffectivePolicy(True, False)
    assert effective_policy(rows, "DE", "Bayern", "services") == EffectivePolicy(True, True)
    assert effective_policy(rows, "FR", "Occitanie", "professional_qualifications") == (
        EffectivePolicy(False, True)
    )
    assert effective_policy(rows, "AT", None, "services") == EffectivePolicy()


def test_a_demo_policy_a_coordinator_deleted_stays_deleted(demo_uri):
    engine = create_engine(demo_uri, poolclass=NullPool)
    key = policy_id("DE", None, "services")
    with Session(engine) as session:
        session.get(RequestPolicy, key).deleted = True
        session.commit()

    assert load_demo(demo_uri).policies == 0

    with Session(engine) as session:
        assert session.get(RequestPolicy, key).deleted is True
    engine.dispose()
