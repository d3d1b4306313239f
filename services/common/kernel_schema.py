"""The kernel tables' schema changes, one function pair per step, written once.

Every service's database holds the kernel's tables (outbox, inbox, idempotency, dead letters),
so each step of their schema is a migration in every service. Each service's migration names
its own revision and calls the step's ``upgrade``/``downgrade`` here, so the tables cannot
drift apart between services. A step, once released, never changes: a later change is a new
step.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.common.models import UtcDateTime


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
