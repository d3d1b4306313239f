"""Schema helpers every service uses at its boundary."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError

from services.common.errors import ValidationFailed

MAX_TEXT = 2000


class StrictSchema(Schema):
    """Unknown fields are an error, not silently dropped: a typo must not look like success."""

    class Meta:
        unknown = RAISE


def load(schema: Schema, data: Any) -> Any:
    """Load ``data`` or raise ValidationFailed carrying marshmallow's field errors."""
    if not isinstance(data, dict) and not schema.many:
        raise ValidationFailed.from_fields({"_schema": ["An object was expected."]})
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed.from_fields(exc.normalized_messages()) from None
