"""invitations updated_by: who made the invitation's current version

Revision ID: d0006
Revises: d0005
Create Date: 2026-11-26 10:00:00.000000

Every versioned aggregate says who saved its current version and when, so that the loser of
two racing saves is told (services.common.models.Versioned); invitations lacked the "who".
"""

import sqlalchemy as sa
from alembic import op

revision = "d0006"
down_revision = "d0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_by", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("updated_by")
