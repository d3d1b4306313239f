"""The directory's contract: what its RPC methods accept and return, and its event payloads.

The gateway validates HTTP bodies with these same schemas and builds its OpenAPI document from
them. Codes of reference lists (areas, keywords…) are checked for their form here and against
the directory's own lists by the service, which knows which ones exist.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from services.common.reference import COMMISSION, SUPPORTED_LANGUAGES, normalise_member_state
from services.common.schemas import StrictSchema
from services.directory.domain import (
    CoordinatorKind,
    Direction,
    Role,
    Status,
    TitleStatus,
    Workflow,
)

LANGUAGE = validate.OneOf(SUPPORTED_LANGUAGES, error="Not a supported language.")
CODE = validate.Regexp(
    r"^[a-z0-9][a-z0-9_.-]{0,63}$", error="A code of lower-case letters, digits, _ . or -."
)
PHONE = validate.Regexp(r"^\+?[0-9 ()./-]{4,40}$", error="Not a valid phone number.")
ID = validate.Length(1, 64)
MAX_PAGE_SIZE = 100
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


# --- authorities: input ---------------------------------------------------------------------


class AreaRolesSchema(StrictSchema):
    area = fields.String(required=True, validate=CODE)
    workflow = fields.Enum(Workflow, by_value=True, required=True)
    roles = fields.List(
        fields.Enum(Role, by_value=True),
        load_default=lambda: [Role.AUTHORITY],
        validate=validate.Length(1, len(Role)),
    )
    direction = fields.Enum(Direction, by_value=True, load_default=Direction.BOTH)


class LinkSchema(StrictSchema):
    area = fields.String(required=True, validate=CODE)
    workflow = fields.Enum(Workflow, by_value=True, required=True)
    coordinator_id = fields.String(required=True, validate=ID)


class CompetencesSchema(StrictSchema):
    keyword = code_list(load_default=list)
    economic_activity = code_list(load_default=list)
    policy_area = code_list(load_default=list)
    profession = code_list(load_default=list)


class FirstUserSchema(StrictSchema):
    """The first user, registered with the authority; identity creates the account."""

    full_name = text(200, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    language = fields.String(required=True, validate=LANGUAGE)


class AuthorityFieldsSchema(StrictSchema):
    """Every field of an authority that its administrators may edit (DOMAIN.md section 2)."""

    official_name = text(300)
    official_language = fields.String(validate=LANGUAGE)
    region = fields.String(allow_none=True, validate=validate.Length(1, 120))
    street = fields.String(allow_none=True, validate=validate.Length(1, 200))
    postcode = fields.String(allow_none=True, validate=validate.Length(1, 20))
    city = fields.String(allow_none=True, validate=validate.Length(1, 120))
    website = fields.Url(
        allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=300)
    )
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=PHONE)
    languages = fields.List(
        fields.String(validate=LANGUAGE), validate=validate.Length(1, len(SUPPORTED_LANGUAGES))
    )
    titles = TitlesField()
    competences = fields.Nested(CompetencesSchema)
    other_professions = fields.List(
        fields.String(validate=validate.Length(1, 200)), validate=validate.Length(max=50)
    )


class NewAuthoritySchema(AuthorityFieldsSchema):
    """Registration by a coordinator (or the Commission): the authority and its first user."""

    official_name = text(300, required=True)
    official_language = fields.String(required=True, validate=LANGUAGE)
    member_state = MemberStateField(required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    languages = fields.List(
        fields.String(validate=LANGUAGE),
        required=True,
        validate=validate.Length(1, len(SUPPORTED_LANGUAGES)),
    )
    areas = fields.List(
        fields.Nested(AreaRolesSchema), required=True, validate=validate.Length(1, MAX_LIST)
    )
    links = fields.List(
        fields.Nested(LinkSchema), load_default=list, validate=validate.Length(max=MAX_LIST)
    )
    coordinator_kind = fields.Enum(
        CoordinatorKind, by_value=True, load_default=None, allow_none=True
    )
    coordinated_region = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(1, 120)
    )
    coordinated_areas = code_list(load_default=list)
    first_user = fields.Nested(FirstUserSchema, required=True)


class AuthorityUpdateSchema(AuthorityFieldsSchema):
    """A change of some fields; ``version`` is the one the editor read (optimistic locking)."""

    version = fields.Integer(required=True, validate=validate.Range(min=1))


class RolesUpdateSchema(StrictSchema):
    areas = fields.List(
        fields.Nested(AreaRolesSchema), required=True, validate=validate.Length(1, MAX_LIST)
    )
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class LinksUpdateSchema(StrictSchema):
    links = fields.List(
        fields.Nested(LinkSchema), required=True, validate=validate.Length(max=MAX_LIST)
    )
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class AuthorityListQuerySchema(StrictSchema):
    """Lists a coordinator reads about the authorities it coordinates."""

    which = fields.String(
        load_default="coordinated",
        validate=validate.OneOf(
            ["coordinated", "without_active_users", "few_administrators", "pending_validation"]
        ),
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


# --- authorities: output --------------------------------------------------------------------


class TitleSchema(Schema):
    text = fields.String(required=True)
    language = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in TitleStatus]))


class AddressSchema(Schema):
    street = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    region = fields.String(allow_none=True)


class CoordinatorRefSchema(Schema):
    id = fields.String(required=True)
    official_name = fields.String(required=True)
    coordinator_kind = fields.String(allow_none=True)


class LinkOutSchema(Schema):
    area = fields.String(required=True)
    workflow = fields.String(required=True)
    coordinator = fields.Nested(CoordinatorRefSchema, required=True)


class AreaRolesOutSchema(Schema):
    area = fields.String(required=True)
    workflow = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    direction = fields.String(required=True)


class AuthoritySchema(Schema):
    """An authority as its users, administrators and coordinators see it."""

    id = fields.String(required=True)
    official_name = fields.String(required=True)
    official_language = fields.String(required=True)
    title = fields.Nested(
        TitleSchema,
        allow_none=True,
        metadata={
            "description": "The informal title in the reader's language, else the "
            "nearest one (its language says which)"
        },
    )
    titles = fields.Dict(keys=fields.String(), values=fields.Nested(TitleSchema), required=True)
    member_state = fields.String(required=True)
    address = fields.Nested(AddressSchema, required=True)
    website = fields.String(allow_none=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    areas = fields.List(fields.Nested(AreaRolesOutSchema), required=True)
    links = fields.List(fields.Nested(LinkOutSchema), required=True)
    competences = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True
    )
    other_professions = fields.List(fields.String(), required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    coordinator_kind = fields.String(allow_none=True)
    coordinated_region = fields.String(allow_none=True)
    coordinated_areas = fields.List(fields.String(), required=True)
    validating_coordinator = fields.Nested(CoordinatorRefSchema, allow_none=True)
    active = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


class AuthoritySummarySchema(Schema):
    """One line of a list: enough to recognise the authority and act on it."""

    id = fields.String(required=True)
    official_name = fields.String(required=True)
    title = fields.Nested(TitleSchema, allow_none=True)
    member_state = fields.String(required=True)
    region = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    coordinator_kind = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    local_data_administrators = fields.Integer(required=True)


class AuthorityPageSchema(Schema):
    items = fields.List(fields.Nested(AuthoritySummarySchema), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


# --- events ---------------------------------------------------------------------------------


class AuthorityEventSchema(Schema):
    """authority_registered / _updated / _validated / _activated: no personal data."""

    authority_id = fields.String(required=True)
    member_state = fields.String(required=True)
    region = fields.String(allow_none=True)
    status = fields.String(required=True)
    coordinator_kind = fields.String(allow_none=True)
    validating_coordinator_id = fields.String(allow_none=True)
    official_name = fields.String(required=True)
    official_language = fields.String(required=True)
    titles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    areas = fields.List(fields.Nested(AreaRolesOutSchema), required=True)
    changed = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)


class FirstUserRequestedSchema(Schema):
    """For the identity service only (sensitive: deleted from the outbox once sent)."""

    authority_id = fields.String(required=True)
    member_state = fields.String(required=True)
    full_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)
    language = fields.String(required=True)
    username = fields.String(allow_none=True)
    password_now = fields.Boolean(required=True)


class CoordinatorLinkedSchema(Schema):
    authority_id = fields.String(required=True)
    area = fields.String(required=True)
    workflow = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    linked = fields.Boolean(required=True)


# --- the identity service's events, as the directory reads them -----------------------------


class UserEventSchema(Schema):
    """identity's user event payload (docs/events.md); unknown fields are ignored."""

    class Meta:
        unknown = "exclude"

    user_id = fields.String(required=True, validate=ID)
    authority_id = fields.String(required=True, validate=ID)
    grants = fields.List(fields.Dict(), load_default=list)
