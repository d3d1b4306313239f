"""The identity test harness: what a test does with a running identity service.

Shared by the service tests (tests/identity, on SQLite) and the integration test
(tests/integration, on PostgreSQL): a listener service recording identity's events, read access
to the service's database, the people of a test with their secrets, and the usual flows
(registering authorities through directory events, creating users, first and later logins).
No fixtures here: each level's conftest builds them from these pieces.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import jwt
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.actor import Actor, Grant, Right, dump_actor
from services.common.envelope import make_envelope
from services.identity.bootstrap import create_commission_administrator
from services.identity.models import AuditEntry, Base, LoginSession, Outbox, User
from services.identity.tokens import ALGORITHM, AUDIENCE, ISSUER
from tests.events import WAIT_SECONDS, EventLog, event_data, listener_for
from tests.store import ServiceStore

IDENTITY_EVENTS = (
    "user_created",
    "temporary_password_issued",
    "first_login_completed",
    "user_blocked",
    "user_unblocked",
    "tokens_revoked",
    "password_reset",
    "user_updated",
    "user_rights_changed",
    "user_replaced",
    "user_deleted",
    "password_reset_requested",
)
NEW_PASSWORD = "Correct-Horse-Battery-42"
SECURITY_CODE = "739204618375"
# the rights of the usual later user of an authority (tests/identity/conftest.py: member)
MEMBER_GRANTS = [
    {"right": "request_handler", "area": "services"},
    {"right": "basic_user", "area": None},
]


def digits_at(code: str, positions: Iterable[int]) -> str:
    """The digits of ``code`` at the 1-based ``positions`` a challenge asks for."""
    return "".join(code[position - 1] for position in positions)


def listener_class(name: str, log: EventLog) -> type:
    """A small nameko service that records every identity event in ``log``."""
    return listener_for("identity", IDENTITY_EVENTS, name, log)


# --- the database, read as an operator would ---------------------------------------------------


class Store(ServiceStore):
    """Read access to the service's database file, one short transaction per question."""

    base = Base
    outbox = Outbox

    def user(self, user_id: str) -> User:
        with Session(self.engine, expire_on_commit=False) as session:
            user = session.get(User, user_id)
            assert user is not None, f"no user {user_id}"
            _ = user.grants
            return user

    def user_id(self, username: str) -> str:
        with Session(self.engine) as session:
            return session.scalar(select(User.id).where(User.username == username))

    def audit_actions(self, user_id: str) -> list[str]:
        """The audit trail about one user, oldest first."""
        with Session(self.engine) as session:
            return list(
                session.scalars(
                    select(AuditEntry.action)
                    .where(AuditEntry.target_user_id == user_id)
                    .order_by(AuditEntry.id)
                )
            )

    def audit_entries(self, user_id: str, action: str) -> list[AuditEntry]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(
                session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.target_user_id == user_id, AuditEntry.action == action)
                    .order_by(AuditEntry.id)
                )
            )

    def sessions(self, user_id: str) -> list[LoginSession]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(
                session.scalars(select(LoginSession).where(LoginSession.user_id == user_id))
            )


# --- the people of a test ---------------------------------------------------------------------


@dataclass
class Person:
    """A user as a test knows them: the record the service returned, and their secrets."""

    record: dict
    password: str
    security_code: str | None = None

    @property
    def id(self) -> str:
        return self.record["id"]

    @property
    def username(self) -> str:
        return self.record["username"]

    @property
    def actor(self) -> dict:
        """The actor the gateway would pass for this user (built from the user record)."""
        return actor_dict(self.record)


def actor_dict(record: dict, session_id: str | None = None) -> dict:
    grants = frozenset(Grant(Right(g["right"]), g.get("area")) for g in record["grants"])
    return dump_actor(
        Actor(
            user_id=record["id"],
            username=record["username"],
            authority_id=record["authority_id"],
            member_state=record["member_state"],
            language=record["language"],
            grants=grants,
            session_id=session_id,
        )
    )


class Identity:
    """What a test does with the identity service: the RPC proxy plus the usual flows."""

    def __init__(self, rpc, container, config: dict, events: EventLog, store: Store, clock):
        self.rpc = rpc
        self.container = container
        self.config = config
        self.events = events
        self.store = store
        self.clock = clock
        self._public_key = None

    # authorities of the directory

    def register_authority(
        self,
        member_state: str = "DE",
        coordinator: str | None = None,
        event: str = "authority_registered",
        authority_id: str | None = None,
        event_id: str | None = None,
    ) -> str:
        """Publish the directory's event about an authority and wait until identity took it;
        the authority is not validated yet (no first user's password leaves because of it)."""
        authority_id = authority_id or str(uuid.uuid4())
        data = event_data(
            "directory", event, authority_id=authority_id, member_state=member_state,
            validating_coordinator_id=coordinator, status="pending_validation",
        )  # fmt: skip
        envelope = make_envelope(
            "directory", event, authority_id, data, self.clock(), event_id=event_id
        )
        self.publish_directory_event(event, envelope)
        return authority_id

    def publish_directory_event(self, event: str, envelope: dict) -> None:
        self.deliver_directory_event(event, envelope).get()  # re-raises a handler's error

    def deliver_directory_event(self, event: str, payload):
        """Publish ``payload`` as the directory's ``event``; the handler's result, once the
        identity service has handled this very message."""

        def is_ours(worker_ctx, result, exc_info):
            return worker_ctx.args[0] == payload

        with entrypoint_waiter(
            self.container, "on_authority_changed", callback=is_ours, timeout=WAIT_SECONDS
        ) as handled:
            event_dispatcher(self.config)("directory", event, payload)
        return handled

    # users

    def bootstrap_administrator(self) -> Person:
        """The first Commission administrator, created as an operator does before start-up."""
        username, password = create_commission_administrator(
            self.config["DB_URIS"]["identity"], self.config["IDENTITY"]["KEY_DIR"]
        )
        user = self.store.user(self.store.user_id(username))
        record = {
            "id": user.id,
            "username": user.username,
            "authority_id": user.authority_id,
            "member_state": user.member_state,
            "language": user.language,
            "grants": [{"right": grant.right, "area": None} for grant in user.grants],
        }
        return Person(record, password)

    def create_user(
        self,
        by: Person,
        authority_id: str | None = None,
        grants: list[dict] | None = None,
        **fields,
    ) -> Person:
        data = {
            "full_name": "Ada Example",
            "email": f"{uuid.uuid4().hex[:8]}@authority.example.eu",
            "language": "de",
            **fields,
        }
        if authority_id is not None:
            data["authority_id"] = authority_id
        if grants is not None:
            data["grants"] = grants
        record = self.rpc.create_user(by.actor, data)
        return Person(record, self.events.temporary_password(record["id"]))

    def first_user_of(self, authority_id: str, by: Person) -> Person:
        return self.create_user(by, authority_id=authority_id)

    # logging in

    def challenge(self, username: str) -> dict:
        return self.rpc.challenge({"username": username})

    def login(self, username: str, password: str, code: str | None = None) -> dict:
        challenge = self.challenge(username)
        digits = digits_at(code, challenge["positions"]) if code else ""
        return self.rpc.login(
            {
                "username": username,
                "password": password,
                "challenge_id": challenge["challenge_id"],
                "digits": digits,
            }
        )

    def activate(
        self, person: Person, password: str = NEW_PASSWORD, code: str = SECURITY_CODE
    ) -> dict:
        """The first login: temporary password, then a new password and security code."""
        started = self.login(person.username, person.password)
        assert started["status"] == "password_change_required"
        tokens = self.rpc.complete_first_login(
            {"setup_token": started["setup_token"], "new_password": password, "security_code": code}
        )
        person.password = password
        person.security_code = code
        return tokens

    def log_in(self, person: Person) -> dict:
        return self.login(person.username, person.password, person.security_code)

    def claims(self, access_token: str) -> dict:
        """The verified claims of an access token (expiry is checked against the frozen clock
        by the tests that care, not against the wall clock)."""
        if self._public_key is None:
            keys = self.rpc.token_keys()
            self._public_key = keys["keys"][0]["public_key_pem"]
        return jwt.decode(
            access_token,
            self._public_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"verify_exp": False, "verify_iat": False},
        )

    def session_actor(self, access_token: str) -> dict:
        """The actor the gateway builds from an access token."""
        claims = self.claims(access_token)
        record = {
            "id": claims["sub"],
            "username": claims["usr"],
            "authority_id": claims["aut"],
            "member_state": claims["ms"],
            "language": claims["lng"],
            "grants": claims["grt"],
        }
        return actor_dict(record, session_id=claims["sid"])
