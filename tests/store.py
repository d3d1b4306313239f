"""Read access to a service's database, as an operator would read it: one short transaction
per question, and what a call stored (or did not)."""

from __future__ import annotations

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool


class ServiceStore:
    """A subclass names the service's declarative ``base`` and ``outbox`` model."""

    base: type[DeclarativeBase]
    outbox: type

    def __init__(self, uri: str) -> None:
        self.engine = create_engine(uri, poolclass=NullPool)

    def snapshot(self) -> dict:
        """Rows per table, and the ids of the events in the outbox (whose count alone moves
        when the relay deletes a published sensitive event)."""
        with self.engine.connect() as connection:
            counts: dict = {
                table.name: connection.scalar(select(func.count()).select_from(table))
                for table in self.base.metadata.sorted_tables
                if table.name != "outbox"
            }
            counts["outbox"] = set(connection.scalars(select(self.outbox.event_id)))
        return counts

    def new_rows(self, before: dict) -> dict:
        """What was stored since ``before``: {table: rows added, "outbox": new event ids}."""
        after = self.snapshot()
        changes = {
            table: after[table] - before[table]
            for table in after
            if table != "outbox" and after[table] != before[table]
        }
        if after["outbox"] - before["outbox"]:
            changes["outbox"] = after["outbox"] - before["outbox"]
        return changes

    def dispose(self) -> None:
        self.engine.dispose()
