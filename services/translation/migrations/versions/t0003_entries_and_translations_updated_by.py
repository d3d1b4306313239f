"""entries and translations updated_by: who made the current version

Revision ID: t0003
Revises: t0002
Create Date: 2026-11-26 10:00:00.000000

Every versioned aggregate says who saved its current version and when, so that the loser of
two racing saves is told (services.common.models.Versioned); entries and translations lacked
the "who".
"""

import sqlalchemy as sa
from alembic import op

revision = "t0003"
down_revision = "t0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("entries", "translations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("updated_by", sa.String(length=36), nullable=True))


def downgrade() -> None:
    for table in ("entries", "translations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_by")
