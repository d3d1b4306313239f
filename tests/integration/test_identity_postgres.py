"""Integration: the identity service on PostgreSQL and the real broker.

Policy of this level: real RabbitMQ (the run's vhost) and a fresh PostgreSQL database per test
(``pg_uri``), whose tables come from the same Alembic migrations as everywhere else, never from
``create_all``. The service runs in a nameko container as in the service tests, and the same
harness (tests/identity/harness.py) drives it; only the database differs. A FrozenClock that
starts at the wall clock's time lets the test move time for the outbox sweep.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.common.errors import Unauthenticated
from services.identity.models import Outbox
from tests.identity.harness import Store

pytestmark = pytest.mark.integration


def unpublished_events(store: Store) -> int:
    with store.engine.connect() as connection:
        query = select(func.count()).select_from(Outbox).where(Outbox.published_at.is_(None))
        return connection.scalar(query)


def test_the_whole_account_life_works_on_postgresql_and_leaves_no_event_behind(identity, store):
    events = identity.events
    admin = identity.bootstrap_administrator()
    bootstrap_password = admin.password
    assert identity.activate(admin)["status"] == "authenticated"

    authority = identity.register_authority("PL")
    lda = identity.first_user_of(authority, admin)
    identity.activate(lda)
    clerk = identity.create_user(lda, grants=[{"right": "request_handler", "area": None}])
    assert clerk.username.startswith("pl")

    codes = []
    for _ in range(3):
        with pytest.raises(Unauthenticated) as caught:
            identity.login(clerk.username, "Not-the-password-1")
        codes.append(caught.value.code)
    assert codes == ["login.failed", "login.failed", "login.account_blocked"]
    events.wait_for("user_blocked", clerk.id)
    assert store.user(clerk.id).blocked
    assert [a for a in store.audit_actions(clerk.id) if a != "tokens_revoked"][-4:] == [
        "login_failed",
        "login_failed",
        "login_failed",
        "account_blocked",
    ]

    reset = identity.rpc.reset_password(lda.actor, clerk.id)
    assert reset["status"] == "pending_first_login"
    clerk.password = events.temporary_password(clerk.id, count=2)
    tokens = identity.activate(clerk)
    assert identity.claims(tokens["access_token"])["aut"] == authority
    assert identity.log_in(clerk)["status"] == "authenticated"

    # the command line's events (the administrator's) wait for the sweep's grace period
    identity.clock.advance(minutes=1)
    (issued,) = events.wait_for("temporary_password_issued", admin.id)
    assert issued["data"]["temporary_password"] == bootstrap_password
    events.wait_for("user_created", admin.id)

    assert identity.rpc.health() == {
        "service": "identity",
        "database": "ok",
        "outbox_backlog": 0,
        "status": "ok",
    }
    assert unpublished_events(store) == 0
    with store.engine.connect() as connection:
        kinds = set(connection.scalars(select(Outbox.event_type)))
    assert "temporary_password_issued" not in kinds
    assert {"user_created", "user_blocked", "password_reset", "tokens_revoked"} <= kinds
