"""Reference lists (areas, professions, keywords…): their entries and area workflows."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.schemas import JsonInteger, StrictSchema, version_field
from services.directory.domain import (
    LISTED_KINDS,
    TermKind,
    Workflow,
)
from services.directory.schemas.fields import CODE, LANGUAGE

# --- reference lists ------------------------------------------------------------------------

MAX_TERM_NAME = 200


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("A name cannot be blank.")


class TermNamesField(fields.Dict):
    """Names of an entry: ``{language: name}``, in supported languages only."""

    def __init__(self, **kwargs):
        super().__init__(
            keys=fields.String(validate=LANGUAGE),
            values=fields.String(validate=[validate.Length(1, MAX_TERM_NAME), not_blank]),
            validate=validate.Length(min=1),
            **kwargs,
        )


class TermQuerySchema(StrictSchema):
    """What a reader asks of one list (the list itself is in the path)."""

    language = fields.String(
        load_default=None,
        allow_none=True,
        validate=LANGUAGE,
        metadata={"description": "The language of the names; the reader's by default"},
    )
    parent = fields.String(
        load_default=None,
        allow_none=True,
        validate=CODE,
        metadata={"description": "Only the children of this entry (a sector, an area…)"},
    )
    include_inactive = fields.Boolean(
        load_default=False, metadata={"description": "Commission administrators only"}
    )


class TermListQuerySchema(TermQuerySchema):
    kind = fields.String(
        required=True, validate=validate.OneOf(LISTED_KINDS, error="No such reference list.")
    )


class TermRefSchema(StrictSchema):
    """Which list (one the Commission may edit), and which entry of it when one is meant."""

    kind = fields.Enum(TermKind, by_value=True, required=True)
    code = fields.String(validate=CODE)


class NewTermSchema(StrictSchema):
    """A new entry; names in some languages (English needed), the others show English. A new
    legislative area comes with its workflows."""

    code = fields.String(required=True, validate=CODE)
    names = TermNamesField(required=True)
    parent = fields.String(load_default=None, allow_none=True, validate=CODE)
    workflows = fields.List(
        fields.Enum(Workflow, by_value=True),
        load_default=list,
        validate=validate.Length(max=len(Workflow)),
    )
    position = JsonInteger(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=100000)
    )


class TermUpdateSchema(StrictSchema):
    """A change of names (the given languages only), activity or position; ``version`` is the
    one the editor read."""

    names = TermNamesField()
    active = fields.Boolean()
    position = JsonInteger(validate=validate.Range(min=0, max=100000))
    version = version_field()

    # the OpenAPI document's words for the check below
    JSON_SCHEMA = {"anyOf": [{"required": [name]} for name in ("names", "active", "position")]}

    @validates_schema
    def something_changes(self, data, **kwargs):
        if not {"names", "active", "position"} & set(data):
            raise ValidationError("Give names, active or position to change.", "_schema")


class AreaWorkflowSchema(StrictSchema):
    area = fields.String(required=True, validate=CODE)
    workflow = fields.Enum(Workflow, by_value=True, required=True)
    active = fields.Boolean(required=True)


class AreaWorkflowBodySchema(StrictSchema):
    active = fields.Boolean(required=True)


class AreaWorkflowOutSchema(Schema):
    workflow = fields.String(required=True)
    active = fields.Boolean(required=True)


class TermSchema(Schema):
    """One entry of a list, named in the requested language."""

    kind = fields.String(required=True)
    code = fields.String(required=True)
    parent = fields.String(allow_none=True)
    name = fields.String(required=True)
    untranslated = fields.Boolean(
        required=True, metadata={"description": "The name is the English one standing in"}
    )
    active = fields.Boolean(required=True)
    position = fields.Integer(required=True)
    version = fields.Integer(allow_none=True)
    workflows = fields.List(
        fields.Nested(AreaWorkflowOutSchema),
        metadata={"description": "A legislative area's workflows"},
    )


class TermListSchema(Schema):
    kind = fields.String(required=True)
    language = fields.String(required=True)
    items = fields.List(fields.Nested(TermSchema), required=True)


class TermDetailSchema(TermSchema):
    """An entry as its maintainers see it after a change: every name, and which are English
    stand-ins."""

    names = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    untranslated_languages = fields.List(fields.String(), required=True)
    updated_at = fields.AwareDateTime(required=True)
    updated_by = fields.String(allow_none=True)
