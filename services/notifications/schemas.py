"""The notifications service's contract: what its RPC methods take and answer, and the
payload of its events (the published contract of docs/events.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.contracts import publishes
from services.common.schemas import PageQuerySchema, PageSchema
from services.notifications import alerts
from services.notifications.alert_schemas import AlertEventSchema, AlertSettingEventSchema
from services.notifications.domain import MailStatus, Outcome


class EmailUndeliverableSchema(Schema):
    """An email the mail server refused for good or that could not be delivered for two
    days: for operators and the user's administrators; never the address nor the text."""

    message_id = fields.String(required=True)
    template = fields.String(required=True)
    user_id = fields.String(required=True, allow_none=True)
    attempts = fields.Integer(required=True)
    reason = fields.String(required=True)


EVENTS = publishes(
    "notifications",
    {
        "email_undeliverable": EmailUndeliverableSchema,
        **{name: AlertEventSchema for name in sorted(alerts.EVENTS)},
        "alert_approval_setting_changed": AlertSettingEventSchema,
    },
)


# --- the delivery log: Commission administrators ---------------------------------------------


class MailLogQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf([status.value for status in MailStatus]))
    template = fields.String(validate=validate.Length(1, 64))
    recipient = fields.String(validate=validate.Length(1, 254))


class DeliveryAttemptSchema(Schema):
    attempt = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True)
    outcome = fields.String(
        required=True, validate=validate.OneOf([outcome.value for outcome in Outcome])
    )
    smtp_code = fields.Integer(required=True, allow_none=True)
    detail = fields.String(required=True)


class MailLogEntrySchema(Schema):
    id = fields.String(required=True)
    message_id = fields.String(required=True, metadata={"description": "The Message-ID header"})
    template = fields.String(required=True)
    language = fields.String(required=True)
    recipient = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(required=True, allow_none=True)
    next_attempt_at = fields.AwareDateTime(required=True, allow_none=True)
    last_error = fields.String(required=True, allow_none=True)
    log = fields.List(fields.Nested(DeliveryAttemptSchema), required=True)


class MailLogPageSchema(PageSchema):
    items = fields.List(fields.Nested(MailLogEntrySchema), required=True)
