"""Who is calling: the actor the gateway authenticates and passes with every call.

Each service authorises against its own data, but all of them read the same actor, so its shape
and the questions asked of it ("may this user handle requests in this area?") live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from marshmallow import Schema, ValidationError, fields, post_load, validate

from services.common.errors import Forbidden, ValidationFailed
from services.common.schemas import dump, load


class Right(StrEnum):
    """User rights of DOMAIN.md section 1 (plus the Commission's own roles)."""

    BASIC_USER = "basic_user"
    REQUEST_HANDLER = "request_handler"
    ALLOCATOR = "allocator"
    ALERT_HANDLER = "alert_handler"
    ALERT_AUTHORISER = "alert_authoriser"
    LOCAL_DATA_ADMINISTRATOR = "local_data_administrator"
    DATA_ADMINISTRATOR = "data_administrator"
    COMMISSION_ADMINISTRATOR = "commission_administrator"
    COMMISSION_TRANSLATOR = "commission_translator"


@dataclass(frozen=True)
class Grant:
    """One right, in one legislative area or (area None) in every area of the authority."""

    right: Right
    area: str | None = None

    def covers(self, right: Right, area: str | None) -> bool:
        return self.right == right and (self.area is None or area is None or self.area == area)


@dataclass(frozen=True)
class Actor:
    user_id: str
    username: str
    authority_id: str
    member_state: str
    language: str = "en"
    grants: frozenset[Grant] = field(default_factory=frozenset)
    session_id: str | None = None

    def has_right(self, right: Right, area: str | None = None) -> bool:
        return any(grant.covers(right, area) for grant in self.grants)

    def require(self, right: Right, area: str | None = None) -> None:
        """Raise Forbidden unless the actor holds ``right`` (in ``area`` when one is given)."""
        if not self.has_right(right, area):
            raise Forbidden(
                f"The right {right.value} is needed for this action.",
                "error.right_missing",
                {"right": right.value},
            )

    @property
    def rights(self) -> frozenset[Right]:
        return frozenset(grant.right for grant in self.grants)


CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def _no_control_characters(value: str) -> None:
    if CONTROL_CHARACTER.search(value):
        raise ValidationError("Control characters are not allowed.")


class GrantSchema(Schema):
    right = fields.Enum(Right, by_value=True, required=True)
    area = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(1, 64), _no_control_characters],
    )

    @post_load
    def make(self, data, **kwargs) -> Grant:
        return Grant(**data)


class ActorSchema(Schema):
    """The actor as it travels with each RPC call."""

    user_id = fields.String(required=True, validate=validate.Length(1, 64))
    username = fields.String(required=True, validate=validate.Length(1, 64))
    authority_id = fields.String(required=True, validate=validate.Length(1, 64))
    member_state = fields.String(required=True, validate=validate.Length(2, 2))
    language = fields.String(load_default="en", validate=validate.Length(2, 3))
    grants = fields.List(fields.Nested(GrantSchema), load_default=list)
    session_id = fields.String(load_default=None, allow_none=True)

    @post_load
    def make(self, data, **kwargs) -> Actor:
        return Actor(**{**data, "grants": frozenset(data["grants"])})


RIGHTS_BY_VALUE = {right.value: right for right in Right}
ACTOR_KEYS = frozenset(ActorSchema().fields)
REQUIRED_ACTOR_KEYS = frozenset({"user_id", "username", "authority_id", "member_state"})
GRANT_KEYS = frozenset({"right", "area"})


def _text(value, shortest: int, longest: int) -> bool:
    return type(value) is str and shortest <= len(value) <= longest


def _plain_grant(grant) -> Grant | None:
    if type(grant) is not dict or "right" not in grant or not GRANT_KEYS.issuperset(grant):
        return None
    right = RIGHTS_BY_VALUE.get(grant["right"]) if type(grant["right"]) is str else None
    area = grant.get("area")
    if right is None or not (
        area is None or (_text(area, 1, 64) and not CONTROL_CHARACTER.search(area))
    ):
        return None
    return Grant(right, area)


def _plain_actor(data) -> Actor | None:
    """The actor when ``data`` is well-formed, else None. Every service checks the actor on
    every call; this accepts only what ActorSchema accepts, in a few microseconds instead of
    marshmallow's 150, and leaves anything else to the schema to explain."""
    if type(data) is not dict or not ACTOR_KEYS.issuperset(data):
        return None
    if not REQUIRED_ACTOR_KEYS.issubset(data):
        return None
    language = data.get("language", "en")
    session_id = data.get("session_id")
    grants = data.get("grants", [])
    if not (
        _text(data["user_id"], 1, 64)
        and _text(data["username"], 1, 64)
        and _text(data["authority_id"], 1, 64)
        and _text(data["member_state"], 2, 2)
        and _text(language, 2, 3)
        and (session_id is None or type(session_id) is str)
        and type(grants) is list
    ):
        return None
    parsed = [_plain_grant(grant) for grant in grants]
    if None in parsed:
        return None
    return Actor(
        data["user_id"], data["username"], data["authority_id"], data["member_state"],
        language, frozenset(parsed), session_id,
    )  # fmt: skip


def load_actor(data: dict) -> Actor:
    """The actor from its wire form, validated like any other input."""
    return _plain_actor(data) or load(ActorSchema, data)


def dump_actor(actor: Actor) -> dict:
    return dump(ActorSchema, actor)


def actor_from_claims(claims: dict) -> Actor | None:
    """The actor an access token's claims describe (services/identity/tokens.py), or None
    when they do not describe one."""
    try:
        return load_actor(
            {
                "user_id": claims["sub"],
                "username": claims.get("usr"),
                "authority_id": claims.get("aut"),
                "member_state": claims.get("ms"),
                "language": claims.get("lng"),
                "grants": claims.get("grt"),
                "session_id": claims["sid"],
            }
        )
    except (ValidationFailed, KeyError):
        return None
