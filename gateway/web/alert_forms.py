"""The alert pages' forms: what each form may carry (checked at the boundary, each message a
catalogue key), and the alert or step the notifications service takes from it
(docs/alerts.md). An alert of each kind has its creation form, which also edits its draft.
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from gateway.web.forms import REQUIRED, FormSchema
from services.common.reference import EEA_COUNTRIES

CRITERIA = ("cause_is_service_activity", "risk_exists_now", "cross_border")
DECISIONS = ("restriction", "prohibition", "falsified_diplomas")
MEANS = ("letter", "email", "in_person", "other")
PQ = "professional_qualifications"
DEROGATION = "derogation"
PQ_FIELDS = ("profession", "deciding_authority", "decision", "decision_date", "scope",
             "restriction_from", "restriction_until")  # fmt: skip
# what modifying a Professional Qualifications alert changes
PQ_CHANGES = ("profession", "scope", "restriction_from", "restriction_until")
DEROGATION_FIELDS = ("title", "provider_state", "provider_name", "measure", "reasons")


def _text(max_length: int) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(1, max_length, error="web.form.too_long"),
        error_messages=REQUIRED,
    )


class _Ticked(fields.String):
    """A checkbox that must be ticked: a browser sends it only when it is."""

    def __init__(self):
        super().__init__(
            required=True,
            validate=validate.Equal("yes", error="web.alert.criterion_required"),
            error_messages={"required": "web.alert.criterion_required",
                            "null": "web.alert.criterion_required"},
        )  # fmt: skip


def _version() -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(1, 2**31), error_messages=REQUIRED)


class ServicesAlertContent(FormSchema):
    title = _text(200)
    description = _text(4000)
    cause_is_service_activity = _Ticked()
    risk_exists_now = _Ticked()
    cross_border = _Ticked()
    member_states = fields.List(
        fields.String(validate=validate.OneOf(EEA_COUNTRIES, error="web.form.invalid")),
        required=True,
        validate=validate.Length(1, 30, error="web.alert.states_required"),
        error_messages={"required": "web.alert.states_required"},
    )


class ServicesAlertForm(ServicesAlertContent):
    form_key = _text(64)


class ServicesAlertEdit(ServicesAlertContent):
    version = _version()


def _date(required: bool = True) -> fields.Date:
    messages = {"invalid": "web.form.invalid", **REQUIRED}
    if required:
        return fields.Date(required=True, error_messages=messages)
    return fields.Date(load_default=None, error_messages=messages)


class PqAlertContent(FormSchema):
    name = _text(200)
    birth_date = _date()
    birth_place = _text(200)
    profession = _text(200)
    deciding_authority = _text(200)
    decision = fields.String(
        required=True,
        validate=validate.OneOf(DECISIONS, error="web.form.invalid"),
        error_messages=REQUIRED,
    )
    decision_date = _date()
    scope = _text(1000)
    restriction_from = _date()
    restriction_until = _date(required=False)

    @validates_schema
    def _period(self, data, **kwargs):
        until, start = data.get("restriction_until"), data.get("restriction_from")
        if until is not None and start is not None and until < start:
            raise ValidationError("web.alert.period_invalid", "restriction_until")


class PqAlertForm(PqAlertContent):
    form_key = _text(64)


class PqAlertEdit(PqAlertContent):
    version = _version()


class DerogationContent(FormSchema):
    title = _text(200)
    provider_state = fields.String(
        required=True,
        validate=validate.OneOf(EEA_COUNTRIES, error="web.form.invalid"),
        error_messages=REQUIRED,
    )
    provider_name = _text(200)
    measure = _text(4000)
    reasons = _text(4000)


class DerogationForm(DerogationContent):
    form_key = _text(64)


class DerogationEdit(DerogationContent):
    version = _version()


class VersionForm(FormSchema):
    version = _version()


class ReasonForm(VersionForm):
    reason = _text(4000)


class CommentForm(VersionForm):
    text = _text(4000)
    further_information = fields.String(load_default=None)


class DisseminateForm(VersionForm):
    authority_ids = fields.List(
        fields.String(validate=validate.Length(1, 64)),
        required=True,
        validate=validate.Length(1, 200, error="web.alert.authorities_required"),
        error_messages={"required": "web.alert.authorities_required"},
    )


class CloseForm(VersionForm):
    decision_date = _date(required=False)  # a Professional Qualifications alert's


class AnswerForm(VersionForm):
    text = _text(4000)


class ModifyForm(VersionForm):
    """A Professional Qualifications alert after a new decision: its date, and the
    restriction as it now stands."""

    decision_date = _date()
    profession = _text(200)
    scope = _text(1000)
    restriction_from = _date()
    restriction_until = _date(required=False)

    @validates_schema
    def _period(self, data, **kwargs):
        until, start = data.get("restriction_until"), data.get("restriction_from")
        if until is not None and start is not None and until < start:
            raise ValidationError("web.alert.period_invalid", "restriction_until")


class InformationForm(VersionForm):
    informed_on = _date()
    means = fields.String(
        required=True,
        validate=validate.OneOf(MEANS, error="web.form.invalid"),
        error_messages=REQUIRED,
    )


ACTION_FORMS = {
    "close": CloseForm,
    "record_information": InformationForm,
    "refuse_approval": ReasonForm,
    "mark_unjustified": ReasonForm,
    "comment": CommentForm,
    "answer": AnswerForm,
    "modify": ModifyForm,
    "disseminate": DisseminateForm,
}


def services_draft(values: dict) -> dict:
    """A Services Directive alert's content as the service takes it, from its form."""
    return {
        "title": values["title"],
        "description": values["description"],
        "criteria": dict.fromkeys(CRITERIA, True),
        "member_states": sorted(set(values["member_states"])),
    }


def pq_draft(values: dict) -> dict:
    """A Professional Qualifications alert's content as the service takes it, from its form."""
    return {
        "professional": {"name": values["name"], "birth_date": values["birth_date"].isoformat(),
                         "birth_place": values["birth_place"]},
        **{name: values[name] for name in ("profession", "deciding_authority", "decision",
                                           "scope")},
        **{name: values[name].isoformat() if values[name] else None
           for name in ("decision_date", "restriction_from", "restriction_until")},
    }  # fmt: skip


def derogation_draft(values: dict) -> dict:
    """A case-by-case derogation's content as the service takes it, from its form."""
    return {name: values[name] for name in DEROGATION_FIELDS}


# per kind of alert: the form that edits its draft, and the draft the service takes from it
EDIT_FORMS = {
    "services": (ServicesAlertEdit, services_draft),
    PQ: (PqAlertEdit, pq_draft),
    DEROGATION: (DerogationEdit, derogation_draft),
}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def action_body(action: str, values: dict) -> dict:
    """A step's form as the service takes it: dates as ISO text, a modification's changes
    apart from the date of the decision that made them."""
    body = {name: _plain(value) for name, value in values.items() if value is not None}
    if action == "comment":
        body["further_information"] = values.get("further_information") == "yes"
    if action == "modify":
        body["changes"] = {name: _plain(values.get(name)) for name in PQ_CHANGES}
        for name in PQ_CHANGES:
            body.pop(name, None)
    return body


def draft_form(shown: dict) -> dict:
    """A draft as its creation form shows it."""
    content = shown["content"]
    if shown["kind"] == DEROGATION:
        return {"title": shown["title"] or "",
                **{name: content.get(name) or "" for name in DEROGATION_FIELDS[1:]}}  # fmt: skip
    if shown["kind"] == PQ:
        professional = shown["professional"] or {}
        return {
            **{name: professional.get(name) or "" for name in ("name", "birth_date",
                                                               "birth_place")},
            **{name: content.get(name) or "" for name in PQ_FIELDS},
        }  # fmt: skip
    criteria = content.get("criteria") or {}
    return {
        "title": shown["title"] or "",
        "description": content.get("description", ""),
        **{name: "yes" for name in CRITERIA if criteria.get(name)},
        "member_states": shown["member_states"],
    }
