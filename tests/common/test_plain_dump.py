"""services/common/plain_dump.py answers exactly what marshmallow's dump answers, on data
generated from each schema's fields (every kind it takes, each value present, absent or None),
and refuses, when the dumper is made, a schema it could not dump the same way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, post_dump, pre_dump

from services.common.plain_dump import plain_dumper
from services.common.schemas import dump
from services.requests.schemas import RequestListSchema, RequestSummarySchema


class Inner(Schema):
    code = fields.String(required=True)
    count = fields.Integer(allow_none=True)


class EveryKind(Schema):
    raw = fields.Raw()
    flag = fields.Boolean()
    text = fields.String()
    number = fields.Integer()
    number_text = fields.Integer(as_string=True)
    moment = fields.DateTime()
    aware = fields.AwareDateTime()
    naive = fields.NaiveDateTime()
    moment_iso = fields.DateTime(format="iso8601")
    texts = fields.List(fields.String())
    numbers = fields.List(fields.Integer(allow_none=True))
    one = fields.Nested(Inner)
    several = fields.Nested(Inner, many=True)
    listed = fields.List(fields.Nested(Inner))
    renamed = fields.String(data_key="renamedKey")
    taken = fields.String(attribute="source")
    secret = fields.String(load_only=True)
    shown = fields.String(dump_only=True)


MOMENTS = st.datetimes(timezones=st.one_of(st.none(), st.just(UTC)))


def values_of(field: fields.Field) -> st.SearchStrategy:
    """Values a service's code puts in a field of this kind (and what else it dumps)."""
    kind = type(field)
    if kind is fields.List:
        return st.lists(st.one_of(st.none(), values_of(field.inner)), max_size=4)
    if kind is fields.Nested:
        row = rows_of(field.nested)
        return st.lists(row, max_size=3) if field.many else row
    return {
        fields.Raw: st.one_of(st.integers(), st.text(), st.booleans()),
        fields.Boolean: st.one_of(st.booleans(), st.sampled_from([0, 1, "yes"])),
        fields.String: st.one_of(st.text(), st.integers(), st.text().map(str.encode)),
        fields.Integer: st.one_of(st.integers(), st.booleans(), st.floats(-1e9, 1e9)),
    }.get(kind, MOMENTS)


def rows_of(schema: type[Schema]) -> st.SearchStrategy:
    """Mappings for ``schema``: each field's value absent, None or one of its kind."""
    present = {
        field.attribute or name: st.one_of(st.none(), values_of(field))
        for name, field in schema().fields.items()
    }
    return st.fixed_dictionaries({}, optional=present)


@settings(max_examples=300, deadline=None)
@given(rows_of(EveryKind))
def test_every_kind_of_field_dumps_as_marshmallow_dumps_it(row):
    assert plain_dumper(EveryKind)(row) == dump(EveryKind, row)


@settings(max_examples=200, deadline=None)
@given(st.lists(rows_of(RequestSummarySchema)))
def test_a_page_of_requests_dumps_as_marshmallow_dumps_it(items):
    page = {"items": items, "next_cursor": None}
    assert plain_dumper(RequestListSchema)(page) == dump(RequestListSchema, page)


def test_a_page_of_requests_keeps_the_types_json_takes():
    moment = datetime(2026, 12, 6, 10, 30, tzinfo=UTC)
    page = {"items": [{"id": "r1", "created_at": moment, "actions": ["send"],
                       "contested": False, "days_late": 3}], "next_cursor": "c"}  # fmt: skip
    assert plain_dumper(RequestListSchema)(page) == {
        "items": [{"id": "r1", "created_at": "2026-12-06T10:30:00+00:00", "actions": ["send"],
                   "contested": False, "days_late": 3}],
        "next_cursor": "c",
    }  # fmt: skip


class WithMethod(Schema):
    shown = fields.Method("show")

    def show(self, row):
        return 1


class WithFloat(Schema):
    share = fields.Float()


class WithDefault(Schema):
    text = fields.String(dump_default="none")


class WithHook(Schema):
    text = fields.String()

    @post_dump
    def tidy(self, data, **kwargs):
        return data


class WithPreHook(Schema):
    text = fields.String()

    @pre_dump
    def prepare(self, data, **kwargs):
        return data


class WithPartOfNested(Schema):
    part = fields.Nested(Inner, only=("code",))


class WithTimestamp(Schema):
    moment = fields.DateTime(format="timestamp")


class WithDottedAttribute(Schema):
    code = fields.String(attribute="inner.code")


class WithRefusedInner(Schema):
    shares = fields.List(fields.Float())


@pytest.mark.parametrize(
    "schema",
    [WithMethod, WithFloat, WithDefault, WithHook, WithPreHook, WithPartOfNested, WithTimestamp,
     WithDottedAttribute, WithRefusedInner],
)  # fmt: skip
def test_a_schema_it_could_not_dump_the_same_way_is_refused_at_once(schema):
    with pytest.raises(TypeError):
        plain_dumper(schema)
