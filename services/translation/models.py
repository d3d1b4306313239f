"""The translation service's own database: the catalogue of translatable texts and their
translations, one row per entry and language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.clashes import clash
from services.common.kernel_tables import WithKernelTables
from services.common.models import UtcDateTime, Versioned


class Base(WithKernelTables, DeclarativeBase):
    """The service's tables, and the kernel's (outbox, inbox, idempotency, dead letters),
    mapped by convention (services/common/kernel_tables.py)."""


# --- the catalogue --------------------------------------------------------------------------


class Entry(Versioned, Base):
    """One translatable text: a stable key, its source text and the version of that text.

    ``revision`` is the catalogue revision of the last change to the entry or any of its
    translations, so a bundle can be refreshed with only what changed since a revision.
    """

    __tablename__ = "entries"
    __table_args__ = (
        PrimaryKeyConstraint(
            "key",
            info=clash(
                "Another call registered this entry at the same time; send yours again to "
                "change it.",
                "translation.entry_registered_meanwhile",
            ),
        ),
    )

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(64), index=True)
    source_language: Mapped[str] = mapped_column(String(3))
    source_text: Mapped[str] = mapped_column(Text)
    source_version: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str | None] = mapped_column(Text)
    max_length: Mapped[int | None] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revision: Mapped[int] = mapped_column(Integer, index=True)

    translations: Mapped[list[Translation]] = relationship(
        back_populates="entry", cascade="all, delete-orphan"
    )


class Translation(Versioned, Base):
    """An entry's text in one language, with the source version it translates.

    A reviewer who rejects the text sends it back as ``missing`` with ``rejection_reason``:
    the text stays as a start for the next attempt, and the next submission clears both.
    """

    __tablename__ = "translations"
    __table_args__ = (Index("ix_translations_language_status", "language", "status"),)

    key: Mapped[str] = mapped_column(
        ForeignKey("entries.key", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(3), primary_key=True)
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    source_version: Mapped[int] = mapped_column(Integer, default=0)
    translated_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    rejected_by: Mapped[str | None] = mapped_column(String(64))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, index=True)

    entry: Mapped[Entry] = relationship(back_populates="translations")


class CatalogueRevision(Base):
    """The catalogue's change counter: one row, raised by every change (a bundle's etag)."""

    __tablename__ = "catalogue_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


# --- machine translation --------------------------------------------------------------------


class MachineTranslation(Base):
    """A machine translation kept so that the same text is not sent twice. The key is the
    text as the engine received it (masked for an external engine, so no personal data of
    theirs is stored); rows older than TRANSLATION.CACHE_DAYS are purged."""

    __tablename__ = "machine_translations"

    engine: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_language: Mapped[str] = mapped_column(String(3), primary_key=True)
    target_language: Mapped[str] = mapped_column(String(3), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class MachineTranslationJob(Base):
    """A text sent to an asynchronous engine, waiting for its callback. A row, so that a
    restart loses nothing; ``token_hash`` is the hash of the callback URL's secret.
    ``purpose`` is ``text`` (a user asked) or ``title`` (an authority's informal title)."""

    __tablename__ = "machine_translation_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    engine: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(64))
    source_language: Mapped[str] = mapped_column(String(3))
    target_language: Mapped[str] = mapped_column(String(3))
    original: Mapped[str] = mapped_column(Text)
    masked: Mapped[str] = mapped_column(Text)
    placeholders: Mapped[dict] = mapped_column(JSON, default=dict)
    detected: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str | None] = mapped_column(String(36))
    requested_by: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(12), index=True)
    text: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
