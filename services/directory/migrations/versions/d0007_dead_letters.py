"""dead letters: events a handler could not read, kept for an operator to re-drive

Revision ID: d0007
Revises: d0006
Create Date: 2026-12-05 22:00:00.000000

services/common/dead_letters.py; docs/operations.md, "Dead letters".
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "d0007"
down_revision = "d0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handler", sa.String(length=100), nullable=False),
        sa.Column("source_service", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("dead_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handler", "digest", name="uq_dead_letters_handler_digest"),
    )


def downgrade() -> None:
    op.drop_table("dead_letters")
