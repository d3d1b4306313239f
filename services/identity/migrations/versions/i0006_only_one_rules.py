"""only one rules: one first user per authority, one owner per username

Revision ID: i0006
Revises: i0005
Create Date: 2026-12-08 10:00:00.000000

Both rules were checked in Python before an insert, which two workers on PostgreSQL pass at the
same time (docs/identity.md, "Rules kept by the database"):

- ``users.first_user_of``: the authority's id on the user that got every right as its first
  user, under a unique index. Filled for the earliest user still present of each authority.
- ``taken_usernames``: every username given, to an account or reserved, keyed by the name;
  it replaces ``reserved_usernames``. Filled with the accounts' names and the reservations no
  account has (a name an account and a reservation both had, which only that race made, stays
  the account's; the reservation's first user gets a new name, as before).
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "i0006"
down_revision = "i0005"
branch_labels = None
depends_on = None

EARLIEST_PRESENT_USERS = sa.text(
    "UPDATE users SET first_user_of = authority_id"
    " WHERE deleted_at IS NULL AND id = ("
    "  SELECT earlier.id FROM users AS earlier"
    "  WHERE earlier.authority_id = users.authority_id AND earlier.deleted_at IS NULL"
    "  ORDER BY earlier.created_at, earlier.id LIMIT 1)"
)
ACCOUNTS_NAMES = sa.text(
    "INSERT INTO taken_usernames (username, member_state, taken_at, user_id)"
    " SELECT username, member_state, created_at, id FROM users"
)
RESERVED_NAMES = sa.text(
    "INSERT INTO taken_usernames (username, member_state, taken_at, user_id)"
    " SELECT username, member_state, reserved_at, NULL FROM reserved_usernames"
    " WHERE username NOT IN (SELECT username FROM users)"
)
RESERVATIONS_BACK = sa.text(
    "INSERT INTO reserved_usernames (username, member_state, reserved_at)"
    " SELECT username, member_state, taken_at FROM taken_usernames WHERE user_id IS NULL"
)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_user_of", sa.String(length=64), nullable=True))
    op.execute(EARLIEST_PRESENT_USERS)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("uq_users_first_user_of", ["first_user_of"], unique=True)

    op.create_table(
        "taken_usernames",
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("member_state", sa.String(length=2), nullable=False),
        sa.Column("taken_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.execute(ACCOUNTS_NAMES)
    op.execute(RESERVED_NAMES)
    op.drop_table("reserved_usernames")


def downgrade() -> None:
    op.create_table(
        "reserved_usernames",
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("member_state", sa.String(length=2), nullable=False),
        sa.Column("reserved_at", services.common.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.execute(RESERVATIONS_BACK)
    op.drop_table("taken_usernames")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("uq_users_first_user_of")
        batch_op.drop_column("first_user_of")
