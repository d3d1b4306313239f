"""outbox events wait for their consumer: attempts and the time of the next one

Revision ID: d0005
Revises: d0004
Create Date: 2026-12-05 21:10:00.000000

Events are published as mandatory: one the broker has no queue for yet stays in the outbox
and is offered again later (services/common/outbox.py).
"""

from services.common import kernel_schema

revision = "d0005"
down_revision = "d0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    kernel_schema.add_outbox_delivery_attempts()


def downgrade() -> None:
    kernel_schema.drop_outbox_delivery_attempts()
