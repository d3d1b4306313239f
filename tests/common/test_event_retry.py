"""services.common.entrypoints' ``@event_handler``: an event whose handler failed comes again
after a pause instead of being lost, and a business outcome is final."""

from __future__ import annotations

import collections

import eventlet
from nameko.standalone.events import event_dispatcher
from sqlalchemy.exc import OperationalError

from services.common.clock import utcnow
from services.common.entrypoints import event_handler
from services.common.envelope import make_envelope
from services.common.errors import Conflict
from services.common.metrics import EVENTS_HANDLED
from tests.events import wait_until

SOURCE = "kernel_retry_source"
LISTENER = "kernel_retry_listener"
PAUSE = 0.05

calls: collections.Counter = collections.Counter()  # handler calls per event subject
done: list[str] = []  # subjects handled to the end


class FlakyListener:
    name = LISTENER

    @event_handler(SOURCE, "thing_happened")
    def on_thing(self, envelope):
        subject = envelope["subject"]
        calls[subject] += 1
        plan = envelope["data"]
        if calls[subject] <= plan.get("fail_times", 0):
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        if plan.get("conflict"):
            raise Conflict("It clashes.", "error.concurrent_change")
        done.append(subject)


def listening(container_factory, service_config):
    container = container_factory(FlakyListener, {**service_config, "EVENT_RETRY_SECONDS": PAUSE})
    container.start()
    return container


def publish(service_config, subject: str, **plan) -> None:
    envelope = make_envelope(SOURCE, "thing_happened", subject, plan, utcnow())
    event_dispatcher(service_config)(SOURCE, "thing_happened", envelope)


def test_an_event_whose_handler_failed_comes_again_until_it_is_handled(
    container_factory, service_config
):
    listening(container_factory, service_config)
    retries = EVENTS_HANDLED.labels(LISTENER, "on_thing", "retry")
    before = retries._value.get()

    publish(service_config, "flaky", fail_times=3)

    wait_until(lambda: "flaky" in done, "the flaky event to be handled")
    assert calls["flaky"] == 4
    assert retries._value.get() == before + 3


def test_a_business_outcome_is_final_and_the_event_is_not_retried(
    container_factory, service_config
):
    listening(container_factory, service_config)

    publish(service_config, "clash", conflict=True)
    publish(service_config, "after-clash")
    wait_until(lambda: "after-clash" in done, "the event after the clash to be handled")
    eventlet.sleep(10 * PAUSE)  # a retry would have come by now

    assert calls["clash"] == 1
    assert "clash" not in done
