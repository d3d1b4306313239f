"""Public syndication (no login): the authorities and registers anyone may read."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from services.common.schemas import MAX_PAGE_SIZE, PageQuerySchema, PageSchema, StrictSchema
from services.directory.schemas.authorities import AddressSchema
from services.directory.schemas.fields import CODE, LANGUAGE, MemberStateField

# --- public syndication (no login) ----------------------------------------------------------


class PublicQuerySchema(PageQuerySchema):
    member_state = MemberStateField()
    area = fields.String(validate=CODE)
    updated_since = fields.AwareDateTime(
        default_timezone=UTC, metadata={"description": "ISO 8601 time; UTC when no offset"}
    )
    language = fields.String(
        validate=LANGUAGE, metadata={"description": "Only the texts in this language"}
    )
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PublicLanguageQuerySchema(StrictSchema):
    language = fields.String(validate=LANGUAGE)


class PublicAreaSchema(Schema):
    area = fields.String(required=True)
    workflow = fields.String(required=True)


class PublicAuthoritySchema(Schema):
    """An authority's public contact details: exactly these fields leave, never its users,
    activity, status or coordinators."""

    id = fields.String(required=True)
    official_name = fields.String(required=True)
    official_language = fields.String(required=True)
    titles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    member_state = fields.String(required=True)
    address = fields.Nested(AddressSchema, required=True)
    website = fields.String(allow_none=True)
    email = fields.String(required=True, metadata={"description": "Functional mailbox"})
    phone = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    areas = fields.List(fields.Nested(PublicAreaSchema), required=True)
    updated_at = fields.AwareDateTime(required=True)


class PublicRegisterTextSchema(Schema):
    name = fields.String(required=True)
    nature = fields.String(required=True)
    content = fields.String(required=True)
    access_conditions = fields.String(required=True)
    status = fields.String(required=True)


class PublicRegisterAuthoritySchema(Schema):
    id = fields.String(required=True)
    official_name = fields.String(required=True)


class PublicRegisterSchema(Schema):
    """A register open to the public, with its texts in every language."""

    id = fields.String(required=True)
    member_state = fields.String(required=True)
    authority = fields.Nested(PublicRegisterAuthoritySchema, required=True)
    url = fields.String(allow_none=True)
    source_language = fields.String(required=True)
    texts = fields.Dict(
        keys=fields.String(), values=fields.Nested(PublicRegisterTextSchema), required=True
    )
    updated_at = fields.AwareDateTime(required=True)


class PublicAuthorityPageSchema(PageSchema):
    items = fields.List(fields.Nested(PublicAuthoritySchema), required=True)


class PublicRegisterPageSchema(PageSchema):
    items = fields.List(fields.Nested(PublicRegisterSchema), required=True)
