"""only one rules: one national coordinator per member state, one live invitation per address

Revision ID: d0004
Revises: d0003
Create Date: 2026-11-27 10:00:00.000000

Both rules were checked in Python before an insert, which two workers on PostgreSQL pass at
the same time; partial unique indexes make the database refuse the second row
(services/common/clashes.py). A database that already holds two rows breaking a rule stops
this upgrade: an operator decides which one stays.
"""

import sqlalchemy as sa
from alembic import op

revision = "d0004"
down_revision = "d0003"
branch_labels = None
depends_on = None

NATIONAL_COORDINATOR = sa.text("coordinator_kind = 'NIMIC'")
LIVE_INVITATION = sa.text("status IN ('held', 'sent')")


def upgrade() -> None:
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.create_index(
            "uq_authorities_national_coordinator",
            ["member_state"],
            unique=True,
            sqlite_where=NATIONAL_COORDINATOR,
            postgresql_where=NATIONAL_COORDINATOR,
        )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(
            "uq_invitations_live_email",
            ["email"],
            unique=True,
            sqlite_where=LIVE_INVITATION,
            postgresql_where=LIVE_INVITATION,
        )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("uq_invitations_live_email")
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.drop_index("uq_authorities_national_coordinator")
