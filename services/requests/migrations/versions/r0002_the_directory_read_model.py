"""the directory read model

Revision ID: r0002
Revises: r0001
Create Date: 2026-12-05 23:55:13.589405
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordinator_links",
        sa.Column("authority_id", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("workflow", sa.String(length=64), nullable=False),
        sa.Column("coordinator_id", sa.String(length=64), nullable=False),
        sa.Column("linked", sa.Boolean(), nullable=False),
        sa.Column("changed_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("authority_id", "area", "workflow", "coordinator_id"),
    )
    op.create_table(
        "known_authorities",
        sa.Column("authority_id", sa.String(length=64), nullable=False),
        sa.Column("member_state", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("coordinator_kind", sa.String(length=24), nullable=True),
        sa.Column("official_name", sa.String(length=300), nullable=False),
        sa.Column("official_language", sa.String(length=3), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("authority_id"),
    )
    with op.batch_alter_table("known_authorities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_known_authorities_member_state"), ["member_state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("known_authorities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_known_authorities_member_state"))

    op.drop_table("known_authorities")
    op.drop_table("coordinator_links")
