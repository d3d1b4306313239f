"""sent counts: the requests sent each month per question set and area, and how many asked
each question, kept with the requests (services/requests/sent_counts.py)

Revision ID: r0013
Revises: r0012
Create Date: 2026-12-07 04:05:00.000000

The counters of the requests there are are counted from them here: at a million requests a
few seconds on PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "r0013"
down_revision = "r0012"
branch_labels = None
depends_on = None

# The UTC month of sent_at as YYYY-MM: SQLite keeps a time as UTC text.
MONTH = {
    "postgresql": "to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM')",
    "sqlite": "strftime('%Y-%m', sent_at)",
}


def upgrade() -> None:
    op.create_table(
        "sent_request_counts",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("set_key", sa.String(length=40), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "set_key", "area"),
    )
    op.create_table(
        "sent_question_counts",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("set_key", sa.String(length=40), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("question_key", sa.String(length=40), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "set_key", "area", "question_key"),
    )
    month = MONTH[op.get_bind().dialect.name]  # one of two constants, no input
    op.execute(
        "INSERT INTO sent_request_counts (month, set_key, area, requests)"  # noqa: S608
        f" SELECT {month}, set_key, area, count(*) FROM requests"
        " WHERE sent_at IS NOT NULL GROUP BY 1, 2, 3"
    )
    op.execute(
        "INSERT INTO sent_question_counts (month, set_key, area, question_key, requests)"  # noqa: S608
        f" SELECT {month}, set_key, area, question_key, count(*) FROM request_questions"
        " WHERE sent_at IS NOT NULL GROUP BY 1, 2, 3, 4"
    )


def downgrade() -> None:
    op.drop_table("sent_question_counts")
    op.drop_table("sent_request_counts")
