"""Timeouts nest: a call's deadline travels with it, and what it waits on waits no longer.

A caller that gives up after ``t`` seconds sends, in the call's context data, the moment it
gives up (``deadline``, seconds since the epoch: the servers' clocks are kept by NTP). An RPC
worker's own calls then wait at most the time left (services.common.rpc), passing the same
deadline on, and on PostgreSQL each of its transactions has a ``statement_timeout`` of at
most the time left (services.common.db). So nothing goes on working for a caller that has gone.
Only RPC workers have a deadline: an event handler or a timer has no caller waiting.
"""

from __future__ import annotations

import time

from nameko.rpc import Rpc

DEADLINE = "deadline"


def remaining_seconds(worker_ctx) -> float | None:
    """Seconds left before the caller of this RPC worker gives up, or None without one."""
    if worker_ctx is None or not isinstance(getattr(worker_ctx, "entrypoint", None), Rpc):
        return None
    deadline = (getattr(worker_ctx, "data", None) or {}).get(DEADLINE)
    if not isinstance(deadline, int | float) or isinstance(deadline, bool):
        return None
    return deadline - time.time()
