"""Who the demo users are (data/demo_users.yaml) and where they work: pure data, no I/O but
reading the shipped files, shared by the demo loaders of identity (services/identity/demo.py)
and of requests (services/requests/demo.py), whose demo requests these users make.

The users work at authorities of the directory's demo data, named by the key their id is
made of (``IT/municipality/Roma``). What an authority is (id, member state, names, areas,
validating coordinator) comes from the directory's own plan of its demo data
(services.directory.demo), read as data: no service reads another's database, and nobody
copies the plan. A user's id is a uuid5 of the username, so every service names the same
person without asking identity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from services.common.actor import Actor, Grant
from services.common.schemas import load
from services.identity.domain import ALL_AUTHORITY_RIGHTS
from services.identity.schemas import NewUserSchema

ROSTER_FILE = Path(__file__).parent / "data" / "demo_users.yaml"
USER_NAMESPACE = uuid.UUID("6f2a5c1e-8b3d-5e7f-9a0b-1c2d3e4f5a6b")
EVERY_RIGHT = "all"
EMAIL_DOMAIN = "imi-demo.invalid"  # reserved (RFC 2606): no mail ever reaches anyone


@dataclass(frozen=True)
class DemoAuthority:
    """A demo authority of the directory's plan, as the demo users' services need it."""

    key: str
    id: str
    member_state: str
    region: str | None
    coordinator_kind: str | None
    official_name: str
    official_language: str
    titles: dict[str, str]
    languages: tuple[str, ...]  # those its users understand
    areas: tuple[tuple[str, str], ...]  # (area, workflow)
    validating_coordinator_id: str | None

    @property
    def title(self) -> str:
        """Its informal title in English, what a trainer reads first."""
        return self.titles.get("en") or self.official_name


@dataclass(frozen=True)
class DemoUser:
    """One demo user: who, where, with which secrets and rights."""

    username: str
    authority: DemoAuthority
    role: str
    full_name: str
    language: str
    password: str
    security_code: str
    every_right: bool
    grants: frozenset[Grant]

    @property
    def id(self) -> str:
        return demo_user_id(self.username)

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"

    def actor(self) -> Actor:
        """The actor a token of this user carries."""
        return Actor(
            user_id=self.id,
            username=self.username,
            authority_id=self.authority.id,
            member_state=self.authority.member_state,
            language=self.language,
            grants=self.grants,
        )


def demo_user_id(username: str) -> str:
    return str(uuid.uuid5(USER_NAMESPACE, username))


@cache
def demo_authorities() -> dict[str, DemoAuthority]:
    """Every authority of the directory's demo plan, by key."""
    from services.directory import demo as directory_demo  # the directory's plan, as data

    planned = directory_demo.plan_authorities()
    places = directory_demo.coordinator_places(planned)
    return {
        entry["key"]: DemoAuthority(
            key=entry["key"],
            id=entry["id"],
            member_state=entry["member_state"],
            region=entry.get("region"),
            coordinator_kind=entry.get("coordinator_kind"),
            official_name=entry["official_name"],
            official_language=entry["official_language"],
            titles=dict(entry["titles"]),
            languages=tuple(entry["languages"]),
            areas=tuple((item["area"], item["workflow"]) for item in entry["areas"]),
            validating_coordinator_id=directory_demo.validating_coordinator(entry, places),
        )
        for entry in planned
    }


@cache
def demo_users() -> tuple[DemoUser, ...]:
    """The demo users in the order they are created (each authority's first user first),
    checked by the schema of a new user as an administrator's input is."""
    authorities = demo_authorities()
    users = []
    for entry in yaml.safe_load(ROSTER_FILE.read_text(encoding="utf-8"))["users"]:
        every_right = entry["grants"] == EVERY_RIGHT
        checked = load(
            NewUserSchema,
            {
                "full_name": entry["full_name"],
                "email": f"{entry['username']}@{EMAIL_DOMAIN}",
                "language": entry["language"],
                "grants": [] if every_right else entry["grants"],
            },
        )
        grants = (
            frozenset(Grant(right) for right in ALL_AUTHORITY_RIGHTS)
            if every_right
            else frozenset(checked["grants"])
        )
        users.append(
            DemoUser(
                username=entry["username"],
                authority=authorities[entry["authority"]],
                role=entry["role"],
                full_name=checked["full_name"],
                language=checked["language"],
                password=entry["password"],
                security_code=str(entry["security_code"]),
                every_right=every_right,
                grants=grants,
            )
        )
    return tuple(users)


def demo_user(username: str) -> DemoUser:
    return next(user for user in demo_users() if user.username == username)


def roster_authorities() -> list[DemoAuthority]:
    """The authorities the demo users work at, and their validating coordinators, once each."""
    authorities = demo_authorities()
    by_id = {authority.id: authority for authority in authorities.values()}
    found: dict[str, DemoAuthority] = {}
    for user in demo_users():
        found.setdefault(user.authority.id, user.authority)
        coordinator = user.authority.validating_coordinator_id
        if coordinator is not None:
            found.setdefault(coordinator, by_id[coordinator])
    return list(found.values())
