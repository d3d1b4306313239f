"""The directory's own database: reference lists, authorities, invitations, registers, and the
read model of users that tells which authorities are active."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.clashes import clash
from services.common.kernel_tables import UNMODELLED, WithKernelTables
from services.common.models import UtcDateTime, Versioned
from services.directory.domain import LIVE_INVITATIONS, CoordinatorKind

# The "only one" rules of the directory (services/common/clashes.py): their conditions, as
# SQL both engines read, and the Conflict a clash with each is.
NATIONAL_COORDINATOR = text(f"coordinator_kind = '{CoordinatorKind.NIMIC.value}'")
LIVE_INVITATION = text(
    "status IN ({})".format(", ".join(sorted(f"'{status.value}'" for status in LIVE_INVITATIONS)))
)


class Base(WithKernelTables, DeclarativeBase):
    """The service's tables, and the kernel's (outbox, inbox, idempotency, dead letters),
    mapped by convention (services/common/kernel_tables.py)."""


# The search structures of each engine (d0002, docs/directory-search.md) are written by hand
# and are not models: autogenerate and the drift check leave them alone.
Base.metadata.info[UNMODELLED] = ("authority_search",)

# the kernel's outbox under the name this service's tests read it by
Outbox = Base.kernel.outbox


# --- reference lists ------------------------------------------------------------------------


class Term(Versioned, Base):
    """One entry of a reference list (a legislative area, a profession, a NACE activity…) with
    its name in every supported language. ``untranslated`` lists the languages whose name is
    the English text standing in until a translation exists."""

    __tablename__ = "terms"
    __table_args__ = (
        PrimaryKeyConstraint(
            "kind", "code",
            info=clash("An entry with this code exists already in this list.", "term.exists"),
        ),
    )  # fmt: skip

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent: Mapped[str | None] = mapped_column(String(64), index=True)
    names: Mapped[dict] = mapped_column(JSON)
    untranslated: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class AreaWorkflow(Base):
    """A workflow (information requests, alerts, notifications, repositories) that a
    legislative area offers; areas and their workflows are data, activated independently."""

    __tablename__ = "area_workflows"

    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow: Mapped[str] = mapped_column(String(32), primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)


# --- authorities ----------------------------------------------------------------------------


class Authority(Versioned, Base):
    __tablename__ = "authorities"
    __table_args__ = (
        Index("ix_authorities_state_region", "member_state", "region"),
        Index(
            "uq_authorities_national_coordinator", "member_state", unique=True,
            sqlite_where=NATIONAL_COORDINATOR, postgresql_where=NATIONAL_COORDINATOR,
            info=clash("This member state has its national IMI coordinator already: there is "
                       "one per member state.", "authority.nimic_exists"),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    official_name: Mapped[str] = mapped_column(String(300))
    official_language: Mapped[str] = mapped_column(String(3))
    member_state: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(120))
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    languages: Mapped[list] = mapped_column(JSON, default=list)
    other_professions: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(24), index=True)
    coordinator_kind: Mapped[str | None] = mapped_column(String(8), index=True)
    coordinated_region: Mapped[str | None] = mapped_column(String(120))
    coordinated_areas: Mapped[list] = mapped_column(JSON, default=list)
    validating_coordinator_id: Mapped[str | None] = mapped_column(String(36), index=True)
    registered_by: Mapped[str | None] = mapped_column(String(36))
    first_active_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    data_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # its settings for information requests (services.directory.domain.AUTHORITY_SETTINGS)
    uses_allocation: Mapped[bool] = mapped_column(default=False, server_default=false())
    coordinator_full_view: Mapped[bool] = mapped_column(default=False, server_default=false())
    # who saved the current version, by name: a conflicting save is told who came first
    updated_by_username: Mapped[str | None] = mapped_column(String(64))

    titles: Mapped[list[AuthorityTitle]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    areas: Mapped[list[AuthorityArea]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    links: Mapped[list[CoordinatorLink]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", foreign_keys="CoordinatorLink.authority_id"
    )
    competences: Mapped[list[Competence]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class AuthorityTitle(Base):
    """The informal title in one language: what a foreign user reads to recognise the
    authority's role. ``status``: original, translated (by a person) or machine."""

    __tablename__ = "authority_titles"

    authority_id: Mapped[str] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(3), primary_key=True)
    text: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12))


class AuthorityArea(Base):
    """An authority's roles in one legislative area and workflow, and whether it sends,
    receives or both."""

    __tablename__ = "authority_areas"
    __table_args__ = (Index("ix_authority_areas_area", "area", "workflow"),)

    authority_id: Mapped[str] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow: Mapped[str] = mapped_column(String(32), primary_key=True)
    roles: Mapped[list] = mapped_column(JSON, default=list)
    direction: Mapped[str] = mapped_column(String(8), default="both")


class CoordinatorLink(Base):
    """A coordinator linked to an authority for one legislative area and workflow."""

    __tablename__ = "coordinator_links"

    authority_id: Mapped[str] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow: Mapped[str] = mapped_column(String(32), primary_key=True)
    coordinator_id: Mapped[str] = mapped_column(
        ForeignKey("authorities.id"), primary_key=True, index=True
    )
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    linked_by: Mapped[str | None] = mapped_column(String(36))


class Competence(Base):
    """An area of competence: a keyword, a NACE activity, a policy area or a profession."""

    __tablename__ = "competences"
    __table_args__ = (Index("ix_competences_kind_code", "kind", "code"),)

    authority_id: Mapped[str] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)


class SearchDocument(Base):
    """The text search reads for one authority: official name and informal titles in every
    language, folded (case, accents, script) by services.directory.search. Its full-text or
    trigram index is engine-specific and created by the second migration."""

    __tablename__ = "search_documents"

    authority_id: Mapped[str] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True
    )
    folded: Mapped[str] = mapped_column(Text)


# --- request policies ------------------------------------------------------------------------


class RequestPolicy(Versioned, Base):
    """Whether outgoing information requests in a legislative area need a coordinator's
    approval, and whether requesters may refer a disagreement to the coordinators, for a
    member state (``region`` None) or one of its regions (DOMAIN.md section 1). The id is a
    uuid5 of the key (services.directory.domain.policy_id), so the key has one row; a deleted
    policy stays as a tombstone (``deleted``) and its version goes on when it is set again,
    so consumers ordering the events by version are never misled."""

    __tablename__ = "request_policies"
    __table_args__ = (
        PrimaryKeyConstraint(
            "id",
            info=clash("A request policy for this member state, region and legislative area "
                       "was saved meanwhile.", "request_policy.exists"),
        ),
        Index("ix_request_policies_state_area", "member_state", "area"),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(120))
    area: Mapped[str] = mapped_column(String(64))
    approval_required: Mapped[bool] = mapped_column(default=False)
    referral_enabled: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# --- users of authorities (read model of the identity service's events) ----------------------


class KnownUser(Base):
    __tablename__ = "known_users"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    authority_id: Mapped[str] = mapped_column(String(36), index=True)
    rights: Mapped[list] = mapped_column(JSON, default=list)
    local_data_administrator: Mapped[bool] = mapped_column(default=False)
    logged_in: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the time of the latest event
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a deleted user's tombstone


# --- invitations ----------------------------------------------------------------------------


class Invitation(Versioned, Base):
    """An invitation to self-register. Only a digest of its registration code is stored."""

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_coordinator_day", "coordinator_id", "created_at"),
        Index(
            "uq_invitations_live_email", "email", unique=True,
            sqlite_where=LIVE_INVITATION, postgresql_where=LIVE_INVITATION,
            info=clash("An invitation to this address is held or sent already: there is one "
                       "live invitation per address.", "invitation.already_pending"),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(36), index=True)
    coordinator_id: Mapped[str] = mapped_column(String(36))
    invited_by: Mapped[str] = mapped_column(String(36))
    email: Mapped[str] = mapped_column(String(254), index=True)
    language: Mapped[str] = mapped_column(String(3))
    member_state: Mapped[str] = mapped_column(String(2))
    areas: Mapped[list] = mapped_column(JSON)
    official_name: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), index=True)
    code_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    released_by: Mapped[str | None] = mapped_column(String(36))
    authority_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# --- directory of registers -----------------------------------------------------------------


class Register(Versioned, Base):
    """A register of service providers or professionals (DOMAIN.md section 2). ``folded``
    holds its names, natures and contents in every language, folded by
    services.directory.search, so that text search is one LIKE per word in SQL."""

    __tablename__ = "registers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2), index=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("authorities.id"), index=True)
    url: Mapped[str | None] = mapped_column(String(500))
    access: Mapped[str] = mapped_column(String(16))
    source_language: Mapped[str] = mapped_column(String(3))
    folded: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    texts: Mapped[list[RegisterText]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class RegisterText(Base):
    """A register's texts in one language; ``status`` as for informal titles."""

    __tablename__ = "register_texts"

    register_id: Mapped[str] = mapped_column(
        ForeignKey("registers.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    nature: Mapped[str] = mapped_column(String(2000))
    content: Mapped[str] = mapped_column(String(2000))
    access_conditions: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(12))
