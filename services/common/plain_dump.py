"""A schema's dump for answers of many rows, without marshmallow's machinery per field.

marshmallow spends some 10 microseconds on each field it dumps (an accessor, a default, a
``_serialize`` per field): a page of 25 requests has about 450 fields, and its dump was a third
of the requests service's CPU for a list (docs/performance.md, "Requests at scale").
``plain_dumper`` reads a schema once and answers what ``schema.dump`` answers for a mapping, or
a list of mappings, through a table of one converter per field. It takes only the fields whose
dump it knows exactly (below); a schema with any other field, a hook or a dump default is
refused when the dumper is made, never dumped differently. tests/common/test_plain_dump.py
holds it to marshmallow's dump on generated data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, fields
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type, missing

from services.common.schemas import instance

Converter = Callable[[Any], Any]
ABSENT = object()


def plain_dumper(schema: type[Schema]) -> Callable[[Mapping], dict]:
    """The dump of one mapping by ``schema``, as ``schema().dump`` gives it."""
    return _dumper_of(instance(schema))


def _dumper_of(schema: Schema) -> Callable[[Mapping], dict]:
    if schema.many or schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]:
        raise TypeError(f"{type(schema).__name__} dumps many at once or has dump hooks")
    plan = [
        (field.attribute or name, field.data_key or name, _converter(name, field))
        for name, field in schema.dump_fields.items()
    ]

    def dump(row: Mapping) -> dict:
        dumped = {}
        for attribute, key, convert in plan:
            value = row.get(attribute, ABSENT)
            if value is ABSENT:
                continue
            dumped[key] = None if value is None else convert(value)
        return dumped

    return dump


def _converter(name: str, field: fields.Field) -> Converter:
    """What the field's ``_serialize`` does with a value that is not None."""
    if field.dump_default is not missing or (field.attribute and "." in field.attribute):
        raise TypeError(f"{name}: a dump default or a dotted attribute")
    kind = type(field)
    if kind is fields.Raw or kind is fields.Boolean:
        return _same
    if kind is fields.String:
        return ensure_text_type
    if kind is fields.Integer:
        return (lambda value: str(int(value))) if field.as_string else int
    if kind in (fields.DateTime, fields.AwareDateTime, fields.NaiveDateTime) and (
        field.format in (None, "iso", "iso8601")
    ):
        return dt.datetime.isoformat
    if kind is fields.List:
        inner = _converter(name, field.inner)
        return lambda values: [None if each is None else inner(each) for each in values]
    if (
        kind is fields.Nested
        and isinstance(field.nested, type)
        and not (field.only or field.exclude)
    ):
        nested = _dumper_of(instance(field.nested))
        if field.many:
            return lambda rows: [nested(row) for row in rows]
        return nested
    raise TypeError(f"{name}: {kind.__name__} is not dumped plainly")


def _same(value: Any) -> Any:
    return value
