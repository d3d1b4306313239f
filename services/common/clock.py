"""Time as a dependency, so deadlines, expiries and lockouts can be tested by moving time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nameko.extensions import DependencyProvider


def utcnow() -> datetime:
    return datetime.now(UTC)


class FrozenClock:
    """A clock for tests: it stands still until told to move."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Clock(DependencyProvider):
    """Gives each worker a callable returning the current time in UTC."""

    def __init__(self, source=utcnow):
        self.source = source

    def get_dependency(self, worker_ctx):
        return self.source
