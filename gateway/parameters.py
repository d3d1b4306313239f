"""What each path parameter takes: one marshmallow field per name, for the OpenAPI document
and for the router's bound on its length.

Identifiers are UUIDs; languages, reference lists and workflows are closed lists; codes and
keys have the patterns the services check. A route whose parameter takes less than the name
usually does (the lists the Commission may edit) says so in its row (``Route.path_fields``).
This module imports nothing of the gateway, so gateway/route.py can use it.
"""

from __future__ import annotations

from types import MappingProxyType

from marshmallow import fields, validate

from services.common.reference import EEA_COUNTRIES, SUPPORTED_LANGUAGES
from services.common.schemas import WholeMatch
from services.directory.domain import LISTED_KINDS, TermKind, Workflow
from services.directory.schemas.fields import CODE
from services.directory.schemas.invitations import REGISTRATION_CODE
from services.requests.schemas import ACTIONS as REQUEST_ACTIONS
from services.requests.schemas import KEY as QUESTION_SET_KEY
from services.translation.domain import KEY_MAX_LENGTH, KEY_PATTERN

DEFAULT_MAX_LENGTH = 64


def _identifier() -> fields.Field:
    return fields.UUID(metadata={"description": "A UUID"})


PATH_FIELDS: MappingProxyType[str, fields.Field] = MappingProxyType({
    "user_id": _identifier(),
    "authority_id": _identifier(),
    "register_id": _identifier(),
    "invitation_id": _identifier(),
    "job_id": _identifier(),
    "policy_id": _identifier(),
    "language": fields.String(validate=validate.OneOf(SUPPORTED_LANGUAGES)),
    "kind": fields.String(validate=validate.OneOf(LISTED_KINDS)),
    "code": fields.String(validate=CODE),
    "area": fields.String(validate=CODE),
    "workflow": fields.String(validate=validate.OneOf([w.value for w in Workflow])),
    "set_key": fields.String(validate=[validate.Length(1, 40), QUESTION_SET_KEY]),
    "request_id": _identifier(),
    "attachment_id": _identifier(),
    "subscription_id": _identifier(),
    "delivery_id": _identifier(),
    "item_id": _identifier(),
    "action": fields.String(validate=validate.OneOf(REQUEST_ACTIONS)),
    "alert_id": _identifier(),
    "notification_id": _identifier(),
    "member_state": fields.String(validate=validate.OneOf(EEA_COUNTRIES)),
    "key": fields.String(validate=[
        validate.Length(1, KEY_MAX_LENGTH), WholeMatch(f"^{KEY_PATTERN.pattern}$"),
    ]),
})  # fmt: skip
EDITABLE_KIND = fields.String(validate=validate.OneOf([kind.value for kind in TermKind]))
REGISTRATION_CODE_FIELD = fields.String(validate=REGISTRATION_CODE)


def max_length(field: fields.Field) -> int:
    """The longest value the field takes, for the router (which finds no route for a longer
    one: a 404 before anything reads it)."""
    longest = [
        validator.max
        for validator in field.validators
        if isinstance(validator, validate.Length) and validator.max is not None
    ]
    return min(longest, default=DEFAULT_MAX_LENGTH)
