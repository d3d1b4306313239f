"""The contract of data protection (docs/requests-data-protection.md): a request's audit trail
and its contested mark, the coordinators' list of requests left open without activity, a data
subject's report, and the events of blocking, deleting, inactivity and contesting, which carry
ids, areas and dates, never the personal data."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from services.common.contracts import publishes
from services.common.schemas import StrictSchema, WholeMatch
from services.requests.schemas.requests import SubjectViewSchema


class AuditEntrySchema(Schema):
    operation = fields.String(
        required=True,
        metadata={"description": "created, edited, copied, viewed, reported, translated, "
                  "blocked, erased, contested, uncontested or subject_report"},
    )  # fmt: skip
    at = fields.AwareDateTime(required=True)
    user_id = fields.String(allow_none=True, metadata={"description": "null: the system"})
    username = fields.String(allow_none=True)
    authority_id = fields.String(allow_none=True)


class ProtectionStateSchema(Schema):
    """Where a request's personal data stands: kept, blocked (and contested), or deleted."""

    request_id = fields.String(required=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    blocked_at = fields.AwareDateTime(allow_none=True)
    erased_at = fields.AwareDateTime(allow_none=True)
    contested_at = fields.AwareDateTime(allow_none=True)


class AuditTrailSchema(ProtectionStateSchema):
    area = fields.String(required=True)
    items = fields.List(fields.Nested(AuditEntrySchema), required=True)


class InactiveQuerySchema(StrictSchema):
    days = fields.Integer(
        validate=validate.Range(1, 3650),
        metadata={"description": "Days without an action (the configured ones by default)"},
    )
    cursor = fields.String(validate=validate.Length(1, 200))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 100))


class InactiveRequestSchema(Schema):
    id = fields.String(required=True)
    area = fields.String(required=True)
    status = fields.String(required=True)
    requester_id = fields.String(required=True)
    responder_id = fields.String(allow_none=True)
    requester_coordinator_id = fields.String(allow_none=True)
    responder_coordinator_id = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(required=True, metadata={"description": "Last action"})
    inactive_days = fields.Integer(required=True)
    reported_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "When its inactivity was last reported"}
    )


class InactiveListSchema(Schema):
    days = fields.Integer(required=True)
    items = fields.List(fields.Nested(InactiveRequestSchema), required=True)
    next_cursor = fields.String(allow_none=True)


class SubjectQuerySchema(StrictSchema):
    """Who the report is about: full name and date of birth together, or an identity number."""

    full_name = fields.String(validate=validate.Length(1, 200))
    date_of_birth = fields.Date()
    identity_number = fields.String(
        validate=[
            validate.Length(1, 60),
            WholeMatch(r"^.*[0-9A-Za-z].*$", error="An identity number has letters or digits."),
        ]
    )

    @validates_schema
    def _one_way(self, data: dict, **kwargs) -> None:
        by_name = "full_name" in data or "date_of_birth" in data
        if by_name and "identity_number" in data:
            raise SchemaError("Either full_name with date_of_birth, or identity_number.",
                              "identity_number")  # fmt: skip
        if "identity_number" in data:
            return
        for name in ("full_name", "date_of_birth"):
            if name not in data:
                raise SchemaError("Give full_name with date_of_birth, or identity_number.", name)


class PersonalAnswerSchema(Schema):
    question = fields.String(required=True)
    reply = fields.Integer(required=True, metadata={"description": "0: the reply draft"})
    value = fields.Raw(allow_none=True)
    cannot_provide = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    saved_at = fields.AwareDateTime(required=True)


class HeldAttachmentSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    media_type = fields.String(required=True)
    size = fields.Integer(required=True)
    language = fields.String(required=True)
    uploaded_at = fields.AwareDateTime(required=True)


class HeldRequestSchema(ProtectionStateSchema):
    area = fields.String(required=True)
    status = fields.String(required=True)
    requester_id = fields.String(required=True)
    responder_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    subject = fields.Nested(SubjectViewSchema, required=True)
    personal_answers = fields.List(fields.Nested(PersonalAnswerSchema), required=True)
    attachments = fields.List(fields.Nested(HeldAttachmentSchema), required=True)
    audit = fields.List(fields.Nested(AuditEntrySchema), required=True)


class SubjectReportSchema(Schema):
    generated_at = fields.AwareDateTime(required=True)
    complete = fields.Boolean(
        required=True, metadata={"description": "false: more requests than one report lists"}
    )
    requests = fields.List(fields.Nested(HeldRequestSchema), required=True)


# --- events -----------------------------------------------------------------------------------


class RetentionEventSchema(Schema):
    request_id = fields.String(required=True)
    area = fields.String(required=True)
    requesting_authority = fields.String(required=True)
    responding_authority = fields.String(required=True, allow_none=True)
    closed_at = fields.AwareDateTime(required=True)


class PersonalDataBlockedSchema(RetentionEventSchema):
    blocked_at = fields.AwareDateTime(required=True)
    erasure_due = fields.AwareDateTime(required=True)


class PersonalDataErasedSchema(RetentionEventSchema):
    erased_at = fields.AwareDateTime(required=True)


class InactiveReportedSchema(Schema):
    request_id = fields.String(required=True)
    area = fields.String(required=True)
    status = fields.String(required=True)
    requesting_authority = fields.String(required=True)
    responding_authority = fields.String(required=True, allow_none=True)
    coordinators = fields.List(fields.String(), required=True)
    last_activity_at = fields.AwareDateTime(required=True)
    inactive_days = fields.Integer(required=True)


class ContestedSchema(Schema):
    request_id = fields.String(required=True)
    area = fields.String(required=True)
    requesting_authority = fields.String(required=True)
    responding_authority = fields.String(required=True, allow_none=True)
    actor_authority = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


EVENTS = publishes(
    "requests",
    {
        "request_personal_data_blocked": PersonalDataBlockedSchema,
        "request_personal_data_erased": PersonalDataErasedSchema,
        "request_inactive_reported": InactiveReportedSchema,
        "request_personal_data_contested": ContestedSchema,
        "request_personal_data_uncontested": ContestedSchema,
    },
)
