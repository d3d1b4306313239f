"""The contract of requests: what creating, editing, acting on, answering, commenting and
listing take and answer, and the payload of the events of their life cycle."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from services.common.contracts import publishes
from services.common.folding import fold
from services.common.schemas import StrictSchema, WholeMatch, version_field
from services.requests.answers import TEXT_LENGTH
from services.requests.attachment_schemas import AttachmentSchema
from services.requests.question_sets import PqRequestType
from services.requests.schemas.question_sets import (
    KEY,
    LANGUAGE,
    LocalisedSchema,
    OptionViewSchema,
)
from services.requests.urgency import Reason
from services.requests.workflow import EVENTS as TRANSITION_EVENTS
from services.requests.workflow import Action
from services.requests.workflow_state import Status

NUMBER = WholeMatch(r"^[1-9][0-9]{0,2}\.[1-9][0-9]{0,2}$", error="A question number such as 2.3.")
ID = validate.Length(1, 64)
UUID = WholeMatch(r"^[0-9a-f-]{36}$", error="An id such as 3f2b…, 36 characters.")
FREE_TEXT = validate.Length(1, 4000)
REFERENCE_CODE = WholeMatch(
    r"^[a-z0-9][a-z0-9_.-]{0,63}$", error="A code of lower-case letters, digits, _ . or -."
)
STATUSES = [status.value for status in Status]
URGENCY_REASONS = [reason.value for reason in Reason]
_ONE_STATUS = "|".join(STATUSES)
STATUS_LIST = WholeMatch(
    rf"^({_ONE_STATUS})(,({_ONE_STATUS}))*$",
    error=f"Statuses separated by commas, each one of: {', '.join(STATUSES)}.",
)
# The actions taken at /requests/{id}/actions/{action}: all but those with routes of their own
# (creating, editing a draft, saving the reply draft).
OWN_ROUTES = frozenset({Action.CREATE_DRAFT, Action.EDIT_DRAFT, Action.SAVE_REPLY_DRAFT})
ACTIONS = tuple(action.value for action in Action if action not in OWN_ROUTES)


def question_numbers(longest: int = 200, **kwargs) -> fields.List:
    return fields.List(
        fields.String(validate=NUMBER), validate=validate.Length(max=longest), **kwargs
    )


class IdentityNumberSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.Length(1, 40))
    value = fields.String(required=True, validate=validate.Length(1, 60))


class SubjectSchema(StrictSchema):
    """The person or business the request is about: personal data, shown only to the views
    with it, and masked before any external translation engine."""

    full_name = fields.String(required=True, validate=validate.Length(1, 200))
    other_names = fields.List(
        fields.String(validate=validate.Length(1, 200)), validate=validate.Length(max=5)
    )
    date_of_birth = fields.Date()
    place_of_birth = fields.String(validate=validate.Length(1, 120))
    nationality = fields.String(validate=WholeMatch(r"^[A-Z]{2}$", error="A country code."))
    identity_numbers = fields.List(
        fields.Nested(IdentityNumberSchema), validate=validate.Length(max=5)
    )
    address = fields.String(validate=validate.Length(1, 300))
    business_name = fields.String(validate=validate.Length(1, 200))


class SubjectViewSchema(SubjectSchema):
    date_of_birth = fields.String(metadata={"format": "date"})


class NewRequestSchema(StrictSchema):
    set_key = fields.String(required=True, validate=[validate.Length(1, 40), KEY])
    set_number = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    pq_type = fields.Enum(PqRequestType, by_value=True)
    questions = question_numbers(required=True)
    responder_id = fields.String(validate=ID)
    coordinator_id = fields.String(
        validate=ID, metadata={"description": "The request coordinator, when several are linked"}
    )
    subject = fields.Nested(SubjectSchema, required=True)
    description = fields.String(validate=FREE_TEXT)
    language = fields.String(validate=LANGUAGE)
    profession = fields.String(
        validate=REFERENCE_CODE,
        metadata={"description": "Professional Qualifications: a code of the directory's list "
                  "profession, for the statistics"},
    )  # fmt: skip
    sector = fields.String(
        validate=REFERENCE_CODE,
        metadata={"description": "A code of the directory's list economic_activity (a NACE "
                  "section or division) the request's business works in, for the statistics"},
    )  # fmt: skip


class DraftEditSchema(StrictSchema):
    version = version_field()
    questions = question_numbers()
    responder_id = fields.String(validate=ID)
    subject = fields.Nested(SubjectSchema)
    description = fields.String(validate=FREE_TEXT, allow_none=True)
    language = fields.String(validate=LANGUAGE)
    profession = fields.String(validate=REFERENCE_CODE, allow_none=True)
    sector = fields.String(validate=REFERENCE_CODE, allow_none=True)


class CopySchema(StrictSchema):
    elements = fields.List(
        fields.String(
            validate=validate.OneOf(["questions", "responder", "subject", "description"])
        ),
        required=True,
        validate=validate.Length(1, 4),
    )


class ActionSchema(StrictSchema):
    """An action of the workflow at the version read, with the inputs it takes."""

    version = version_field()
    questions = question_numbers()
    to = fields.String(validate=ID, metadata={"description": "The authority forwarded to"})
    handlers = fields.List(fields.String(validate=UUID), validate=validate.Length(1, 50))
    date = fields.Date()
    reason = fields.String(validate=FREE_TEXT)
    reason_key = fields.String(validate=[validate.Length(1, 40), KEY])
    justification = fields.String(validate=FREE_TEXT)
    opinion = fields.String(validate=FREE_TEXT)
    feedback = fields.String(validate=FREE_TEXT)
    rating = fields.Integer(validate=validate.Range(1, 5))
    language = fields.String(validate=LANGUAGE)


class AnswerInputSchema(StrictSchema):
    question = fields.String(required=True, validate=NUMBER)
    value = fields.Raw(
        allow_none=True,
        metadata={"description": "true/false, an option key, a list of option keys, a date "
                  "(YYYY-MM-DD), a text, or a list of attachment ids, by the answer type"},
    )  # fmt: skip
    cannot_provide = fields.String(
        allow_none=True, validate=[validate.Length(1, 40), KEY],
        metadata={"description": "A reason of the list cannot_provide_reasons"},
    )  # fmt: skip
    text = fields.String(allow_none=True, validate=validate.Length(1, TEXT_LENGTH))
    language = fields.String(validate=LANGUAGE)


class ReplyDraftSchema(StrictSchema):
    version = version_field()
    answers = fields.List(
        fields.Nested(AnswerInputSchema), required=True, validate=validate.Length(1, 200)
    )


class CommentInputSchema(StrictSchema):
    text = fields.String(required=True, validate=FREE_TEXT)
    question = fields.String(validate=NUMBER)
    language = fields.String(validate=LANGUAGE)


class RequestQuerySchema(StrictSchema):
    language = fields.String(validate=LANGUAGE)


def _names_a_word(value: str) -> None:
    """A search by subject looks for the words of names (services/requests/subject_words.py)."""
    if not fold(value):
        raise SchemaError("Words of a name: at least one letter or digit.")


class ListQuerySchema(StrictSchema):
    box = fields.String(
        load_default="all",
        validate=validate.OneOf(
            ["all", "incoming", "outgoing", "coordinated", "actions", "urgent"]
        ),
        metadata={"description": "urgent: the urgency list, most late first"},
    )
    status = fields.String(
        validate=[validate.Length(1, 400), STATUS_LIST],
        metadata={"description": "Statuses separated by commas: sent,accepted"},
    )
    area = fields.String(validate=[validate.Length(1, 64), KEY])
    requester = fields.String(validate=ID)
    responder = fields.String(validate=ID)
    created_from = fields.AwareDateTime()
    created_to = fields.AwareDateTime()
    sent_from = fields.AwareDateTime()
    sent_to = fields.AwareDateTime()
    updated_from = fields.AwareDateTime()
    updated_to = fields.AwareDateTime()
    question = fields.String(
        validate=[validate.Length(1, 40), KEY], metadata={"description": "A question's key"}
    )
    subject = fields.String(
        validate=[validate.Length(2, 200), _names_a_word],
        metadata={"description": "Words of the subject's names, each whole, in any order"},
    )
    cursor = fields.String(validate=validate.Length(1, 200))
    limit = fields.Integer(load_default=25, validate=validate.Range(1, 100))


class TextTranslationRequestSchema(StrictSchema):
    text = fields.String(
        required=True,
        validate=[
            validate.Length(1, 60),
            WholeMatch(
                r"^(description|(answer|comment|history):[0-9a-f-]{1,36})$",
                error="description, answer:<id>, comment:<id> or history:<id>.",
            ),
        ],
    )
    target = fields.String(required=True, validate=LANGUAGE)


def area_field() -> fields.String:
    """A legislative area's code, as the directory's list writes it."""
    return fields.String(required=True, validate=[validate.Length(1, 64), KEY])


class AreaPathSchema(StrictSchema):
    area = area_field()


class AreaSettingsInputSchema(StrictSchema):
    """An area's settings; those left out keep their value (their default for a new area)."""

    version = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    forwarding_after_acceptance = fields.Boolean(required=True)
    acceptance_days = fields.Integer(
        validate=validate.Range(1, 90),
        metadata={"description": "Days after sending that a request not accepted is urgent"},
    )
    blocking_months = fields.Integer(
        validate=validate.Range(6, 18),
        metadata={"description": "Months after closure that personal data is blocked"},
    )
    pilot = fields.Boolean(
        metadata={"description": "A pilot area is left out of the pending-request figures"}
    )

    @validates_schema
    def _boolean(self, data: dict, **kwargs) -> None:
        for name in ("forwarding_after_acceptance", "pilot"):
            if name in data and not isinstance(data[name], bool):
                raise SchemaError("true or false.", name)


# --- answers ----------------------------------------------------------------------------------


class PartySchema(Schema):
    authority_id = fields.String(required=True)
    member_state = fields.String(required=True)
    coordinator_id = fields.String(allow_none=True)
    languages = fields.List(
        fields.String(), required=True, metadata={"description": "The languages it understands"}
    )


class FreeTextSchema(Schema):
    text = fields.String(required=True)
    language = fields.String(allow_none=True)


class ReasonSchema(Schema):
    key = fields.String(required=True)
    text = fields.String(required=True)
    fallback = fields.Boolean(required=True)


class AnswerSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "Its text is answer:<id>"})
    reply = fields.Integer(required=True, metadata={"description": "0: the reply draft"})
    draft = fields.Boolean(required=True)
    withheld = fields.Boolean(
        required=True, metadata={"description": "Personal data this reader may not see"}
    )
    value = fields.Raw(allow_none=True)
    cannot_provide = fields.Nested(ReasonSchema, allow_none=True)
    text = fields.Nested(FreeTextSchema, allow_none=True)
    saved_at = fields.AwareDateTime(required=True)


class RequestQuestionSchema(Schema):
    key = fields.String(required=True)
    number = fields.String(required=True)
    group = fields.Nested(LocalisedSchema, required=True)
    answer = fields.String(required=True)
    text = fields.Nested(LocalisedSchema, required=True)
    help = fields.Nested(LocalisedSchema, allow_none=True)
    options = fields.List(fields.Nested(OptionViewSchema), required=True)
    personal_data = fields.Boolean(required=True)
    request_types = fields.List(fields.String(), allow_none=True)
    answered = fields.Boolean(required=True)
    answers = fields.List(fields.Nested(AnswerSchema), required=True)


class CommentSchema(Schema):
    id = fields.String(required=True)
    question = fields.String(allow_none=True)
    side = fields.String(required=True)
    authority_id = fields.String(required=True)
    username = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    text = fields.Nested(FreeTextSchema, required=True)


class HistoryEntrySchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "Its text is history:<id>"})
    action = fields.String(required=True)
    label = fields.Nested(
        LocalisedSchema, required=True, metadata={"description": "The action, in the language"}
    )
    status = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    username = fields.String(allow_none=True)
    authority_id = fields.String(allow_none=True)
    data = fields.Dict(required=True)
    text = fields.Nested(FreeTextSchema, allow_none=True)


class EditorSchema(Schema):
    user_id = fields.String(required=True)
    username = fields.String(required=True)
    since = fields.AwareDateTime(required=True)


class ReplyDateSchema(Schema):
    date = fields.Date(required=True)
    proposed_by = fields.String(required=True)
    agreed = fields.Boolean(required=True)


class RequestViewSchema(Schema):
    """A request in the reader's view: monitoring fields for all, content for the views with
    it, the subject only for those who may see personal data."""

    id = fields.String(required=True)
    area = fields.String(required=True)
    set_key = fields.String(required=True)
    set_number = fields.Integer(required=True)
    pq_type = fields.String(allow_none=True)
    profession = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    status_label = fields.Nested(
        LocalisedSchema, required=True, metadata={"description": "The status, in the language"}
    )
    view = fields.String(required=True)
    version = fields.Integer(required=True)
    language = fields.String(required=True)
    requester = fields.Nested(PartySchema, required=True)
    responder = fields.Nested(PartySchema, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    blocked_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Since then its personal data is hidden"}
    )
    erased_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Since then its personal data is deleted"}
    )
    contested = fields.Boolean(
        required=True, metadata={"description": "Its blocked personal data is contested"}
    )
    updated_at = fields.AwareDateTime(required=True)
    updated_by = fields.String(allow_none=True)
    updated_by_username = fields.String(allow_none=True)
    linked_from = fields.String(allow_none=True)
    linked_requests = fields.List(fields.String(), required=True)
    actions = fields.List(fields.String(), required=True)
    being_edited_by = fields.List(fields.Nested(EditorSchema), required=True)
    questions = fields.List(fields.Nested(RequestQuestionSchema))
    description = fields.Nested(FreeTextSchema, allow_none=True)
    reply_date = fields.Nested(ReplyDateSchema, allow_none=True)
    additional_information_questions = fields.List(fields.String())
    allocated_handlers = fields.List(fields.String())
    comments = fields.List(fields.Nested(CommentSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))
    history = fields.List(fields.Nested(HistoryEntrySchema))
    subject = fields.Nested(SubjectViewSchema, allow_none=True)
    subject_withheld = fields.Boolean()


class RequestReferenceSchema(Schema):
    """A request just created or changed, for a caller that asked for no view of it
    (``Prefer: return=minimal``): what it needs to read it or to change it again."""

    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    version = fields.Integer(required=True)


class ActionOutcomeSchema(Schema):
    """What an action did: the request's new status and, if the actor may still see it, the
    request in its view (none after forwarding it away, or when the caller asked for none)."""

    request_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    version = fields.Integer(required=True)
    visible = fields.Boolean(
        required=True, metadata={"description": "Whether the actor may still read the request"}
    )
    request = fields.Nested(RequestViewSchema, allow_none=True)


class TextTranslationSchema(Schema):
    """A machine translation of a request's free text, labelled as such, beside the original
    and the language it was written in (or a pending job of the engine)."""

    text_reference = fields.String(required=True)
    machine_translation = fields.Boolean(required=True)
    engine = fields.String(required=True)
    original = fields.String(required=True)
    original_language = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    source_language = fields.String(required=True)
    target_language = fields.String(required=True)
    status = fields.String(required=True)
    job_id = fields.String(allow_none=True)
    error = fields.String(allow_none=True)


class RequestSummarySchema(Schema):
    id = fields.String(required=True)
    area = fields.String(required=True)
    set_key = fields.String(required=True)
    pq_type = fields.String(allow_none=True)
    status = fields.String(required=True)
    view = fields.String(required=True)
    requester_id = fields.String(required=True)
    responder_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(required=True)
    blocked_at = fields.AwareDateTime(allow_none=True)
    erased_at = fields.AwareDateTime(allow_none=True)
    contested = fields.Boolean(required=True)
    subject_name = fields.String(allow_none=True)
    actions = fields.List(fields.String(), required=True)
    urgency = fields.String(
        validate=validate.OneOf(URGENCY_REASONS),
        metadata={"description": "In the urgency list: why the request is urgent"},
    )
    urgent_since = fields.AwareDateTime(
        metadata={"description": "In the urgency list: when the limit passed"}
    )
    days_late = fields.Integer(
        metadata={"description": "In the urgency list: days since then, 1 on the first"}
    )


class RequestListSchema(Schema):
    items = fields.List(fields.Nested(RequestSummarySchema), required=True)
    next_cursor = fields.String(allow_none=True)


class EditorsSchema(Schema):
    others = fields.List(fields.Nested(EditorSchema), required=True)


class AreaSettingsSchema(Schema):
    area = fields.String(required=True)
    forwarding_after_acceptance = fields.Boolean(required=True)
    acceptance_days = fields.Integer(required=True)
    blocking_months = fields.Integer(required=True)
    pilot = fields.Boolean(required=True)
    version = fields.Integer(required=True)
    updated_at = fields.AwareDateTime(required=True)
    updated_by = fields.String(allow_none=True)


class AreaSettingsListSchema(Schema):
    items = fields.List(fields.Nested(AreaSettingsSchema), required=True)


# --- events -----------------------------------------------------------------------------------


class RequestEventSchema(Schema):
    """Every transition of a request: ids, statuses and question numbers, never the subject's
    data nor a free text. Fields after ``actor_authority`` come with the transitions that
    have them."""

    request_id = fields.String(required=True)
    from_status = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    area = fields.String(required=True)
    requesting_authority = fields.String(required=True)
    responding_authority = fields.String(required=True, allow_none=True)
    actor_authority = fields.String(required=True)
    questions = fields.List(fields.String())
    forwarded_questions = fields.List(fields.String())
    kept_questions = fields.List(fields.String())
    linked_request_id = fields.String()
    from_authority = fields.String()
    to_authority = fields.String()
    request_coordinator = fields.String(allow_none=True)
    coordinators = fields.List(fields.String())
    coordinator = fields.String()
    kind = fields.String()
    date = fields.String()
    handlers = fields.List(fields.String())


class CommentAddedSchema(Schema):
    request_id = fields.String(required=True)
    comment_id = fields.String(required=True)
    side = fields.String(required=True)
    area = fields.String(required=True)
    requesting_authority = fields.String(required=True)
    responding_authority = fields.String(required=True, allow_none=True)
    actor_authority = fields.String(required=True)


class AttachmentAddedSchema(Schema):
    """A file attached: its id, type and size, never its name (which may name the subject)."""

    request_id = fields.String(required=True)
    attachment_id = fields.String(required=True)
    side = fields.String(required=True)
    media_type = fields.String(required=True)
    size = fields.Integer(required=True)
    area = fields.String(required=True)
    requesting_authority = fields.String(required=True)
    responding_authority = fields.String(required=True, allow_none=True)
    actor_authority = fields.String(required=True)


class RequestEscalatedSchema(Schema):
    """A request newly urgent, for the coordinators whose intervention it needs: ids, dates
    and numbers, never the subject's data."""

    request_id = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(URGENCY_REASONS))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    area = fields.String(required=True)
    requesting_authority = fields.String(required=True)
    responding_authority = fields.String(required=True)
    coordinators = fields.List(fields.String(), required=True)
    urgent_since = fields.AwareDateTime(required=True)
    days_late = fields.Integer(required=True)


class AreaSettingsChangedSchema(Schema):
    area = fields.String(required=True)
    forwarding_after_acceptance = fields.Boolean(required=True)
    acceptance_days = fields.Integer(required=True)
    blocking_months = fields.Integer(required=True)
    pilot = fields.Boolean(required=True)


EVENTS = publishes(
    "requests",
    {
        **{event: RequestEventSchema for event in sorted(TRANSITION_EVENTS)},
        "comment_added": CommentAddedSchema,
        "attachment_added": AttachmentAddedSchema,
        "area_settings_changed": AreaSettingsChangedSchema,
        "request_escalated": RequestEscalatedSchema,
    },
)
