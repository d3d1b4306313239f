"""The identity service's own database: users, their rights, sessions, challenges, audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.clashes import clash
from services.common.kernel_tables import WithKernelTables
from services.common.models import UtcDateTime, Versioned

ALL_AREAS = "*"


class Base(WithKernelTables, DeclarativeBase):
    """The service's tables, and the kernel's (outbox, inbox, idempotency, dead letters),
    mapped by convention (services/common/kernel_tables.py)."""


# the kernel's tables under the names this service's code and tests read them by
Outbox = Base.kernel.outbox
Inbox = Base.kernel.inbox
DeadLetter = Base.kernel.dead_letters


class User(Versioned, Base):
    """``first_user_of`` is the authority's id on the user created when it had no other (that
    user got every right), None on every other: unique, so that of two users created at once
    for an authority with none, only one becomes its first user (docs/identity.md)."""

    __tablename__ = "users"
    __table_args__ = (
        Index(
            "uq_users_first_user_of", "first_user_of", unique=True,
            info=clash("Another user of this authority was created at the same moment and got "
                       "every right as its first user.", "user.first_user_exists"),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    authority_id: Mapped[str] = mapped_column(String(64), index=True)
    member_state: Mapped[str] = mapped_column(String(2))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(3))
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    security_digests: Mapped[bytes | None] = mapped_column(LargeBinary)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[bool] = mapped_column(default=False)
    tokens_valid_after: Mapped[datetime] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_user_of: Mapped[str | None] = mapped_column(String(64))

    grants: Mapped[list[UserGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class UserGrant(Base):
    """One right of a user, in one legislative area or in all of them (``*``)."""

    __tablename__ = "user_grants"
    __table_args__ = (UniqueConstraint("user_id", "right", "area"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    right: Mapped[str] = mapped_column(String(40))
    area: Mapped[str] = mapped_column(String(64), default=ALL_AREAS)

    user: Mapped[User] = relationship(back_populates="grants")


class LoginSession(Base):
    """A login: its refresh token (hashed), when that token was last rotated (a repeat of
    that refresh soon after gets the same answer), and whether the session was ended."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    refresh_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginChallenge(Base):
    """The three digit positions asked for one login attempt; usable once."""

    __tablename__ = "login_challenges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    positions: Mapped[str] = mapped_column(String(20))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    used: Mapped[bool] = mapped_column(default=False)


class PasswordResetRequest(Base):
    """A self-service reset asked for through the registered email; usable once."""

    __tablename__ = "password_reset_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class KnownAuthority(Base):
    """Read model of the directory's authorities: what the rules of administration need."""

    __tablename__ = "known_authorities"

    authority_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2))
    validating_coordinator_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(24))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TakenUsername(Base):
    """Every username ever given: to an account (``user_id``), or reserved for a
    self-registering first user before the account exists (``user_id`` None; the account takes
    it over when the directory asks for it). One table keyed by the username, written by both
    paths, so that the database keeps a name from being given twice; a name stays taken when
    its account is handed over or deleted, and is never given to someone else."""

    __tablename__ = "taken_usernames"

    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[str | None] = mapped_column(String(36))


class AuditEntry(Base):
    """Who did what to which account, when, in which call."""

    __tablename__ = "audit_trail"
    __table_args__ = (Index("ix_audit_authority_at", "authority_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(40))
    actor_user_id: Mapped[str | None] = mapped_column(String(36))
    target_user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    authority_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    call_id: Mapped[str | None] = mapped_column(String(200))
