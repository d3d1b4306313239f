"""Process-wide tuning of a service process, switched on by ``GC_TUNING`` in the config.

CPython's collector runs every 700 allocations and walks young objects; a request allocates
thousands (schemas, ORM state, AMQP frames), so it ran every few requests and, in full
collections, walked every imported module's objects too. Raising the first threshold and
freezing what exists once the container has started (imports, configuration, engines) cut the
p99 of an authenticated read by 15-40 % (docs/performance.md). It is process-wide, so it is
off by default and in tests, where many containers share one process.
"""

from __future__ import annotations

import gc

import eventlet
from nameko.extensions import DependencyProvider

GC_TUNING = "GC_TUNING"
FIRST_GENERATION_THRESHOLD = 50_000
FREEZE_AFTER_SECONDS = 5.0


class ProcessTuning(DependencyProvider):
    def start(self) -> None:
        if not self.container.config.get(GC_TUNING, False):
            return
        _, second, third = gc.get_threshold()
        gc.set_threshold(FIRST_GENERATION_THRESHOLD, second, third)
        self.container.spawn_managed_thread(self._freeze_when_started, identifier="gc-freeze")

    def _freeze_when_started(self) -> None:
        eventlet.sleep(FREEZE_AFTER_SECONDS)
        gc.collect()
        gc.freeze()
