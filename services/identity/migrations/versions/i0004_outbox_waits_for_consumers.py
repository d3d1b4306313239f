"""outbox events wait for their consumer: attempts and the time of the next one

Revision ID: i0004
Revises: 3c7e1a9d5b20
Create Date: 2026-12-05 21:10:00.000000

Events are published as mandatory: one the broker has no queue for yet stays in the outbox
and is offered again later (services/common/outbox.py).
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "i0004"
down_revision = "3c7e1a9d5b20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column(
                "next_attempt_at", services.common.models.UtcDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
