"""The identity service's contract: what its RPC methods accept and return, and its events.

The gateway validates HTTP bodies with these same schemas and builds its OpenAPI document from
them, so the HTTP API and the RPC contract cannot drift apart.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from services.common.actor import GrantSchema, Right
from services.common.contracts import publishes
from services.common.reference import SUPPORTED_LANGUAGES
from services.common.schemas import (
    PageQuerySchema,
    PageSchema,
    StrictSchema,
    WholeMatch,
    version_field,
)
from services.identity.domain import AREA_INDEPENDENT_RIGHTS, AuditAction

USERNAME = validate.Length(1, 64)
SECRET = validate.Length(1, 256)
PHONE = WholeMatch(r"^\+?[0-9 ()./-]{4,40}$", error="Not a valid phone number.")
LANGUAGE = validate.OneOf(SUPPORTED_LANGUAGES, error="Not a supported language.")
AREA_CODE = WholeMatch(r"^[a-z0-9][a-z0-9_.-]{0,63}$", error="A legislative area's code.")


# --- authentication -------------------------------------------------------------------------


class ChallengeRequestSchema(StrictSchema):
    username = fields.String(required=True, validate=USERNAME)


class ChallengeSchema(Schema):
    challenge_id = fields.String(required=True)
    positions = fields.List(
        fields.Integer(), required=True, metadata={"description": "1-based digit positions"}
    )
    expires_in = fields.Integer(required=True)


class LoginRequestSchema(StrictSchema):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=SECRET)
    challenge_id = fields.String(required=True, validate=validate.Length(1, 64))
    digits = fields.String(
        load_default="",
        validate=WholeMatch(r"^([0-9]{3})?$", error="Three digits are expected."),
        metadata={"description": "The security code's digits at the challenge's positions"},
    )


class FirstLoginRequestSchema(StrictSchema):
    setup_token = fields.String(required=True, validate=validate.Length(1, 2000))
    new_password = fields.String(required=True, validate=SECRET)
    security_code = fields.String(required=True, validate=validate.Length(1, 64))


class RefreshRequestSchema(StrictSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(1, 200))


class ResetRequestSchema(StrictSchema):
    username = fields.String(required=True, validate=USERNAME)
    email = fields.Email(required=True, validate=validate.Length(max=254))


class ResetCompletionSchema(StrictSchema):
    reset_token = fields.String(required=True, validate=validate.Length(1, 200))
    new_password = fields.String(required=True, validate=SECRET)


class LoginResultSchema(Schema):
    status = fields.String(
        required=True, validate=validate.OneOf(["authenticated", "password_change_required"])
    )
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer(required=True)
    setup_token = fields.String()


class SigningKeySchema(Schema):
    kid = fields.String(required=True)
    alg = fields.String(required=True)
    public_key_pem = fields.String(required=True)


class TokenKeysSchema(Schema):
    issuer = fields.String(required=True)
    audience = fields.String(required=True)
    keys = fields.List(fields.Nested(SigningKeySchema), required=True)


class RevocationSchema(Schema):
    user_id = fields.String(required=True)
    session_id = fields.String(allow_none=True)
    not_before = fields.AwareDateTime(required=True)


# --- users ----------------------------------------------------------------------------------


class GrantRequestSchema(GrantSchema):
    """A right to give, as a client writes it: in a legislative area given by its code, for
    the rights that are held per area (the service refuses an area for the others)."""

    area = fields.String(load_default=None, allow_none=True, validate=AREA_CODE)

    JSON_SCHEMA = {
        "anyOf": [
            {"properties": {"right": {"enum": sorted(r.value for r in Right
                                                     if r not in AREA_INDEPENDENT_RIGHTS)}}},
            {"properties": {"area": {"type": "null"}}},
        ]
    }  # fmt: skip


class NewUserSchema(StrictSchema):
    authority_id = fields.String(validate=validate.Length(1, 64))
    full_name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=PHONE)
    language = fields.String(required=True, validate=LANGUAGE)
    grants = fields.List(
        fields.Nested(GrantRequestSchema), load_default=list, validate=validate.Length(max=60)
    )


class UserUpdateSchema(StrictSchema):
    version = version_field()
    full_name = fields.String(validate=validate.Length(1, 200))
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=PHONE)
    language = fields.String(validate=LANGUAGE)

    # the OpenAPI document's words for the check below
    JSON_SCHEMA = {"minProperties": 2}

    @validates_schema
    def something_changes(self, data, **kwargs):
        if len(data) < 2:
            raise ValidationError("Give at least one field to change.", "_schema")


class RightsUpdateSchema(StrictSchema):
    version = version_field()
    grants = fields.List(
        fields.Nested(GrantRequestSchema), required=True, validate=validate.Length(max=60)
    )


class ReplacementSchema(StrictSchema):
    version = version_field()
    full_name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=PHONE)
    language = fields.String(required=True, validate=LANGUAGE)


class UserQuerySchema(PageQuerySchema):
    authority_id = fields.String(validate=validate.Length(1, 64))


class ColleagueQuerySchema(StrictSchema):
    """Whose names an allocator may choose from: the colleagues holding ``right`` in ``area``."""

    right = fields.String(required=True, validate=validate.OneOf([Right.REQUEST_HANDLER.value]))
    area = fields.String(load_default=None, validate=validate.Length(1, 64))


class ColleagueSchema(Schema):
    user_id = fields.String(required=True)
    full_name = fields.String(required=True)


class ColleagueListSchema(Schema):
    """Names and ids only: no address, no telephone."""

    items = fields.List(fields.Nested(ColleagueSchema), required=True)


AUDIT_KINDS = [action.value for action in AuditAction]


class AuditKindList(fields.List):
    """Kinds of entry as a list, or as one comma-separated query parameter (``?kind=a,b``)."""

    def __init__(self, **kwargs):
        kind = fields.String(
            validate=validate.OneOf(AUDIT_KINDS, error="Not a kind of entry: one of {choices}.")
        )
        super().__init__(kind, validate=validate.Length(1, len(AUDIT_KINDS)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list) and len(value) > len(AUDIT_KINDS):  # before a message each
            raise ValidationError(f"At most {len(AUDIT_KINDS)} kinds.")
        return super()._deserialize(value, attr, data, **kwargs)


class AuditQuerySchema(PageQuerySchema):
    """Whose entries, of which period (days in UTC, both included) and of which kinds."""

    authority_id = fields.String(validate=validate.Length(1, 64))
    user_id = fields.String(validate=validate.Length(1, 64))
    since = fields.Date(metadata={"description": "Entries of this day (UTC) or later"})
    until = fields.Date(
        metadata={"description": "Entries of this day (UTC) or earlier; not before since"}
    )
    kind = AuditKindList(
        metadata={"description": "Kinds of entry (comma-separated); none: every kind"}
    )

    @validates_schema
    def _a_period(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("The period ends before it starts.", "until")


class UserSchema(Schema):
    """A user as administrators (and the user themself) see it: never a secret."""

    id = fields.String(required=True)
    username = fields.String(required=True)
    authority_id = fields.String(required=True)
    member_state = fields.String(required=True)
    full_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)
    language = fields.String(required=True)
    grants = fields.List(fields.Nested(GrantSchema), required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["pending_first_login", "active", "blocked"])
    )
    last_login_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


def user_document(view: dict) -> dict:
    """``UserSchema().dump(view)`` for a view of accounts.account_view, written out: the same
    document (tests/identity/test_schemas.py proves it for any view) without marshmallow's
    walk over fields and nested grants, a tenth of identity's time on the caller's own
    profile, the read every screen starts with (docs/performance.md)."""
    return {
        "id": _text(view["id"]),
        "username": _text(view["username"]),
        "authority_id": _text(view["authority_id"]),
        "member_state": _text(view["member_state"]),
        "full_name": _text(view["full_name"]),
        "email": _text(view["email"]),
        "phone": _text(view["phone"]),
        "language": _text(view["language"]),
        "grants": [
            {"right": grant.right.value, "area": _text(grant.area)} for grant in view["grants"]
        ],
        "status": _text(view["status"]),
        "last_login_at": _iso(view["last_login_at"]),
        "created_at": _iso(view["created_at"]),
        "updated_at": _iso(view["updated_at"]),
        "version": None if view["version"] is None else int(view["version"]),
    }


def _text(value) -> str | None:
    return None if value is None else str(value)


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


class UserPageSchema(PageSchema):
    items = fields.List(fields.Nested(UserSchema), required=True)


class AuditEntrySchema(Schema):
    at = fields.AwareDateTime(required=True)
    action = fields.String(required=True)
    actor_user_id = fields.String(allow_none=True)
    target_user_id = fields.String(allow_none=True)
    authority_id = fields.String(allow_none=True)
    details = fields.Dict(required=True)
    call_id = fields.String(allow_none=True)


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditEntrySchema), required=True)


# --- events: the published contract (docs/events.md) -----------------------------------------


class GrantEventSchema(Schema):
    """A grant as user events carry it."""

    right = fields.String(required=True, validate=validate.OneOf([r.value for r in Right]))
    area = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))


class UserEventSchema(Schema):
    """Payload of user_created, user_updated, user_rights_changed, user_blocked,
    user_unblocked, password_reset, user_replaced, user_deleted, first_login_completed."""

    user_id = fields.String(required=True, validate=validate.Length(1, 64))
    authority_id = fields.String(required=True, validate=validate.Length(1, 64))
    member_state = fields.String(required=True, validate=validate.Length(2, 2))
    grants = fields.List(fields.Nested(GrantEventSchema), required=True)


class TemporaryPasswordIssuedSchema(Schema):
    """For the notifications service only; never carries the username (DOMAIN.md section 3)."""

    user_id = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True, validate=LANGUAGE)
    temporary_password = fields.String(required=True)
    reason = fields.String(
        required=True, validate=validate.OneOf(["account_created", "password_reset", "replaced"])
    )


class PasswordResetRequestedSchema(Schema):
    """For the notifications service only: the link's token goes to the registered email,
    never with the username."""

    user_id = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True, validate=LANGUAGE)
    reset_token = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class TokensRevokedSchema(RevocationSchema):
    """Published when access tokens must stop working at once (block, reset, delete, logout)."""


USER_EVENTS = (
    "user_created",
    "user_updated",
    "user_rights_changed",
    "user_blocked",
    "user_unblocked",
    "password_reset",
    "user_replaced",
    "user_deleted",
    "first_login_completed",
)
EVENTS = publishes(
    "identity",
    {
        **dict.fromkeys(USER_EVENTS, UserEventSchema),
        "temporary_password_issued": TemporaryPasswordIssuedSchema,
        "password_reset_requested": PasswordResetRequestedSchema,
        "tokens_revoked": TokensRevokedSchema,
    },
)


# --- usernames shown before the account exists (self-registration) --------------------------


class UsernameReservationSchema(StrictSchema):
    member_state = fields.String(
        required=True,
        validate=WholeMatch(r"^[A-Z]{2}$", error="A member state's two-letter code."),
    )


class ReservedUsernameSchema(Schema):
    username = fields.String(required=True)


# --- addresses for the notifications service ------------------------------------------------


class MailRecipientsQuerySchema(StrictSchema):
    authority_ids = fields.List(
        fields.String(validate=validate.Length(1, 64)),
        required=True,
        validate=validate.Length(1, 200),
    )
    right = fields.String(required=True, validate=validate.OneOf([r.value for r in Right]))
    area = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))


class MailRecipientSchema(Schema):
    user_id = fields.String(required=True)
    authority_id = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True)


class MailRecipientsSchema(Schema):
    recipients = fields.List(fields.Nested(MailRecipientSchema), required=True)
