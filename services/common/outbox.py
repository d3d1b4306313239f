"""The outbox relay: publishes committed events, in order, and sweeps what a crash left behind.

One relay runs per service process as a managed green thread. After a commit, the unit of work
tells it which outbox rows are new; it publishes them with publisher confirms (an event the
broker did not take stays in the outbox) and marks them sent. Every ``sweep_interval`` seconds
it also publishes rows older than ``grace`` that are still unsent: those of a process that died
between commit and publish. Events are published as *mandatory*: an event for which no queue
exists yet (its consumer has never run, or is not deployed yet) comes back from the broker and
stays in the outbox, offered again after a pause that doubles up to ``OUTBOX_RETRY_MAX_SECONDS``,
until a consumer's queue takes it; a temporary password is never published into the void.
Rows go in chunks of ``PUBLISH_CHUNK`` and the relay yields between chunks; on SQLite, whose
process has one pooled connection, the relay does not hold it while the broker answers, so a
backlog of thousands (a demo being loaded) never keeps it from the workers. Rows are
claimed with ``FOR UPDATE SKIP LOCKED`` so replicas on PostgreSQL do not publish the same row
at once; a rare duplicate is harmless because every handler is idempotent (inbox). Sent rows
are purged by services/common/retention.py.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import eventlet
from eventlet.queue import Empty, LightQueue
from nameko.standalone.events import get_event_exchange
from sqlalchemy import and_, func, or_, select

from services.common.config import AMQP_URI
from services.common.event_publisher import EventPublisher
from services.common.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_UNROUTED

log = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 5.0
SWEEP_GRACE = timedelta(seconds=10)
SWEEP_BATCH = 500
PUBLISH_CHUNK = 50
RETRY_MAX_SECONDS = 300.0


class OutboxRelay:
    def __init__(self, config: dict, service_name: str, sessions, model, clock):
        self.service_name = service_name
        self.sessions = sessions
        self.model = model
        self.clock = clock
        self.sweep_interval = float(config.get("OUTBOX_SWEEP_SECONDS", SWEEP_INTERVAL_SECONDS))
        self.exchange = get_event_exchange(service_name, config)
        self.retry_max = timedelta(
            seconds=float(config.get("OUTBOX_RETRY_MAX_SECONDS", RETRY_MAX_SECONDS))
        )
        self.publisher = EventPublisher(config[AMQP_URI], self.exchange)
        self._queue: LightQueue = LightQueue()
        self._running = False
        self._single_connection = sessions.kw["bind"].dialect.name == "sqlite"

    def notify(self, seqs: list[int]) -> None:
        self._queue.put(seqs)

    def run(self) -> None:
        """The relay loop: publish what commits announce, sweep when idle or due; once
        stopped, what was announced before the stop is published and the loop ends."""
        self._running = True
        last_sweep = None
        try:
            while self._running or self._queue.qsize():
                try:
                    seqs = self._queue.get(timeout=self.sweep_interval)
                except Empty:
                    seqs = None
                try:
                    if seqs:
                        self.publish(seqs)
                    due = time.monotonic()
                    sweep_due = last_sweep is None or due - last_sweep >= self.sweep_interval
                    if self._running and sweep_due:
                        last_sweep = due
                        self.sweep()
                except Exception:
                    log.exception(
                        "outbox relay of %s failed; the sweep will retry", self.service_name
                    )
        finally:
            self.publisher.close()

    def stop(self) -> None:
        self._running = False
        self._queue.put(None)

    def publish(self, seqs: list[int]) -> int:
        """Publish the given rows if still unsent; returns how many were sent."""
        model = self.model
        ordered = sorted(seqs)
        unrouted: set[str] = set()
        sent = 0
        for start in range(0, len(ordered), PUBLISH_CHUNK):
            chunk = ordered[start : start + PUBLISH_CHUNK]
            claim = select(model).where(model.seq.in_(chunk), model.published_at.is_(None))
            sent += self._relay(claim, unrouted)[0]
        return sent

    def sweep(self) -> int:
        """Publish rows left unsent by a crash and report the backlog."""
        model = self.model
        now = self.clock()
        due = or_(
            and_(model.next_attempt_at.is_(None), model.created_at < now - SWEEP_GRACE),
            model.next_attempt_at <= now,
        )
        claim = select(model).where(model.published_at.is_(None), due).limit(PUBLISH_CHUNK)
        unrouted: set[str] = set()
        sent = claimed = 0
        while claimed < SWEEP_BATCH:
            chunk_sent, chunk_claimed = self._relay(claim, unrouted)
            sent += chunk_sent
            claimed += chunk_claimed
            if chunk_claimed < PUBLISH_CHUNK:
                break
        with self.sessions() as session:
            backlog, unrouted_rows = session.execute(
                select(func.count(), func.count(model.next_attempt_at)).where(
                    model.published_at.is_(None)
                )
            ).one()
        OUTBOX_BACKLOG.labels(self.service_name).set(backlog or 0)
        OUTBOX_UNROUTED.labels(self.service_name).set(unrouted_rows or 0)
        return sent

    def _relay(self, claim, unrouted: set[str]) -> tuple[int, int]:
        """One chunk claimed, published and marked; returns (sent, claimed). On PostgreSQL the
        claim (a row lock) is held while the broker answers, so that replicas never publish
        the same rows; SQLite's only connection is let go meanwhile (one process publishes its
        outbox) and the rows are marked in a second short transaction."""
        with self.sessions() as session:
            rows = session.scalars(
                claim.order_by(self.model.seq).with_for_update(skip_locked=True)
            ).all()
            if self._single_connection:
                session.expunge_all()
                session.commit()
            published = self._send(rows, unrouted)
            session.add_all(rows)
            for row in published:
                if row.sensitive:
                    session.delete(row)
            session.commit()
        eventlet.sleep(0)
        return len(published), len(rows)

    def _send(self, rows, unrouted: set[str]) -> list:
        """Publish the rows in order and return those the broker took; an event type the
        broker has no queue for waits, and so do the later rows of that type, without asking
        the broker again in this round."""
        now = self.clock()
        published = []
        for row in rows:
            if row.event_type not in unrouted and not self.publisher.publish(
                row.envelope, row.event_type
            ):
                unrouted.add(row.event_type)
            if row.event_type in unrouted:
                self._wait_for_a_consumer(row, now)
                continue
            EVENTS_PUBLISHED.labels(self.service_name, row.event_type).inc()
            row.published_at = now
            published.append(row)
        return published

    def _wait_for_a_consumer(self, row, now) -> None:
        if not row.attempts:
            log.info("no queue takes %s.%s yet: it waits in the outbox for its consumer",
                     self.service_name, row.event_type)  # fmt: skip
        row.attempts += 1
        pause = timedelta(seconds=self.sweep_interval * 2 ** min(row.attempts - 1, 20))
        row.next_attempt_at = now + min(pause, self.retry_max)
