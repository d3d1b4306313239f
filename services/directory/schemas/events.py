"""The directory's event payloads: its published contract (docs/events.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.contracts import publishes
from services.directory.domain import (
    RegisterChange,
)
from services.directory.schemas.authorities import AreaRolesOutSchema, AuthoritySettingsSchema
from services.directory.schemas.fields import ID, LANGUAGE, PHONE

# --- events ---------------------------------------------------------------------------------


def _no_settings() -> dict:
    return {"uses_allocation": False, "coordinator_full_view": False}


class AuthorityEventSchema(Schema):
    """authority_registered / _updated / _validated / _activated: no personal data.
    ``settings`` came within version 1: an event published before it reads as both false."""

    authority_id = fields.String(required=True, validate=ID)
    member_state = fields.String(required=True, validate=validate.Length(2, 2))
    region = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.Length(1, 24))
    coordinator_kind = fields.String(required=True, allow_none=True)
    validating_coordinator_id = fields.String(required=True, allow_none=True, validate=ID)
    official_name = fields.String(required=True)
    official_language = fields.String(required=True, validate=LANGUAGE)
    languages = fields.List(
        fields.String(validate=LANGUAGE),
        load_default=list,
        metadata={"description": "The languages the authority understands"},
    )
    titles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    areas = fields.List(fields.Nested(AreaRolesOutSchema), required=True)
    settings = fields.Nested(AuthoritySettingsSchema, load_default=_no_settings)
    changed = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)


class FirstUserRequestedSchema(Schema):
    """For the identity service only (sensitive: deleted from the outbox once sent); identity
    creates the account with every right."""

    authority_id = fields.String(required=True, validate=ID)
    member_state = fields.String(required=True, validate=validate.Length(2, 2))
    full_name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(required=True, allow_none=True, validate=PHONE)
    language = fields.String(required=True, validate=LANGUAGE)
    username = fields.String(required=True, allow_none=True, validate=validate.Length(1, 32))
    password_now = fields.Boolean(required=True)


class CoordinatorLinkedSchema(Schema):
    authority_id = fields.String(required=True)
    area = fields.String(required=True)
    workflow = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    linked = fields.Boolean(required=True)


class RegisterChangedSchema(Schema):
    """register_changed: what changed, never the texts (read them by RPC or syndication)."""

    register_id = fields.String(required=True)
    authority_id = fields.String(required=True)
    member_state = fields.String(required=True)
    access = fields.String(required=True)
    change = fields.String(
        required=True, validate=validate.OneOf([c.value for c in RegisterChange])
    )
    language = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)


class InvitationCreatedSchema(Schema):
    """For the notifications service only (sensitive: it carries the registration code)."""

    invitation_id = fields.String(required=True)
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    member_state = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True)
    registration_code = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class InvitationHeldSchema(Schema):
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    member_state = fields.String(required=True)
    invited_by = fields.String(required=True)
    held = fields.Integer(required=True)
    invitation_ids = fields.List(fields.String(), required=True)


class InvitationReleasedSchema(Schema):
    invitation_id = fields.String(required=True)
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    released_by = fields.String(required=True)


class InvitationExpiringSchema(Schema):
    """For the notifications service only (sensitive: an email); never the code."""

    invitation_id = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class InvitationExpiredSchema(Schema):
    invitation_id = fields.String(required=True)
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    expired_at = fields.AwareDateTime(required=True)


class TermsChangedSchema(Schema):
    """terms_changed: which entry, its version and whether it is active; a legislative area's
    active workflows."""

    kind = fields.String(required=True)
    code = fields.String(required=True)
    version = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    workflows = fields.List(fields.String(), allow_none=True)


class RequestPolicyChangedSchema(Schema):
    """request_policy_changed: a policy row set or deleted (``deleted`` true: the row no
    longer applies; its other fields are its last values). Ordered per ``policy_id`` by
    ``version``, which goes on across a deletion and a new setting of the same key."""

    policy_id = fields.String(required=True, validate=ID)
    member_state = fields.String(required=True, validate=validate.Length(2, 2))
    region = fields.String(required=True, allow_none=True, validate=validate.Length(1, 120))
    area = fields.String(required=True, validate=validate.Length(1, 64))
    approval_required = fields.Boolean(required=True)
    referral_enabled = fields.Boolean(required=True)
    deleted = fields.Boolean(required=True)
    version = fields.Integer(required=True)


AUTHORITY_EVENTS = (
    "authority_registered",
    "authority_updated",
    "authority_validated",
    "authority_activated",
)
EVENTS = publishes(
    "directory",
    {
        **dict.fromkeys(AUTHORITY_EVENTS, AuthorityEventSchema),
        "coordinator_linked": CoordinatorLinkedSchema,
        "first_user_requested": FirstUserRequestedSchema,
        "invitation_created": InvitationCreatedSchema,
        "invitation_held": InvitationHeldSchema,
        "invitation_released": InvitationReleasedSchema,
        "invitation_expiring": InvitationExpiringSchema,
        "invitation_expired": InvitationExpiredSchema,
        "register_changed": RegisterChangedSchema,
        "request_policy_changed": RequestPolicyChangedSchema,
        "terms_changed": TermsChangedSchema,
    },
)
