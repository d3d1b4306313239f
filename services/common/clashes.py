"""The "only one" rules kept by the database, and the 409 a clash with one of them answers.

A check in Python ("is there a national coordinator already?") followed by an insert is a race
on PostgreSQL: two workers both check, both insert. So each such rule is a unique index or
constraint of the service's database, and the Python check, where one is kept, only makes the
ordinary answer friendlier. The model declares, on the index or constraint itself, what a clash
with it means for the caller::

    Index(
        "uq_invitations_live_email", "email", unique=True,
        sqlite_where=LIVE, postgresql_where=LIVE,
        info=clash("An invitation to this address is live already.",
                   "invitation.already_pending"),
    )

and ``@transactional`` (services/common/transactions.py) turns an IntegrityError on it into
that ``Conflict``. The driver names the broken rule differently: PostgreSQL gives the
constraint's name (``diag.constraint_name``; a primary key that was not named is
``<table>_pkey``), SQLite only the table and columns (``UNIQUE constraint failed: t.a, t.b``).
So a rule is found by its name or by its table and exact columns: two declared rules of one
table must not cover the same columns.
"""

from __future__ import annotations

import re

from sqlalchemy import Index, MetaData, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.exc import IntegrityError

from services.common.errors import Conflict

CLASH = "imi_clash"
_PG_NAME = re.compile(r'unique constraint "([^"]+)"')
_SQLITE_COLUMNS = re.compile(r"UNIQUE constraint failed: (.+)$", re.MULTILINE)
_SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '([^']+)'")


def clash(detail: str, code: str) -> dict:
    """The ``info`` of a unique index or constraint: the Conflict a clash with it is."""
    return {CLASH: (detail, code)}


def declared_conflict(exc: IntegrityError, metadata: MetaData | None) -> Conflict | None:
    """The Conflict declared on the unique rule ``exc`` broke, or None if none is declared."""
    if metadata is None:
        return None
    name, table, columns = _broken_rule(exc)
    for rule in _declared_rules(metadata):
        covered = frozenset(column.name for column in rule.columns)
        if name in _names(rule) or (table, columns) == (rule.table.name, covered):
            detail, code = rule.info[CLASH]
            return Conflict(detail, code)
    return None


def _names(rule) -> set[str]:
    """The names PostgreSQL reports for ``rule``: its own, or its default as a primary key."""
    names = {rule.name} if rule.name else set()
    if isinstance(rule, PrimaryKeyConstraint):
        names.add(f"{rule.table.name}_pkey")
    return names


def _declared_rules(metadata: MetaData):
    for table in metadata.tables.values():
        for rule in (*table.indexes, *table.constraints):
            if CLASH in rule.info and (
                isinstance(rule, PrimaryKeyConstraint | UniqueConstraint)
                or (isinstance(rule, Index) and rule.unique)
            ):
                yield rule


def _broken_rule(exc: IntegrityError) -> tuple[str | None, str | None, frozenset[str]]:
    """(constraint name, table, columns) as far as the driver tells them."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    text = str(exc.orig)
    if name is None:
        found = _PG_NAME.search(text) or _SQLITE_INDEX.search(text)
        name = found.group(1) if found else None
    found = _SQLITE_COLUMNS.search(text)
    if found is None or found.group(1).startswith("index "):
        return name, None, frozenset()
    qualified = [part.strip().split(".", 1) for part in found.group(1).split(",")]
    if any(len(part) != 2 for part in qualified):
        return name, None, frozenset()
    tables = {table for table, _ in qualified}
    table = tables.pop() if len(tables) == 1 else None
    return name, table, frozenset(column for _, column in qualified)
