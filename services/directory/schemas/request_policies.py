"""Request policies: whether outgoing information requests need a coordinator's approval and
whether referral is enabled, per member state, region and legislative area."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.schemas import MAX_VERSION, JsonInteger, StrictSchema
from services.directory.schemas.fields import CODE, MemberStateField

REGION = validate.Length(1, 120)


class RequestPolicyQuerySchema(StrictSchema):
    """Which policies to list: those of one member state, optionally of one area."""

    member_state = MemberStateField(required=True)
    area = fields.String(validate=CODE, load_default=None)


class RequestPolicyPutSchema(StrictSchema):
    """Set the policy of a member state (``region`` null or absent) or of one of its regions
    for one legislative area. ``version``: the one read, for a policy that exists; null or
    absent to set one that does not (a compare-and-set either way)."""

    member_state = MemberStateField(required=True)
    region = fields.String(
        load_default=None, allow_none=True, validate=REGION,
        metadata={"description": "A region of the member state, written as its authorities' "
                  "and coordinators' regions are; null: the whole member state"},
    )  # fmt: skip
    area = fields.String(required=True, validate=CODE)
    approval_required = fields.Boolean(
        required=True,
        metadata={"description": "Outgoing requests wait for a coordinator's approval"},
    )
    referral_enabled = fields.Boolean(
        required=True,
        metadata={"description": "A requester who disagrees with a reply may refer it to the "
                  "coordinators"},
    )  # fmt: skip
    version = JsonInteger(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_VERSION)
    )


class RequestPolicyDeleteQuerySchema(StrictSchema):
    """The version of the policy the caller read (a compare-and-set)."""

    version = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_VERSION))


class RequestPolicySchema(Schema):
    id = fields.String(required=True)
    member_state = fields.String(required=True)
    region = fields.String(allow_none=True, required=True)
    area = fields.String(required=True)
    approval_required = fields.Boolean(required=True)
    referral_enabled = fields.Boolean(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


class RequestPolicyListSchema(Schema):
    """A member state's policies: the whole state's first, then each region's, by area."""

    items = fields.List(fields.Nested(RequestPolicySchema), required=True)
