"""The kernel tables' schema changes, one function pair per step, written once.

Every service's database holds the kernel's tables (outbox, inbox, idempotency, dead letters).
Their steps are the kernel's own migration history (services/common/kernel_migrations), run in
every service's database before the service's history (services/common/migrations.py). A
step, once released, never changes: a later change is a new step.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.common.models import UtcDateTime


def create_message_tables() -> None:
    """The outbox of events to publish, the inbox of events handled and the answers
    remembered for idempotency keys (services/common/models.py)."""
    op.create_table(
        "idempotency",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=100), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "method"),
    )
    with op.batch_alter_table("idempotency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_created_at"), ["created_at"], unique=False)

    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("handler", sa.String(length=100), nullable=False),
        sa.Column("handled_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler"),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_published_at"), ["published_at"], unique=False)


def drop_message_tables() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_published_at"))
    op.drop_table("outbox")
    op.drop_table("inbox")
    with op.batch_alter_table("idempotency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_created_at"))
    op.drop_table("idempotency")


def add_outbox_delivery_attempts() -> None:
    """Outbox events wait for a consumer's queue: how often the broker had none, and when the
    event is offered again (services/common/outbox.py)."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_attempt_at", UtcDateTime(timezone=True), nullable=True))


def drop_outbox_delivery_attempts() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")


def create_dead_letters() -> None:
    """Events a handler could not read, kept for an operator to re-drive
    (services/common/dead_letters.py)."""
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handler", sa.String(length=100), nullable=False),
        sa.Column("source_service", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("dead_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handler", "digest", name="uq_dead_letters_handler_digest"),
    )


def drop_dead_letters() -> None:
    op.drop_table("dead_letters")
