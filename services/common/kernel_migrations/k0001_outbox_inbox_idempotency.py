"""the outbox, the inbox and the answers remembered for idempotency keys

Revision ID: k0001
Revises:
Create Date: 2026-12-06 10:00:00.000000

Before the kernel had a history of its own, each service's first migration made these tables
(d0001, 62b9ddc849fe, t0001): a database that has them adopts this step.
"""

from services.common import kernel_schema

revision = "k0001"
down_revision = None
branch_labels = None
depends_on = None


def already_there(inspector) -> bool:
    return {"outbox", "inbox", "idempotency"} <= set(inspector.get_table_names())


def upgrade() -> None:
    kernel_schema.create_message_tables()


def downgrade() -> None:
    kernel_schema.drop_message_tables()
