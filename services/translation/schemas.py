"""The translation service's contract: what its RPC methods accept and return, and the
payload of its events (``EVENTS``, the published contract of docs/events.md). The gateway
validates HTTP input with these same schemas and builds its OpenAPI document from them."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from services.common.contracts import publishes
from services.common.reference import SUPPORTED_LANGUAGES
from services.common.schemas import (
    MAX_VERSION,
    JsonInteger,
    PageQuerySchema,
    PageSchema,
    StrictSchema,
    WholeMatch,
    version_field,
)
from services.translation.domain import KEY_MAX_LENGTH, LETTER, SOURCE, State, Status

LANGUAGE = validate.OneOf(SUPPORTED_LANGUAGES, error="Not a supported language.")
NAMESPACE = WholeMatch(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", error="Dotted lower-case words.")
KEY = validate.Length(1, KEY_MAX_LENGTH)
MAX_TEXT = 10000
MAX_FILE_CHARACTERS = 4_000_000
MAX_ENTRIES = 2000
MAX_NAMESPACES = 50
MAX_PAGE_SIZE = 200
MAX_REASON = 1000
HAS_CONTENT = validate.Regexp(r"\S", error="Something other than spaces is expected.")
TEXT_STATUSES = [*(status.value for status in Status), SOURCE]


class NamespaceList(fields.List):
    """Namespaces as a list, or as one comma-separated query parameter."""

    def __init__(self, **kwargs):
        super().__init__(
            fields.String(validate=NAMESPACE), validate=validate.Length(max=MAX_NAMESPACES),
            **kwargs,
        )  # fmt: skip

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list):
            raise ValidationError("A list of namespaces is expected.")
        return super()._deserialize(value, attr, data, **kwargs)


# --- reading ------------------------------------------------------------------------------------


class TextQuerySchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    language = fields.String(required=True, validate=LANGUAGE)


class TextSchema(Schema):
    key = fields.String(required=True)
    language = fields.String(required=True)
    text = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"description": "missing, machine, translated, reviewed, source"}
    )
    fallback = fields.Boolean(
        required=True, metadata={"description": "True when the source text stands in"}
    )
    outdated = fields.Boolean(
        required=True, metadata={"description": "The translation predates the source's change"}
    )


class BundleQuerySchema(StrictSchema):
    namespaces = NamespaceList(
        load_default=list,
        metadata={"description": "Namespaces (comma-separated); none: the whole catalogue"},
    )
    since_revision = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=MAX_VERSION),
        metadata={"description": "Only the texts changed after this catalogue revision"},
    )  # fmt: skip


class BundleRequestSchema(BundleQuerySchema):
    language = fields.String(required=True, validate=LANGUAGE)


class BundleTextSchema(Schema):
    text = fields.String(required=True)
    status = fields.String(required=True)
    fallback = fields.Boolean(required=True)
    outdated = fields.Boolean(required=True)


class BundleSchema(Schema):
    language = fields.String(required=True)
    namespaces = fields.List(fields.String(), required=True)
    revision = fields.Integer(
        required=True, metadata={"description": "The catalogue revision the bundle reflects"}
    )
    since_revision = fields.Integer(allow_none=True)
    texts = fields.Dict(keys=fields.String(), values=fields.Nested(BundleTextSchema))


# --- source entries -------------------------------------------------------------------------------


class NewEntrySchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    namespace = fields.String(required=True, validate=NAMESPACE)
    source_language = fields.String(load_default="en", validate=LANGUAGE)
    source_text = fields.String(required=True, validate=validate.Length(1, MAX_TEXT))
    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=2000)
    )
    max_length = JsonInteger(
        load_default=None, allow_none=True, validate=validate.Range(1, MAX_TEXT)
    )


class EntriesRequestSchema(StrictSchema):
    entries = fields.List(
        fields.Nested(NewEntrySchema), required=True, validate=validate.Length(1, MAX_ENTRIES)
    )


class EntrySourceSchema(Schema):
    key = fields.String(required=True)
    namespace = fields.String(required=True)
    source_language = fields.String(required=True)
    source_text = fields.String(required=True)
    source_version = fields.Integer(required=True)
    description = fields.String(allow_none=True)
    max_length = fields.Integer(allow_none=True)
    version = fields.Integer(required=True)


class EntriesSchema(Schema):
    entries = fields.List(fields.Nested(EntrySourceSchema), required=True)


# --- the language management tool -----------------------------------------------------------------


class LanguageCountsSchema(Schema):
    language = fields.String(required=True)
    total = fields.Integer(required=True, metadata={"description": "Entries to translate"})
    missing = fields.Integer(required=True)
    machine = fields.Integer(required=True)
    translated = fields.Integer(required=True)
    reviewed = fields.Integer(required=True)
    outdated = fields.Integer(
        required=True, metadata={"description": "Texts older than their source (any status)"}
    )


class StatusReportSchema(Schema):
    revision = fields.Integer(required=True)
    languages = fields.List(fields.Nested(LanguageCountsSchema), required=True)


class EntryQuerySchema(PageQuerySchema):
    state = fields.String(
        load_default=State.ALL.value, validate=validate.OneOf([state.value for state in State])
    )
    namespace = fields.String(load_default=None, allow_none=True, validate=NAMESPACE)
    page_size = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE_SIZE))


class EntryViewSchema(Schema):
    key = fields.String(required=True)
    namespace = fields.String(required=True)
    language = fields.String(required=True)
    source_language = fields.String(required=True)
    source_text = fields.String(required=True)
    source_version = fields.Integer(required=True)
    description = fields.String(allow_none=True)
    max_length = fields.Integer(allow_none=True)
    text = fields.String(allow_none=True)
    status = fields.String(required=True)
    translated_source_version = fields.Integer(required=True)
    outdated = fields.Boolean(required=True)
    translated_by = fields.String(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    rejected_by = fields.String(
        allow_none=True, metadata={"description": "Who rejected the text (status missing)"}
    )
    rejection_reason = fields.String(
        allow_none=True, metadata={"description": "Why, until the next submission clears it"}
    )
    updated_at = fields.AwareDateTime(allow_none=True)
    version = fields.Integer(
        required=True, metadata={"description": "Give it back when submitting or reviewing"}
    )


class EntryPageSchema(PageSchema):
    items = fields.List(fields.Nested(EntryViewSchema), required=True)


class SubmissionSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(1, MAX_TEXT))
    version = JsonInteger(
        required=True, validate=validate.Range(min=0, max=MAX_VERSION),
        metadata={"description": "The translation's version as read (0 when there is none)"},
    )  # fmt: skip


class ReviewSchema(StrictSchema):
    version = version_field()


class RejectionSchema(ReviewSchema):
    reason = fields.String(
        required=True, validate=[validate.Length(1, MAX_REASON), HAS_CONTENT],
        metadata={"description": "Why the text is sent back, shown to the translators of its "
                                 "language until the next submission"},
    )  # fmt: skip


class ExportQuerySchema(StrictSchema):
    format = fields.String(load_default="xliff", validate=validate.OneOf(["xliff"]))
    namespace = fields.String(load_default=None, allow_none=True, validate=NAMESPACE)
    source_language = fields.String(load_default="en", validate=LANGUAGE)


class ExportSchema(Schema):
    format = fields.String(required=True)
    content_type = fields.String(required=True)
    filename = fields.String(required=True)
    entries = fields.Integer(required=True)
    content = fields.String(required=True)


class ImportSchema(StrictSchema):
    format = fields.String(load_default="xliff", validate=validate.OneOf(["xliff"]))
    content = fields.String(
        required=True, validate=validate.Length(1, MAX_FILE_CHARACTERS),
        metadata={"description": "The XLIFF 2.0 document, as text"},
    )  # fmt: skip


class RefusedUnitSchema(Schema):
    key = fields.String(required=True)
    reason = fields.String(required=True)


class ImportResultSchema(Schema):
    language = fields.String(required=True)
    imported = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    refused = fields.List(fields.Nested(RefusedUnitSchema), required=True)


# --- events ---------------------------------------------------------------------------------------


class TextsChangedSchema(Schema):
    """``texts_changed``: refresh the bundles of ``namespace`` in these languages."""

    namespace = fields.String(required=True)
    keys = fields.List(fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    revision = fields.Integer(required=True)


class EntryEventSchema(Schema):
    """``entry_registered`` and ``entry_source_changed``: keys and versions, never texts."""

    key = fields.String(required=True)
    namespace = fields.String(required=True)
    source_language = fields.String(required=True, validate=LANGUAGE)
    source_version = fields.Integer(required=True)


class TranslationEventSchema(Schema):
    """``translation_submitted``, ``translation_reviewed`` and ``translation_rejected``
    (status ``missing``; the reason stays in the catalogue, as texts do)."""

    key = fields.String(required=True)
    language = fields.String(required=True, validate=LANGUAGE)
    status = fields.String(required=True)
    source_version = fields.Integer(required=True)
    version = fields.Integer(required=True)


class TranslationsImportedSchema(Schema):
    """``translations_imported``: which keys of a language an XLIFF import changed."""

    language = fields.String(required=True, validate=LANGUAGE)
    keys = fields.List(fields.String(), required=True)
    by = fields.String(required=True)


# --- machine translation ------------------------------------------------------------------------

# A language is recognised by letters: a text needs one (detection.py checks the same).
HAS_LETTER = validate.Regexp(LETTER, error="The text has no letters to recognise a language by.")
# TRANSLATION.MAX_TEXT_CHARS's default: a larger setting does not widen the API's contract.
MAX_MACHINE_TEXT = 5000
# The personal data a caller may ask to mask in one text: a subject's fields, not a register.
MAX_PERSONAL_VALUES = 50
MAX_PERSONAL_VALUE = 200
NOT_BLANK = validate.Regexp(r"\S", error="A value to mask needs a character other than a space.")


class MachineTranslationRequestSchema(StrictSchema):
    """Free text to translate; without ``source`` its language is detected. The service's
    own limit (TRANSLATION.MAX_TEXT_CHARS) may be lower. ``personal_data``: values the caller
    knows to be personal data (the subject's names, date of birth, identity numbers,
    address), masked before an external engine wherever and however the text writes them."""

    text = fields.String(required=True, validate=[validate.Length(1, MAX_MACHINE_TEXT), HAS_LETTER])
    source = fields.String(load_default=None, allow_none=True, validate=LANGUAGE)
    target = fields.String(required=True, validate=LANGUAGE)
    personal_data = fields.List(
        fields.String(validate=[validate.Length(1, MAX_PERSONAL_VALUE), NOT_BLANK]),
        load_default=list,
        validate=validate.Length(max=MAX_PERSONAL_VALUES),
        metadata={"description": "Values to mask before an external engine (optional)."},
    )


class MachineTranslationSchema(Schema):
    """A machine translation, labelled as such, beside the original; or a pending job."""

    machine_translation = fields.Boolean(required=True)
    engine = fields.String(required=True)
    original = fields.String(required=True)
    text = fields.String(allow_none=True)
    source_language = fields.String(required=True)
    target_language = fields.String(required=True)
    detected = fields.Boolean(required=True)
    status = fields.String(
        required=True, metadata={"enum": ["done", "submitting", "pending", "failed", "expired"]}
    )
    job_id = fields.String(allow_none=True)
    error = fields.String(allow_none=True)


class DetectionRequestSchema(StrictSchema):
    text = fields.String(required=True, validate=[validate.Length(1, MAX_MACHINE_TEXT), HAS_LETTER])


class DetectionSchema(Schema):
    language = fields.String(required=True)
    confidence = fields.Float(required=True)
    reliable = fields.Boolean(required=True)


class CallbackQuerySchema(StrictSchema):
    """The secret the callback URL of a job carries."""

    token = fields.String(required=True, validate=validate.Length(16, 100))


class CallbackAnswerSchema(Schema):
    job_id = fields.String(required=True)
    status = fields.String(required=True)


class InformalTitlesTranslatedSchema(Schema):
    """``informal_titles_translated``: machine translations of an authority's informal title
    for the languages it lacked."""

    authority_id = fields.String(required=True, validate=validate.Length(1, 64))
    titles = fields.Dict(
        keys=fields.String(validate=LANGUAGE), values=fields.String(), required=True
    )
    status = fields.String(required=True, validate=validate.Equal("machine"))
    engine = fields.String(required=True)


# A value an engine posts: text or a whole number (form-encoded, everything is text).
SCALAR = ["string", "integer"]
# A whole number travels on to the service as JSON, whose encoder takes 64 bits at most.
WHOLE_RANGE = {"minimum": -(2**63), "maximum": 2**63 - 1}


def _scalar(value) -> None:
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not (isinstance(value, str) or whole):
        raise ValidationError("Text or a whole number is expected.")
    if whole and not WHOLE_RANGE["minimum"] <= value <= WHOLE_RANGE["maximum"]:
        raise ValidationError("A whole number of at most 64 bits is expected.")


class CallbackBodySchema(Schema):
    """What an eTranslation-style engine posts to a job's callback URL (form-encoded or JSON):
    the translation, or the error of the error callback. Other fields the engine adds are
    passed on; the service checks the answer (services/translation/machine/etranslation.py)."""

    class Meta:
        unknown = INCLUDE

    request_id = fields.Raw(
        data_key="request-id", validate=_scalar,
        metadata={"description": "The engine's request id (a number)", "type": SCALAR,
                  **WHOLE_RANGE},
    )  # fmt: skip
    target_language = fields.String(data_key="target-language")
    translated_text = fields.String(data_key="translated-text")
    external_reference = fields.String(data_key="external-reference")
    error_code = fields.Raw(
        data_key="error-code", validate=_scalar, metadata={"type": SCALAR, **WHOLE_RANGE}
    )

    # what the check below takes of the fields an engine adds
    JSON_SCHEMA = {"additionalProperties": {"type": SCALAR, **WHOLE_RANGE}}

    @validates_schema(pass_original=True)
    def added_fields_are_scalars(self, data, original, **kwargs):
        declared = {field.data_key or name for name, field in self.load_fields.items()}
        for name, value in original.items():
            if name not in declared:
                try:
                    _scalar(value)
                except ValidationError as error:
                    raise ValidationError(error.messages, name) from None

    error_message = fields.String(data_key="error-message")


EVENTS = publishes(
    "translation",
    {
        "texts_changed": TextsChangedSchema,
        "entry_registered": EntryEventSchema,
        "entry_source_changed": EntryEventSchema,
        "translation_submitted": TranslationEventSchema,
        "translation_reviewed": TranslationEventSchema,
        "translation_rejected": TranslationEventSchema,
        "translations_imported": TranslationsImportedSchema,
        "informal_titles_translated": InformalTitlesTranslatedSchema,
    },
)
