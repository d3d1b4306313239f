"""Administering users through the running service: who may do what to whose users, and what
each change leaves behind (rows, audit entries, events). DOMAIN.md sections 1 and 3."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from services.common.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from services.identity.domain import ALL_AUTHORITY_RIGHTS
from services.identity.models import TakenUsername


def grant_set(grants: list[dict]) -> set[tuple[str, str | None]]:
    return {(grant["right"], grant.get("area")) for grant in grants}


def block(identity, person) -> None:
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            identity.login(person.username, "Not-the-password-1")


# --- creating users and their rights ----------------------------------------------------------


def test_the_first_user_of_an_authority_gets_every_right(
    identity, store, commission_admin, authority
):
    first = identity.create_user(
        commission_admin, authority_id=authority, grants=[{"right": "basic_user", "area": None}]
    )

    assert grant_set(first.record["grants"]) == {
        (right.value, None) for right in ALL_AUTHORITY_RIGHTS
    }
    assert first.record["status"] == "pending_first_login"
    assert first.record["username"].startswith("de")
    (created,) = store.audit_entries(first.id, "user_created")
    assert created.details["first_user"] is True
    assert created.actor_user_id == commission_admin.id


def test_an_authority_whose_users_were_all_deleted_gets_a_first_user_again(
    identity, store, commission_admin, authority, lda
):
    basic = [{"right": "basic_user", "area": None}]
    identity.rpc.delete_user(commission_admin.actor, lda.id)

    again = identity.create_user(commission_admin, authority_id=authority, grants=basic)
    later = identity.create_user(commission_admin, authority_id=authority, grants=basic)

    assert grant_set(again.record["grants"]) == {
        (right.value, None) for right in ALL_AUTHORITY_RIGHTS
    }
    assert grant_set(later.record["grants"]) == {("basic_user", None)}
    assert (store.user(lda.id).first_user_of, store.user(again.id).first_user_of) == (
        None, authority,
    )  # fmt: skip


def test_a_replaced_users_former_username_is_never_given_again(identity, store, lda, member):
    replaced = identity.rpc.replace_user(lda.actor, member.id, {
        "full_name": "Nora Neu", "email": "nora@authority.example.eu", "language": "de",
        "version": member.record["version"]})  # fmt: skip

    assert replaced["username"] != member.username
    with Session(store.engine) as session:
        assert session.get(TakenUsername, member.username).user_id == member.id
        assert session.get(TakenUsername, replaced["username"]).user_id == member.id


def test_later_users_get_exactly_the_requested_grants(identity, store, lda):
    grants = [
        {"right": "request_handler", "area": "services"},
        {"right": "request_handler", "area": "professional_qualifications"},
        {"right": "alert_handler", "area": None},
    ]

    later = identity.create_user(lda, grants=grants)

    assert grant_set(later.record["grants"]) == grant_set(grants)
    stored = {(g.right, g.area) for g in store.user(later.id).grants}
    assert stored == {
        ("request_handler", "services"),
        ("request_handler", "professional_qualifications"),
        ("alert_handler", "*"),
    }
    (created,) = store.audit_entries(later.id, "user_created")
    assert created.details["first_user"] is False
    assert created.actor_user_id == lda.id


def test_invalid_grants_are_refused_naming_the_index_of_each_bad_grant(identity, store, lda):
    before = store.snapshot()
    grants = [
        {"right": "basic_user", "area": None},
        {"right": "commission_administrator", "area": None},
        {"right": "local_data_administrator", "area": "services"},
        {"right": "basic_user", "area": None},
    ]

    with pytest.raises(ValidationFailed) as caught:
        identity.rpc.create_user(
            lda.actor,
            {
                "full_name": "Bad Grants",
                "email": "bad@example.eu",
                "language": "de",
                "grants": grants,
            },
        )

    assert caught.value.extra["errors"] == {
        "grants": {
            "1": ["grant.commission_only"],
            "2": ["grant.area_not_allowed"],
            "3": ["grant.duplicate"],
        }
    }
    assert store.new_rows(before) == {}


def test_set_rights_refuses_invalid_grants_and_keeps_the_old_ones(identity, store, member, lda):
    with pytest.raises(ValidationFailed) as caught:
        identity.rpc.set_rights(
            lda.actor,
            member.id,
            {"version": 1, "grants": [{"right": "commission_translator", "area": None}]},
        )

    assert caught.value.extra["errors"] == {"grants": {"0": ["grant.commission_only"]}}
    assert {(g.right, g.area) for g in store.user(member.id).grants} == {
        ("request_handler", "services"),
        ("basic_user", "*"),
    }


def test_a_user_who_is_not_an_administrator_cannot_create_users(identity, store, network):
    before = store.snapshot()

    with pytest.raises(Forbidden) as caught:
        identity.rpc.create_user(
            network.basic.actor,
            {"full_name": "Not Allowed", "email": "na@example.eu", "language": "de"},
        )

    assert caught.value.code == "user.not_administrator"
    assert store.new_rows(before) == {}


# --- listing and reading ----------------------------------------------------------------------


def test_list_users_returns_the_authority_users_page_by_page(identity, lda, network):
    colleagues = [identity.create_user(lda) for _ in range(4)]
    expected = sorted([lda.username, *(person.username for person in colleagues)])

    pages = [identity.rpc.list_users(lda.actor, {"page": n, "page_size": 2}) for n in (1, 2, 3)]

    assert [page["total"] for page in pages] == [5, 5, 5]
    assert [len(page["items"]) for page in pages] == [2, 2, 1]
    assert [user["username"] for page in pages for user in page["items"]] == expected
    assert network.lda.username not in expected  # another authority's users stay out


def test_list_users_is_refused_to_those_who_do_not_administer_the_authority(identity, network):
    with pytest.raises(Forbidden):
        identity.rpc.list_users(network.basic.actor, {})
    with pytest.raises(Forbidden):
        identity.rpc.list_users(network.other_lda.actor, {"authority_id": network.authority})

    listed = identity.rpc.list_users(
        network.coordinator_admin.actor, {"authority_id": network.authority}
    )
    assert {user["id"] for user in listed["items"]} == {
        network.lda.id,
        network.basic.id,
        network.clerk.id,
    }


def test_a_user_sees_their_own_account_but_not_a_colleague(identity, network):
    own = identity.rpc.me(network.basic.actor)

    assert own["id"] == network.basic.id
    assert "password_hash" not in own
    assert "security_digests" not in own
    with pytest.raises(Forbidden):
        identity.rpc.get_user(network.basic.actor, network.clerk.id)


# --- editing ----------------------------------------------------------------------------------


def test_update_user_with_a_stale_version_is_a_conflict_naming_who_changed_it(
    identity, store, frozen_clock, lda, member
):
    frozen_clock.advance(minutes=5)
    changed_at = frozen_clock()
    updated = identity.rpc.update_user(lda.actor, member.id, {"version": 1, "full_name": "M. M."})
    assert updated["version"] == 2

    with pytest.raises(Conflict) as caught:
        identity.rpc.update_user(lda.actor, member.id, {"version": 1, "phone": "+49 30 1234567"})

    assert caught.value.code == "error.stale_version"
    assert caught.value.extra == {
        "current_version": 2,
        "changed_by": lda.id,
        "changed_at": changed_at.isoformat(),
    }
    user = store.user(member.id)
    assert (user.full_name, user.phone, user.version) == ("M. M.", None, 2)


def test_a_user_may_change_their_own_language(identity, store, events, member):
    updated = identity.rpc.update_user(member.actor, member.id, {"version": 1, "language": "it"})

    assert updated["language"] == "it"
    assert store.user(member.id).language == "it"
    (event,) = events.wait_for("user_updated", member.id)
    assert event["data"]["user_id"] == member.id
    (entry,) = store.audit_entries(member.id, "user_updated")
    assert (entry.actor_user_id, entry.details) == (member.id, {"fields": ["language"]})


def test_a_user_may_not_change_their_own_email(identity, store, member):
    with pytest.raises(Forbidden):
        identity.rpc.update_user(
            member.actor, member.id, {"version": 1, "email": "me@elsewhere.example"}
        )

    user = store.user(member.id)
    assert user.email == member.record["email"]
    assert user.version == 1


def test_set_rights_revokes_access_tokens_and_records_the_rights_before_and_after(
    identity, store, events, frozen_clock, lda, member
):
    tokens = identity.activate(member)
    frozen_clock.advance(seconds=30)
    revoked_at = frozen_clock()

    changed = identity.rpc.set_rights(
        lda.actor, member.id, {"version": 1, "grants": [{"right": "allocator", "area": "services"}]}
    )

    assert changed["grants"] == [{"right": "allocator", "area": "services"}]
    (revocation,) = events.wait_for("tokens_revoked", member.id)
    assert revocation["data"] == {
        "user_id": member.id,
        "session_id": None,
        "not_before": revoked_at.isoformat(),
    }
    (rights_event,) = events.wait_for("user_rights_changed", member.id)
    assert rights_event["data"]["grants"] == [{"right": "allocator", "area": "services"}]
    (entry,) = store.audit_entries(member.id, "rights_changed")
    assert entry.actor_user_id == lda.id
    assert entry.details == {
        "before": ["basic_user@*", "request_handler@services"],
        "after": ["allocator@services"],
    }
    assert store.user(member.id).tokens_valid_after == revoked_at
    # the session lives on: the next refresh carries the new rights
    refreshed = identity.rpc.refresh({"refresh_token": tokens["refresh_token"]})
    assert identity.claims(refreshed["access_token"])["grt"] == [
        {"right": "allocator", "area": "services"}
    ]


def test_set_rights_can_add_a_right_and_keep_the_others(identity, store, lda, member):
    grants = [*member.record["grants"], {"right": "allocator", "area": None}]

    changed = identity.rpc.set_rights(lda.actor, member.id, {"version": 1, "grants": grants})

    assert grant_set(changed["grants"]) == grant_set(grants)
    assert changed["version"] == 2
    assert {(g.right, g.area) for g in store.user(member.id).grants} == {
        ("request_handler", "services"),
        ("basic_user", "*"),
        ("allocator", "*"),
    }


def test_replace_user_gives_a_new_username_and_keeps_the_rights(
    identity, store, events, lda, member
):
    replaced = identity.rpc.replace_user(
        lda.actor,
        member.id,
        {
            "version": 1,
            "full_name": "Nora Newcomer",
            "email": "nora@authority.example.eu",
            "language": "nl",
        },
    )

    assert replaced["id"] == member.id
    assert replaced["username"] != member.username
    assert grant_set(replaced["grants"]) == grant_set(member.record["grants"])
    assert (replaced["full_name"], replaced["email"], replaced["language"]) == (
        "Nora Newcomer",
        "nora@authority.example.eu",
        "nl",
    )
    assert replaced["status"] == "pending_first_login"
    issued = events.wait_for("temporary_password_issued", member.id, count=2)[-1]["data"]
    assert (issued["reason"], issued["email"], issued["language"]) == (
        "replaced",
        "nora@authority.example.eu",
        "nl",
    )
    events.wait_for("tokens_revoked", member.id)
    events.wait_for("user_replaced", member.id)
    (entry,) = store.audit_entries(member.id, "user_replaced")
    assert entry.details == {"previous_username": member.username}
    with pytest.raises(Unauthenticated) as old_name:
        identity.login(member.username, member.password)
    assert old_name.value.code == "login.failed"
    started = identity.login(replaced["username"], issued["temporary_password"])
    assert started["status"] == "password_change_required"


def test_delete_user_scrubs_personal_data_and_revokes_tokens(
    identity, store, events, frozen_clock, lda, member
):
    tokens = identity.activate(member)

    assert identity.rpc.delete_user(lda.actor, member.id) == {}

    user = store.user(member.id)
    assert user.deleted_at == frozen_clock()
    assert (user.full_name, user.email, user.phone) == ("", "", None)
    assert user.security_digests is None
    assert not user.password_hash.startswith("$argon2")
    assert user.grants == []
    assert all(session.revoked_at is not None for session in store.sessions(member.id))
    events.wait_for("tokens_revoked", member.id)
    (deleted,) = events.wait_for("user_deleted", member.id)
    assert deleted["data"]["grants"] == []
    assert "user_deleted" in store.audit_actions(member.id)
    with pytest.raises(NotFound):
        identity.rpc.get_user(lda.actor, member.id)
    with pytest.raises(Unauthenticated):
        identity.rpc.refresh({"refresh_token": tokens["refresh_token"]})
    with pytest.raises(Unauthenticated) as login:
        identity.log_in(member)
    assert login.value.code == "login.failed"
    listed = identity.rpc.list_users(lda.actor, {})
    assert member.id not in {user["id"] for user in listed["items"]}


def test_an_administrator_cannot_delete_themself(identity, store, lda):
    before = store.snapshot()

    with pytest.raises(Conflict) as caught:
        identity.rpc.delete_user(lda.actor, lda.id)

    assert caught.value.code == "user.cannot_delete_self"
    assert store.user(lda.id).deleted_at is None
    assert store.new_rows(before) == {}


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda rpc, lda: rpc.reset_password(lda.actor, lda.id), "user.cannot_reset_own_password"),
        (
            lambda rpc, lda: rpc.set_rights(lda.actor, lda.id, {"version": 1, "grants": []}),
            "user.cannot_change_own_rights",
        ),
        (
            lambda rpc, lda: rpc.replace_user(
                lda.actor, lda.id,
                {"version": 1, "full_name": "N", "email": "n@x.example.eu", "language": "de"},
            ),
            "user.cannot_replace_self",
        ),
    ],
)  # fmt: skip
def test_an_administrator_cannot_lock_themself_out(identity, store, lda, call, code):
    """Resetting one's own password, handing one's account over or changing one's own rights
    would end the session asking for it (or leave no administrator): another administrator
    does it."""
    before = store.snapshot()

    with pytest.raises(Conflict) as caught:
        call(identity.rpc, lda)

    assert caught.value.code == code
    assert store.new_rows(before) == {}


# --- reset and unblock ------------------------------------------------------------------------


def test_a_password_reset_by_the_local_administrator_sends_a_new_temporary_password(
    identity, store, events, network
):
    clerk = network.clerk
    block(identity, clerk)

    reset = identity.rpc.reset_password(network.lda.actor, clerk.id)

    assert reset["status"] == "pending_first_login"
    issued = events.wait_for("temporary_password_issued", clerk.id, count=2)[-1]
    assert issued["data"]["reason"] == "password_reset"
    assert "username" not in issued["data"]
    assert clerk.username not in json.dumps(issued)
    new_password = issued["data"]["temporary_password"]
    assert new_password != clerk.password
    events.wait_for("tokens_revoked", clerk.id)
    events.wait_for("password_reset", clerk.id)
    user = store.user(clerk.id)
    assert user.must_change_password
    assert not user.blocked
    assert user.failed_attempts == 0
    (entry,) = store.audit_entries(clerk.id, "password_reset")
    assert entry.actor_user_id == network.lda.id
    assert identity.login(clerk.username, new_password)["status"] == "password_change_required"


def test_a_password_reset_ends_the_sessions_of_the_user(identity, network):
    tokens = identity.activate(network.clerk)

    identity.rpc.reset_password(network.lda.actor, network.clerk.id)

    with pytest.raises(Unauthenticated) as caught:
        identity.rpc.refresh({"refresh_token": tokens["refresh_token"]})
    assert caught.value.code == "login.session_ended"


@pytest.mark.parametrize("method", ["reset_password", "unblock_user"])
def test_only_administrators_of_the_authority_may_reset_or_unblock(
    identity, store, network, method
):
    clerk = network.clerk
    block(identity, clerk)
    before = store.user(clerk.id)

    refusals = {}
    for who in ("other_lda", "basic", "other_coordinator_admin"):
        with pytest.raises(Forbidden) as caught:
            getattr(identity.rpc, method)(getattr(network, who).actor, clerk.id)
        refusals[who] = caught.value.code
    after_refusals = store.user(clerk.id)
    allowed = getattr(identity.rpc, method)(network.coordinator_admin.actor, clerk.id)

    assert refusals == dict.fromkeys(refusals, "user.not_administrator")
    assert after_refusals.blocked
    assert after_refusals.version == before.version
    assert after_refusals.password_hash == before.password_hash
    assert allowed["status"] == "pending_first_login"
    assert not store.user(clerk.id).blocked


def test_unblock_user_lets_a_blocked_user_log_in_again(identity, store, events, network):
    clerk = network.clerk
    block(identity, clerk)

    unblocked = identity.rpc.unblock_user(network.lda.actor, clerk.id)

    assert unblocked["status"] == "pending_first_login"
    events.wait_for("user_unblocked", clerk.id)
    assert "account_unblocked" in store.audit_actions(clerk.id)
    assert identity.login(clerk.username, clerk.password)["status"] == "password_change_required"


# --- audit ------------------------------------------------------------------------------------


def test_the_audit_trail_lists_entries_for_administrators_only(identity, network):
    trail = identity.rpc.audit(network.lda.actor, {"page_size": 100})

    actions = {(entry["action"], entry["target_user_id"]) for entry in trail["items"]}
    assert ("user_created", network.basic.id) in actions
    assert ("user_created", network.clerk.id) in actions
    assert all(entry["authority_id"] == network.authority for entry in trail["items"])
    assert trail["total"] == len(trail["items"])
    assert network.clerk.password not in json.dumps(trail)

    one_user = identity.rpc.audit(network.lda.actor, {"user_id": network.clerk.id})
    assert {entry["target_user_id"] for entry in one_user["items"]} == {network.clerk.id}

    by_coordinator = identity.rpc.audit(
        network.coordinator_admin.actor, {"authority_id": network.authority}
    )
    assert by_coordinator["total"] == trail["total"]

    for outsider, query in (
        (network.basic, {}),
        (network.other_lda, {"authority_id": network.authority}),
        (network.other_coordinator_admin, {"authority_id": network.authority}),
    ):
        with pytest.raises(Forbidden) as caught:
            identity.rpc.audit(outsider.actor, query)
        assert caught.value.code == "audit.not_administrator"


def test_reading_another_users_personal_data_is_written_to_the_audit_trail(
    identity, store, lda, member
):
    identity.rpc.get_user(lda.actor, member.id)
    identity.rpc.list_users(lda.actor, {})
    identity.rpc.get_user(member.actor, member.id)  # one's own record is no one else's data

    (viewed,) = store.audit_entries(member.id, "personal_data_viewed")
    assert viewed.actor_user_id == lda.id
    assert store.audit_actions(member.id).count("personal_data_viewed") == 1
    (listed,) = [
        entry
        for entry in store.audit_entries(None, "personal_data_viewed")
        if entry.details.get("user_ids")
    ]
    assert set(listed.details["user_ids"]) == {lda.id, member.id}


def test_an_allocator_reads_the_names_of_its_authority_s_request_handlers_in_an_area(
    identity, store, lda, commission_admin
):
    services = identity.create_user(lda, full_name="Sara Servizi", grants=[
        {"right": "request_handler", "area": "services"}])  # fmt: skip
    elsewhere = identity.create_user(lda, full_name="Paolo Qualifiche", grants=[
        {"right": "request_handler", "area": "professional_qualifications"}])  # fmt: skip
    gone = identity.create_user(lda, full_name="Gino Partito", grants=[
        {"right": "request_handler", "area": None}])  # fmt: skip
    identity.rpc.delete_user(lda.actor, gone.id)
    reader = identity.create_user(lda, full_name="Rita Lettrice", grants=[
        {"right": "basic_user", "area": None}])  # fmt: skip
    other_authority = identity.first_user_of(identity.register_authority(), commission_admin)
    query = {"right": "request_handler", "area": "services"}

    found = identity.rpc.colleagues(lda.actor, query)["items"]
    with pytest.raises(Forbidden):
        identity.rpc.colleagues(reader.actor, query)
    with pytest.raises(ValidationFailed):
        identity.rpc.colleagues(lda.actor, {"right": "commission_administrator"})

    assert found == [  # by name; the first user holds every right in every area
        {"user_id": lda.id, "full_name": "Ada Example"},
        {"user_id": services.id, "full_name": "Sara Servizi"},
    ]
    assert elsewhere.id not in {item["user_id"] for item in found}
    assert other_authority.id not in {item["user_id"] for item in found}
    (viewed,) = [entry for entry in store.audit_entries(None, "personal_data_viewed")
                 if entry.actor_user_id == lda.id]  # fmt: skip
    assert sorted(viewed.details["user_ids"]) == sorted([lda.id, services.id])
