"""authority settings and request policies

Revision ID: d0009
Revises: d0008
Create Date: 2026-12-09 10:00:00.000000

An authority's settings for information requests (whether it works with allocation, whether
its coordinators get the full view without personal data), false for every authority until
its administrators change them; and the request policies of member states, regions and
legislative areas (coordinator approval of outgoing requests, referral), one row per key with
tombstones (docs/directory.md, "Settings for information requests").
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "d0009"
down_revision = "d0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_policies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("member_state", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("referral_enabled", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("request_policies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_policies_state_area", ["member_state", "area"], unique=False
        )

    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("uses_allocation", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "coordinator_full_view", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.drop_column("coordinator_full_view")
        batch_op.drop_column("uses_allocation")

    with op.batch_alter_table("request_policies", schema=None) as batch_op:
        batch_op.drop_index("ix_request_policies_state_area")

    op.drop_table("request_policies")
