"""A token bucket per client address, in memory: each replica limits what it sees.

Guessing passwords is already bounded by the lockout after a few failures per account; this
bounds how fast one address can try many accounts, or flood the login path's argon2 hashing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

MAX_TRACKED_CLIENTS = 100_000


class TokenBucketLimiter:
    """Each client may burst ``per_minute`` requests, then one every 60/per_minute seconds."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        if per_minute < 1:
            raise ValueError("The login rate must allow at least one request a minute.")
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, updated at)

    def take(self, client: str) -> int | None:
        """Spend one token: None when allowed, else the seconds until one is available."""
        now = self._clock()
        tokens = self._tokens(client, now)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return math.ceil((1.0 - tokens) / self.refill_per_second)
        self._buckets[client] = (tokens - 1.0, now)
        if len(self._buckets) > MAX_TRACKED_CLIENTS:
            self._forget_idle(now)
        return None

    def __len__(self) -> int:
        """How many clients are tracked."""
        return len(self._buckets)

    def _tokens(self, client: str, now: float) -> float:
        tokens, updated = self._buckets.get(client, (self.capacity, now))
        return min(self.capacity, tokens + (now - updated) * self.refill_per_second)

    def _forget_idle(self, now: float) -> None:
        """A full bucket is the same as none: drop those to bound the memory."""
        for client in [c for c in self._buckets if self._tokens(c, now) >= self.capacity]:
            del self._buckets[client]
