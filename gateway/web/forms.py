"""What the pages' forms and links may carry, checked at the boundary like the API's bodies.

A form that does not fit is shown again with a message beside each wrong field; nothing
reaches a service. The services check again (their own schemas): these only keep a page from
passing on what no one could mean.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from services.common.errors import ValidationFailed

DIGIT = validate.Regexp(r"^[0-9]$", error="web.login.digit_invalid")
REQUIRED = {"required": "web.form.required", "null": "web.form.required"}


class FormSchema(Schema):
    """Unknown fields are dropped (a browser may send a button's name); every message is a
    catalogue key."""

    class Meta:
        unknown = EXCLUDE


def _text(max_length: int, **kwargs) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(1, max_length, error="web.form.too_long"),
        error_messages=REQUIRED,
        **kwargs,
    )


class LoginStartForm(FormSchema):
    username = _text(64)
    next = fields.String(load_default="/")


class LoginVerifyForm(FormSchema):
    username = _text(64)
    challenge_id = _text(64)
    password = _text(256)
    digit1 = fields.String(required=True, validate=DIGIT, error_messages=REQUIRED)
    digit2 = fields.String(required=True, validate=DIGIT, error_messages=REQUIRED)
    digit3 = fields.String(required=True, validate=DIGIT, error_messages=REQUIRED)
    next = fields.String(load_default="/")


class FirstLoginForm(FormSchema):
    new_password = _text(256)
    confirm_password = _text(256)
    security_code = _text(64)


class RequestListLink(FormSchema):
    box = fields.String(
        load_default="actions",
        validate=validate.OneOf(["actions", "incoming", "outgoing", "urgent", "all"]),
    )
    cursor = fields.String(load_default=None, validate=validate.Length(1, 200))


def read_form(schema: type[Schema], data: dict) -> tuple[dict, dict[str, str]]:
    """The form's values and, per wrong field, the catalogue key of its message (empty dict
    when all fit)."""
    try:
        return schema().load(_blank_as_missing(data)), {}
    except ValidationError as exc:
        return {}, {name: _first(messages) for name, messages in exc.normalized_messages().items()}


def read_link(schema: type[Schema], data: dict) -> dict:
    """A link's query, or ValidationFailed (a 400 page) where it does not fit."""
    try:
        return schema().load(_blank_as_missing(data))
    except ValidationError as exc:
        raise ValidationFailed.from_fields(exc.normalized_messages()) from None


def _blank_as_missing(data: dict) -> dict:
    return {name: value for name, value in data.items() if value != ""}


def _first(messages: object) -> str:
    while isinstance(messages, list | dict):
        messages = next(iter(messages.values() if isinstance(messages, dict) else messages))
    return str(messages)
