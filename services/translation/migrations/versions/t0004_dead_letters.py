"""dead letters: events a handler could not read, kept for an operator to re-drive

Revision ID: t0004
Revises: t0003
Create Date: 2026-12-05 22:00:00.000000

services/common/dead_letters.py; docs/operations.md, "Dead letters".
"""

from services.common import kernel_schema

revision = "t0004"
down_revision = "t0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    kernel_schema.create_dead_letters()


def downgrade() -> None:
    kernel_schema.drop_dead_letters()
