"""Invitations to self-register, and self-registration with a registration code."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.reference import SUPPORTED_LANGUAGES
from services.common.schemas import PageQuerySchema, PageSchema, StrictSchema, WholeMatch
from services.directory.domain import (
    InvitationStatus,
    Rejection,
)
from services.directory.schemas.authorities import (
    AuthorityFieldsSchema,
    AuthoritySchema,
    CoordinatorRefSchema,
    FirstUserSchema,
)
from services.directory.schemas.fields import CODE, ID, LANGUAGE, MAX_LIST, text

# --- invitations and self-registration ------------------------------------------------------

MAX_BATCH = 500
REGISTRATION_CODE = WholeMatch(
    r"^[A-Za-z0-9_-]{20,64}$", error="Not a registration code."
)  # fmt: skip


class InvitedAreaSchema(StrictSchema):
    """A legislative area and workflow; whether the directory offers it is the service's check
    (an unknown one rejects the invitation with ``no_area``, not the whole batch)."""

    area = fields.String(required=True, validate=CODE)
    workflow = fields.String(required=True, validate=CODE)


class InvitationItemSchema(StrictSchema):
    """One invitation of a batch. The email is checked by the service, which rejects the item
    with its reason (``invalid_email``) rather than refusing the batch."""

    email = fields.String(required=True, validate=validate.Length(1, 1000))
    language = fields.String(required=True, validate=LANGUAGE)
    areas = fields.List(
        fields.Nested(InvitedAreaSchema), load_default=list, validate=validate.Length(max=MAX_LIST)
    )
    official_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(1, 300),
        metadata={"description": "A hint of the invited authority's name, prefilled for it"},
    )  # fmt: skip


class InvitationBatchSchema(StrictSchema):
    invitations = fields.List(
        fields.Nested(InvitationItemSchema), required=True, validate=validate.Length(1, MAX_BATCH)
    )


class InvitationResubmissionSchema(StrictSchema):
    """An expired invitation sent again with a new code; any field given replaces the old."""

    email = fields.String(validate=validate.Length(1, 1000))
    language = fields.String(validate=LANGUAGE)
    areas = fields.List(fields.Nested(InvitedAreaSchema), validate=validate.Length(max=MAX_LIST))
    official_name = fields.String(allow_none=True, validate=validate.Length(1, 300))


class InvitationReleaseSchema(StrictSchema):
    """What a Commission administrator confirms: a whole held batch, or some invitations."""

    batch_id = fields.String(validate=ID)
    invitation_ids = fields.List(fields.String(validate=ID), validate=validate.Length(1, MAX_BATCH))

    # the OpenAPI document's words for the check below
    JSON_SCHEMA = {"oneOf": [{"required": ["batch_id"]}, {"required": ["invitation_ids"]}]}

    @validates_schema
    def one_of_them(self, data, **kwargs):
        if ("batch_id" in data) == ("invitation_ids" in data):
            raise ValidationError("Give either batch_id or invitation_ids.", "_schema")


class InvitationListQuerySchema(PageQuerySchema):
    status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in InvitationStatus])
    )


class InvitedAreaOutSchema(Schema):
    area = fields.String(required=True)
    workflow = fields.String(required=True)


class InvitationSchema(Schema):
    """An invitation as its coordinator (or the Commission) sees it: never its code."""

    id = fields.String(required=True)
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True)
    member_state = fields.String(required=True)
    areas = fields.List(fields.Nested(InvitedAreaOutSchema), required=True)
    official_name = fields.String(allow_none=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in InvitationStatus])
    )
    expires_at = fields.AwareDateTime(allow_none=True)
    reminded_at = fields.AwareDateTime(allow_none=True)
    authority_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


class SubmittedInvitationSchema(Schema):
    email = fields.String(required=True)
    language = fields.String(required=True)
    areas = fields.List(fields.Nested(InvitedAreaOutSchema), required=True)
    official_name = fields.String(allow_none=True)


class InvitationRejectionSchema(Schema):
    """A refused item, echoed as submitted so that the client can edit and re-submit it."""

    index = fields.Integer(required=True, metadata={"description": "Its place in the batch"})
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in Rejection]))
    detail = fields.String(required=True)
    invitation = fields.Nested(SubmittedInvitationSchema, required=True)


class InvitationBatchResultSchema(Schema):
    batch_id = fields.String(required=True)
    accepted = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    held = fields.Integer(
        required=True,
        metadata={"description": "Accepted but over the daily limit: sent once the Commission "
                  "confirms them"},
    )  # fmt: skip
    invitations = fields.List(fields.Nested(InvitationSchema), required=True)
    rejections = fields.List(fields.Nested(InvitationRejectionSchema), required=True)


class InvitationPageSchema(PageSchema):
    items = fields.List(fields.Nested(InvitationSchema), required=True)


class InvitationReleaseResultSchema(Schema):
    released = fields.Integer(required=True)
    invitations = fields.List(fields.Nested(InvitationSchema), required=True)


class InvitationCheckSchema(Schema):
    """What a valid registration code prefills in the self-registration form."""

    member_state = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True)
    areas = fields.List(fields.Nested(InvitedAreaOutSchema), required=True)
    official_name = fields.String(allow_none=True)
    coordinator = fields.Nested(CoordinatorRefSchema, required=True)
    expires_at = fields.AwareDateTime(required=True)


class SelfRegistrationSchema(AuthorityFieldsSchema):
    """An invited authority registers itself: its data (the member state is the invitation's,
    the areas default to the invitation's) and its first user."""

    registration_code = fields.String(required=True, validate=REGISTRATION_CODE)
    official_name = text(300, required=True)
    official_language = fields.String(required=True, validate=LANGUAGE)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    languages = fields.List(
        fields.String(validate=LANGUAGE),
        required=True,
        validate=validate.Length(1, len(SUPPORTED_LANGUAGES)),
    )
    areas = fields.List(
        fields.Nested(InvitedAreaSchema), validate=validate.Length(1, MAX_LIST)
    )  # fmt: skip
    first_user = fields.Nested(FirstUserSchema, required=True)


class FirstUserOutSchema(Schema):
    full_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)
    language = fields.String(required=True)


class SelfRegistrationSummarySchema(Schema):
    """The summary to save or print: everything entered, and the first user's username, which
    is shown here only (it is never emailed)."""

    authority = fields.Nested(AuthoritySchema, required=True)
    status = fields.String(required=True)
    username = fields.String(required=True)
    first_user = fields.Nested(FirstUserOutSchema, required=True)
    validating_coordinator = fields.Nested(CoordinatorRefSchema, required=True)
    next_step = fields.String(required=True, metadata={"description": "A catalogue key"})
    detail = fields.String(required=True)
