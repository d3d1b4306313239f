"""Authorities: what registering, editing and listing them take and give."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.reference import SUPPORTED_LANGUAGES
from services.common.schemas import (
    PageQuerySchema,
    PageSchema,
    StrictSchema,
    version_field,
    web_address,
)
from services.directory.domain import (
    CoordinatorKind,
    Direction,
    Role,
    Status,
    TitleStatus,
    Workflow,
)
from services.directory.schemas.fields import (
    CODE,
    ID,
    LANGUAGE,
    MAX_LIST,
    PHONE,
    MemberStateField,
    TitlesField,
    code_list,
    text,
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
    website = web_address(300, allow_none=True)
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
    # EU: one of the Commission's own services (its incoming alert mailbox, for instance),
    # which only a Commission administrator registers (DOMAIN.md section 1)
    member_state = MemberStateField(required=True, commission=True)
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

    version = version_field()


class RolesUpdateSchema(StrictSchema):
    areas = fields.List(
        fields.Nested(AreaRolesSchema), required=True, validate=validate.Length(1, MAX_LIST)
    )
    version = version_field()


class LinksUpdateSchema(StrictSchema):
    links = fields.List(
        fields.Nested(LinkSchema), required=True, validate=validate.Length(max=MAX_LIST)
    )
    version = version_field()


class SettingsUpdateSchema(StrictSchema):
    """An authority's settings for information requests, both given (PUT), with the version
    of the authority the editor read."""

    uses_allocation = fields.Boolean(
        required=True,
        metadata={"description": "The authority works with allocation: an allocator assigns "
                  "incoming requests to request handlers, and only those allocated act on them"},
    )  # fmt: skip
    coordinator_full_view = fields.Boolean(
        required=True,
        metadata={"description": "Its coordinators see full details without personal data of "
                  "its requests that need their intervention (approval, referral)"},
    )  # fmt: skip
    version = version_field()


class VersionSchema(StrictSchema):
    """The version the caller read, for a change without other input."""

    version = version_field()


class AuthorityListQuerySchema(PageQuerySchema):
    """Lists a coordinator reads about the authorities it coordinates."""

    which = fields.String(
        load_default="coordinated",
        validate=validate.OneOf(
            ["coordinated", "without_active_users", "few_administrators", "pending_validation"]
        ),
    )


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


class AuthoritySettingsSchema(Schema):
    """An authority's settings for information requests (both false by default)."""

    uses_allocation = fields.Boolean(required=True)
    coordinator_full_view = fields.Boolean(required=True)


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
    data_confirmed = fields.Boolean(
        required=True,
        metadata={"description": "Its administrators confirmed its details; until then the "
                  "first login asks them to check and update them"},
    )  # fmt: skip
    settings = fields.Nested(
        AuthoritySettingsSchema,
        required=True,
        metadata={"description": "Its settings for information requests; its local data "
                  "administrators and its coordinators change them"},
    )  # fmt: skip
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


class MemberStateCountSchema(Schema):
    member_state = fields.String(required=True)
    authorities = fields.Integer(required=True)


class AuthorityPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuthoritySummarySchema), required=True)
    per_member_state = fields.List(
        fields.Nested(MemberStateCountSchema),
        required=True,
        metadata={"description": "How many of the whole list (not the page) in each state"},
    )
