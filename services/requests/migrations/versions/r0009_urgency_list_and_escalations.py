"""urgency: when the current responder received a request, the day after which its reply is
overdue, and the partial indexes of the urgency list and the escalation timer

Revision ID: r0009
Revises: r0008
Create Date: 2026-12-06 04:25:06.873946
"""

import datetime
import json

import sqlalchemy as sa
from alembic import op

import services.common.models

revision = "r0009"
down_revision = "r0008"
branch_labels = None
depends_on = None

AWAITING_ACCEPTANCE = "status = 'sent'"
AWAITING_REPLY = "status IN ('accepted', 'partially_answered', 'additional_information_requested')"
# name: (columns, columns included on PostgreSQL, condition)
INDEXES = {
    "ix_requests_unaccepted_by_coordinator": (
        ["responder_coordinator_id", "received_at"], ["area", "id"], AWAITING_ACCEPTANCE),
    "ix_requests_reply_due_by_requester_coordinator": (
        ["requester_coordinator_id", "reply_deadline"], ["id"], AWAITING_REPLY),
    "ix_requests_reply_due_by_responder_coordinator": (
        ["responder_coordinator_id", "reply_deadline"], ["id"], AWAITING_REPLY),
    "ix_requests_unaccepted_to_escalate": (
        ["received_at"], [], f"{AWAITING_ACCEPTANCE} AND unaccepted_escalated_at IS NULL"),
    "ix_requests_overdue_to_escalate": (
        ["reply_deadline"], [], f"{AWAITING_REPLY} AND overdue_escalated_at IS NULL"),
}  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "received_at", services.common.models.UtcDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("reply_deadline", sa.Date(), nullable=True))
        for name, (columns, included, condition) in INDEXES.items():
            batch_op.create_index(
                name, columns, unique=False, postgresql_include=included,
                postgresql_where=sa.text(condition), sqlite_where=sa.text(condition),
            )  # fmt: skip
    _backfill()


def _backfill() -> None:
    """The requests there are: received by their responder when last forwarded, else when
    sent; overdue after the agreed reply date, else the one the requester asked for."""
    op.execute(
        "UPDATE requests SET received_at = COALESCE((SELECT max(at) FROM request_history"
        " WHERE request_id = requests.id AND action = 'forward'), sent_at)"
        " WHERE sent_at IS NOT NULL"
    )
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, state FROM requests WHERE reply_due IS NOT NULL"))
    for request_id, state in rows.all():
        reply_date = (json.loads(state) if isinstance(state, str) else state)["reply_date"]
        deadline = reply_date["date"] if reply_date["agreed"] else reply_date["requested"]
        bind.execute(
            sa.text("UPDATE requests SET reply_deadline = :deadline WHERE id = :id"),
            {"deadline": datetime.date.fromisoformat(deadline), "id": request_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        for name, (_columns, _included, condition) in reversed(INDEXES.items()):
            batch_op.drop_index(
                name, postgresql_where=sa.text(condition), sqlite_where=sa.text(condition)
            )
        batch_op.drop_column("reply_deadline")
        batch_op.drop_column("received_at")
