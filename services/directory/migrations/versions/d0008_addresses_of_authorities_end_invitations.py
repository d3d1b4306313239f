"""an authority's address ends the live invitations to it

Revision ID: d0008
Revises: d0007
Create Date: 2026-12-08 10:00:00.000000

An address is never at once an authority's and a live invitation's (services/directory/
addresses.py): an authority taking an address now ends the live invitations to it, as used by
it. A database from before may hold such pairs (an invitation sent before the authority was
registered with its address, or raced by its registration); this step ends them the same way,
used by the earliest authority with the address. Nothing is undone on the way down: those
invitations stay used.
"""

import sqlalchemy as sa
from alembic import op

revision = "d0008"
down_revision = "d0007"
branch_labels = None
depends_on = None

LIVE_INVITATIONS_TO_AUTHORITIES = sa.text(
    "UPDATE invitations SET status = 'used', version = version + 1,"
    " authority_id = ("
    "  SELECT authorities.id FROM authorities"
    "  WHERE lower(trim(authorities.email)) = invitations.email"
    "  ORDER BY authorities.created_at, authorities.id LIMIT 1)"
    " WHERE status IN ('held', 'sent') AND EXISTS ("
    "  SELECT 1 FROM authorities WHERE lower(trim(authorities.email)) = invitations.email)"
)


def upgrade() -> None:
    op.execute(LIVE_INVITATIONS_TO_AUTHORITIES)


def downgrade() -> None:
    """The invitations it ended stay used: which were live is not kept."""
