"""Integration: logging in under concurrency, on PostgreSQL and the real broker.

Policy of this level as in test_identity_postgres.py (real RabbitMQ vhost, a fresh PostgreSQL
database per test built by the Alembic migrations). The identity service runs with more
workers than the test sends calls at once, so every call of a burst is handled by its own
worker on its own database connection, truly overlapping: the calls go out together with
``call_async`` and their answers are collected afterwards. The real argon2 hasher is watched
(how many passwords of real accounts it checks) and can hold one password's check until the
test lets it go, to place a lock between a check and its outcome.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import eventlet
import pytest
from sqlalchemy import func, select

from services.common.clock import FrozenClock, utcnow
from services.common.errors import Unauthenticated
from services.identity.domain import PasswordHasher
from services.identity.models import AuditEntry, LoginSession, Outbox
from services.identity.service import IdentityService
from services.identity.settings import Settings
from services.identity.tokens import hash_refresh_token
from tests.events import WAIT_SECONDS, listening, wait_until
from tests.identity.harness import Identity, Person, Store, digits_at, listener_class
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

pytestmark = pytest.mark.integration

BURST = 12
MAX_FAILED_LOGINS = 3
WRONG_PASSWORD = "Not-the-password-1"
# a real OS thread's event: argon2 runs in eventlet's thread pool, outside the hub
RealEvent = eventlet.patcher.original("threading").Event


class WatchedHasher(PasswordHasher):
    """The real hasher, counting the checks of real accounts' passwords (the unknown-username
    path checks a dummy hash) and holding the check of ``held_password`` until released."""

    def __init__(self, dummy_hash: str) -> None:
        super().__init__()
        self.dummy_hash = dummy_hash
        self.checked: list[str] = []
        self.held_password: str | None = None
        self.holding = RealEvent()
        self.released = RealEvent()

    def verify_password(self, password_hash: str, password: str) -> bool:
        if password_hash != self.dummy_hash:
            self.checked.append(password)
        if password == self.held_password:
            self.holding.set()
            self.released.wait(WAIT_SECONDS)
        return super().verify_password(password_hash, password)


@pytest.fixture
def service(identity_pg, store, service_config, container_factory, tmp_path):
    config = {
        **service_config,
        "max_workers": BURST + 4,
        "DB_URIS": {"identity": identity_pg},
        "IDENTITY": {
            "KEY_DIR": str(tmp_path / "keys"),
            "ACCESS_TOKEN_SECONDS": 600,
            "REFRESH_TOKEN_SECONDS": 3600,
            "MAX_FAILED_LOGINS": MAX_FAILED_LOGINS,
            "SELF_SERVICE_RESET": True,
        },
    }
    events = listening(
        container_factory, config, listener_class, "identity_listener_login_concurrency"
    )
    frozen = FrozenClock(utcnow())
    container = started_on_clock(container_factory, IdentityService, config, frozen)
    (provider,) = [d for d in container.dependencies if isinstance(d, Settings)]
    hasher = WatchedHasher(provider.settings.dummy_hash)
    provider.settings = dataclasses.replace(provider.settings, hasher=hasher)
    with SignedRpcProxy(config, timeout=30) as proxy:
        yield Identity(proxy.identity, container, config, events, store, frozen), hasher
    # before pg_uri drops the database (nameko's fast_teardown kills containers last)
    container.kill()
    events.container.kill()


@pytest.fixture
def identity(service) -> Identity:
    return service[0]


@pytest.fixture
def hasher(service) -> WatchedHasher:
    return service[1]


@pytest.fixture
def clerk(identity) -> Person:
    """An activated user (own password and security code) of a Polish authority."""
    admin = identity.bootstrap_administrator()
    authority = identity.register_authority("PL")
    clerk = identity.first_user_of(authority, admin)
    identity.activate(clerk)
    return clerk


def attempt(identity: Identity, person: Person, password: str) -> dict:
    """A login request on a fresh challenge, with the right digits."""
    challenge = identity.challenge(person.username)
    return {
        "username": person.username,
        "password": password,
        "challenge_id": challenge["challenge_id"],
        "digits": digits_at(person.security_code, challenge["positions"]),
    }


def outcome(reply) -> str:
    """The status of an answer, or the error code of a refusal."""
    try:
        return reply.result()["status"]
    except Unauthenticated as refused:
        return refused.code


def all_at_once(method, requests: list[dict]) -> list:
    """Send every request before waiting for any answer; the answers' replies, in order."""
    return [method.call_async(request) for request in requests]


def count_rows(store: Store, query) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(query)


def test_concurrent_wrong_guesses_check_no_more_passwords_than_the_lockout_allows(
    identity, store, hasher, clerk
):
    guesses = [attempt(identity, clerk, WRONG_PASSWORD) for _ in range(BURST)]

    outcomes = [outcome(reply) for reply in all_at_once(identity.rpc.login, guesses)]

    assert hasher.checked.count(WRONG_PASSWORD) == MAX_FAILED_LOGINS
    assert Counter(outcomes) == {
        "login.failed": MAX_FAILED_LOGINS - 1,
        "login.account_blocked": BURST - MAX_FAILED_LOGINS + 1,
    }
    user = store.user(clerk.id)
    assert user.blocked
    assert user.failed_attempts == MAX_FAILED_LOGINS
    reasons = [entry.details["reason"] for entry in store.audit_entries(clerk.id, "login_failed")]
    assert reasons.count("credentials") == MAX_FAILED_LOGINS
    assert len(store.audit_entries(clerk.id, "account_blocked")) == 1
    blocked_events = select(func.count()).where(Outbox.event_type == "user_blocked")
    assert count_rows(store, blocked_events) == 1
    identity.events.wait_for("user_blocked", clerk.id)


def test_the_right_password_checked_before_a_concurrent_lock_does_not_get_in(
    identity, store, hasher, clerk
):
    sessions_before = len(store.sessions(clerk.id))
    hasher.held_password = clerk.password
    right = identity.rpc.login.call_async(attempt(identity, clerk, clerk.password))
    wait_until(hasher.holding.is_set, "the right password's check to start")

    wrong: list[str] = []
    while "login.account_blocked" not in wrong and len(wrong) < MAX_FAILED_LOGINS:
        wrong.append(
            outcome(identity.rpc.login.call_async(attempt(identity, clerk, WRONG_PASSWORD)))
        )
    hasher.released.set()

    # the held attempt counts until it proves right: the second wrong guess reaches the limit
    assert wrong == ["login.failed", "login.account_blocked"]
    assert outcome(right) == "login.account_blocked"
    assert store.user(clerk.id).blocked
    assert len(store.sessions(clerk.id)) == sessions_before
    assert len(store.audit_entries(clerk.id, "login_succeeded")) == 1  # the first login


def test_one_challenge_logs_in_once_however_many_logins_race_for_it(identity, store, clerk):
    sessions_before = len(store.sessions(clerk.id))
    request = attempt(identity, clerk, clerk.password)

    outcomes = [outcome(reply) for reply in all_at_once(identity.rpc.login, [request] * BURST)]

    assert Counter(outcomes) == {"authenticated": 1, "login.challenge_invalid": BURST - 1}
    assert len(store.sessions(clerk.id)) == sessions_before + 1
    user = store.user(clerk.id)
    assert (user.failed_attempts, user.blocked) == (0, False)


def test_concurrent_refreshes_with_one_token_rotate_it_once_and_all_get_the_same_tokens(
    identity, store, clerk
):
    signed_in = identity.log_in(clerk)
    request = {"refresh_token": signed_in["refresh_token"]}

    answers = [reply.result() for reply in all_at_once(identity.rpc.refresh, [request] * BURST)]

    assert all(answer == answers[0] for answer in answers)
    renewed = answers[0]
    assert renewed["refresh_token"] != signed_in["refresh_token"]
    session_id = identity.claims(renewed["access_token"])["sid"]
    with store.engine.connect() as connection:
        stored = connection.scalar(
            select(LoginSession.refresh_hash).where(LoginSession.id == session_id)
        )
    assert stored == hash_refresh_token(renewed["refresh_token"])
    assert identity.rpc.refresh({"refresh_token": renewed["refresh_token"]})["access_token"]
    rotations = select(func.count()).where(
        AuditEntry.action == "tokens_revoked", AuditEntry.target_user_id == clerk.id
    )
    assert count_rows(store, rotations) == 0  # a repeat is not taken for a stolen token


def test_one_first_login_token_sets_one_password_however_many_calls_race_with_it(identity, store):
    admin = identity.bootstrap_administrator()
    newcomer = identity.first_user_of(identity.register_authority("PL"), admin)
    started = identity.login(newcomer.username, newcomer.password)
    requests = [
        {"setup_token": started["setup_token"], "new_password": f"Own-Passw0rd-{n:02d}",
         "security_code": "739204618375"}
        for n in range(BURST)
    ]  # fmt: skip

    replies = all_at_once(identity.rpc.complete_first_login, requests)
    outcomes = [outcome(reply) for reply in replies]

    assert Counter(outcomes) == {"authenticated": 1, "login.setup_invalid": BURST - 1}
    chosen = requests[outcomes.index("authenticated")]["new_password"]
    newcomer.password, newcomer.security_code = chosen, "739204618375"
    assert identity.log_in(newcomer)["status"] == "authenticated"
    completed = select(func.count()).where(Outbox.event_type == "first_login_completed")
    assert count_rows(store, completed) == 1


def test_one_reset_link_sets_one_password_however_many_calls_race_with_it(identity, store, clerk):
    identity.rpc.request_password_reset(
        {"username": clerk.username, "email": clerk.record["email"]}
    )
    (requested,) = identity.events.wait_for("password_reset_requested", clerk.id)
    requests = [
        {"reset_token": requested["data"]["reset_token"], "new_password": f"Reset-Passw0rd-{n:02d}"}
        for n in range(BURST)
    ]

    outcomes = []
    for reply in all_at_once(identity.rpc.complete_password_reset, requests):
        try:
            reply.result()
            outcomes.append("reset")
        except Unauthenticated as refused:
            outcomes.append(refused.code)

    assert Counter(outcomes) == {"reset": 1, "login.reset_invalid": BURST - 1}
    clerk.password = requests[outcomes.index("reset")]["new_password"]
    assert identity.log_in(clerk)["status"] == "authenticated"
    resets = select(func.count()).where(Outbox.event_type == "password_reset")
    assert count_rows(store, resets) == 1
