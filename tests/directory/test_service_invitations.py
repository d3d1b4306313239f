"""Invitations and self-registration (DOMAIN.md section 2, IMI FAQ on registration): batches
checked item by item, the daily limit and the Commission's release, registration codes,
reminders and expiry on the timer, re-submission, and the self-registration summary.

The identity service is stood in for by ``fake_identity_reserving_usernames`` (its own suite
tests the real reservation); the whole chain with the real one is in tests/e2e."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.entrypoints import rpc
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.directory.models import Invitation

from .harness import COMMISSION

MAX_PER_DAY = 3
PQ = {"area": "professional_qualifications", "workflow": "information_requests"}
SERVICES = {"area": "services", "workflow": "information_requests"}


@pytest.fixture
def directory_config(directory_config) -> dict:
    """A small daily limit to reach, and a timer that the tests fire themselves."""
    return {
        **directory_config,
        "DIRECTORY": {
            "MAX_INVITATIONS_PER_DAY": MAX_PER_DAY,
            "INVITATION_DAYS": 30,
            "REMINDER_DAYS_BEFORE": 5,
            "INVITATION_SWEEP_SECONDS": 3600,
        },
    }


class FakeIdentity:
    """The identity service's reserve_username, as the directory calls it."""

    name = "identity"
    reserved: list[str] = []

    @rpc
    def reserve_username(self, member_state: str) -> dict:
        username = f"{member_state.lower()}{uuid.uuid4().hex[:8]}"
        FakeIdentity.reserved.append(username)
        return {"username": username}


@pytest.fixture
def fake_identity_reserving_usernames(container_factory, directory_config):
    container = container_factory(FakeIdentity, directory_config)
    container.start()
    return FakeIdentity


def invitation(email: str | None = None, *areas: dict, **changes) -> dict:
    return {
        "email": email or f"{uuid.uuid4().hex[:8]}@behoerde.example.de",
        "language": "de",
        "areas": list(areas or (PQ,)),
        **changes,
    }


def code_of(events, invitation_id: str, count: int = 1) -> str:
    return events.wait_for("invitation_created", invitation_id, count)[-1]["data"][
        "registration_code"
    ]


def sweep(directory_container) -> None:
    with entrypoint_hook(directory_container, "sweep_invitations") as fire:
        fire()


def stored(store, invitation_id: str) -> Invitation:
    with Session(store.engine, expire_on_commit=False) as session:
        return session.get(Invitation, invitation_id)


def registration(code: str, **changes) -> dict:
    data = {
        "registration_code": code,
        "official_name": "Landesamt für Gesundheit",
        "official_language": "de",
        "region": "Bayern",
        "email": f"amt-{uuid.uuid4().hex[:6]}@example.de",
        "languages": ["de", "en"],
        "titles": {"en": "Recognition of health professions"},
        "first_user": {"full_name": "Erika Mustermann", "email": "erika@example.de",
                       "language": "de"},
    }  # fmt: skip
    data.update(changes)
    return data


# --- batches --------------------------------------------------------------------------------


def test_a_batch_is_checked_item_by_item_and_each_rejection_says_why(directory):
    nimic = directory.nimic("DE")
    directory.register(nimic.admin, "DE", email="poststelle@example.de")
    batch = [
        invitation("Neu@Behoerde.example.de"),
        invitation("not-an-email"),
        invitation("POSTSTELLE@example.de"),
        invitation("neu@behoerde.example.de"),
        invitation("leer@behoerde.example.de", areas=[]),
        invitation("fremd@behoerde.example.de", {"area": "astrology", "workflow": "alerts"}),
    ]

    answer = directory.rpc.invite(nimic.admin, {"invitations": batch})

    assert (answer["accepted"], answer["rejected"], answer["held"]) == (1, 5, 0)
    assert [(r["index"], r["reason"]) for r in answer["rejections"]] == [
        (1, "invalid_email"),
        (2, "duplicated_email"),
        (3, "duplicated_email"),
        (4, "no_area"),
        (5, "no_area"),
    ]
    assert answer["rejections"][0]["invitation"] == {
        "email": "not-an-email", "language": "de", "areas": [PQ], "official_name": None,
    }  # fmt: skip
    [sent] = answer["invitations"]
    assert (sent["email"], sent["status"], sent["member_state"]) == (
        "neu@behoerde.example.de", "sent", "DE",
    )  # fmt: skip
    again = directory.rpc.invite(nimic.admin, {"invitations": [invitation(sent["email"])]})
    assert again["rejections"][0]["reason"] == "duplicated_email"


def test_an_authority_registered_at_an_invited_address_uses_the_invitation_up(directory, events):
    nimic = directory.nimic("DE")
    [sent] = directory.rpc.invite(nimic.admin, {"invitations": [
        invitation("Amt@Behoerde.example.de")]})["invitations"]  # fmt: skip
    code = code_of(events, sent["id"])

    authority = directory.register(nimic.admin, "DE", email="amt@behoerde.example.de")

    row = stored(directory.store, sent["id"])
    assert (row.status, row.authority_id, row.version) == ("used", authority["id"], 2)
    with pytest.raises(NotFound):
        directory.rpc.check_registration_code(code)
    again = directory.rpc.invite(nimic.admin, {"invitations": [invitation(sent["email"])]})
    assert again["rejections"][0]["reason"] == "duplicated_email"


def test_an_authority_given_an_invited_address_in_an_edit_uses_the_invitation_up(directory):
    nimic = directory.nimic("DE")
    authority = directory.register(nimic.admin, "DE", email="alt@behoerde.example.de")
    [sent] = directory.rpc.invite(nimic.admin, {"invitations": [
        invitation("neu@behoerde.example.de")]})["invitations"]  # fmt: skip

    directory.rpc.update_authority(
        directory.lda_of(authority), authority["id"],
        {"email": "neu@behoerde.example.de", "version": authority["version"]},
    )  # fmt: skip

    row = stored(directory.store, sent["id"])
    assert (row.status, row.authority_id) == ("used", authority["id"])


def test_a_rejected_invitation_edited_and_submitted_again_is_accepted(directory):
    nimic = directory.nimic("DE")
    first = directory.rpc.invite(nimic.admin, {"invitations": [invitation("kaputt")]})
    edited = {**first["rejections"][0]["invitation"], "email": "heil@behoerde.example.de"}

    answer = directory.rpc.invite(nimic.admin, {"invitations": [edited]})

    assert (answer["accepted"], answer["rejected"]) == (1, 0)


def test_only_a_coordinators_data_administrator_invites_and_only_to_areas_it_coordinates(
    directory,
):
    nimic = directory.nimic("DE")
    limic = directory.coordinator(nimic, "LIMIC", coordinated_areas=["services"])
    authority = directory.register(nimic.admin, "DE")

    with pytest.raises(Forbidden):
        directory.rpc.invite(directory.admin_of(authority), {"invitations": [invitation()]})
    with pytest.raises(Forbidden):
        directory.rpc.invite(directory.lda_of(nimic.record), {"invitations": [invitation()]})
    answer = directory.rpc.invite(
        limic.admin, {"invitations": [invitation(None, PQ), invitation(None, SERVICES)]}
    )
    assert [r["reason"] for r in answer["rejections"]] == ["no_area"]
    assert answer["accepted"] == 1


def test_a_sent_invitation_carries_its_code_only_in_a_sensitive_event(
    directory, events, store, eventually
):
    nimic = directory.nimic("DE")

    [sent] = directory.rpc.invite(nimic.admin, {"invitations": [invitation()]})["invitations"]

    created = events.wait_for("invitation_created", sent["id"])[0]["data"]
    code = created["registration_code"]
    assert len(code) >= 43
    assert len(code) <= 64
    assert (created["email"], created["language"]) == (sent["email"], "de")
    row = stored(store, sent["id"])
    assert row.code_digest == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(sent)
    assert row.expires_at == directory.clock() + timedelta(days=30)
    eventually(lambda: assert_not_in("invitation_created", store.outbox_types()))


def assert_not_in(item, items):
    assert item not in items


def test_over_the_daily_limit_invitations_are_held_until_the_commission_releases_them(
    directory, events
):
    nimic = directory.nimic("DE")
    batch = [invitation() for _ in range(MAX_PER_DAY + 2)]

    answer = directory.rpc.invite(nimic.admin, {"invitations": batch})

    assert (answer["accepted"], answer["held"]) == (MAX_PER_DAY + 2, 2)
    statuses = [item["status"] for item in answer["invitations"]]
    assert statuses == ["sent"] * MAX_PER_DAY + ["held"] * 2
    held = events.wait_for("invitation_held", answer["batch_id"])[0]["data"]
    assert held["held"] == 2
    assert held["coordinator_id"] == nimic.id
    assert "@" not in str(held)
    held_id = answer["invitations"][-1]["id"]
    assert events.of("invitation_created", held_id) == []
    with pytest.raises(Forbidden):
        directory.rpc.release_invitations(nimic.admin, {"batch_id": answer["batch_id"]})

    released = directory.rpc.release_invitations(COMMISSION, {"batch_id": answer["batch_id"]})

    assert released["released"] == 2
    assert {item["status"] for item in released["invitations"]} == {"sent"}
    assert code_of(events, held_id)
    assert (
        events.wait_for("invitation_released", held_id)[0]["data"]["released_by"]
        == (COMMISSION["user_id"])
    )
    again = directory.rpc.release_invitations(COMMISSION, {"invitation_ids": [held_id]})
    assert again["released"] == 0


def test_the_daily_limit_counts_the_last_day_only(directory):
    nimic = directory.nimic("DE")
    first = directory.rpc.invite(nimic.admin, {"invitations": [invitation() for _ in range(3)]})
    assert first["held"] == 0
    assert directory.rpc.invite(nimic.admin, {"invitations": [invitation()]})["held"] == 1

    directory.clock.advance(days=1, seconds=1)

    assert directory.rpc.invite(nimic.admin, {"invitations": [invitation()]})["held"] == 0


# --- the coordinator's list and re-submission -----------------------------------------------


def test_the_coordinator_lists_its_own_invitations_by_status_a_page_at_a_time(directory):
    nimic = directory.nimic("DE")
    other = directory.nimic("AT")
    directory.rpc.invite(nimic.admin, {"invitations": [invitation() for _ in range(4)]})
    directory.rpc.invite(other.admin, {"invitations": [invitation()]})

    page = directory.rpc.list_invitations(nimic.admin, {"page_size": 2, "page": 2})
    held = directory.rpc.list_invitations(nimic.admin, {"status": "held"})

    assert (page["total"], len(page["items"])) == (4, 2)
    assert {item["coordinator_id"] for item in page["items"]} == {nimic.id}
    assert held["total"] == 1
    everything = directory.rpc.list_invitations(COMMISSION, {"status": "held"})
    assert held["items"][0]["id"] in {item["id"] for item in everything["items"]}


def test_a_reminder_goes_once_five_days_before_expiry_then_the_invitation_expires(
    directory, directory_container, events, store
):
    nimic = directory.nimic("DE")
    [sent] = directory.rpc.invite(nimic.admin, {"invitations": [invitation()]})["invitations"]
    code = code_of(events, sent["id"])

    sweep(directory_container)
    directory.clock.advance(days=24, hours=23)
    sweep(directory_container)
    assert stored(store, sent["id"]).reminded_at is None

    directory.clock.advance(hours=1)
    sweep(directory_container)
    sweep(directory_container)

    [reminder] = events.wait_for("invitation_expiring", sent["id"])
    assert reminder["data"]["email"] == sent["email"]
    assert code not in str(reminder)
    assert directory.rpc.check_registration_code(code)["email"] == sent["email"]

    directory.clock.advance(days=5)
    sweep(directory_container)

    expired = events.wait_for("invitation_expired", sent["id"])[0]["data"]
    assert expired["coordinator_id"] == nimic.id
    assert stored(store, sent["id"]).status == "expired"
    assert len(events.of("invitation_expiring", sent["id"])) == 1
    with pytest.raises(NotFound) as refused:
        directory.rpc.check_registration_code(code)
    assert refused.value.code == "invitation.code_unusable"


def test_an_expired_invitation_is_resubmitted_with_a_new_code_and_a_new_period(
    directory, directory_container, events
):
    nimic = directory.nimic("DE")
    [sent] = directory.rpc.invite(nimic.admin, {"invitations": [invitation()]})["invitations"]
    old_code = code_of(events, sent["id"])
    with pytest.raises(Conflict):
        directory.rpc.resubmit_invitation(nimic.admin, sent["id"], {})
    directory.clock.advance(days=31)
    sweep(directory_container)
    other = directory.nimic("AT")
    with pytest.raises(NotFound):
        directory.rpc.resubmit_invitation(other.admin, sent["id"], {})
    with pytest.raises(ValidationFailed) as refused:
        directory.rpc.resubmit_invitation(nimic.admin, sent["id"], {"email": "kaputt"})
    assert refused.value.extra["reason"] == "invalid_email"

    again = directory.rpc.resubmit_invitation(nimic.admin, sent["id"], {"language": "fr"})

    assert (again["status"], again["language"]) == ("sent", "fr")
    new_code = code_of(events, sent["id"], count=2)
    assert new_code != old_code
    with pytest.raises(NotFound):
        directory.rpc.check_registration_code(old_code)
    assert directory.rpc.check_registration_code(new_code)["language"] == "fr"


# --- self-registration ----------------------------------------------------------------------


def test_a_code_prefills_the_form_and_a_wrong_one_reveals_nothing(directory, events):
    nimic = directory.nimic("DE")
    item = invitation(None, PQ, SERVICES, official_name="Gesundheitsamt")
    [sent] = directory.rpc.invite(nimic.admin, {"invitations": [item]})["invitations"]

    prefilled = directory.rpc.check_registration_code(code_of(events, sent["id"]))

    assert prefilled["member_state"] == "DE"
    assert prefilled["areas"] == [PQ, SERVICES]
    assert prefilled["official_name"] == "Gesundheitsamt"
    assert prefilled["coordinator"]["id"] == nimic.id
    for wrong in ("x" * 43, "", "x" * 500, 12):
        with pytest.raises(NotFound) as refused:
            directory.rpc.check_registration_code(wrong)
        assert refused.value.code == "invitation.code_unusable"


def test_self_registration_gives_a_pending_authority_and_the_summary_with_the_username(
    directory, events, fake_identity_reserving_usernames
):
    nimic = directory.nimic("DE")
    [sent] = directory.rpc.invite(nimic.admin, {"invitations": [invitation()]})["invitations"]
    code = code_of(events, sent["id"])

    summary = directory.rpc.self_register(registration(code))

    authority = summary["authority"]
    assert summary["status"] == authority["status"] == "pending_validation"
    assert summary["username"] in fake_identity_reserving_usernames.reserved
    assert summary["first_user"]["email"] == "erika@example.de"
    assert summary["next_step"] == "self_registration.pending_validation"
    assert authority["member_state"] == "DE"
    assert authority["validating_coordinator"]["id"] == nimic.id
    assert [(link["area"], link["coordinator"]["id"]) for link in authority["links"]] == [
        ("professional_qualifications", nimic.id)
    ]
    registered = events.wait_for("authority_registered", authority["id"])[0]["data"]
    assert registered["status"] == "pending_validation"
    requested = events.wait_for("first_user_requested", authority["id"])[0]["data"]
    assert (requested["username"], requested["password_now"]) == (summary["username"], False)
    listed = directory.rpc.list_invitations(nimic.admin, {"status": "used"})["items"]
    assert [(item["id"], item["authority_id"]) for item in listed] == [
        (sent["id"], authority["id"])
    ]
    with pytest.raises(NotFound) as used:
        directory.rpc.self_register(registration(code))
    assert used.value.code == "invitation.code_unusable"

    validated = directory.rpc.validate_authority(nimic.admin, authority["id"])

    assert validated["status"] == "validated"
    assert events.wait_for("authority_validated", authority["id"])


def test_self_registration_keeps_to_the_areas_its_coordinator_coordinates(
    directory, events, fake_identity_reserving_usernames
):
    nimic = directory.nimic("DE")
    limic = directory.coordinator(nimic, "LIMIC", coordinated_areas=["services"])
    [sent] = directory.rpc.invite(limic.admin, {"invitations": [invitation(None, SERVICES)]})[
        "invitations"
    ]
    code = code_of(events, sent["id"])

    with pytest.raises(ValidationFailed) as refused:
        directory.rpc.self_register(registration(code, areas=[PQ]))
    assert "areas" in refused.value.extra["errors"]

    chosen = {"area": "services", "workflow": "alerts"}
    summary = directory.rpc.self_register(registration(code, areas=[chosen]))
    assert [(a["area"], a["workflow"]) for a in summary["authority"]["areas"]] == [
        ("services", "alerts")
    ]


def test_self_registration_with_an_expired_code_is_refused_like_an_unknown_one(
    directory, directory_container, events, store, fake_identity_reserving_usernames
):
    nimic = directory.nimic("DE")
    [sent] = directory.rpc.invite(nimic.admin, {"invitations": [invitation()]})["invitations"]
    code = code_of(events, sent["id"])
    directory.clock.advance(days=30)
    before = store.snapshot()

    with pytest.raises(NotFound) as refused:
        directory.rpc.self_register(registration(code))

    assert refused.value.code == "invitation.code_unusable"
    assert store.new_rows(before) == {}
    with Session(store.engine) as session:
        assert session.scalar(select(Invitation.status).where(Invitation.id == sent["id"])) == (
            "sent"
        )
