"""the shared lists

Revision ID: r0003
Revises: r0002
Create Date: 2026-12-06 00:29:47.501267
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "r0003"
down_revision = "r0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_lists",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("updated_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("shared_lists")
