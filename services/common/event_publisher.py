"""The outbox relay's own line to the broker: one connection, publishes the broker confirms, and
an event no queue takes reported back as such instead of raised.

nameko's ``Publisher`` borrows a producer from kombu's pool (ten per process) and raises
``UndeliverableMessage`` inside the borrowed producer's context. Leaving that context with an
exception makes kombu close the pooled connection and wait for the broker's answer, so every
returned event cost a new connection, and a service stopped during that wait never gave the
producer back: past ten lost producers every publish of the process waited for one for ever.
Here the relay's connection is its own: the broker's return is caught by the producer's
``on_return`` callback (the broker sends it before the confirm), nothing is raised for it, and
the pool is not involved. A publish that fails (the broker gone, no confirm within
``CONFIRM_SECONDS``) drops the connection, whose state is then unknown; the next publish opens
a new one, and the relay offers the event again at its next sweep.
"""

from __future__ import annotations

import eventlet.semaphore
from kombu import Connection, Exchange, Producer

from services.common.serialization import NAME as SERIALIZER

PERSISTENT = 2
CONFIRM_SECONDS = 30.0
# kombu's retries of a publish when the connection fails: reconnect and publish again, twice.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0.5, "interval_step": 1, "interval_max": 2}


class EventPublisher:
    """Publishes to one exchange, mandatory and confirmed; one publish at a time."""

    def __init__(self, amqp_uri: str, exchange: Exchange):
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self._connection: Connection | None = None
        self._producer: Producer | None = None
        self._returned = False
        self._one_at_a_time = eventlet.semaphore.Semaphore()

    def publish(self, body, routing_key: str) -> bool:
        """Publish ``body``; whether a queue took it (False: the broker returned it, as no
        queue is bound for ``routing_key`` yet)."""
        with self._one_at_a_time:
            producer = self._producer or self._connect()
            self._returned = False
            try:
                producer.publish(
                    body,
                    routing_key=routing_key,
                    mandatory=True,
                    delivery_mode=PERSISTENT,
                    serializer=SERIALIZER,
                    declare=[self.exchange],
                    retry=True,
                    retry_policy=RETRY_POLICY,
                    confirm_timeout=CONFIRM_SECONDS,
                )
            except BaseException:
                self._drop()
                raise
            return not self._returned

    def close(self) -> None:
        """Close the connection (a publish after this opens a new one)."""
        connection = self._forget()
        if connection is not None:
            connection.release()

    def _connect(self) -> Producer:
        self._connection = Connection(self.amqp_uri, transport_options={"confirm_publish": True})
        self._producer = Producer(
            self._connection, exchange=self.exchange, on_return=self._on_return
        )
        return self._producer

    def _on_return(self, exception, exchange, routing_key, message) -> None:
        self._returned = True

    def _drop(self) -> None:
        """Forget a connection in an unknown state without talking to the broker."""
        connection = self._forget()
        if connection is not None:
            connection.collect()

    def _forget(self) -> Connection | None:
        connection, self._connection, self._producer = self._connection, None, None
        return connection
