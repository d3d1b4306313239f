"""The directory's multilingual search: its query and its results."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.schemas import PageQuerySchema, PageSchema
from services.directory.domain import (
    Role,
    Workflow,
)
from services.directory.schemas.authorities import AddressSchema, CoordinatorRefSchema, TitleSchema
from services.directory.schemas.fields import CODE, ID, LANGUAGE, MemberStateField

# --- search ---------------------------------------------------------------------------------

MAX_SEARCH_TEXT = 200


class SearchQuerySchema(PageQuerySchema):
    """A search of the directory: free text in any language and script, filters, a page.
    Every filter is optional; they combine (all must hold)."""

    text = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_SEARCH_TEXT),
        metadata={"description": "Words of official names or informal titles, any language"},
    )
    member_state = MemberStateField(load_default=None, allow_none=True)
    region = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 120))
    area = fields.String(load_default=None, allow_none=True, validate=CODE)
    workflow = fields.Enum(Workflow, by_value=True, load_default=None, allow_none=True)
    role = fields.Enum(Role, by_value=True, load_default=None, allow_none=True)
    keyword = fields.String(load_default=None, allow_none=True, validate=CODE)
    economic_activity = fields.String(load_default=None, allow_none=True, validate=CODE)
    policy_area = fields.String(load_default=None, allow_none=True, validate=CODE)
    profession = fields.String(load_default=None, allow_none=True, validate=CODE)
    coordinator_id = fields.String(load_default=None, allow_none=True, validate=ID)
    language = fields.String(
        load_default=None,
        allow_none=True,
        validate=LANGUAGE,
        metadata={"description": "The language of the results; the searcher's by default"},
    )


class ResponsibleCoordinatorSchema(CoordinatorRefSchema):
    why = fields.String(
        required=True,
        validate=validate.OneOf(["validating", "linked"]),
        metadata={"description": "Its validating coordinator, or linked for the area"},
    )


class SearchResultSchema(Schema):
    """One authority found, in the searcher's language, with what it takes to contact it."""

    id = fields.String(required=True)
    official_name = fields.String(required=True)
    title = fields.Nested(TitleSchema, allow_none=True)
    member_state = fields.String(required=True)
    region = fields.String(allow_none=True)
    address = fields.Nested(AddressSchema, required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    coordinators = fields.List(fields.Nested(ResponsibleCoordinatorSchema), required=True)
    score = fields.Float(
        required=True, metadata={"description": "Relevance from 0 to 1; 1 without free text"}
    )


class SearchPageSchema(PageSchema):
    items = fields.List(fields.Nested(SearchResultSchema), required=True)
    total = fields.Integer(
        required=True,
        metadata={"description": "Matches in all; a free-text search keeps the best 500"},
    )
    language = fields.String(required=True)
