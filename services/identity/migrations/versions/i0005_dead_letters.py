"""dead letters: events a handler could not read, kept for an operator to re-drive

Revision ID: i0005
Revises: i0004
Create Date: 2026-12-05 22:00:00.000000

services/common/dead_letters.py; docs/operations.md, "Dead letters".

This step of the kernel's tables is the kernel's own (services/common/kernel_migrations, k0003)
since the kernel has a history of its own; the revision stays, empty, so that the databases
that passed it keep their place in this history.
"""

revision = "i0005"
down_revision = "i0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Done by the kernel's history (k0003), which runs before this one."""


def downgrade() -> None:
    """Undone by the kernel's history (k0003) when it goes down to its base."""
