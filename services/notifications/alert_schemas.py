"""The contract of alerts (docs/alerts.md): what creating, reading, listing and acting on an
alert take and answer, and the payload of alert events (ids, statuses and member states only:
never the content, never personal data). Every input schema is strict: an unknown field, such
as the reasons of a Professional Qualifications decision, is refused."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.reference import COMMISSION, EEA_COUNTRIES
from services.common.schemas import (
    MAX_VERSION,
    JsonBoolean,
    JsonInteger,
    PageQuerySchema,
    PageSchema,
    StrictSchema,
    instance,
    version_field,
)
from services.notifications.alerts import Action, Kind, Status, View

STATES = validate.OneOf(EEA_COUNTRIES)
SHORT = validate.Length(1, 200)
LONG = validate.Length(1, 4000)
ID = validate.Length(1, 64)
MEANS = ("letter", "email", "in_person", "other")
BOXES = ("outgoing", "incoming", "mailbox", "approval")


def _confirmed(description: str) -> JsonBoolean:
    return JsonBoolean(
        required=True,
        validate=validate.Equal(True, error="The alert may be sent only if this is true."),
        metadata={"description": description},
    )


class CriteriaSchema(StrictSchema):
    """The three criteria a Services Directive alert's sender confirms (all must be true)."""

    cause_is_service_activity = _confirmed("The risk is caused by the service activity")
    risk_exists_now = _confirmed("The risk exists now")
    cross_border = _confirmed("The risk is cross-border")


class ServicesAlertInputSchema(StrictSchema):
    title = fields.String(required=True, validate=SHORT)
    description = fields.String(required=True, validate=LONG)
    criteria = fields.Nested(CriteriaSchema, required=True)
    member_states = fields.List(
        fields.String(validate=STATES), required=True, validate=validate.Length(1, 30),
        metadata={"description": "The member states whose incoming alert mailboxes receive "
                  "the alert (the Commission always does)"},
    )  # fmt: skip


class ProfessionalSchema(StrictSchema):
    """The only personal data of a Professional Qualifications alert."""

    name = fields.String(required=True, validate=SHORT)
    birth_date = fields.Date(required=True)
    birth_place = fields.String(required=True, validate=SHORT)


class PqAlertInputSchema(StrictSchema):
    """What Directive 2005/36/EC, Article 56a(2) lets an alert carry, and nothing else: there
    is no field for the reasons of the decision, and an unknown field is refused."""

    professional = fields.Nested(ProfessionalSchema, required=True)
    profession = fields.String(required=True, validate=SHORT)
    deciding_authority = fields.String(required=True, validate=SHORT)
    decision = fields.String(
        required=True, validate=validate.OneOf(("restriction", "prohibition", "falsified_diplomas"))
    )
    decision_date = fields.Date(required=True)
    scope = fields.String(required=True, validate=validate.Length(1, 1000))
    restriction_from = fields.Date(required=True)
    restriction_until = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _period(self, data, **kwargs):
        until = data.get("restriction_until")
        if until is not None and until < data["restriction_from"]:
            raise ValidationError("The period ends before it starts.", "restriction_until")


class DerogationInputSchema(StrictSchema):
    """A case-by-case derogation (Directive 2006/123/EC, Article 35): the measure a member
    state intends to take against a provider established in another, and why."""

    title = fields.String(required=True, validate=SHORT)
    provider_state = fields.String(required=True, validate=STATES)
    provider_name = fields.String(required=True, validate=SHORT)
    measure = fields.String(required=True, validate=LONG)
    reasons = fields.String(required=True, validate=LONG)


INPUTS = {
    Kind.SERVICES: ServicesAlertInputSchema,
    Kind.PROFESSIONAL_QUALIFICATIONS: PqAlertInputSchema,
    Kind.DEROGATION: DerogationInputSchema,
}


class PqChangeSchema(StrictSchema):
    profession = fields.String(validate=SHORT)
    scope = fields.String(validate=validate.Length(1, 1000))
    restriction_from = fields.Date()
    restriction_until = fields.Date(allow_none=True)


class DraftField(fields.Dict):
    """edit_draft's new content: what creating an alert of one of the three kinds takes (the
    service checks it against the alert's own kind); refused with the errors of the kind it
    comes closest to."""

    def __init__(self, **kwargs):
        refs = [{"$ref": f"#/components/schemas/{schema.__name__.removesuffix('Schema')}"}
                for schema in INPUTS.values()]  # fmt: skip
        super().__init__(metadata={**kwargs.pop("metadata", {}), "anyOf": refs}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        found = super()._deserialize(value, attr, data, **kwargs)
        closest = min((instance(schema).validate(found) for schema in INPUTS.values()), key=len)
        if closest:
            raise ValidationError(closest)
        return found


class AlertActionSchema(StrictSchema):
    """An action on an alert at the version read, with what the action needs."""

    version = version_field()
    draft = DraftField(metadata={"description": "edit_draft: the whole new content, as "
                                 "creating an alert of its kind takes it"})  # fmt: skip
    authority_ids = fields.List(
        fields.String(validate=ID), validate=validate.Length(1, 200),
        metadata={"description": "disseminate: authorities of the mailbox's member state"},
    )  # fmt: skip
    text = fields.String(validate=LONG, metadata={"description": "comment, answer"})
    further_information = JsonBoolean(
        load_default=False, metadata={"description": "comment: further information"}
    )
    reason = fields.String(
        validate=LONG, metadata={"description": "mark_unjustified, refuse_approval"}
    )
    decision_date = fields.Date(
        metadata={"description": "modify, close (Professional Qualifications): the date of the "
                  "decision changing or ending the restriction"},
    )  # fmt: skip
    changes = fields.Nested(PqChangeSchema, metadata={"description": "modify"})
    informed_on = fields.Date(metadata={"description": "record_information"})
    means = fields.String(validate=validate.OneOf(MEANS))


class AlertQuerySchema(StrictSchema):
    pass


class RecipientSchema(Schema):
    authority_id = fields.String(required=True)
    member_state = fields.String(required=True)
    via = fields.String(required=True, validate=validate.OneOf(("mailbox", "dissemination")))
    acknowledged_at = fields.AwareDateTime(required=True, allow_none=True)


class AlertCommentSchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    authority_id = fields.String(required=True)
    user_id = fields.String(required=True)
    text = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class AlertHistorySchema(Schema):
    action = fields.String(required=True)
    status = fields.String(required=True)
    user_id = fields.String(required=True)
    authority_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    late = fields.Boolean(required=True)


class InformedSchema(Schema):
    informed_on = fields.Date(required=True)
    means = fields.String(required=True)


class AlertViewSchema(Schema):
    """An alert as its reader may see it: ``view`` ``limited`` (a Professional Qualifications
    alert in a mailbox that has not routed it) shows only profession and scope in
    ``content``, no professional, no recipients, comments or history."""

    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in Kind]))
    area = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    version = fields.Integer(required=True)
    view = fields.String(required=True, validate=validate.OneOf([View.LIMITED, View.FULL]))
    sender_authority = fields.String(required=True)
    sender_state = fields.String(required=True)
    title = fields.String(required=True, allow_none=True)
    content = fields.Dict(required=True)
    professional = fields.Nested(ProfessionalSchema, required=True, allow_none=True)
    personal_data_erased = fields.Boolean(required=True)
    member_states = fields.List(fields.String(), required=True)
    decision_date = fields.Date(required=True, allow_none=True)
    deadline_at = fields.AwareDateTime(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(required=True, allow_none=True)
    closed_at = fields.AwareDateTime(required=True, allow_none=True)
    unjustified = fields.Boolean(required=True)
    unjustified_reason = fields.String(required=True, allow_none=True)
    informed = fields.Nested(InformedSchema, required=True, allow_none=True)
    recipients = fields.List(fields.Nested(RecipientSchema), required=True)
    comments = fields.List(fields.Nested(AlertCommentSchema), required=True)
    history = fields.List(fields.Nested(AlertHistorySchema), required=True)
    actions = fields.List(fields.String(validate=validate.OneOf([a.value for a in Action])),
                          required=True)  # fmt: skip


class AlertListQuerySchema(PageQuerySchema):
    box = fields.String(
        load_default="incoming", validate=validate.OneOf(BOXES),
        metadata={"description": "outgoing: my authority's; incoming: those that reached it; "
                  "mailbox: those in its incoming alert mailbox; approval: those waiting for "
                  "its approval as alert coordinator"},
    )  # fmt: skip
    kind = fields.String(validate=validate.OneOf([k.value for k in Kind]))
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))


class AlertSummarySchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    view = fields.String(required=True)
    title = fields.String(required=True, allow_none=True)
    sender_authority = fields.String(required=True)
    sender_state = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(required=True, allow_none=True)
    deadline_at = fields.AwareDateTime(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)
    unjustified = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class AlertListSchema(PageSchema):
    items = fields.List(fields.Nested(AlertSummarySchema), required=True)


class LateAlertQuerySchema(PageQuerySchema):
    member_state = fields.String(validate=STATES)


class AlertSettingInputSchema(StrictSchema):
    approval_required = JsonBoolean(required=True)
    version = JsonInteger(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_VERSION),
        metadata={"description": "The version read; required once the state has a setting"},
    )


class AlertSettingSchema(Schema):
    member_state = fields.String(required=True)
    approval_required = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class AlertSettingListSchema(Schema):
    items = fields.List(fields.Nested(AlertSettingSchema), required=True)


# --- events -----------------------------------------------------------------------------------


class AlertEventSchema(Schema):
    """Every alert event: ids, kind, status and member states only."""

    alert_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in Kind]))
    area = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    sender_authority = fields.String(required=True)
    sender_state = fields.String(required=True)
    member_states = fields.List(fields.String(), required=True)
    authority_ids = fields.List(
        fields.String(), required=True,
        metadata={"description": "The authorities the step concerns: the mailboxes reached "
                  "(sent), those disseminated to, the one that acknowledged or commented"},
    )  # fmt: skip
    actor_authority = fields.String(required=True)
    unjustified = fields.Boolean(required=True)
    late = fields.Boolean(required=True)
    version = fields.Integer(required=True)


class AlertSettingEventSchema(Schema):
    member_state = fields.String(
        required=True, validate=validate.OneOf((*EEA_COUNTRIES, COMMISSION))
    )
    approval_required = fields.Boolean(required=True)
    version = fields.Integer(required=True)
