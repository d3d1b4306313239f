"""The requests service's own database: question sets and their versions, and its read model
of the directory's authorities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.clashes import clash
from services.common.kernel_tables import WithKernelTables
from services.common.models import UtcDateTime, Versioned


class Base(WithKernelTables, DeclarativeBase):
    """The service's tables, and the kernel's (outbox, inbox, idempotency, dead letters),
    mapped by convention (services/common/kernel_tables.py)."""


class QuestionSet(Base):
    """A legislative area's question set: what stays the same across its versions."""

    __tablename__ = "question_sets"
    __table_args__ = (
        PrimaryKeyConstraint(
            "key",
            info=clash(
                "Another administrator created a question set with this key at the same time; "
                "edit its draft.",
                "question_set.draft_exists",
            ),
        ),
    )

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(String(36))


class QuestionSetVersion(Versioned, Base):
    """One version of a set: a draft while its author edits it, then published for good.

    ``number`` is given at publication (1, 2, …); a draft has none. A set has at most one draft
    at a time, so two administrators drafting at once edit the same one (and the second save
    of the same version is a 409 naming the first).
    """

    __tablename__ = "question_set_versions"
    __table_args__ = (
        UniqueConstraint(
            "set_key", "number", name="uq_question_set_versions_number",
            info=clash(
                "This version of the question set was published meanwhile; read it again.",
                "question_set.published_meanwhile",
            ),
        ),
        Index(
            "uq_question_set_versions_one_draft", "set_key", unique=True,
            sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'"),
            info=clash(
                "This question set already has a draft; edit that one.",
                "question_set.draft_exists",
            ),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    set_key: Mapped[str] = mapped_column(ForeignKey("question_sets.key"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(String(36))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_by: Mapped[str | None] = mapped_column(String(36))


# --- the directory, as the requests service needs it (a read model fed by its events) -----


class KnownAuthority(Base):
    """An authority of the directory: its member state, status and areas with roles, as its
    latest event said. ``version`` is the directory's: an older event changes nothing."""

    __tablename__ = "known_authorities"

    authority_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(24))
    coordinator_kind: Mapped[str | None] = mapped_column(String(24))
    official_name: Mapped[str] = mapped_column(String(300))
    official_language: Mapped[str] = mapped_column(String(3))
    titles: Mapped[dict] = mapped_column(JSON)
    areas: Mapped[list] = mapped_column(JSON)  # [{area, workflow, roles, direction}]
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CoordinatorLink(Base):
    """A coordinator linked to an authority for an area and workflow, or unlinked
    (``linked`` false, kept so that an older ``coordinator_linked`` cannot bring it back)."""

    __tablename__ = "coordinator_links"

    authority_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow: Mapped[str] = mapped_column(String(64), primary_key=True)
    coordinator_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    linked: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SharedList(Base):
    """A pre-translated list the requests service ships (reasons an answer cannot be
    provided, reasons to decline, PQ request types, answer texts): its items as last
    published, so that preparation publishes a list again only when it changed."""

    __tablename__ = "shared_lists"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    items: Mapped[list] = mapped_column(JSON)  # [{key, text: {language: text}}]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
