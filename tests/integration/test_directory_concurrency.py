"""Integration: two people save the same version of an authority (its details or its
settings), a register, a reference list entry, an invitation or a request policy at the same
moment, on PostgreSQL. The database decides (a compare-and-set on the version): one save is
kept, the other is refused with a StaleVersion naming who saved first and when, and nothing is
lost.

The service and its database are those of tests/integration/test_directory_postgres.py;
tests/integration/overlap.py makes the two saves overlap every time.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from services.common.actor import Right
from services.directory.models import Invitation, Register, RequestPolicy, Term
from tests.directory.harness import COMMISSION_AUTHORITY_ID, actor
from tests.directory.test_service_registers import register_data
from tests.directory.test_service_terms import english_only
from tests.integration.overlap import held_saves, race, stale_version_of
from tests.integration.test_directory_postgres import sweep

pytestmark = pytest.mark.integration


def stored(directory, model: type, *identity):
    with Session(directory.store.engine) as session:
        return session.get(model, identity)


def refusal(version: int, by: dict, row) -> dict:
    """The StaleVersion the loser must get: the row's version, its saver (by name too, where
    the row keeps it: an authority), its time."""
    named = {"changed_by_username": by["username"]} if hasattr(row, "updated_by_username") else {}
    return {
        "code": "error.stale_version",
        "current_version": version,
        "changed_by": by["user_id"],
        **named,
        "changed_at": row.updated_at.isoformat(),
    }


def test_two_overlapping_edits_of_an_authority_keep_one_and_refuse_the_other(directory, pg_uri):
    record = directory.register(directory.nimic("DE").admin, "DE")
    editors = [directory.lda_of(record), directory.lda_of(record)]
    phones = ["+49 89 111", "+49 89 222"]

    with held_saves(directory.container, "authorities", pg_uri) as hold:
        outcome = race(*(
            directory.rpc.update_authority.call_async(
                editor, record["id"], {"phone": phone, "version": 1}
            )
            for editor, phone in zip(editors, phones, strict=True)
        ))  # fmt: skip

    row = directory.store.authority(record["id"])
    assert hold.overlapped
    assert (row.phone, row.version) == (phones[outcome.winner], 2)
    assert stale_version_of(outcome) == refusal(2, editors[outcome.winner], row)


def test_two_overlapping_edits_of_a_register_keep_one_and_refuse_the_other(directory, pg_uri):
    record = directory.register(directory.nimic("DE").admin, "DE")
    register = directory.rpc.create_register(directory.lda_of(record), register_data(record["id"]))
    editors = [directory.lda_of(record), directory.lda_of(record)]
    accesses = ["restricted", "on_request"]

    with held_saves(directory.container, "registers", pg_uri) as hold:
        outcome = race(*(
            directory.rpc.update_register.call_async(
                editor, register["id"], {"access": access, "version": 1}
            )
            for editor, access in zip(editors, accesses, strict=True)
        ))  # fmt: skip

    row = stored(directory, Register, register["id"])
    assert hold.overlapped
    assert (row.access, row.version) == (accesses[outcome.winner], 2)
    assert stale_version_of(outcome) == refusal(2, editors[outcome.winner], row)


def test_two_overlapping_edits_of_a_reference_entry_keep_one_and_refuse_the_other(
    directory, pg_uri
):
    editors = [actor(COMMISSION_AUTHORITY_ID, "EU", Right.COMMISSION_ADMINISTRATOR)
               for _ in range(2)]  # fmt: skip
    directory.rpc.add_term(editors[0], "keyword", english_only("pay_slips", "posting_of_workers"))
    names = ["Lohnabrechnungen", "Gehaltszettel"]

    with held_saves(directory.container, "terms", pg_uri) as hold:
        outcome = race(*(
            directory.rpc.update_term.call_async(
                editor, "keyword", "pay_slips", {"names": {"de": name}, "version": 1}
            )
            for editor, name in zip(editors, names, strict=True)
        ))  # fmt: skip

    row = stored(directory, Term, "keyword", "pay_slips")
    assert hold.overlapped
    assert (row.names["de"], row.version) == (names[outcome.winner], 2)
    assert stale_version_of(outcome) == refusal(2, editors[outcome.winner], row)


def test_two_overlapping_resubmissions_of_an_invitation_send_it_once(directory, pg_uri):
    nimic = directory.nimic("PL")
    batch = {"invitations": [{"email": "urzad@example.pl", "language": "pl", "areas": [
        {"area": "professional_qualifications", "workflow": "information_requests"}]}]}  # fmt: skip
    [sent] = directory.rpc.invite(nimic.admin, batch)["invitations"]
    directory.clock.advance(days=31)
    sweep(directory.container)
    assert stored(directory, Invitation, sent["id"]).version == 2  # expired
    editors = [directory.admin_of(nimic.record), directory.admin_of(nimic.record)]
    languages = ["de", "fr"]

    with held_saves(directory.container, "invitations", pg_uri) as hold:
        outcome = race(*(
            directory.rpc.resubmit_invitation.call_async(editor, sent["id"], {"language": lang})
            for editor, lang in zip(editors, languages, strict=True)
        ))  # fmt: skip

    row = stored(directory, Invitation, sent["id"])
    assert hold.overlapped
    assert (row.language, row.status, row.version) == (languages[outcome.winner], "sent", 3)
    assert stale_version_of(outcome) == refusal(3, editors[outcome.winner], row)
    directory.events.wait_for("invitation_created", sent["id"], 2)
    assert len(directory.events.of("invitation_created", sent["id"])) == 2  # one new code


def test_two_overlapping_changes_of_an_authoritys_settings_keep_one_and_refuse_the_other(
    directory, pg_uri
):
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE")
    editors = [directory.lda_of(record), nimic.admin]
    wanted = [(True, False), (False, True)]

    with held_saves(directory.container, "authorities", pg_uri) as hold:
        outcome = race(*(
            directory.rpc.set_settings.call_async(editor, record["id"], {
                "uses_allocation": allocation, "coordinator_full_view": full_view, "version": 1})
            for editor, (allocation, full_view) in zip(editors, wanted, strict=True)
        ))  # fmt: skip

    row = directory.store.authority(record["id"])
    assert hold.overlapped
    assert (row.uses_allocation, row.coordinator_full_view, row.version) == (
        *wanted[outcome.winner], 2,
    )  # fmt: skip
    assert stale_version_of(outcome) == refusal(2, editors[outcome.winner], row)
    [published] = directory.events.wait_for("authority_updated", record["id"])
    assert published["data"]["settings"] == outcome.saved["settings"]


def policy_body(approval: bool, referral: bool, **more) -> dict:
    return {"member_state": "DE", "region": "Bayern", "area": "services",
            "approval_required": approval, "referral_enabled": referral, **more}  # fmt: skip


def test_two_overlapping_edits_of_a_request_policy_keep_one_and_refuse_the_other(directory, pg_uri):
    nimic = directory.nimic("DE")
    sdimic = directory.coordinator(nimic, "SDIMIC", coordinated_region="Bayern")
    first = directory.rpc.put_request_policy(nimic.admin, policy_body(True, False))
    editors = [nimic.admin, sdimic.admin]
    wanted = [(False, False), (True, True)]

    with held_saves(directory.container, "request_policies", pg_uri) as hold:
        outcome = race(*(
            directory.rpc.put_request_policy.call_async(
                editor, policy_body(approval, referral, version=1))
            for editor, (approval, referral) in zip(editors, wanted, strict=True)
        ))  # fmt: skip

    row = stored(directory, RequestPolicy, first["id"])
    assert hold.overlapped
    assert (row.approval_required, row.referral_enabled, row.version) == (
        *wanted[outcome.winner], 2,
    )  # fmt: skip
    assert stale_version_of(outcome) == refusal(2, editors[outcome.winner], row)
    published = directory.events.wait_for("request_policy_changed", first["id"], 2)
    assert [env["data"]["version"] for env in published] == [1, 2]
