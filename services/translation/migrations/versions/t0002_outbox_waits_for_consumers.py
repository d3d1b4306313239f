"""outbox events wait for their consumer: attempts and the time of the next one

Revision ID: t0002
Revises: t0001
Create Date: 2026-12-05 21:10:00.000000

Events are published as mandatory: one the broker has no queue for yet stays in the outbox
and is offered again later (services/common/outbox.py).
"""

from services.common import kernel_schema

revision = "t0002"
down_revision = "t0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    kernel_schema.add_outbox_delivery_attempts()


def downgrade() -> None:
    kernel_schema.drop_outbox_delivery_attempts()
