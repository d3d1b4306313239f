"""What every service test does with events: wait for them, record what a service
publishes through a small listener service on the test broker's vhost, and build payloads that
keep the event contracts (the examples of docs/events.md)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path

import eventlet
from nameko.events import event_handler

WAIT_SECONDS = 10.0
CATALOGUE = Path(__file__).resolve().parents[1] / "docs" / "events.md"
EXAMPLE = re.compile(r"^```json (?P<names>[^\n]+)\n(?P<body>.*?)^```$", re.M | re.S)


@functools.cache
def catalogued_examples() -> dict[tuple[str, str], dict]:
    """The example payload of each (service, event) in docs/events.md."""
    examples = {}
    for match in EXAMPLE.finditer(CATALOGUE.read_text(encoding="utf-8")):
        payload = json.loads(match["body"])
        for name in match["names"].split():
            service, event = name.split("/")
            examples[(service, event)] = payload
    return examples


def event_data(service: str, event: str, **fields) -> dict:
    """The documented example of ``service``'s ``event`` with ``fields`` in place: a payload
    its contract accepts, for tests that play the producer."""
    return {**catalogued_examples()[(service, event)], **fields}


def wait_until(condition: Callable[[], object], what: str, timeout: float = WAIT_SECONDS):
    """Yield to the hub until ``condition()`` is truthy; its value, or AssertionError."""
    with eventlet.Timeout(timeout, False):
        while True:
            value = condition()
            if value:
                return value
            eventlet.sleep(0.02)
    raise AssertionError(f"still waiting after {timeout:g} s for {what}")


class EventLog:
    """Every event the module's listener received, as (event name, envelope)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        self.container = None

    def add(self, name: str, envelope: dict) -> None:
        self.received.append((name, envelope))

    def of(self, name: str, subject: str) -> list[dict]:
        """Events about ``subject``; payloads that are not envelopes (tests of malformed events
        publish some on the same exchange) are about nothing."""
        return [env for got, env in self.received if got == name and env.get("subject") == subject]

    def wait_for(self, name: str, subject: str, count: int = 1) -> list[dict]:
        """The first ``count`` ``name`` events about ``subject``, once they came."""
        return wait_until(
            lambda: len(self.of(name, subject)) >= count and self.of(name, subject)[:count],
            f"{count} {name} event(s) about {subject}",
        )

    def temporary_password(self, user_id: str, count: int = 1) -> str:
        """The temporary password of identity's ``count``-th issue for ``user_id``."""
        return self.wait_for("temporary_password_issued", user_id, count)[-1]["data"][
            "temporary_password"
        ]


def listener_for(service: str, events: tuple[str, ...], name: str, log: EventLog) -> type:
    """A small nameko service named ``name`` that records ``service``'s ``events`` in ``log``."""
    attributes: dict = {"name": name}
    for event_name in events:

        def handle(self, envelope, _event_name=event_name):
            log.add(_event_name, envelope)

        attributes[f"on_{event_name}"] = event_handler(service, event_name)(handle)
    return type("EventListener", (), attributes)


def listening(
    container_factory, config: dict, listener: Callable[[str, EventLog], type], name: str
):
    """An EventLog fed by a started ``listener(name, log)`` service: start it before the
    service under test, so that no event is missed."""
    log = EventLog()
    log.container = container_factory(listener(name, log), config)
    log.container.start()
    return log
