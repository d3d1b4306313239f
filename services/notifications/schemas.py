"""The notifications service's contract: what its RPC methods take and answer, and the
payload of its events (the published contract of docs/events.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.contracts import publishes
from services.common.schemas import (
    JsonBoolean,
    PageQuerySchema,
    PageSchema,
    StrictSchema,
    WholeMatch,
    version_field,
)
from services.notifications import alerts, generic
from services.notifications.alert_schemas import AlertEventSchema, AlertSettingEventSchema
from services.notifications.domain import MailStatus, Outcome
from services.notifications.generic_schemas import (
    GenericEventSchema,
    NotificationTypeEventSchema,
    NotificationTypeTextsEventSchema,
    RepositoryEventSchema,
)


class EmailUndeliverableSchema(Schema):
    """An email the mail server refused for good or that could not be delivered for two
    days: for operators and the user's administrators; never the address nor the text."""

    message_id = fields.String(required=True)
    template = fields.String(required=True)
    user_id = fields.String(required=True, allow_none=True)
    attempts = fields.Integer(required=True)
    reason = fields.String(required=True)


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


# --- webhook subscriptions: Commission administrators ---------------------------------------


# An endpoint: an absolute http(s) URL in printable ASCII, without credentials (no "@" in its
# host). Deliveries go over https only; plain http to this machine only where the
# configuration allows it (for development).
ENDPOINT = [
    validate.Length(1, 2000),
    WholeMatch(
        r"^https?://[A-Za-z0-9._~%!$&'()*+,;=:\[\]-]+([/?#][\x21-\x7e]*)?$",
        error="An absolute https:// URL without credentials is expected.",
    ),
]
ENDPOINT_DESCRIPTION = "https://, without credentials (http to this machine only in development)"


class WebhookSubscriptionNewSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 100))
    url = fields.String(
        required=True, validate=ENDPOINT, metadata={"description": ENDPOINT_DESCRIPTION}
    )
    events = fields.List(
        fields.String(validate=validate.Regexp(r"^(all|[a-z_]+\.([a-z_]+|\*))$")),
        required=True, validate=validate.Length(1, 200),
        metadata={"description": "Public events (docs/events.md, \"Public events\"): "
                                 "<service>.<event>, <service>.* or all"},
    )  # fmt: skip
    personal_data = JsonBoolean(
        load_default=False,
        metadata={"description": "Whether the system may receive events that name a person"},
    )


class WebhookSubscriptionChangeSchema(StrictSchema):
    version = version_field()
    name = fields.String(validate=validate.Length(1, 100))
    url = fields.String(validate=ENDPOINT, metadata={"description": ENDPOINT_DESCRIPTION})
    events = fields.List(
        fields.String(validate=validate.Regexp(r"^(all|[a-z_]+\.([a-z_]+|\*))$")),
        validate=validate.Length(1, 200),
    )
    personal_data = JsonBoolean()
    active = JsonBoolean()


class VersionSchema(StrictSchema):
    version = version_field()


class WebhookSubscriptionSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    personal_data = fields.Boolean(required=True)
    active = fields.Boolean(required=True)
    version = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    deliveries = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True,
        metadata={"description": "How many deliveries are in each status"},
    )  # fmt: skip


class WebhookSubscriptionWithSecretSchema(WebhookSubscriptionSchema):
    secret = fields.String(
        required=True,
        metadata={"description": "The signing secret (whsec_…): shown this once, keep it"},
    )


class WebhookSubscriptionListSchema(Schema):
    items = fields.List(fields.Nested(WebhookSubscriptionSchema), required=True)


class WebhookDeliverySchema(Schema):
    id = fields.String(required=True, metadata={"description": "The webhook-id header"})
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    subject = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    last_status = fields.Integer(required=True, allow_none=True)
    last_error = fields.String(required=True, allow_none=True)


class WebhookDeliveryListSchema(Schema):
    items = fields.List(fields.Nested(WebhookDeliverySchema), required=True)


class WebhookSubscriptionEventSchema(Schema):
    """webhook_subscription_created / _updated / _deleted: never the URL's secret nor the
    signing secret."""

    subscription_id = fields.String(required=True)
    name = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class WebhookDeliveryDeadSchema(Schema):
    delivery_id = fields.String(required=True)
    subscription_id = fields.String(required=True)
    event_id = fields.String(required=True)
    attempts = fields.Integer(required=True)
    last_status = fields.Integer(required=True, allow_none=True)


EVENTS = publishes(
    "notifications",
    {
        "email_undeliverable": EmailUndeliverableSchema,
        "webhook_subscription_created": WebhookSubscriptionEventSchema,
        "webhook_subscription_updated": WebhookSubscriptionEventSchema,
        "webhook_subscription_deleted": WebhookSubscriptionEventSchema,
        "webhook_delivery_dead": WebhookDeliveryDeadSchema,
        **{name: AlertEventSchema for name in sorted(alerts.EVENTS)},
        "alert_approval_setting_changed": AlertSettingEventSchema,
        **{name: GenericEventSchema for name in sorted(generic.EVENTS)},
        "notification_type_published": NotificationTypeEventSchema,
        "notification_type_texts_published": NotificationTypeTextsEventSchema,
        **{name: RepositoryEventSchema for name in sorted(generic.REPOSITORY_EVENTS)},
    },
)


# --- each user's inbox of notifications -----------------------------------------------------


class InboxQuerySchema(PageQuerySchema):
    unread = fields.Boolean(
        load_default=False, metadata={"description": "Only the notifications not read yet"}
    )


class InboxItemSchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "The email template's key"})
    title = fields.String(required=True, metadata={"description": "In the reader's language"})
    link = fields.String(
        required=True, allow_none=True, metadata={"description": "Where to look, in the system"}
    )
    created_at = fields.AwareDateTime(required=True)
    read = fields.Boolean(required=True)


class InboxPageSchema(PageSchema):
    items = fields.List(fields.Nested(InboxItemSchema), required=True)
    unread = fields.Integer(required=True)


class InboxReadSchema(Schema):
    marked = fields.Integer(required=True, metadata={"description": "How many were unread"})
