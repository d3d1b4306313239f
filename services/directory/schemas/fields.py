"""Fields the directory's schemas share: member states, languages, codes, titles."""

from __future__ import annotations

from marshmallow import fields, validate

from services.common.reference import (
    ALIASES,
    COMMISSION,
    EEA_COUNTRIES,
    SUPPORTED_LANGUAGES,
    normalise_member_state,
)
from services.common.schemas import WholeMatch

LANGUAGE = validate.OneOf(SUPPORTED_LANGUAGES, error="Not a supported language.")
CODE = WholeMatch(
    r"^[a-z0-9][a-z0-9_.-]{0,63}$", error="A code of lower-case letters, digits, _ . or -."
)
PHONE = WholeMatch(r"^\+?[0-9 ()./-]{4,40}$", error="Not a valid phone number.")
ID = validate.Length(1, 64)
MAX_LIST = 200


class MemberStateField(fields.String):
    """An EEA country's code as the EU writes it (GR accepted for EL, and stored as EL), or
    the Commission's EU where ``commission`` allows it. The codes are a closed list, exactly
    as written: the OpenAPI document shows it, and nothing else is taken."""

    def __init__(self, *, commission: bool = False, **kwargs):
        codes = [*EEA_COUNTRIES, *ALIASES, *([COMMISSION] if commission else [])]
        member_state = validate.OneOf(codes, error="Not a member state of the EEA.")
        super().__init__(validate=member_state, **kwargs)
        self.commission = commission

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        for validator in self.validators:
            validator(text)
        return normalise_member_state(text)


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
