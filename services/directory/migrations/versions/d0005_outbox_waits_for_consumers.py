"""outbox events wait for their consumer: attempts and the time of the next one

Revision ID: d0005
Revises: d0004
Create Date: 2026-12-05 21:10:00.000000

Events are published as mandatory: one the broker has no queue for yet stays in the outbox
and is offered again later (services/common/outbox.py).

This step of the kernel's tables is the kernel's own (services/common/kernel_migrations, k0002)
since the kernel has a history of its own; the revision stays, empty, so that the databases
that passed it keep their place in this history.
"""

revision = "d0005"
down_revision = "d0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Done by the kernel's history (k0002), which runs before this one."""


def downgrade() -> None:
    """Undone by the kernel's history (k0002) when it goes down to its base."""
