"""The outbox relay: publishes committed events, in order, and sweeps what a crash left behind.

One relay runs per service process as a managed green thread. After a commit, the unit of work
tells it which outbox rows are new; it publishes them with publisher confirms (an event the
broker did not take stays in the outbox) and marks them sent. Every ``sweep_interval`` seconds
it also publishes rows older than ``grace`` that are still unsent: those of a process that died
between commit and publish. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so replicas on
PostgreSQL do not publish the same row at once; a rare duplicate is harmless because every
handler is idempotent (inbox). Sent rows are purged by services/common/retention.py.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from eventlet.queue import Empty, LightQueue
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange
from sqlalchemy import func, select

from services.common.config import AMQP_URI
from services.common.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG

log = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 5.0
SWEEP_GRACE = timedelta(seconds=10)
SWEEP_BATCH = 500


class OutboxRelay:
    def __init__(self, config: dict, service_name: str, sessions, model, clock):
        self.service_name = service_name
        self.sessions = sessions
        self.model = model
        self.clock = clock
        self.sweep_interval = float(config.get("OUTBOX_SWEEP_SECONDS", SWEEP_INTERVAL_SECONDS))
        self.exchange = get_event_exchange(service_name, config)
        self.publisher = Publisher(config[AMQP_URI], use_confirms=True, declare=[self.exchange])
        self._queue: LightQueue = LightQueue()
        self._running = False

    def notify(self, seqs: list[int]) -> None:
        self._queue.put(seqs)

    def run(self) -> None:
        """The relay loop: publish what commits announce, sweep when idle or due."""
        self._running = True
        last_sweep = None
        while self._running:
            try:
                seqs = self._queue.get(timeout=self.sweep_interval)
            except Empty:
                seqs = None
            try:
                if seqs:
                    self.publish(seqs)
                due = time.monotonic()
                if last_sweep is None or due - last_sweep >= self.sweep_interval:
                    last_sweep = due
                    self.sweep()
            except Exception:
                log.exception("outbox relay of %s failed; the sweep will retry", self.service_name)

    def stop(self) -> None:
        self._running = False
        self._queue.put(None)

    def publish(self, seqs: list[int]) -> int:
        """Publish the given rows if still unsent; returns how many were sent."""
        model = self.model
        with self.sessions() as session:
            rows = session.scalars(
                select(model)
                .where(model.seq.in_(seqs), model.published_at.is_(None))
                .order_by(model.seq)
                .with_for_update(skip_locked=True)
            ).all()
            return self._send(session, rows)

    def sweep(self) -> int:
        """Publish rows left unsent by a crash and report the backlog."""
        model = self.model
        now = self.clock()
        with self.sessions() as session:
            rows = session.scalars(
                select(model)
                .where(model.published_at.is_(None), model.created_at < now - SWEEP_GRACE)
                .order_by(model.seq)
                .limit(SWEEP_BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            sent = self._send(session, rows)
            backlog = session.scalar(
                select(func.count()).select_from(model).where(model.published_at.is_(None))
            )
            session.commit()
        OUTBOX_BACKLOG.labels(self.service_name).set(backlog or 0)
        return sent

    def _send(self, session, rows) -> int:
        if not rows:
            session.commit()
            return 0
        for row in rows:
            self.publisher.publish(row.envelope, exchange=self.exchange, routing_key=row.event_type)
            EVENTS_PUBLISHED.labels(self.service_name, row.event_type).inc()
        now = self.clock()
        for row in rows:
            if row.sensitive:
                session.delete(row)
            else:
                row.published_at = now
        session.commit()
        return len(rows)
