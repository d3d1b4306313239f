"""authorities updated_by_username: who saved the authority's current version, by name

Revision ID: d0010
Revises: d0009
Create Date: 2026-12-06 18:00:00.000000

Two editors of an authority's data (its local data administrator, a coordinator) may save
over each other: the one whose save comes second is told who saved first by name, as the
requests service tells it (services.common.models.stale_version).
"""

import sqlalchemy as sa
from alembic import op

revision = "d0010"
down_revision = "d0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_by_username", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.drop_column("updated_by_username")
