"""Locks on names, held until the transaction ends: for an "only one" rule that spans tables
and so cannot be one unique index (docs/architecture.md, "Only one" rules).

Two transactions that both take the lock on a name are serialised from that point: the second
waits until the first commits or rolls back, and its next statement (READ COMMITTED) sees what
the first wrote. On PostgreSQL this is ``pg_advisory_xact_lock`` on a 64-bit key made of the
name; on SQLite it does nothing, since a service process writes through one connection and so
runs its write transactions one after the other anyway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

# the keys sorted, so that two transactions locking overlapping sets never wait on each other
_LOCK_KEYS = text(
    "SELECT count(pg_advisory_xact_lock(key)) FROM ("
    " SELECT DISTINCT unnest(CAST(:keys AS bigint[])) AS key ORDER BY key) AS ordered"
)


def name_key(namespace: str, name: str) -> int:
    """A signed 64-bit key for ``name`` within ``namespace`` (the first 8 bytes of a SHA-256)."""
    digest = hashlib.sha256(f"{namespace}\x1f{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_names(session: Session, namespace: str, names: Iterable[str]) -> None:
    """Hold the lock on each of ``names`` until the session's transaction ends."""
    keys = sorted({name_key(namespace, name) for name in names})
    if keys and session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK_KEYS, {"keys": keys})
