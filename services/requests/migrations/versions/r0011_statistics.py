"""statistics: indexes for the figures, the questions counted without the requests

Revision ID: r0011
Revises: r0010
Create Date: 2026-12-06 05:05:01.648908
"""

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "r0011"
down_revision = "r0010"
branch_labels = None
depends_on = None

# The columns of a request the statistics count (services.requests.models.COUNTED), read
# from the indexes alone on PostgreSQL (INCLUDE); SQLite keeps the plain indexes.
COUNTED = [
    "area", "set_key", "status", "requester_state", "responder_state", "profession", "sector",
    "accepted_at", "answered_at", "closed_at", "reply_due", "reply_due_agreed",
]  # fmt: skip


def _without(name: str) -> list[str]:
    return [column for column in COUNTED if column != name]


def upgrade() -> None:
    with op.batch_alter_table("request_questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("set_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("area", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("sent_at", services.common.models.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("requester_state", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("responder_state", sa.String(length=2), nullable=True))
    # The questions of the requests there are repeat their request's columns (UPDATE … FROM:
    # PostgreSQL, and SQLite since 3.33).
    op.execute(
        "UPDATE request_questions SET set_key = requests.set_key, area = requests.area,"
        " sent_at = requests.sent_at, requester_state = requests.requester_state,"
        " responder_state = requests.responder_state"
        " FROM requests WHERE requests.id = request_questions.request_id"
    )
    op.create_index(
        "ix_request_questions_sent", "request_questions", ["sent_at"],
        postgresql_include=["set_key", "question_key", "area", "requester_state",
                            "responder_state"],
    )  # fmt: skip
    op.create_index("ix_requests_sent", "requests", ["sent_at"], postgresql_include=COUNTED)
    op.create_index(
        "ix_requests_requester_state_sent", "requests", ["requester_state", "sent_at"],
        postgresql_include=_without("requester_state"),
    )  # fmt: skip
    op.create_index(
        "ix_requests_responder_state_sent", "requests", ["responder_state", "sent_at"],
        postgresql_include=_without("responder_state"),
    )  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        # How many months there are, for the planner: without it, it takes every request for
        # a month of its own and sorts a million rows to group them (by_month).
        op.execute(
            "CREATE STATISTICS requests_sent_month"
            " ON (date_trunc('month', sent_at AT TIME ZONE 'UTC')) FROM requests"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS requests_sent_month")
    op.drop_index("ix_requests_responder_state_sent", table_name="requests")
    op.drop_index("ix_requests_requester_state_sent", table_name="requests")
    op.drop_index("ix_requests_sent", table_name="requests")
    op.drop_index("ix_request_questions_sent", table_name="request_questions")
    with op.batch_alter_table("request_questions", schema=None) as batch_op:
        batch_op.drop_column("responder_state")
        batch_op.drop_column("requester_state")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("area")
        batch_op.drop_column("set_key")
