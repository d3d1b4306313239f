"""What apispec leaves out when it turns a marshmallow field into JSON Schema, put back.

The document must say exactly what the gateway accepts, and the gateway validates with these
very fields; where apispec's converter says less than the field checks (a dictionary's keys
and size), the functions here say it. A schema class may also state what
no single field can (``JSON_SCHEMA``: "at least one field to change", "one of two");
:class:`ContractPlugin` adds it to the schema's component.
"""

from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields


def dict_bounds(converter, field: fields.Field, ret: dict, **kwargs) -> dict:
    """A dictionary's Length is its number of entries, and its keys may be a closed list."""
    if not isinstance(field, fields.Dict):
        return {}
    extra: dict = {}
    for length, properties in (("minLength", "minProperties"), ("maxLength", "maxProperties")):
        if length in ret:
            extra[properties] = ret.pop(length)
    if field.key_field is not None and field.key_field.validators:
        keys = converter.field2property(field.key_field)
        names = {name: keys[name] for name in ("enum", "pattern", "minLength", "maxLength")
                 if name in keys}  # fmt: skip
        if names:
            extra["propertyNames"] = names
    return extra


def url_shape(converter, field: fields.Field, ret: dict, **kwargs) -> dict:
    """An address is described by its pattern (services/common/schemas.py, ``web_address``),
    not by apispec's format ``url``, which JSON Schema does not know."""
    if isinstance(field, fields.Url) and ret.get("format") == "url":
        del ret["format"]
    return {}


def raw_not_null(converter, field: fields.Field, ret: dict, **kwargs) -> dict:
    """A Raw field takes any JSON value, but null only where it allows none."""
    if type(field) is fields.Raw and not field.allow_none and "type" not in ret:
        return {"type": ["string", "number", "boolean", "array", "object"]}
    return {}


class ContractPlugin(MarshmallowPlugin):
    """apispec's marshmallow plugin with the functions above, and ``JSON_SCHEMA`` of a
    schema class merged into its component."""

    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        for function in (dict_bounds, url_shape, raw_not_null):
            self.converter.add_attribute_function(function)

    def schema_helper(self, name, definition, schema=None, **kwargs):
        json_schema = super().schema_helper(name, definition, schema=schema, **kwargs)
        extra = getattr(schema, "JSON_SCHEMA", None)
        if json_schema is not None and extra:
            json_schema.update(extra)
        return json_schema
