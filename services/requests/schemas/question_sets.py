"""The contract of question sets: the generator's documents, their views in a reader's
language, the shared lists, and the events that carry their texts to the catalogue."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.contracts import publishes
from services.common.reference import SUPPORTED_LANGUAGES
from services.common.schemas import StrictSchema, WholeMatch, version_field
from services.requests.question_sets import (
    HELP_LENGTH,
    OPTION_LENGTH,
    QUESTION_LENGTH,
    TITLE_LENGTH,
    AnswerType,
    Kind,
    PqRequestType,
    VersionStatus,
)

KEY = WholeMatch(r"^[a-z][a-z0-9_]*$", error="Lower-case letters, digits and _ only.")
LANGUAGE = validate.OneOf(SUPPORTED_LANGUAGES)


def texts(longest: int, required: bool = True) -> fields.Dict:
    """A text in one or more languages: ``{"en": "...", "de": "..."}``."""
    return fields.Dict(
        keys=fields.String(validate=LANGUAGE),
        values=fields.String(validate=validate.Length(1, longest)),
        required=required,
        validate=validate.Length(1, len(SUPPORTED_LANGUAGES)),
    )


def key(longest: int) -> fields.String:
    return fields.String(required=True, validate=[validate.Length(1, longest), KEY])


class OptionSchema(StrictSchema):
    key = key(40)
    text = texts(OPTION_LENGTH)


class QuestionSchema(StrictSchema):
    key = key(40)
    answer = fields.Enum(AnswerType, by_value=True, required=True)
    text = texts(QUESTION_LENGTH)
    help = texts(HELP_LENGTH, required=False)
    options = fields.List(fields.Nested(OptionSchema), validate=validate.Length(max=40))
    personal_data = fields.Boolean(load_default=False)
    request_types = fields.List(
        fields.Enum(PqRequestType, by_value=True), validate=validate.Length(1, 3)
    )


class GroupSchema(StrictSchema):
    key = key(40)
    title = texts(TITLE_LENGTH)
    questions = fields.List(
        fields.Nested(QuestionSchema), required=True, validate=validate.Length(1, 60)
    )


class QuestionSetDocumentSchema(StrictSchema):
    """One version of a question set, as the generator takes it and a content file ships it."""

    key = key(40)
    area = fields.String(required=True, validate=[validate.Length(1, 64), KEY])
    kind = fields.Enum(Kind, by_value=True, required=True)
    source_language = fields.String(load_default="en", validate=LANGUAGE)
    title = texts(TITLE_LENGTH)
    description = texts(HELP_LENGTH, required=False)
    groups = fields.List(fields.Nested(GroupSchema), required=True, validate=validate.Length(1, 30))


class DraftSchema(StrictSchema):
    document = fields.Nested(QuestionSetDocumentSchema, required=True)


class DraftUpdateSchema(DraftSchema):
    version = version_field()


class PublicationSchema(StrictSchema):
    version = version_field()


class QuestionSetQuerySchema(StrictSchema):
    number = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    language = fields.String(validate=LANGUAGE)


# --- answers ----------------------------------------------------------------------------------


class VersionDocumentSchema(Schema):
    """A version as its editors see it: the whole document, every language it holds."""

    set_key = fields.String(required=True)
    number = fields.Integer(allow_none=True)
    status = fields.String(
        required=True, validate=validate.OneOf([status.value for status in VersionStatus])
    )
    version = fields.Integer(required=True)
    document = fields.Dict(required=True)
    updated_at = fields.AwareDateTime(required=True)
    updated_by = fields.String(allow_none=True)
    published_at = fields.AwareDateTime(allow_none=True)


class LocalisedSchema(Schema):
    """A text in the reader's language; ``fallback``: not yet translated, the source shown."""

    text = fields.String(required=True)
    fallback = fields.Boolean(required=True)


class OptionViewSchema(Schema):
    key = fields.String(required=True)
    text = fields.Nested(LocalisedSchema, required=True)


class QuestionViewSchema(Schema):
    key = fields.String(required=True)
    number = fields.String(required=True)
    answer = fields.String(required=True)
    text = fields.Nested(LocalisedSchema, required=True)
    help = fields.Nested(LocalisedSchema, allow_none=True)
    options = fields.List(fields.Nested(OptionViewSchema), required=True)
    personal_data = fields.Boolean(required=True)
    request_types = fields.List(fields.String(), allow_none=True)


class GroupViewSchema(Schema):
    key = fields.String(required=True)
    number = fields.Integer(required=True)
    title = fields.Nested(LocalisedSchema, required=True)
    questions = fields.List(fields.Nested(QuestionViewSchema), required=True)


class QuestionSetViewSchema(Schema):
    """A published version in the reader's language, numbered, as a request is built from."""

    key = fields.String(required=True)
    area = fields.String(required=True)
    kind = fields.String(required=True)
    number = fields.Integer(required=True)
    language = fields.String(required=True)
    title = fields.Nested(LocalisedSchema, required=True)
    description = fields.Nested(LocalisedSchema, allow_none=True)
    groups = fields.List(fields.Nested(GroupViewSchema), required=True)


class QuestionSetSummarySchema(Schema):
    key = fields.String(required=True)
    area = fields.String(required=True)
    kind = fields.String(required=True)
    published_number = fields.Integer(allow_none=True)
    draft_version = fields.Integer(
        allow_none=True, metadata={"description": "The draft's version, when there is one"}
    )


class QuestionSetListSchema(Schema):
    items = fields.List(fields.Nested(QuestionSetSummarySchema), required=True)


# --- events -----------------------------------------------------------------------------------


class CatalogueEntrySchema(Schema):
    key = fields.String(required=True)
    namespace = fields.String(required=True)
    source_language = fields.String(required=True)
    source_text = fields.String(required=True)
    max_length = fields.Integer(required=True)
    texts = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class QuestionSetPublishedSchema(Schema):
    """A version published: its texts, for the translation service's catalogue."""

    set_key = fields.String(required=True)
    number = fields.Integer(required=True)
    area = fields.String(required=True)
    kind = fields.String(required=True)
    entries = fields.List(fields.Nested(CatalogueEntrySchema), required=True)


class SharedListItemSchema(StrictSchema):
    key = key(40)
    text = texts(OPTION_LENGTH)


class SharedListsSchema(StrictSchema):
    """content/lists.yaml: the shared pre-translated lists (services/requests/shared_lists.py)."""

    cannot_provide_reasons = fields.List(fields.Nested(SharedListItemSchema), required=True)
    pq_request_types = fields.List(fields.Nested(SharedListItemSchema), required=True)
    decline_reasons = fields.List(fields.Nested(SharedListItemSchema), required=True)
    answer_values = fields.List(fields.Nested(SharedListItemSchema), required=True)
    history_actions = fields.List(fields.Nested(SharedListItemSchema), required=True)
    request_statuses = fields.List(fields.Nested(SharedListItemSchema), required=True)
    report_labels = fields.List(fields.Nested(SharedListItemSchema), required=True)


class ListPublishedSchema(Schema):
    """A shared list shipped or changed: its texts, for the translation service's catalogue."""

    list = fields.String(required=True)
    entries = fields.List(fields.Nested(CatalogueEntrySchema), required=True)


EVENTS = publishes(
    "requests",
    {"question_set_published": QuestionSetPublishedSchema, "list_published": ListPublishedSchema},
)
