"""How long the kernel's own tables keep their rows, and the purge that enforces it.

The inbox, the remembered answers of idempotent calls and the sent outbox events exist to
survive redeliveries and replays, not forever: a remembered answer may hold personal data (a
user's record), and every table grows with each call or event. Each process of a service runs
one purge every ``KERNEL_PURGE_SECONDS``; several replicas may run it at once on PostgreSQL,
each claiming a batch with ``FOR UPDATE SKIP LOCKED``, so no two delete the same rows and none
waits on another.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import eventlet
from sqlalchemy import delete, select, tuple_

from services.common.metrics import KERNEL_ROWS_PURGED

log = logging.getLogger(__name__)

RETENTION = "KERNEL_RETENTION"
PURGE_SECONDS = "KERNEL_PURGE_SECONDS"
DEFAULT_PURGE_SECONDS = 600.0
PURGE_BATCH = 1000


class RetentionConfigError(ValueError):
    """The configured periods would let a replayed event be handled twice."""


@dataclass(frozen=True)
class RetentionPeriods:
    """``idempotency``: a repeated call within it gets the first answer (clients retry for
    minutes, not days). ``outbox``: sent events stay for replay. ``inbox``: a handled event
    is recognised when it comes again, so it must cover the outbox's replay window too."""

    idempotency: timedelta = timedelta(hours=24)
    inbox: timedelta = timedelta(days=45)
    outbox: timedelta = timedelta(days=30)

    @classmethod
    def from_config(cls, config: dict) -> RetentionPeriods:
        section = config.get(RETENTION) or {}
        periods = cls(
            idempotency=timedelta(hours=float(section.get("IDEMPOTENCY_HOURS", 24))),
            inbox=timedelta(days=float(section.get("INBOX_DAYS", 45))),
            outbox=timedelta(days=float(section.get("OUTBOX_DAYS", 30))),
        )
        if periods.inbox < periods.outbox:
            raise RetentionConfigError(
                f"{RETENTION}.INBOX_DAYS must be at least OUTBOX_DAYS: an event replayed from "
                "the outbox after its inbox record is gone would be handled twice."
            )
        return periods


class KernelPurge:
    """Deletes expired rows of one service's outbox (sent ones only), inbox and idempotency
    tables, in short batches."""

    def __init__(self, service_name: str, sessions, models, periods: RetentionPeriods, clock):
        self.service_name = service_name
        self.sessions = sessions
        self.outbox, self.inbox, self.idempotency = models
        self.periods = periods
        self.clock = clock

    def run_every(self, seconds: float) -> None:
        """The purge loop of a process: a failure is logged and tried again next time."""
        while True:
            try:
                self.purge()
            except Exception:
                log.exception("purging the kernel tables of %s failed", self.service_name)
            eventlet.sleep(seconds)

    def purge(self) -> dict[str, int]:
        """Delete every expired row now; how many of each table went."""
        now = self.clock()
        outbox = self.outbox
        return {
            "outbox": self._purge(outbox, outbox.published_at < now - self.periods.outbox),
            "inbox": self._purge(self.inbox, self.inbox.handled_at < now - self.periods.inbox),
            "idempotency": self._purge(
                self.idempotency, self.idempotency.created_at < now - self.periods.idempotency
            ),
        }

    def _purge(self, model, expired) -> int:
        key = tuple(model.__table__.primary_key.columns)
        total = 0
        while True:
            with self.sessions() as session:
                batch = session.execute(
                    select(*key).where(expired).limit(PURGE_BATCH).with_for_update(skip_locked=True)
                ).all()
                if batch:
                    session.execute(delete(model.__table__).where(tuple_(*key).in_(batch)))
                session.commit()
            total += len(batch)
            if len(batch) < PURGE_BATCH:
                break
        if total:
            KERNEL_ROWS_PURGED.labels(self.service_name, model.__tablename__).inc(total)
        return total
