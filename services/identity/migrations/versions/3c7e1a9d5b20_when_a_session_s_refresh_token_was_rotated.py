"""when a session's refresh token was last rotated

Revision ID: 3c7e1a9d5b20
Revises: f16fd38134e0
Create Date: 2026-11-27 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "3c7e1a9d5b20"
down_revision = "f16fd38134e0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "rotated_at", services.common.models.UtcDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_column("rotated_at")
