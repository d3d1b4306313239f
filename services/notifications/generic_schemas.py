"""The contract of generic notifications (docs/generic-notifications.md): notification types
as a Commission administrator writes them, a notification's creation, steps and views, the
repository entries, and the payload of their events (ids, type keys, statuses and member
states: never the content)."""

from __future__ import annotations

import math

from marshmallow import Schema, fields, validate

from services.common.reference import EEA_COUNTRIES
from services.common.schemas import (
    JsonBoolean,
    PageQuerySchema,
    PageSchema,
    StrictSchema,
    version_field,
)
from services.notifications.generic import (
    KEY,
    LABEL_MAX,
    NAME,
    NUMBER_MAX,
    SENDER_RIGHTS,
    TEXT_MAX,
    TYPE_KEY,
    Action,
    FieldKind,
    Receivers,
    Status,
)

STATES = validate.OneOf(EEA_COUNTRIES)
LABEL = validate.Length(1, LABEL_MAX)
CODE = validate.Regexp(KEY.pattern)
BOXES = ("outgoing", "incoming", "all")


# --- notification types ------------------------------------------------------------------------


class TypeFieldInputSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Regexp(NAME.pattern))
    label = fields.String(required=True, validate=LABEL, metadata={"description": "In English"})
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in FieldKind]))
    required = JsonBoolean(load_default=False)
    personal_data = JsonBoolean(
        load_default=False,
        metadata={"description": "Never copied to a repository; erased on closure or "
                  "withdrawal"},
    )  # fmt: skip
    options = fields.List(
        fields.String(validate=validate.Regexp(NAME.pattern)), validate=validate.Length(1, 50),
        metadata={"description": "The values of a choice field"},
    )  # fmt: skip
    option_labels = fields.Dict(
        keys=fields.String(validate=validate.Regexp(NAME.pattern)),
        values=fields.String(validate=LABEL),
        metadata={"description": "The English label of each option (the value by default)"},
    )  # fmt: skip


class NotificationTypeChangeSchema(StrictSchema):
    area = fields.String(required=True, validate=CODE)
    title = fields.String(required=True, validate=LABEL, metadata={"description": "In English"})
    fields_ = fields.List(
        fields.Nested(TypeFieldInputSchema), required=True, validate=validate.Length(1, 50),
        data_key="fields",
    )  # fmt: skip
    senders = fields.List(
        fields.String(validate=validate.OneOf([right.value for right in SENDER_RIGHTS])),
        required=True, validate=validate.Length(1, 2),
        metadata={"description": "The rights (in the type's area) that send, read and receive "
                  "notifications of this type; the first is emailed"},
    )  # fmt: skip
    receivers = fields.String(
        required=True, validate=validate.OneOf([r.value for r in Receivers]),
        metadata={"description": "chosen_states (the sender picks member states), all_states "
                  "or commission"},
    )  # fmt: skip
    repository = fields.String(
        load_default=None, allow_none=True, validate=CODE,
        metadata={"description": "The repository a broadcast notification feeds"},
    )  # fmt: skip
    active = JsonBoolean(load_default=True, metadata={"description": "New drafts allowed"})


class NotificationTypeNewSchema(NotificationTypeChangeSchema):
    key = fields.String(
        required=True, validate=validate.Regexp(TYPE_KEY.pattern),
        metadata={"description": "Its texts' catalogue keys begin notification_type.<key>."},
    )  # fmt: skip


class NotificationTypeEditSchema(NotificationTypeChangeSchema):
    version = version_field(metadata={"description": "The type's latest version, as read"})


class TypeOptionSchema(Schema):
    value = fields.String(required=True)
    label = fields.String(required=True)
    label_key = fields.String(required=True)


class TypeFieldSchema(Schema):
    name = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "The English source"})
    label_key = fields.String(required=True, metadata={"description": "Its catalogue key"})
    kind = fields.String(required=True)
    required = fields.Boolean(required=True)
    personal_data = fields.Boolean(required=True)
    options = fields.List(fields.Nested(TypeOptionSchema), required=True)


class NotificationTypeSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    area = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "The English source"})
    title_key = fields.String(required=True, metadata={"description": "Its catalogue key"})
    fields_ = fields.List(fields.Nested(TypeFieldSchema), required=True, data_key="fields")
    senders = fields.List(fields.String(), required=True)
    receivers = fields.String(required=True)
    repository = fields.String(required=True, allow_none=True)
    active = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)


class NotificationTypeListSchema(Schema):
    items = fields.List(fields.Nested(NotificationTypeSchema), required=True)


class NotificationTypeQuerySchema(StrictSchema):
    area = fields.String(validate=CODE)


# --- notifications --------------------------------------------------------------------------


class ContentValue(fields.Raw):
    """A value of a notification's field: a text (a date and a choice are texts too), a
    number, true or false, or null for an empty optional field; never a list or an object.
    Which of them a field takes is its type's (services.notifications.generic)."""

    default_error_messages = {"invalid": "A text, a number, true, false or null is expected."}

    def __init__(self, **kwargs):
        json_schema = {"type": ["string", "number", "boolean"], "maxLength": TEXT_MAX,
                       "minimum": -NUMBER_MAX, "maximum": NUMBER_MAX}  # fmt: skip
        super().__init__(allow_none=True, metadata=json_schema, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and len(value) <= TEXT_MAX:
            return value
        if isinstance(value, int | float) and math.isfinite(value) and abs(value) <= NUMBER_MAX:
            return value
        raise self.make_error("invalid")


def content_field(**kwargs) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.Length(1, 40)), values=ContentValue(), **kwargs
    )


class NotificationNewSchema(StrictSchema):
    type_key = fields.String(required=True, validate=CODE)
    member_states = fields.List(
        fields.String(validate=STATES), load_default=list, validate=validate.Length(0, 30),
        metadata={"description": "For a type whose receivers are chosen_states"},
    )  # fmt: skip
    content = content_field(required=True, metadata={"description": "The type's fields by name"})


class NotificationActionSchema(StrictSchema):
    version = version_field()
    content = content_field(metadata={"description": "edit_draft, modify: the whole new content"})
    member_states = fields.List(
        fields.String(validate=STATES), validate=validate.Length(0, 30),
        metadata={"description": "edit_draft: the member states chosen"},
    )  # fmt: skip
    text = fields.String(validate=validate.Length(1, TEXT_MAX), metadata={
        "description": "comment: its text"})  # fmt: skip


class GenericRecipientSchema(Schema):
    authority_id = fields.String(required=True)
    member_state = fields.String(required=True)
    added_at = fields.AwareDateTime(required=True)


class GenericCommentSchema(Schema):
    id = fields.String(required=True)
    authority_id = fields.String(required=True)
    user_id = fields.String(required=True)
    text = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class GenericHistorySchema(Schema):
    action = fields.String(required=True)
    status = fields.String(required=True)
    edition = fields.Integer(required=True)
    user_id = fields.String(required=True)
    authority_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class NotificationViewSchema(Schema):
    id = fields.String(required=True)
    type_key = fields.String(required=True)
    type_version = fields.Integer(required=True)
    type_title_key = fields.String(required=True)
    area = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    version = fields.Integer(required=True)
    edition = fields.Integer(required=True, metadata={"description": "The broadcast content's"})
    sender_authority = fields.String(required=True)
    sender_state = fields.String(required=True)
    member_states = fields.List(fields.String(), required=True)
    content = fields.Dict(required=True)
    personal_data_erased = fields.Boolean(required=True)
    repository = fields.String(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    broadcast_at = fields.AwareDateTime(required=True, allow_none=True)
    closed_at = fields.AwareDateTime(required=True, allow_none=True)
    recipients = fields.List(fields.Nested(GenericRecipientSchema), required=True)
    comments = fields.List(fields.Nested(GenericCommentSchema), required=True)
    history = fields.List(fields.Nested(GenericHistorySchema), required=True)
    actions = fields.List(
        fields.String(validate=validate.OneOf([a.value for a in Action])), required=True
    )


class NotificationListQuerySchema(PageQuerySchema):
    box = fields.String(
        load_default="all", validate=validate.OneOf(BOXES),
        metadata={"description": "outgoing: my authority's; incoming: broadcast to it"},
    )  # fmt: skip
    type_key = fields.String(validate=CODE)
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))


class NotificationSummarySchema(Schema):
    id = fields.String(required=True)
    type_key = fields.String(required=True)
    type_title_key = fields.String(required=True)
    area = fields.String(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    edition = fields.Integer(required=True)
    sender_authority = fields.String(required=True)
    sender_state = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    broadcast_at = fields.AwareDateTime(required=True, allow_none=True)


class NotificationListSchema(PageSchema):
    items = fields.List(fields.Nested(NotificationSummarySchema), required=True)


# --- repositories -------------------------------------------------------------------------------


class RepositoryQuerySchema(PageQuerySchema):
    member_state = fields.String(validate=STATES)
    type_key = fields.String(validate=CODE)


class RepositoryEntrySchema(Schema):
    repository = fields.String(required=True)
    notification_id = fields.String(required=True)
    type_key = fields.String(required=True)
    fields_ = fields.Dict(
        required=True, data_key="fields",
        metadata={"description": "The notification's fields without personal data"},
    )  # fmt: skip
    authority_id = fields.String(required=True)
    member_state = fields.String(required=True)
    edition = fields.Integer(required=True)
    broadcast_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    closed_at = fields.AwareDateTime(required=True, allow_none=True)


class RepositoryPageSchema(PageSchema):
    items = fields.List(fields.Nested(RepositoryEntrySchema), required=True)


# --- events -------------------------------------------------------------------------------------


class GenericEventSchema(Schema):
    """generic_notification_*: ids, the type, status and member states; never the content."""

    notification_id = fields.String(required=True)
    type_key = fields.String(required=True)
    type_version = fields.Integer(required=True)
    area = fields.String(required=True)
    status = fields.String(required=True)
    sender_authority = fields.String(required=True)
    sender_state = fields.String(required=True)
    member_states = fields.List(fields.String(), required=True)
    authority_ids = fields.List(fields.String(), required=True)
    actor_authority = fields.String(required=True)
    edition = fields.Integer(required=True)
    version = fields.Integer(required=True)


class NotificationTypeEventSchema(Schema):
    """notification_type_published: a type's new version (a Commission administrator's or
    a shipped one), with the catalogue keys of its texts."""

    type_key = fields.String(required=True)
    version = fields.Integer(required=True)
    area = fields.String(required=True)
    receivers = fields.String(required=True)
    repository = fields.String(required=True, allow_none=True)
    active = fields.Boolean(required=True)
    text_keys = fields.List(fields.String(), required=True)


class TypeTextEntrySchema(Schema):
    key = fields.String(required=True)
    namespace = fields.String(required=True)
    source_language = fields.String(required=True)
    source_text = fields.String(required=True)
    max_length = fields.Integer(required=True)
    description = fields.String(required=True)


class NotificationTypeTextsEventSchema(Schema):
    """notification_type_texts_published: the user-facing texts of a type's new version (its
    title, field labels and option labels, in English), for the translation catalogue."""

    type_key = fields.String(required=True)
    version = fields.Integer(required=True)
    area = fields.String(required=True)
    entries = fields.List(fields.Nested(TypeTextEntrySchema), required=True)


class RepositoryEventSchema(Schema):
    """repository_entry_recorded / _removed."""

    repository = fields.String(required=True)
    notification_id = fields.String(required=True)
    type_key = fields.String(required=True)
    area = fields.String(required=True)
    member_state = fields.String(required=True)
    authority_id = fields.String(required=True)
    edition = fields.Integer(required=True)
