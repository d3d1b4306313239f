"""Schema helpers every service uses at its boundary."""

from __future__ import annotations

import functools
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from services.common.errors import ValidationFailed

MAX_TEXT = 2000
MAX_PAGE_SIZE = 100
MAX_VERSION = 2**31 - 1
# A web address: http(s), a host with a top-level domain, then a path; every such address
# passes marshmallow's URL check as well, so the pattern alone tells a client what is taken.
URL_PATTERN = r"^https?://([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(/\S*)?$"


class WholeMatch(validate.Regexp):
    """``validate.Regexp`` for a pattern the whole value must match, as JSON Schema's
    ``^…$`` means in the OpenAPI document: marshmallow's ``re.match`` lets ``$`` match before a
    final newline, so "code\n" passed a pattern the document refuses it by."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise validate.ValidationError(self._format_error(value))
        return value


class StrictSchema(Schema):
    """Unknown fields are an error, not silently dropped: a typo must not look like success."""

    class Meta:
        unknown = RAISE


class PageQuerySchema(StrictSchema):
    """Which page of a list to read."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageSchema(Schema):
    """One page of a list; a subclass declares its ``items``."""

    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class JsonInteger(fields.Integer):
    """An integer as JSON Schema reads one: 3, or 3.0, but never "3", true or 3.5 (a body's
    numbers; a query's come as text and use fields.Integer)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._deserialize(int(value), attr, data, **kwargs)


class JsonBoolean(fields.Boolean):
    """true or false as JSON has them, never 1, 0, "yes" or "true" (a body's; a query's come
    as text and use fields.Boolean)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def version_field(**kwargs) -> fields.Integer:
    """The version of an object an edit was made on, at most what the database's integer
    column holds."""
    return JsonInteger(required=True, validate=validate.Range(min=1, max=MAX_VERSION), **kwargs)


def web_address(longest: int, **kwargs) -> fields.Url:
    """A website's or a register's address, at most ``longest`` characters."""
    return fields.Url(
        schemes={"http", "https"},
        validate=[
            validate.Length(max=longest),
            WholeMatch(URL_PATTERN, error="An http(s) address with a domain is expected."),
        ],
        **kwargs,
    )


@functools.cache
def instance(schema: type[Schema]) -> Schema:
    """One instance per schema class: building one deep-copies every declared field, and a
    marshmallow 4 schema keeps no state between calls, so every worker can share it."""
    return schema()


def load(schema: type[Schema] | Schema, data: Any) -> Any:
    """Load ``data`` or raise ValidationFailed carrying marshmallow's field errors."""
    if isinstance(schema, type):
        schema = instance(schema)
    if not isinstance(data, dict) and not schema.many:
        raise ValidationFailed.from_fields({"_schema": ["An object was expected."]})
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed.from_fields(exc.normalized_messages()) from None


def dump(schema: type[Schema], obj: Any) -> Any:
    return instance(schema).dump(obj)
