"""dead letters: events a handler could not read, kept for an operator to re-drive

Revision ID: k0003
Revises: k0002
Create Date: 2026-12-06 10:00:00.000000

services/common/dead_letters.py; docs/operations.md, "Dead letters". Made before by each
service's own migration (d0007, i0005, t0004): a database that has the table adopts this step.
"""

from services.common import kernel_schema

revision = "k0003"
down_revision = "k0002"
branch_labels = None
depends_on = None


def already_there(inspector) -> bool:
    return "dead_letters" in inspector.get_table_names()


def upgrade() -> None:
    kernel_schema.create_dead_letters()


def downgrade() -> None:
    kernel_schema.drop_dead_letters()
