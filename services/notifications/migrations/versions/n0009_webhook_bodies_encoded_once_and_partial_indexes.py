"""webhook deliveries: the body posted, encoded once per event; partial indexes for the claim

Revision ID: n0009
Revises: n0008
Create Date: 2026-12-07 11:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "n0009"
down_revision = "n0008"
branch_labels = None
depends_on = None

CLAIMABLE = sa.text("status IN ('pending', 'sending')")
UNFINISHED = sa.text("status IN ('pending', 'sending', 'dead')")


def upgrade() -> None:
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_subject", table_name="webhook_deliveries")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))
    op.execute("UPDATE webhook_deliveries SET body = CAST(envelope AS TEXT)")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("envelope")
    op.create_index(
        "ix_webhook_deliveries_claimable", "webhook_deliveries", ["seq"],
        sqlite_where=CLAIMABLE, postgresql_where=CLAIMABLE,
    )  # fmt: skip
    op.create_index(
        "ix_webhook_deliveries_unfinished", "webhook_deliveries",
        ["subscription_id", "subject", "seq"],
        sqlite_where=UNFINISHED, postgresql_where=UNFINISHED,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_unfinished", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_claimable", table_name="webhook_deliveries")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("envelope", sa.JSON(), nullable=True))
    # SQLite keeps JSON as text (a CAST to JSON there would make it a number)
    as_json = "CAST(body AS JSON)" if op.get_bind().dialect.name == "postgresql" else "body"
    op.execute(f"UPDATE webhook_deliveries SET envelope = {as_json}")  # noqa: S608
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.alter_column("envelope", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("body")
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "due_at"])
    op.create_index(
        "ix_webhook_deliveries_subject", "webhook_deliveries", ["subscription_id", "subject", "seq"]
    )
