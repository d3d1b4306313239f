"""The directory's contract: what its RPC methods accept and return, and its event payloads.

The gateway validates HTTP bodies with these same schemas and builds its OpenAPI document from
them. Codes of reference lists (areas, keywords…) are checked for their form here and against
the directory's own lists by the service, which knows which ones exist.
"""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.contracts import publishes
from services.common.reference import COMMISSION, SUPPORTED_LANGUAGES, normalise_member_state
from services.common.schemas import MAX_PAGE_SIZE, PageQuerySchema, PageSchema, StrictSchema
from services.directory.domain import (
    LISTED_KINDS,
    CoordinatorKind,
    Direction,
    InvitationStatus,
    RegisterAccess,
    RegisterChange,
    RegisterTextStatus,
    Rejection,
    Role,
    Status,
    TermKind,
    TitleStatus,
    Workflow,
)

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


class VersionSchema(StrictSchema):
    """The version the caller read, for a change without other input."""

    version = fields.Integer(required=True, validate=validate.Range(min=1))


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


class AuthorityPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuthoritySummarySchema), required=True)


# --- search ---------------------------------------------------------------------------------

MAX_SEARCH_TEXT = 200


class SearchQuerySchema(PageQuerySchema):
    """A search of the directory: free text in any language and script, filters, a page.
    Every filter is optional; they combine (all must hold)."""

    text = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_SEARCH_TEXT),
        metadata={"description": "Words of official names or informal titles, any language"},
    )
    member_state = MemberStateField(load_default=None, allow_none=True)
    region = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 120))
    area = fields.String(load_default=None, allow_none=True, validate=CODE)
    workflow = fields.Enum(Workflow, by_value=True, load_default=None, allow_none=True)
    role = fields.Enum(Role, by_value=True, load_default=None, allow_none=True)
    keyword = fields.String(load_default=None, allow_none=True, validate=CODE)
    economic_activity = fields.String(load_default=None, allow_none=True, validate=CODE)
    policy_area = fields.String(load_default=None, allow_none=True, validate=CODE)
    profession = fields.String(load_default=None, allow_none=True, validate=CODE)
    coordinator_id = fields.String(load_default=None, allow_none=True, validate=ID)
    language = fields.String(
        load_default=None,
        allow_none=True,
        validate=LANGUAGE,
        metadata={"description": "The language of the results; the searcher's by default"},
    )


class ResponsibleCoordinatorSchema(CoordinatorRefSchema):
    why = fields.String(
        required=True,
        validate=validate.OneOf(["validating", "linked"]),
        metadata={"description": "Its validating coordinator, or linked for the area"},
    )


class SearchResultSchema(Schema):
    """One authority found, in the searcher's language, with what it takes to contact it."""

    id = fields.String(required=True)
    official_name = fields.String(required=True)
    title = fields.Nested(TitleSchema, allow_none=True)
    member_state = fields.String(required=True)
    region = fields.String(allow_none=True)
    address = fields.Nested(AddressSchema, required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    coordinators = fields.List(fields.Nested(ResponsibleCoordinatorSchema), required=True)
    score = fields.Float(
        required=True, metadata={"description": "Relevance from 0 to 1; 1 without free text"}
    )


class SearchPageSchema(PageSchema):
    items = fields.List(fields.Nested(SearchResultSchema), required=True)
    total = fields.Integer(
        required=True,
        metadata={"description": "Matches in all; a free-text search keeps the best 500"},
    )
    language = fields.String(required=True)


# --- events ---------------------------------------------------------------------------------


class AuthorityEventSchema(Schema):
    """authority_registered / _updated / _validated / _activated: no personal data."""

    authority_id = fields.String(required=True, validate=ID)
    member_state = fields.String(required=True, validate=validate.Length(2, 2))
    region = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.Length(1, 24))
    coordinator_kind = fields.String(required=True, allow_none=True)
    validating_coordinator_id = fields.String(required=True, allow_none=True, validate=ID)
    official_name = fields.String(required=True)
    official_language = fields.String(required=True, validate=LANGUAGE)
    titles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    areas = fields.List(fields.Nested(AreaRolesOutSchema), required=True)
    changed = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)


class FirstUserRequestedSchema(Schema):
    """For the identity service only (sensitive: deleted from the outbox once sent); identity
    creates the account with every right."""

    authority_id = fields.String(required=True, validate=ID)
    member_state = fields.String(required=True, validate=validate.Length(2, 2))
    full_name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(required=True, allow_none=True, validate=PHONE)
    language = fields.String(required=True, validate=LANGUAGE)
    username = fields.String(required=True, allow_none=True, validate=validate.Length(1, 32))
    password_now = fields.Boolean(required=True)


class CoordinatorLinkedSchema(Schema):
    authority_id = fields.String(required=True)
    area = fields.String(required=True)
    workflow = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    linked = fields.Boolean(required=True)


# --- directory of registers -----------------------------------------------------------------

REGISTER_ACCESS = validate.OneOf([access.value for access in RegisterAccess])
SEARCH_TEXT = validate.Length(1, 200)


class RegisterTextsSchema(StrictSchema):
    """A register's texts in one language."""

    name = text(300, required=True)
    nature = text(2000, required=True, metadata={"description": "What kind of register it is"})
    content = text(2000, required=True, metadata={"description": "What it records"})
    access_conditions = text(2000, required=True)


class NewRegisterSchema(StrictSchema):
    """A register added by its responsible authority; its member state is the authority's."""

    authority_id = fields.String(required=True, validate=ID)
    url = fields.Url(
        load_default=None, allow_none=True, schemes={"http", "https"},
        validate=validate.Length(max=500),
    )  # fmt: skip
    access = fields.String(required=True, validate=REGISTER_ACCESS)
    source_language = fields.String(required=True, validate=LANGUAGE)
    texts = fields.Nested(RegisterTextsSchema, required=True)


class RegisterUpdateSchema(StrictSchema):
    """A change of some fields; ``texts`` are the source language's, whose translations are
    then marked outdated. ``version`` is the one the editor read."""

    url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=500))
    access = fields.String(validate=REGISTER_ACCESS)
    texts = fields.Nested(RegisterTextsSchema)
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class RegisterTranslationSchema(RegisterTextsSchema):
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class TranslationLanguageSchema(StrictSchema):
    """The language of a translation, as given in the path."""

    language = fields.String(required=True, validate=LANGUAGE)


class RegisterQuerySchema(PageQuerySchema):
    text = fields.String(
        validate=SEARCH_TEXT, metadata={"description": "Words of names or content"}
    )
    member_state = MemberStateField()
    authority_id = fields.String(validate=ID)
    access = fields.String(validate=REGISTER_ACCESS)


class RegisterTextOutSchema(Schema):
    language = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in RegisterTextStatus])
    )
    name = fields.String(required=True)
    nature = fields.String(required=True)
    content = fields.String(required=True)
    access_conditions = fields.String(required=True)


class RegisterAuthoritySchema(Schema):
    id = fields.String(required=True)
    official_name = fields.String(required=True)
    title = fields.Nested(TitleSchema, allow_none=True)


class RegisterSchema(Schema):
    """A register in the reader's language: ``text.language`` is the language given (the
    source language where the reader's is not translated yet)."""

    id = fields.String(required=True)
    member_state = fields.String(required=True)
    authority = fields.Nested(RegisterAuthoritySchema, required=True)
    url = fields.String(allow_none=True)
    access = fields.String(required=True)
    source_language = fields.String(required=True)
    requested_language = fields.String(required=True)
    text = fields.Nested(RegisterTextOutSchema, required=True)
    translations = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True,
        metadata={"description": "Status of the texts per language"},
    )  # fmt: skip
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


class RegisterPageSchema(PageSchema):
    items = fields.List(fields.Nested(RegisterSchema), required=True)


class RegisterChangedSchema(Schema):
    """register_changed: what changed, never the texts (read them by RPC or syndication)."""

    register_id = fields.String(required=True)
    authority_id = fields.String(required=True)
    member_state = fields.String(required=True)
    access = fields.String(required=True)
    change = fields.String(
        required=True, validate=validate.OneOf([c.value for c in RegisterChange])
    )
    language = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)


# --- public syndication (no login) ----------------------------------------------------------


class PublicQuerySchema(PageQuerySchema):
    member_state = MemberStateField()
    area = fields.String(validate=CODE)
    updated_since = fields.AwareDateTime(
        default_timezone=UTC, metadata={"description": "ISO 8601 time; UTC when no offset"}
    )
    language = fields.String(
        validate=LANGUAGE, metadata={"description": "Only the texts in this language"}
    )
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PublicLanguageQuerySchema(StrictSchema):
    language = fields.String(validate=LANGUAGE)


class PublicAreaSchema(Schema):
    area = fields.String(required=True)
    workflow = fields.String(required=True)


class PublicAuthoritySchema(Schema):
    """An authority's public contact details: exactly these fields leave, never its users,
    activity, status or coordinators."""

    id = fields.String(required=True)
    official_name = fields.String(required=True)
    official_language = fields.String(required=True)
    titles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    member_state = fields.String(required=True)
    address = fields.Nested(AddressSchema, required=True)
    website = fields.String(allow_none=True)
    email = fields.String(required=True, metadata={"description": "Functional mailbox"})
    phone = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    areas = fields.List(fields.Nested(PublicAreaSchema), required=True)
    updated_at = fields.AwareDateTime(required=True)


class PublicRegisterTextSchema(Schema):
    name = fields.String(required=True)
    nature = fields.String(required=True)
    content = fields.String(required=True)
    access_conditions = fields.String(required=True)
    status = fields.String(required=True)


class PublicRegisterAuthoritySchema(Schema):
    id = fields.String(required=True)
    official_name = fields.String(required=True)


class PublicRegisterSchema(Schema):
    """A register open to the public, with its texts in every language."""

    id = fields.String(required=True)
    member_state = fields.String(required=True)
    authority = fields.Nested(PublicRegisterAuthoritySchema, required=True)
    url = fields.String(allow_none=True)
    source_language = fields.String(required=True)
    texts = fields.Dict(
        keys=fields.String(), values=fields.Nested(PublicRegisterTextSchema), required=True
    )
    updated_at = fields.AwareDateTime(required=True)


class PublicAuthorityPageSchema(PageSchema):
    items = fields.List(fields.Nested(PublicAuthoritySchema), required=True)


class PublicRegisterPageSchema(PageSchema):
    items = fields.List(fields.Nested(PublicRegisterSchema), required=True)


# --- invitations and self-registration ------------------------------------------------------

MAX_BATCH = 500
REGISTRATION_CODE = validate.Regexp(
    r"^[A-Za-z0-9_-]{20,64}$", error="Not a registration code."
)  # fmt: skip


class InvitedAreaSchema(StrictSchema):
    """A legislative area and workflow; whether the directory offers it is the service's check
    (an unknown one rejects the invitation with ``no_area``, not the whole batch)."""

    area = fields.String(required=True, validate=CODE)
    workflow = fields.String(required=True, validate=CODE)


class InvitationItemSchema(StrictSchema):
    """One invitation of a batch. The email is checked by the service, which rejects the item
    with its reason (``invalid_email``) rather than refusing the batch."""

    email = fields.String(required=True, validate=validate.Length(1, 1000))
    language = fields.String(required=True, validate=LANGUAGE)
    areas = fields.List(
        fields.Nested(InvitedAreaSchema), load_default=list, validate=validate.Length(max=MAX_LIST)
    )
    official_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(1, 300),
        metadata={"description": "A hint of the invited authority's name, prefilled for it"},
    )  # fmt: skip


class InvitationBatchSchema(StrictSchema):
    invitations = fields.List(
        fields.Nested(InvitationItemSchema), required=True, validate=validate.Length(1, MAX_BATCH)
    )


class InvitationResubmissionSchema(StrictSchema):
    """An expired invitation sent again with a new code; any field given replaces the old."""

    email = fields.String(validate=validate.Length(1, 1000))
    language = fields.String(validate=LANGUAGE)
    areas = fields.List(fields.Nested(InvitedAreaSchema), validate=validate.Length(max=MAX_LIST))
    official_name = fields.String(allow_none=True, validate=validate.Length(1, 300))


class InvitationReleaseSchema(StrictSchema):
    """What a Commission administrator confirms: a whole held batch, or some invitations."""

    batch_id = fields.String(validate=ID)
    invitation_ids = fields.List(fields.String(validate=ID), validate=validate.Length(1, MAX_BATCH))

    @validates_schema
    def one_of_them(self, data, **kwargs):
        if ("batch_id" in data) == ("invitation_ids" in data):
            raise ValidationError("Give either batch_id or invitation_ids.", "_schema")


class InvitationListQuerySchema(PageQuerySchema):
    status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in InvitationStatus])
    )


class InvitedAreaOutSchema(Schema):
    area = fields.String(required=True)
    workflow = fields.String(required=True)


class InvitationSchema(Schema):
    """An invitation as its coordinator (or the Commission) sees it: never its code."""

    id = fields.String(required=True)
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True)
    member_state = fields.String(required=True)
    areas = fields.List(fields.Nested(InvitedAreaOutSchema), required=True)
    official_name = fields.String(allow_none=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in InvitationStatus])
    )
    expires_at = fields.AwareDateTime(allow_none=True)
    reminded_at = fields.AwareDateTime(allow_none=True)
    authority_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)


class SubmittedInvitationSchema(Schema):
    email = fields.String(required=True)
    language = fields.String(required=True)
    areas = fields.List(fields.Nested(InvitedAreaOutSchema), required=True)
    official_name = fields.String(allow_none=True)


class InvitationRejectionSchema(Schema):
    """A refused item, echoed as submitted so that the client can edit and re-submit it."""

    index = fields.Integer(required=True, metadata={"description": "Its place in the batch"})
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in Rejection]))
    detail = fields.String(required=True)
    invitation = fields.Nested(SubmittedInvitationSchema, required=True)


class InvitationBatchResultSchema(Schema):
    batch_id = fields.String(required=True)
    accepted = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    held = fields.Integer(
        required=True,
        metadata={"description": "Accepted but over the daily limit: sent once the Commission "
                  "confirms them"},
    )  # fmt: skip
    invitations = fields.List(fields.Nested(InvitationSchema), required=True)
    rejections = fields.List(fields.Nested(InvitationRejectionSchema), required=True)


class InvitationPageSchema(PageSchema):
    items = fields.List(fields.Nested(InvitationSchema), required=True)


class InvitationReleaseResultSchema(Schema):
    released = fields.Integer(required=True)
    invitations = fields.List(fields.Nested(InvitationSchema), required=True)


class InvitationCheckSchema(Schema):
    """What a valid registration code prefills in the self-registration form."""

    member_state = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True)
    areas = fields.List(fields.Nested(InvitedAreaOutSchema), required=True)
    official_name = fields.String(allow_none=True)
    coordinator = fields.Nested(CoordinatorRefSchema, required=True)
    expires_at = fields.AwareDateTime(required=True)


class SelfRegistrationSchema(AuthorityFieldsSchema):
    """An invited authority registers itself: its data (the member state is the invitation's,
    the areas default to the invitation's) and its first user."""

    registration_code = fields.String(required=True, validate=REGISTRATION_CODE)
    official_name = text(300, required=True)
    official_language = fields.String(required=True, validate=LANGUAGE)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    languages = fields.List(
        fields.String(validate=LANGUAGE),
        required=True,
        validate=validate.Length(1, len(SUPPORTED_LANGUAGES)),
    )
    areas = fields.List(
        fields.Nested(InvitedAreaSchema), validate=validate.Length(1, MAX_LIST)
    )  # fmt: skip
    first_user = fields.Nested(FirstUserSchema, required=True)


class FirstUserOutSchema(Schema):
    full_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)
    language = fields.String(required=True)


class SelfRegistrationSummarySchema(Schema):
    """The summary to save or print: everything entered, and the first user's username, which
    is shown here only (it is never emailed)."""

    authority = fields.Nested(AuthoritySchema, required=True)
    status = fields.String(required=True)
    username = fields.String(required=True)
    first_user = fields.Nested(FirstUserOutSchema, required=True)
    validating_coordinator = fields.Nested(CoordinatorRefSchema, required=True)
    next_step = fields.String(required=True, metadata={"description": "A catalogue key"})
    detail = fields.String(required=True)


class InvitationCreatedSchema(Schema):
    """For the notifications service only (sensitive: it carries the registration code)."""

    invitation_id = fields.String(required=True)
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    member_state = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True)
    registration_code = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class InvitationHeldSchema(Schema):
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    member_state = fields.String(required=True)
    invited_by = fields.String(required=True)
    held = fields.Integer(required=True)
    invitation_ids = fields.List(fields.String(), required=True)


class InvitationReleasedSchema(Schema):
    invitation_id = fields.String(required=True)
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    released_by = fields.String(required=True)


class InvitationExpiringSchema(Schema):
    """For the notifications service only (sensitive: an email); never the code."""

    invitation_id = fields.String(required=True)
    email = fields.String(required=True)
    language = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class InvitationExpiredSchema(Schema):
    invitation_id = fields.String(required=True)
    batch_id = fields.String(required=True)
    coordinator_id = fields.String(required=True)
    expired_at = fields.AwareDateTime(required=True)


# --- reference lists ------------------------------------------------------------------------

MAX_TERM_NAME = 200


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("A name cannot be blank.")


class TermNamesField(fields.Dict):
    """Names of an entry: ``{language: name}``, in supported languages only."""

    def __init__(self, **kwargs):
        super().__init__(
            keys=fields.String(validate=LANGUAGE),
            values=fields.String(validate=[validate.Length(1, MAX_TERM_NAME), not_blank]),
            validate=validate.Length(min=1),
            **kwargs,
        )


class TermQuerySchema(StrictSchema):
    """What a reader asks of one list (the list itself is in the path)."""

    language = fields.String(
        load_default=None,
        allow_none=True,
        validate=LANGUAGE,
        metadata={"description": "The language of the names; the reader's by default"},
    )
    parent = fields.String(
        load_default=None,
        allow_none=True,
        validate=CODE,
        metadata={"description": "Only the children of this entry (a sector, an area…)"},
    )
    include_inactive = fields.Boolean(
        load_default=False, metadata={"description": "Commission administrators only"}
    )


class TermListQuerySchema(TermQuerySchema):
    kind = fields.String(
        required=True, validate=validate.OneOf(LISTED_KINDS, error="No such reference list.")
    )


class TermRefSchema(StrictSchema):
    """Which list (one the Commission may edit), and which entry of it when one is meant."""

    kind = fields.Enum(TermKind, by_value=True, required=True)
    code = fields.String(validate=CODE)


class NewTermSchema(StrictSchema):
    """A new entry; names in some languages (English needed), the others show English. A new
    legislative area comes with its workflows."""

    code = fields.String(required=True, validate=CODE)
    names = TermNamesField(required=True)
    parent = fields.String(load_default=None, allow_none=True, validate=CODE)
    workflows = fields.List(
        fields.Enum(Workflow, by_value=True),
        load_default=list,
        validate=validate.Length(max=len(Workflow)),
    )
    position = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=100000)
    )


class TermUpdateSchema(StrictSchema):
    """A change of names (the given languages only), activity or position; ``version`` is the
    one the editor read."""

    names = TermNamesField()
    active = fields.Boolean()
    position = fields.Integer(validate=validate.Range(min=0, max=100000))
    version = fields.Integer(required=True, validate=validate.Range(min=1))

    @validates_schema
    def something_changes(self, data, **kwargs):
        if not {"names", "active", "position"} & set(data):
            raise ValidationError("Give names, active or position to change.", "_schema")


class AreaWorkflowSchema(StrictSchema):
    area = fields.String(required=True, validate=CODE)
    workflow = fields.Enum(Workflow, by_value=True, required=True)
    active = fields.Boolean(required=True)


class AreaWorkflowBodySchema(StrictSchema):
    active = fields.Boolean(required=True)


class AreaWorkflowOutSchema(Schema):
    workflow = fields.String(required=True)
    active = fields.Boolean(required=True)


class TermSchema(Schema):
    """One entry of a list, named in the requested language."""

    kind = fields.String(required=True)
    code = fields.String(required=True)
    parent = fields.String(allow_none=True)
    name = fields.String(required=True)
    untranslated = fields.Boolean(
        required=True, metadata={"description": "The name is the English one standing in"}
    )
    active = fields.Boolean(required=True)
    position = fields.Integer(required=True)
    version = fields.Integer(allow_none=True)
    workflows = fields.List(
        fields.Nested(AreaWorkflowOutSchema),
        metadata={"description": "A legislative area's workflows"},
    )


class TermListSchema(Schema):
    kind = fields.String(required=True)
    language = fields.String(required=True)
    items = fields.List(fields.Nested(TermSchema), required=True)


class TermDetailSchema(TermSchema):
    """An entry as its maintainers see it after a change: every name, and which are English
    stand-ins."""

    names = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    untranslated_languages = fields.List(fields.String(), required=True)
    updated_at = fields.AwareDateTime(required=True)
    updated_by = fields.String(allow_none=True)


class TermsChangedSchema(Schema):
    """terms_changed: which entry, its version and whether it is active; a legislative area's
    active workflows."""

    kind = fields.String(required=True)
    code = fields.String(required=True)
    version = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    workflows = fields.List(fields.String(), allow_none=True)


AUTHORITY_EVENTS = (
    "authority_registered",
    "authority_updated",
    "authority_validated",
    "authority_activated",
)
EVENTS = publishes(
    "directory",
    {
        **dict.fromkeys(AUTHORITY_EVENTS, AuthorityEventSchema),
        "coordinator_linked": CoordinatorLinkedSchema,
        "first_user_requested": FirstUserRequestedSchema,
        "invitation_created": InvitationCreatedSchema,
        "invitation_held": InvitationHeldSchema,
        "invitation_released": InvitationReleasedSchema,
        "invitation_expiring": InvitationExpiringSchema,
        "invitation_expired": InvitationExpiredSchema,
        "register_changed": RegisterChangedSchema,
        "terms_changed": TermsChangedSchema,
    },
)
