"""Integration: identity's "only one" rules that span rows, on PostgreSQL, with two callers that
truly overlap between what they check and what they write. The database decides each:

- of two users created at once for an authority that has none, one becomes its first user with
  every right and the other call is a 409 ``user.first_user_exists`` (``uq_users_first_user_of``);
- a username drawn at once for a reservation and for an account goes to one of them
  (``taken_usernames``); the other draws another name, and the reservation's first user gets
  the name the reservation showed.

The service and its database are those of tests/integration/test_identity_postgres.py.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import eventlet
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from services.common.db import Database
from services.common.errors import Conflict
from services.identity import usernames
from services.identity.domain import ALL_AUTHORITY_RIGHTS
from services.identity.models import User
from tests.identity.harness import MEMBER_GRANTS
from tests.identity.test_service_first_user import request_first_user
from tests.integration.held_writes import inserts_held, outcomes
from tests.signed_rpc import SignedRpcProxy

pytestmark = pytest.mark.integration

DRAWN_TWICE = "plq7k2m9xw"
HOLD_SECONDS = 10.0


def new_user(authority_id: str, n: int) -> dict:
    return {
        "authority_id": authority_id,
        "full_name": f"Anna Nowak {n}",
        "email": f"anna.nowak.{n}@urzad.example.pl",
        "language": "pl",
        "grants": MEMBER_GRANTS,
    }


def users_of(store, authority_id: str) -> list[User]:
    with Session(store.engine, expire_on_commit=False) as session:
        users = session.scalars(select(User).where(User.authority_id == authority_id)).all()
        for user in users:
            _ = user.grants
        return list(users)


def test_two_first_users_of_one_authority_created_at_once_leave_one_with_every_right_and_a_409(
    identity, store, identity_pg
):
    admin = identity.bootstrap_administrator()
    authority_id = identity.register_authority("PL")

    with inserts_held(identity_pg, "users") as wait_for:
        calls = [
            identity.rpc.create_user.call_async(admin.actor, new_user(authority_id, n))
            for n in (1, 2)
        ]
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert (type(lost), lost.code) == (Conflict, "user.first_user_exists")
    [user] = users_of(store, authority_id)
    assert user.id == won["id"]
    assert {grant.right for grant in user.grants} == {right.value for right in ALL_AUTHORITY_RIGHTS}


@contextlib.contextmanager
def first_writes_held(container, writers: int) -> Iterator[None]:
    """Within the block, each of the first ``writers`` INSERTs of the service waits until all
    of them are about to run: by then every writer has drawn and checked its name."""
    engine = next(d for d in container.dependencies if isinstance(d, Database)).engine
    arrived, everyone = [], eventlet.event.Event()

    def before_execute(_connection, _cursor, statement, *_args) -> None:
        if everyone.ready() or not statement.startswith("INSERT"):
            return
        arrived.append(statement)
        if len(arrived) == writers:
            everyone.send()
        else:
            everyone.wait(HOLD_SECONDS)

    event.listen(engine, "before_cursor_execute", before_execute)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before_execute)
    assert everyone.ready(), f"only {len(arrived)} of {writers} writers arrived"


def test_a_username_drawn_at_once_for_a_reservation_and_an_account_goes_to_one_of_them(
    identity, monkeypatch
):
    admin = identity.bootstrap_administrator()
    authority_id = identity.register_authority("PL")
    identity.first_user_of(authority_id, admin)
    draws = [DRAWN_TWICE, DRAWN_TWICE]
    real = usernames.generate_username
    monkeypatch.setattr(
        usernames, "generate_username",
        lambda member_state, rng: draws.pop() if draws else real(member_state, rng),
    )  # fmt: skip

    with (
        SignedRpcProxy(identity.config, caller="directory", timeout=10) as as_directory,
        first_writes_held(identity.container, 2),
    ):
        calls = [
            as_directory.identity.reserve_username.call_async("PL"),
            identity.rpc.create_user.call_async(admin.actor, new_user(authority_id, 3)),
        ]
        [reservation, account], errors = outcomes(calls)

    assert errors == []
    assert DRAWN_TWICE in (reservation["username"], account["username"])
    assert reservation["username"] != account["username"]
    newcomer = str(uuid.uuid4())
    request_first_user(identity, newcomer, username=reservation["username"], member_state="PL")
    [first] = users_of(identity.store, newcomer)
    assert first.username == reservation["username"]
