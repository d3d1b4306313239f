"""deleted known users: the read model keeps a deleted user as a tombstone

Revision ID: d0003
Revises: d0002
Create Date: 2026-11-25 09:50:00.000000

identity's user events may arrive out of order (a retried event comes after later ones), so
the read model of users keeps when it last changed from an event's time, and a deleted user
stays as a row with ``deleted_at`` set: an older event that arrives after the deletion cannot
bring the user back.
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "d0003"
down_revision = "d0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "deleted_at", services.common.models.UtcDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("known_users", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
