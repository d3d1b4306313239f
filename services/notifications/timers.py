"""The timers that address and deliver emails, and what wakes them.

A timer runs its entry point every ``NOTIFICATIONS.<key>`` seconds; ``MailWake`` runs the
addressing timer as soon as a worker of this process has committed a mailing, and the delivery
timer as soon as one has committed an email, so an email waits for no interval on its way (an
alert's thirty mailboxes are told within a second of its sending). The interval stays as the
safety net: a mailing another replica committed, an email due again after a failure, a
replica that stopped before it ran.
"""

from __future__ import annotations

import contextlib

from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider
from nameko.timer import Timer
from sqlalchemy import event

from services.common.db import Database
from services.notifications.models import MailJob, MailMessage
from services.notifications.settings import CONFIG_KEY

ADDRESSING, DELIVERY = "ADDRESSING_SECONDS", "DELIVERY_SECONDS"
DELIVERY_WORKERS = "DELIVERY_WORKERS"
# workers of a run: while one waits for the mail server or a commit, another works
DEFAULT_WORKERS = 4
# which timers have work in a session's transaction once it commits
WORK = "imi_mail_work"
WAKES = {MailJob: ADDRESSING, MailMessage: DELIVERY}


class MailTimer(Timer):
    """nameko's timer, its interval read from ``NOTIFICATIONS.<key>`` (seconds): tests set a
    long one and call the entry point themselves. ``wake()`` runs it now, or once the run
    under way ends; wakes that come meanwhile make one more run, not one each. With
    ``workers`` (a key of the block too), each run is that many workers at once, which share
    the due work as replicas do (each claims its own)."""

    def __init__(self, key: str, default: float, workers: str | None = None, **kwargs):
        self.key, self.default, self.workers_key = key, default, workers
        self.workers = self.running = 1
        self.wakes: LightQueue = LightQueue()
        self.stopping = False
        super().__init__(interval=default, **kwargs)

    def setup(self) -> None:
        section = self.container.config.get(CONFIG_KEY) or {}
        self.interval = float(section.get(self.key) or self.default)
        if self.workers_key:
            self.workers = max(1, int(section.get(self.workers_key) or DEFAULT_WORKERS))

    def wake(self) -> None:
        self.wakes.put(True)

    def stop(self) -> None:
        self.stopping = True
        self.wakes.put(False)
        self.gt.wait()

    def _run(self) -> None:
        while True:
            with contextlib.suppress(Empty):  # the interval ran out: a run all the same
                self.wakes.get(timeout=self.interval)
            if self.stopping:
                return
            while self.wakes.qsize():
                self.wakes.get_nowait()
            self.running = self.workers
            for _worker in range(self.workers):
                self.handle_timer_tick()
            self.worker_complete.wait()
            self.worker_complete.reset()

    def handle_result(self, worker_ctx, result, exc_info):
        self.running -= 1
        if not self.running:  # the run's last worker
            self.worker_complete.send()
        return result, exc_info


mail_timer = MailTimer.decorator


class MailWake(DependencyProvider):
    """Declare as ``mail_wake = MailWake()`` beside ``db = Database(...)``: it watches the
    service's sessions and wakes the timer of each kind of row a transaction added (a
    ``MailJob``: addressing; a ``MailMessage``: delivery) once it commits."""

    def start(self) -> None:
        timers = {
            entrypoint.key: entrypoint
            for entrypoint in self.container.entrypoints
            if isinstance(entrypoint, MailTimer)
        }
        self.timers = {model: timers[key] for model, key in WAKES.items() if key in timers}
        database = next(p for p in self.container.dependencies if isinstance(p, Database))
        event.listen(database.sessions, "after_flush", self._note)
        event.listen(database.sessions, "after_commit", self._wake)
        event.listen(database.sessions, "after_rollback", self._forget)

    def _note(self, session, _context) -> None:
        for row in session.new:
            if type(row) in self.timers:
                session.info.setdefault(WORK, set()).add(type(row))

    def _wake(self, session) -> None:
        for model in session.info.pop(WORK, ()):
            self.timers[model].wake()

    @staticmethod
    def _forget(session) -> None:
        session.info.pop(WORK, None)
