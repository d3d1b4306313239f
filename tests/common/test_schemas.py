"""The boundary helper: marshmallow's errors become ValidationFailed with field messages."""

from __future__ import annotations

import pytest
from marshmallow import Schema, fields, validate

from services.common.errors import ValidationFailed
from services.common.schemas import StrictSchema, load


class AddressSchema(StrictSchema):
    city = fields.String(required=True)


class NoteSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(1, 20))
    pages = fields.Integer(load_default=1)
    address = fields.Nested(AddressSchema)


def test_valid_input_is_loaded_with_its_defaults():
    assert load(NoteSchema(), {"title": "Minutes"}) == {"title": "Minutes", "pages": 1}


def test_field_errors_become_validation_failed_with_the_messages_per_field():
    with pytest.raises(ValidationFailed) as caught:
        load(NoteSchema(), {"title": "", "pages": "many", "address": {}})

    error = caught.value
    assert error.code == "error.validation"
    assert error.status == 400
    assert error.extra["errors"] == {
        "title": ["Length must be between 1 and 20."],
        "pages": ["Not a valid integer."],
        "address": {"city": ["Missing data for required field."]},
    }


def test_a_strict_schema_refuses_an_unknown_field_instead_of_dropping_it():
    with pytest.raises(ValidationFailed) as caught:
        load(NoteSchema(), {"title": "Minutes", "titel": "typo"})

    assert caught.value.extra["errors"] == {"titel": ["Unknown field."]}


def test_a_strict_schema_refuses_unknown_fields_in_nested_objects_too():
    with pytest.raises(ValidationFailed) as caught:
        load(NoteSchema(), {"title": "Minutes", "address": {"city": "Riga", "zip": "1050"}})

    assert caught.value.extra["errors"] == {"address": {"zip": ["Unknown field."]}}


@pytest.mark.parametrize("data", [None, "title=Minutes", ["title", "Minutes"], 42])
def test_input_that_is_not_an_object_is_refused(data):
    with pytest.raises(ValidationFailed) as caught:
        load(NoteSchema(), data)

    assert caught.value.extra["errors"] == {"_schema": ["An object was expected."]}


def test_a_many_schema_accepts_a_list_and_names_the_bad_item():
    with pytest.raises(ValidationFailed) as caught:
        load(NoteSchema(many=True), [{"title": "ok"}, {"title": ""}])

    assert caught.value.extra["errors"] == {1: {"title": ["Length must be between 1 and 20."]}}


def test_the_validation_error_carries_no_marshmallow_exception_as_its_cause():
    class Plain(Schema):
        n = fields.Integer()

    with pytest.raises(ValidationFailed) as caught:
        load(Plain(), {"n": "x"})

    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__ is True
