"""Hostile input over RPC: every refusal is a typed error with field-level messages, never a
crash, and nothing is stored. The rows of every table are counted before and after."""

from __future__ import annotations

import pytest

from services.common.errors import ImiError, NotFound, Unauthenticated

TEN_KB = "x" * 10240
SQL = "x' OR '1'='1'; DROP TABLE users; --"


def refusal(call, *args) -> tuple[str, object]:
    """The error type and the fields it names (or its code when it names none)."""
    with pytest.raises(ImiError) as caught:
        call(*args)
    error = caught.value
    fields = error.extra.get("errors")
    return type(error).__name__, set(fields) if fields is not None else error.code


def test_malformed_login_requests_are_refused_field_by_field(identity, store, member):
    before = store.snapshot()
    rpc = identity.rpc
    login = {"username": member.username, "password": member.password, "challenge_id": "c-1"}

    outcomes = {
        "challenge without username": refusal(rpc.challenge, {}),
        "challenge with a number": refusal(rpc.challenge, {"username": 42}),
        "challenge with 10 kB": refusal(rpc.challenge, {"username": TEN_KB}),
        "challenge with an extra field": refusal(rpc.challenge, {"username": "a", "admin": True}),
        "challenge with a list": refusal(rpc.challenge, ["username"]),
        "challenge with nothing": refusal(rpc.challenge, None),
        "login without password": refusal(rpc.login, {**login, "password": None}),
        "login with wrong types": refusal(
            rpc.login, {**login, "password": ["p"], "challenge_id": 7}
        ),
        "login with a 10 kB password": refusal(rpc.login, {**login, "password": TEN_KB}),
        "login with SQL as digits": refusal(rpc.login, {**login, "digits": "1; DROP TABLE x"}),
        "login with an extra field": refusal(rpc.login, {**login, "remember_me": True}),
        "first login with 10 kB": refusal(
            rpc.complete_first_login,
            {"setup_token": TEN_KB, "new_password": TEN_KB, "security_code": TEN_KB},
        ),
        "first login with a forged token": refusal(
            rpc.complete_first_login,
            {"setup_token": "e30.e30.", "new_password": "x", "security_code": "1"},
        ),
        "refresh with a number": refusal(rpc.refresh, {"refresh_token": 123}),
        "refresh with 10 kB": refusal(rpc.refresh, {"refresh_token": TEN_KB}),
    }

    assert outcomes == {
        "challenge without username": ("ValidationFailed", {"username"}),
        "challenge with a number": ("ValidationFailed", {"username"}),
        "challenge with 10 kB": ("ValidationFailed", {"username"}),
        "challenge with an extra field": ("ValidationFailed", {"admin"}),
        "challenge with a list": ("ValidationFailed", {"_schema"}),
        "challenge with nothing": ("ValidationFailed", {"_schema"}),
        "login without password": ("ValidationFailed", {"password"}),
        "login with wrong types": ("ValidationFailed", {"password", "challenge_id"}),
        "login with a 10 kB password": ("ValidationFailed", {"password"}),
        "login with SQL as digits": ("ValidationFailed", {"digits"}),
        "login with an extra field": ("ValidationFailed", {"remember_me"}),
        "first login with 10 kB": (
            "ValidationFailed",
            {"setup_token", "new_password", "security_code"},
        ),
        "first login with a forged token": ("Unauthenticated", "login.setup_invalid"),
        "refresh with a number": ("ValidationFailed", {"refresh_token"}),
        "refresh with 10 kB": ("ValidationFailed", {"refresh_token"}),
    }
    assert store.new_rows(before) == {}


def test_a_sql_looking_username_is_only_an_unknown_username(identity, store, lda):
    before = store.snapshot()

    with pytest.raises(Unauthenticated) as caught:
        identity.login(SQL, "Whatever-password-1")

    assert caught.value.code == "login.failed"
    # a challenge and the failed attempt's audit entry; the users are all still there
    assert store.new_rows(before) == {"login_challenges": 1, "audit_trail": 1}
    assert [user["id"] for user in identity.rpc.list_users(lda.actor, {})["items"]] == [lda.id]


def test_malformed_user_data_is_refused_field_by_field(identity, store, lda):
    before = store.snapshot()
    create = identity.rpc.create_user
    good = {"full_name": "Vera Valid", "email": "vera@authority.example.eu", "language": "de"}

    outcomes = {
        "missing fields": refusal(create, lda.actor, {"full_name": "Only A Name"}),
        "wrong types": refusal(
            create, lda.actor, {**good, "email": 123, "grants": "all", "phone": ["1"]}
        ),
        "an unknown field": refusal(create, lda.actor, {**good, "is_admin": True}),
        "10 kB strings": refusal(
            create, lda.actor, {**good, "full_name": TEN_KB, "authority_id": TEN_KB}
        ),
        "an unknown language": refusal(create, lda.actor, {**good, "language": "xx"}),
        "a phone that is SQL": refusal(create, lda.actor, {**good, "phone": SQL}),
        "a grant that is no right": refusal(
            create, lda.actor, {**good, "grants": [{"right": "root", "area": None}]}
        ),
        "too many grants": refusal(
            create,
            lda.actor,
            {**good, "grants": [{"right": "basic_user", "area": f"a{n}"} for n in range(61)]},
        ),
        "data that is not an object": refusal(create, lda.actor, "make me admin"),
        "a version as text": refusal(
            identity.rpc.update_user, lda.actor, lda.id, {"version": "1", "language": "fr"}
        ),
        "an update that changes nothing": refusal(
            identity.rpc.update_user, lda.actor, lda.id, {"version": 1}
        ),
        "rights without version": refusal(
            identity.rpc.set_rights, lda.actor, lda.id, {"grants": []}
        ),
        "a page size of a million": refusal(
            identity.rpc.list_users, lda.actor, {"page_size": 1_000_000}
        ),
        "an audit query with 10 kB": refusal(identity.rpc.audit, lda.actor, {"user_id": TEN_KB}),
    }

    assert outcomes == {
        "missing fields": ("ValidationFailed", {"email", "language"}),
        "wrong types": ("ValidationFailed", {"email", "grants", "phone"}),
        "an unknown field": ("ValidationFailed", {"is_admin"}),
        "10 kB strings": ("ValidationFailed", {"full_name", "authority_id"}),
        "an unknown language": ("ValidationFailed", {"language"}),
        "a phone that is SQL": ("ValidationFailed", {"phone"}),
        "a grant that is no right": ("ValidationFailed", {"grants"}),
        "too many grants": ("ValidationFailed", {"grants"}),
        "data that is not an object": ("ValidationFailed", {"_schema"}),
        "a version as text": ("ValidationFailed", {"version"}),
        "an update that changes nothing": ("ValidationFailed", {"_schema"}),
        "rights without version": ("ValidationFailed", {"version"}),
        "a page size of a million": ("ValidationFailed", {"page_size"}),
        "an audit query with 10 kB": ("ValidationFailed", {"user_id"}),
    }
    assert store.new_rows(before) == {}


def test_malformed_actors_are_refused(identity, store, lda):
    before = store.snapshot()
    data = {"full_name": "Vera Valid", "email": "vera@authority.example.eu", "language": "de"}
    god = {**lda.actor, "grants": [{"right": "god", "area": None}]}

    outcomes = {
        "no actor": refusal(identity.rpc.create_user, None, data),
        "an empty actor": refusal(identity.rpc.create_user, {}, data),
        "an actor as text": refusal(identity.rpc.create_user, "admin", data),
        "a right that does not exist": refusal(identity.rpc.create_user, god, data),
        "an actor with 10 kB": refusal(identity.rpc.me, {**lda.actor, "user_id": TEN_KB}),
    }

    # none of them can be what an access token of identity carries: refused at the door
    assert outcomes == dict.fromkeys(outcomes, ("Unauthenticated", "auth.actor_unverified"))
    assert store.new_rows(before) == {}


def test_a_user_id_that_is_not_an_id_is_refused_by_every_user_method(identity, store, lda):
    before = store.snapshot()
    user_ids = {
        "a dict": {"id": lda.id},
        "a dict with no id": {"x": 1},
        "a list": [lda.id],
        "a number": 42,
        "null": None,
        "empty": "",
        "10 kB": TEN_KB,
    }
    methods = {
        "get_user": (),
        "reset_password": (),
        "unblock_user": (),
        "delete_user": (),
        "update_user": ({"version": 1, "language": "fr"},),
        "set_rights": ({"version": 1, "grants": []},),
        "replace_user": (
            {"version": 1, "full_name": "N", "email": "n@example.eu", "language": "de"},
        ),
    }

    outcomes = {
        (kind, name): refusal(getattr(identity.rpc, name), lda.actor, user_id, *rest)
        for kind, user_id in user_ids.items()
        for name, rest in methods.items()
    }

    assert outcomes == dict.fromkeys(outcomes, ("ValidationFailed", {"user_id"}))
    assert len(outcomes) == len(user_ids) * len(methods)
    assert store.new_rows(before) == {}


def test_an_id_of_nobody_is_not_found(identity, lda):
    with pytest.raises(NotFound) as caught:
        identity.rpc.get_user(lda.actor, SQL)

    assert caught.value.code == "user.unknown"
