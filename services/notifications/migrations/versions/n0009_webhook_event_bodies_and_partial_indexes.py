"""webhook deliveries: the body each event posts, stored once per event; partial indexes for
the claim and the order per subject, which no longer grow with the deliveries done

Revision ID: n0009
Revises: n0008
Create Date: 2026-12-07 11:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "n0009"
down_revision = "n0008"
branch_labels = None
depends_on = None

CLAIMABLE = sa.text("status IN ('pending', 'sending')")
UNFINISHED = sa.text("status IN ('pending', 'sending', 'dead')")


def upgrade() -> None:
    op.create_table(
        "webhook_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    # the body of each event as its first delivery kept it (the same for every subscription)
    op.execute(
        "INSERT INTO webhook_events (event_id, body, created_at) "
        "SELECT event_id, CAST(envelope AS TEXT), created_at FROM webhook_deliveries "
        "WHERE seq IN (SELECT min(seq) FROM webhook_deliveries GROUP BY event_id)"
    )
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_subject", table_name="webhook_deliveries")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
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
    op.execute(
        f"UPDATE webhook_deliveries SET envelope = (SELECT {as_json} FROM webhook_events e "  # noqa: S608
        "WHERE e.event_id = webhook_deliveries.event_id)"
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.alter_column("envelope", existing_type=sa.JSON(), nullable=False)
    op.drop_table("webhook_events")
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "due_at"])
    op.create_index(
        "ix_webhook_deliveries_subject", "webhook_deliveries", ["subscription_id", "subject", "seq"]
    )
