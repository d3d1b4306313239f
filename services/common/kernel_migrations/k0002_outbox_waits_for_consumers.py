"""outbox events wait for their consumer: attempts and the time of the next one

Revision ID: k0002
Revises: k0001
Create Date: 2026-12-06 10:00:00.000000

Events are published as mandatory: one the broker has no queue for yet stays in the outbox
and is offered again later (services/common/outbox.py). Made before by each service's own
migration (d0005, i0004, t0002): a database whose outbox has the columns adopts this step.
"""

from services.common import kernel_schema

revision = "k0002"
down_revision = "k0001"
branch_labels = None
depends_on = None


def already_there(inspector) -> bool:
    return "attempts" in {column["name"] for column in inspector.get_columns("outbox")}


def upgrade() -> None:
    kernel_schema.add_outbox_delivery_attempts()


def downgrade() -> None:
    kernel_schema.drop_outbox_delivery_attempts()
