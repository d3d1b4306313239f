"""Fields the directory's schemas share: member states, languages, codes, titles."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from services.common.reference import COMMISSION, SUPPORTED_LANGUAGES, normalise_member_state

LANGUAGE = validate.OneOf(SUPPORTED_LANGUAGES, error="Not a supported language.")
CODE = validate.Regexp(
    r"^[a-z0-9][a-z0-9_.-]{0,63}$", error="A code of lower-case letters, digits, _ . or -."
)
PHONE = validate.Regexp(r"^\+?[0-9 ()./-]{4,40}$", error="Not a valid phone number.")
ID = validate.Length(1, 64)
MAX_LIST = 200


class MemberStateField(fields.String):
    """An EEA country code (GR accepted for EL), or the Commission's EU when allowed."""

    def __init__(self, *, commission: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.commission = commission

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            code = normalise_member_state(text)
        except ValueError:
            raise ValidationError("Not a member state of the EEA.") from None
        if code == COMMISSION and not self.commission:
            raise ValidationError("Not a member state of the EEA.")
        return code


def text(longest: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(1, longest), **kwargs)


def code_list(**kwargs) -> fields.List:
    return fields.List(
        fields.String(validate=CODE), validate=validate.Length(max=MAX_LIST), **kwargs
    )


class TitlesField(fields.Dict):
    """Informal titles: ``{language: text}``."""

    def __init__(self, **kwargs):
        super().__init__(
            keys=fields.String(validate=LANGUAGE),
            values=fields.String(validate=validate.Length(1, 300)),
            **kwargs,
        )
