"""Integration: the directory service on PostgreSQL and the real broker.

Same policy as tests/integration/test_identity_postgres.py: a fresh database per test built by
the Alembic migrations, the real service in a nameko container, driven by the directory's own
harness (tests/directory/harness.py); only the database differs from the service tests.
"""

from __future__ import annotations

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy.orm import Session

from services.common.errors import Conflict, Forbidden
from services.directory.models import AreaWorkflow, Authority, Invitation, RequestPolicy, Term
from tests.directory.harness import (
    COMMISSION,
    authority_data,
)
from tests.integration.held_writes import inserts_held, outcomes

pytestmark = pytest.mark.integration


def test_authorities_are_registered_edited_and_listed_on_postgresql(directory):
    nimic = directory.nimic("PL")
    with pytest.raises(Conflict):
        directory.nimic("PL")
    titles = {"pl": "Izba lekarska", "en": "Medical chamber"}
    record = directory.register(nimic.admin, "PL", official_language="pl", titles=titles)
    directory.events.wait_for("authority_registered", record["id"])

    edited = directory.rpc.update_authority(
        directory.lda_of(record), record["id"], {"phone": "+48 22 000", "version": 1}
    )
    with pytest.raises(Forbidden):
        directory.rpc.update_authority(
            directory.lda_of(record), record["id"], {"official_name": "X", "version": 2}
        )
    page = directory.rpc.list_authorities(nimic.admin, {"which": "without_active_users"})

    assert edited["phone"] == "+48 22 000"
    assert edited["title"]["text"] == "Medical chamber"
    assert [item["id"] for item in page["items"]] == [record["id"]]
    assert page["per_member_state"] == [{"member_state": "PL", "authorities": 1}]
    assert page["items"][0]["local_data_administrators"] == 0


def test_invitations_are_reminded_once_and_expire_on_postgresql(directory):
    nimic = directory.nimic("PL")
    batch = {"invitations": [{"email": "urzad@example.pl", "language": "pl", "areas": [
        {"area": "professional_qualifications", "workflow": "information_requests"}]}]}  # fmt: skip
    [sent] = directory.rpc.invite(nimic.admin, batch)["invitations"]

    directory.clock.advance(days=25)
    sweep(directory.container)
    sweep(directory.container)
    directory.clock.advance(days=5)
    sweep(directory.container)

    assert len(directory.events.wait_for("invitation_expiring", sent["id"])) == 1
    assert directory.events.wait_for("invitation_expired", sent["id"])
    listed = directory.rpc.list_invitations(nimic.admin, {"status": "expired"})
    assert [item["id"] for item in listed["items"]] == [sent["id"]]


def sweep(container) -> None:
    with entrypoint_hook(container, "sweep_invitations") as fire:
        fire()


# --- "only one" rules under real concurrency ------------------------------------------------
#
# Two calls race: both pass the service's check in Python, then both insert at the same moment
# (tests/integration/held_writes.py). The database keeps one row; the other caller gets the
# 409 its rule declares, never a 500.


def test_two_national_coordinators_registered_at_once_leave_one_and_a_409(directory, pg_uri):
    register = directory.rpc.register_authority
    with inserts_held(pg_uri, "authorities") as wait_for:
        calls = [
            register.call_async(COMMISSION, authority_data(
                "LU", coordinator_kind="NIMIC", region=None, official_name=f"NIMIC LU {n}"))
            for n in (1, 2)
        ]  # fmt: skip
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert won["coordinator_kind"] == "NIMIC"
    assert (type(lost), lost.code) == (Conflict, "authority.nimic_exists")
    assert directory.store.count(
        Authority, Authority.member_state == "LU", Authority.coordinator_kind == "NIMIC"
    ) == 1  # fmt: skip


def test_two_invitations_to_one_address_at_once_leave_one_live_and_refuse_the_other(
    directory, pg_uri
):
    """The second batch waits for the first on the address's lock, then sees its invitation
    (the partial unique index stays behind the lock, should a path ever skip it)."""
    nimic = directory.nimic("LU")
    email = "administration@example.lu"
    batch = {"invitations": [{"email": email, "language": "fr", "areas": [
        {"area": "professional_qualifications", "workflow": "information_requests"}]}]}  # fmt: skip
    with inserts_held(pg_uri, "invitations") as wait_for:
        calls = [directory.rpc.invite.call_async(nimic.admin, batch) for _ in (1, 2)]
        wait_for(2)

    answers, errors = outcomes(calls)
    assert errors == []
    assert sorted(answer["accepted"] for answer in answers) == [0, 1]
    [refused] = [answer for answer in answers if answer["rejected"]]
    assert [item["reason"] for item in refused["rejections"]] == ["duplicated_email"]
    assert directory.store.count(
        Invitation, Invitation.email == email, Invitation.status.in_(["held", "sent"])
    ) == 1  # fmt: skip


def test_two_entries_with_one_code_added_at_once_leave_one_and_a_409(directory, pg_uri):
    entry = {"code": "casinos", "names": {"en": "Casinos"}, "workflows": ["alerts"]}
    with inserts_held(pg_uri, "terms") as wait_for:
        calls = [
            directory.rpc.add_term.call_async(COMMISSION, "legislative_area", entry) for _ in (1, 2)
        ]
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert won["code"] == "casinos"
    assert (type(lost), lost.code) == (Conflict, "term.exists")
    assert directory.store.count(Term, Term.code == "casinos") == 1
    assert directory.store.count(AreaWorkflow, AreaWorkflow.area == "casinos") == 1


def test_an_invitation_and_a_registration_racing_for_one_address_never_leave_it_both(
    directory, pg_uri
):
    nimic = directory.nimic("LU")
    email = "guichet@example.lu"
    batch = {"invitations": [{"email": email, "language": "fr", "areas": [
        {"area": "professional_qualifications", "workflow": "information_requests"}]}]}  # fmt: skip
    registration = authority_data("LU", region=None, email=email, official_language="fr")
    with (
        inserts_held(pg_uri, "authorities") as wait_for,
        inserts_held(pg_uri, "invitations"),
    ):
        calls = [
            directory.rpc.invite.call_async(nimic.admin, batch),
            directory.rpc.register_authority.call_async(nimic.admin, registration),
        ]
        wait_for(2)

    [invited, registered], errors = outcomes(calls)
    assert errors == []
    assert directory.store.count(Authority, Authority.email == email) == 1
    assert directory.store.count(
        Invitation, Invitation.email == email, Invitation.status.in_(["held", "sent"])
    ) == 0  # fmt: skip
    if invited["accepted"]:  # invited first: the registration used the invitation up
        [invitation] = invited["invitations"]
        with Session(directory.store.engine) as session:
            row = session.get(Invitation, invitation["id"])
            assert (row.status, row.authority_id) == ("used", registered["id"])
    else:  # registered first: the address was refused to the batch
        assert [item["reason"] for item in invited["rejections"]] == ["duplicated_email"]


def test_two_coordinators_setting_the_same_new_policy_at_once_leave_one_row_and_a_409(
    directory, pg_uri
):
    nimic = directory.nimic("DE")
    sdimic = directory.coordinator(nimic, "SDIMIC", coordinated_region="Bayern")
    editors = [nimic.admin, sdimic.admin]

    with inserts_held(pg_uri, "request_policies") as wait_for:
        calls = [
            directory.rpc.put_request_policy.call_async(editor, {
                "member_state": "DE", "region": "Bayern", "area": "services",
                "approval_required": True, "referral_enabled": n == 1})
            for n, editor in enumerate(editors)
        ]  # fmt: skip
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert (type(lost), lost.code) == (Conflict, "request_policy.exists")
    with Session(directory.store.engine) as session:
        row = session.get(RequestPolicy, won["id"])
        assert (row.referral_enabled, row.version) == (won["referral_enabled"], 1)
    assert directory.store.count(RequestPolicy) == 1
