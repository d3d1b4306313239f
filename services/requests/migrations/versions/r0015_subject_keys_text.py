"""subject keys: the index of (party, word) keys written with each party cast to text, a form
that survives a dump and restore

Revision ID: r0015
Revises: r0014
Create Date: 2026-12-07 10:00:00.000000

r0014 wrote the parties as ``ARRAY[requester_id, …]``, which PostgreSQL stores as
``(ARRAY[…])::text[]``. The definition PostgreSQL gives back for it (``pg_get_indexdef``, what
pg_dump writes) reads, once restored, as ``ARRAY[requester_id::text, …]``: another expression,
which the search's query no longer matched, so that after a dump and restore every search by
subject read the whole table. Each party cast to text is one form both ways, and the search
(services/requests/subject_words.py) writes the same.
"""

from alembic import op

revision = "r0015"
down_revision = "r0014"
branch_labels = None
depends_on = None

TEXT_PARTIES = (
    "ARRAY[requester_id::text, responder_id::text, requester_coordinator_id::text,"
    " responder_coordinator_id::text]"
)
ARRAY_OF_PARTIES = (
    "ARRAY[requester_id, responder_id, requester_coordinator_id, responder_coordinator_id]"
)


def upgrade() -> None:
    _index_keys(TEXT_PARTIES)


def downgrade() -> None:
    _index_keys(ARRAY_OF_PARTIES)


def _index_keys(parties: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX requests_subject_keys")
        op.execute(
            "CREATE INDEX requests_subject_keys ON requests USING gin "
            f"(imi_subject_keys({parties}, subject_search::text))"
        )
