"""translations rejection: who sent a text back, and why

Revision ID: t0005
Revises: t0004
Create Date: 2026-12-06 18:30:00.000000

A reviewer may reject a submitted text with a reason (docs/translation.md, "Review"): the text
goes back to ``missing`` and keeps the reason for the translators of its language until the
next submission.
"""

import sqlalchemy as sa
from alembic import op

revision = "t0005"
down_revision = "t0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rejected_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.drop_column("rejection_reason")
        batch_op.drop_column("rejected_by")
