"""The directory's "only one" rules are the database's: one national coordinator per member
state, one live invitation per address, one entry per code in a reference list.

A worker checks a rule in Python, then writes; on PostgreSQL another worker can write the same
thing in between (tests/integration/test_only_one_postgres.py races two real calls). Here, on
SQLite, where one process writes at a time, the race is staged: the service's own check runs,
then another connection commits the clashing row before the service writes. The database
refuses the second row and the caller gets a 409 naming the rule, never a 500.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.errors import Conflict
from services.directory import authorities, invitations, terms
from services.directory.domain import TermKind
from services.directory.models import Authority, Invitation, Term

from .harness import COMMISSION

PQ = {"area": "professional_qualifications", "workflow": "information_requests"}


def test_a_national_coordinator_registered_meanwhile_makes_the_second_a_409_nimic_exists(
    directory, store, monkeypatch
):
    def check_then_another_writer_commits(unit, member_state):
        checked(unit, member_state)
        with Session(store.engine) as other:
            other.add(national_coordinator_row(member_state, unit.now()))
            other.commit()

    checked = authorities.require_no_nimic
    monkeypatch.setattr(authorities, "require_no_nimic", check_then_another_writer_commits)

    with pytest.raises(Conflict) as caught:
        directory.nimic("LU")

    assert caught.value.code == "authority.nimic_exists"
    assert national_coordinators(store, "LU") == 1


def test_an_invitation_sent_meanwhile_to_the_same_address_makes_the_batch_a_409(
    directory, store, monkeypatch
):
    nimic = directory.nimic("LU")
    email = f"{uuid.uuid4().hex[:8]}@example.lu"

    def check_then_another_writer_commits(unit, emails, besides=None):
        taken = checked(unit, emails, besides)
        with Session(store.engine) as other:
            other.add(live_invitation_row(nimic.id, email, unit.now()))
            other.commit()
        return taken

    checked = invitations.taken_emails
    monkeypatch.setattr(invitations, "taken_emails", check_then_another_writer_commits)

    with pytest.raises(Conflict) as caught:
        directory.rpc.invite(nimic.admin, {"invitations": [
            {"email": email, "language": "fr", "areas": [PQ]}]})  # fmt: skip

    assert caught.value.code == "invitation.already_pending"
    assert live_invitations(store, email) == 1


def test_an_entry_added_meanwhile_with_the_same_code_makes_the_second_a_409_term_exists(
    directory, store, monkeypatch, frozen_clock
):
    def names_then_another_writer_commits(names):
        with Session(store.engine) as other:
            other.add(Term(kind="legislative_area", code="casinos", names={"en": "Casinos"},
                           untranslated=[], active=True, position=99,
                           updated_at=frozen_clock(), version=1))  # fmt: skip
            other.commit()
        return completed(names)

    completed = terms.complete_names  # called once the service found no entry with the code
    monkeypatch.setattr(terms, "complete_names", names_then_another_writer_commits)

    with pytest.raises(Conflict) as caught:
        directory.rpc.add_term(COMMISSION, "legislative_area", {
            "code": "casinos", "names": {"en": "Casinos"}, "workflows": ["alerts"]})  # fmt: skip

    assert caught.value.code == "term.exists"
    with Session(store.engine) as session:
        assert session.get(Term, (TermKind.LEGISLATIVE_AREA.value, "casinos")).position == 99


def test_the_rules_leave_room_for_what_they_do_not_forbid(directory, store, events):
    """One national coordinator in each member state; an address invited again once its
    invitation expired."""
    directory.nimic("LU")
    directory.nimic("MT")
    nimic = directory.nimic("CY")
    email = f"{uuid.uuid4().hex[:8]}@example.cy"
    batch = {"invitations": [{"email": email, "language": "el", "areas": [PQ]}]}
    [first] = directory.rpc.invite(nimic.admin, batch)["invitations"]
    with Session(store.engine) as session:
        session.get(Invitation, first["id"]).status = "expired"
        session.commit()

    [second] = directory.rpc.invite(nimic.admin, batch)["invitations"]

    assert second["status"] == "sent"
    assert live_invitations(store, email) == 1
    assert [national_coordinators(store, state) for state in ("LU", "MT", "CY")] == [1, 1, 1]


# --- rows another writer commits -------------------------------------------------------------


def national_coordinator_row(member_state: str, now) -> Authority:
    return Authority(
        id=str(uuid.uuid4()), official_name=f"NIMIC {member_state} (other writer)",
        official_language="en", member_state=member_state, email="nimic@example.eu",
        status="validated", coordinator_kind="NIMIC", created_at=now, updated_at=now, version=1,
    )  # fmt: skip


def live_invitation_row(coordinator_id: str, email: str, now) -> Invitation:
    return Invitation(
        id=str(uuid.uuid4()), batch_id=str(uuid.uuid4()), coordinator_id=coordinator_id,
        invited_by=str(uuid.uuid4()), email=email, language="fr", member_state="LU",
        areas=[PQ], status="sent", created_at=now, updated_at=now, version=1,
    )  # fmt: skip


def national_coordinators(store, member_state: str) -> int:
    with Session(store.engine) as session:
        return session.scalar(
            select(func.count()).select_from(Authority).where(
                Authority.member_state == member_state, Authority.coordinator_kind == "NIMIC"
            )
        )  # fmt: skip


def live_invitations(store, email: str) -> int:
    with Session(store.engine) as session:
        return session.scalar(
            select(func.count()).select_from(Invitation).where(
                Invitation.email == email, Invitation.status.in_(["held", "sent"])
            )
        )  # fmt: skip
