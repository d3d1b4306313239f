"""The directory of registers: what creating, editing and listing registers take and give."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.schemas import (
    PageQuerySchema,
    PageSchema,
    StrictSchema,
    version_field,
    web_address,
)
from services.directory.domain import (
    RegisterAccess,
    RegisterTextStatus,
)
from services.directory.schemas.authorities import TitleSchema
from services.directory.schemas.fields import ID, LANGUAGE, MemberStateField, text

# --- directory of registers -----------------------------------------------------------------

REGISTER_ACCESS = validate.OneOf([access.value for access in RegisterAccess])
SEARCH_TEXT = validate.Length(1, 200)


class RegisterTextsSchema(StrictSchema):
    """A register's texts in one language."""

    name = text(300, required=True)
    nature = text(2000, required=True, metadata={"description": "What kind of register it is"})
    content = text(2000, required=True, metadata={"description": "What it records"})
    access_conditions = text(2000, required=True)


class NewRegisterSchema(StrictSchema):
    """A register added by its responsible authority; its member state is the authority's."""

    authority_id = fields.String(required=True, validate=ID)
    url = web_address(500, load_default=None, allow_none=True)
    access = fields.String(required=True, validate=REGISTER_ACCESS)
    source_language = fields.String(required=True, validate=LANGUAGE)
    texts = fields.Nested(RegisterTextsSchema, required=True)


class RegisterUpdateSchema(StrictSchema):
    """A change of some fields; ``texts`` are the source language's, whose translations are
    then marked outdated. ``version`` is the one the editor read."""

    url = web_address(500, allow_none=True)
    access = fields.String(validate=REGISTER_ACCESS)
    texts = fields.Nested(RegisterTextsSchema)
    version = version_field()


class RegisterTranslationSchema(RegisterTextsSchema):
    version = version_field()


class TranslationLanguageSchema(StrictSchema):
    """The language of a translation, as given in the path."""

    language = fields.String(required=True, validate=LANGUAGE)


class RegisterQuerySchema(PageQuerySchema):
    text = fields.String(
        validate=SEARCH_TEXT, metadata={"description": "Words of names or content"}
    )
    member_state = MemberStateField()
    authority_id = fields.String(validate=ID)
    access = fields.String(validate=REGISTER_ACCESS)


class RegisterTextOutSchema(Schema):
    language = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in RegisterTextStatus])
    )
    name = fields.String(required=True)
    nature = fields.String(required=True)
    content = fields.String(required=True)
    access_conditions = fields.String(required=True)


class RegisterAuthoritySchema(Schema):
    id = fields.String(required=True)
    official_name = fields.String(required=True)
    title = fields.Nested(TitleSchema, allow_none=True)


class RegisterSchema(Schema):
    """A register in the reader's language: ``text.language`` is the language given (the
    source language where the reader's is not translated yet)."""

    id = fields.String(required=True)
    member_state = fields.String(required=True)
    authority = fields.Nested(RegisterAuthoritySchema, required=True)
    url = fields.String(allow_none=True)
    access = fields.String(required=True)
    source_language = fields.String(required=True)
    requested_language = fields.String(required=True)
    text = fields.Nested(RegisterTextOutSchema, required=True)
    translations = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True,
        metadata={"description": "Status of the texts per language"},
    )  # fmt: skip
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


class RegisterPageSchema(PageSchema):
    items = fields.List(fields.Nested(RegisterSchema), required=True)
