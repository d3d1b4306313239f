"""Time as a dependency: the real clock is aware UTC, the frozen one moves only when told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.common.clock import FrozenClock, utcnow


def test_the_real_clock_gives_aware_utc_time():
    assert utcnow().tzinfo is UTC


def test_a_frozen_clock_stands_still_until_advanced():
    clock = FrozenClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    first = clock()

    assert clock() == first
    clock.advance(days=1, minutes=30)
    assert clock() - first == timedelta(days=1, minutes=30)
