"""list indexes: each party's requests in the lists' order, the question search from its
index, and a trigram index of the subject search on PostgreSQL

Revision ID: r0012
Revises: r0011
Create Date: 2026-12-06 04:37:20.530179

Measured on a million requests (bench/requests_scale.py, docs/performance.md "Requests at
scale"): a list of one party's requests, newest change first, read all of the authority's
requests and sorted them (the indexes began with the party and the status); with the party
and the keyset order in one index it reads a page's rows and stops. The single-column indexes
of the coordinators are replaced by the same shape. The requests asking a question come from
an index of (question_key, request_id) alone. On PostgreSQL, a GIN index of pg_trgm's trigrams
over the folded subject names serves the subject search (``LIKE '%words%'``), which otherwise
reads every row of the authority's requests; SQLite has no such index and scans.
"""

from alembic import op

revision = "r0012"
down_revision = "r0011"
branch_labels = None
depends_on = None

POSTGRESQL_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX requests_subject_trgm ON requests USING gin (subject_search gin_trgm_ops)",
)
POSTGRESQL_DOWN = ("DROP INDEX requests_subject_trgm",)


def upgrade() -> None:
    with op.batch_alter_table("request_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_questions_question_key"))
        batch_op.create_index(
            "ix_request_questions_key_request", ["question_key", "request_id"], unique=False
        )

    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requests_requester_coordinator_id"))
        batch_op.drop_index(batch_op.f("ix_requests_responder_coordinator_id"))
        batch_op.create_index(
            "ix_requests_requester_coordinator_updated",
            ["requester_coordinator_id", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_requests_requester_updated", ["requester_id", "updated_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_requests_responder_coordinator_updated",
            ["responder_coordinator_id", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_requests_responder_updated", ["responder_id", "updated_at", "id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_DOWN:
            op.execute(statement)

    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_responder_updated")
        batch_op.drop_index("ix_requests_responder_coordinator_updated")
        batch_op.drop_index("ix_requests_requester_updated")
        batch_op.drop_index("ix_requests_requester_coordinator_updated")
        batch_op.create_index(
            batch_op.f("ix_requests_responder_coordinator_id"),
            ["responder_coordinator_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_requests_requester_coordinator_id"),
            ["requester_coordinator_id"],
            unique=False,
        )

    with op.batch_alter_table("request_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_request_questions_key_request")
        batch_op.create_index(
            batch_op.f("ix_request_questions_question_key"), ["question_key"], unique=False
        )
