"""The per-address token bucket of the login routes, on a clock the test moves."""

from __future__ import annotations

import pytest

from gateway import ratelimit
from gateway.ratelimit import TokenBucketLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_client_may_burst_up_to_the_rate_then_is_told_when_to_retry(clock):
    limiter = TokenBucketLimiter(30, clock)

    assert [limiter.take("10.0.0.1") for _ in range(30)] == [None] * 30
    assert limiter.take("10.0.0.1") == 2  # one token comes back every 2 s at 30 a minute


def test_tokens_come_back_with_time(clock):
    limiter = TokenBucketLimiter(6, clock)
    for _ in range(6):
        limiter.take("10.0.0.1")

    clock.now += 10
    assert limiter.take("10.0.0.1") is None
    assert limiter.take("10.0.0.1") == 10


def test_refused_requests_do_not_push_the_retry_further(clock):
    limiter = TokenBucketLimiter(6, clock)
    for _ in range(6):
        limiter.take("10.0.0.1")

    assert [limiter.take("10.0.0.1") for _ in range(3)] == [10, 10, 10]


def test_each_address_has_its_own_bucket(clock):
    limiter = TokenBucketLimiter(1, clock)

    assert limiter.take("10.0.0.1") is None
    assert limiter.take("10.0.0.1") == 60
    assert limiter.take("10.0.0.2") is None


def test_idle_clients_are_forgotten_when_too_many_are_tracked(clock, monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_TRACKED_CLIENTS", 3)
    limiter = TokenBucketLimiter(1, clock)
    for address in ("a", "b", "c"):
        limiter.take(address)
    clock.now += 120  # a, b and c are full again

    limiter.take("d")

    assert len(limiter) == 1
    assert limiter.take("d") == 60


def test_a_rate_below_one_a_minute_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        TokenBucketLimiter(0)
