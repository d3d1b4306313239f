"""subject keys: the search by subject from an index of (party, word) on PostgreSQL, in place of
the trigram index

Revision ID: r0014
Revises: r0013
Create Date: 2026-12-07 07:10:00.000000

A search by subject finds the requests of the reader's authority whose subject's names have
each word searched for (services/requests/subject_words.py). ``imi_subject_keys`` gives a
request's keys, one per party (requester, responder, each coordinator) and word of the
folded names, as lexemes of a tsvector; a GIN index of them answers "this authority's requests
naming these words" from the few keys of one authority, where the trigram index matched every
request of the network with the name (about 1,000 at a million requests) and intersected them
with the authority's (20,000 for the busiest): 10-14 ms of PostgreSQL's CPU per search
(docs/performance.md, "Requests at scale"). SQLite has no such index and scans.
"""

from alembic import op

revision = "r0014"
down_revision = "r0013"
branch_labels = None
depends_on = None

POSTGRESQL_UP = (
    """
    CREATE FUNCTION imi_subject_keys(parties text[], words text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array_to_tsvector(coalesce(array_agg(party || ' ' || word), '{}'))
        FROM unnest(parties) AS party, unnest(string_to_array(words, ' ')) AS word
        WHERE party IS NOT NULL AND word <> ''
    $$
    """,
    "CREATE INDEX requests_subject_keys ON requests USING gin (imi_subject_keys(ARRAY["
    "requester_id, responder_id, requester_coordinator_id, responder_coordinator_id],"
    " subject_search))",
    "DROP INDEX requests_subject_trgm",
)
POSTGRESQL_DOWN = (
    "CREATE INDEX requests_subject_trgm ON requests USING gin (subject_search gin_trgm_ops)",
    "DROP INDEX requests_subject_keys",
    "DROP FUNCTION imi_subject_keys(text[], text)",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_DOWN:
            op.execute(statement)
