"""Reference (c): the bare RPC echo over the same broker, with kombu alone.

This is the floor of what one RPC round trip costs on this broker from Python: no framework,
no worker pool, no HTTP. The server consumes one queue (manual acks, prefetch) and publishes
each body back to the request's ``reply_to`` with its ``correlation_id``. The client declares
one reply queue for the whole run (not one per call) and keeps N calls outstanding: each of
the N callers sends its next call as soon as its reply arrives (a closed loop, like N
greenlets each making blocking calls, without a scheduler between them). Every call is timed.
Messages are transient and published without confirms, like services.common.rpc's requests.

    python -m bench.reference_kombu server --uri URI
    python -m bench.reference_kombu client --uri URI --concurrency N --warmup S --seconds S
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
import uuid

from kombu import Connection, Consumer, Exchange, Producer, Queue

from bench.measure import measure_done, report, warmup_done
from bench.payload import ACTOR

EXCHANGE = Exchange("bench-kombu-rpc", type="direct", durable=False)
REQUEST_QUEUE = "bench-kombu-echo"
TRANSIENT = 1
SERVER_PREFETCH = 64
PAYLOAD = {"args": [ACTOR], "kwargs": {}}


def request_queue() -> Queue:
    return Queue(REQUEST_QUEUE, exchange=EXCHANGE, routing_key=REQUEST_QUEUE, durable=False)


def serve(uri: str) -> None:
    running = True

    def stop(*_args):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    with Connection(uri) as connection:
        channel = connection.channel()
        producer = Producer(channel, serializer="json")

        def echo(body, message):
            producer.publish(
                {"result": body, "error": None},
                exchange="",
                routing_key=message.properties["reply_to"],
                correlation_id=message.properties["correlation_id"],
                delivery_mode=TRANSIENT,
            )
            message.ack()

        consumer = Consumer(
            channel, [request_queue()], callbacks=[echo], prefetch_count=SERVER_PREFETCH
        )
        with consumer:
            print("ready", flush=True)
            while running:
                with contextlib.suppress(TimeoutError):
                    connection.drain_events(timeout=0.5)


class ClosedLoopClient:
    """N callers over one connection and one reply queue."""

    def __init__(self, connection: Connection, concurrency: int):
        self.connection = connection
        self.concurrency = concurrency
        channel = connection.channel()
        request_queue()(channel).declare()
        self.producer = Producer(channel, serializer="json")
        self.reply_queue = Queue(
            f"bench-kombu-reply-{uuid.uuid4().hex}", exclusive=True, durable=False
        )
        self.consumer = Consumer(
            channel, [self.reply_queue], callbacks=[self.on_reply], no_ack=True
        )
        self.pending: dict[str, float] = {}
        self.sending = True
        self.window = (float("inf"), float("inf"))
        self.latencies: list[float] = []

    def call(self) -> None:
        correlation_id = uuid.uuid4().hex
        self.pending[correlation_id] = time.perf_counter()
        self.producer.publish(
            PAYLOAD,
            exchange=EXCHANGE,
            routing_key=REQUEST_QUEUE,
            reply_to=self.reply_queue.name,
            correlation_id=correlation_id,
            delivery_mode=TRANSIENT,
        )

    def on_reply(self, body, message) -> None:
        started = self.pending.pop(message.properties["correlation_id"], None)
        ended = time.perf_counter()
        if started is not None and self.window[0] <= started and ended <= self.window[1]:
            self.latencies.append(ended - started)
        if self.sending:
            self.call()

    def drain_until(self, deadline: float) -> None:
        while (left := deadline - time.perf_counter()) > 0 and (self.sending or self.pending):
            with contextlib.suppress(TimeoutError):
                self.connection.drain_events(timeout=min(left, 1.0))

    def run(self, warmup: float, seconds: float) -> None:
        with self.consumer:
            for _ in range(self.concurrency):
                self.call()
            start = time.perf_counter() + warmup
            self.window = (start, start + seconds)
            self.drain_until(start)
            warmup_done(sys.stdout)
            self.drain_until(self.window[1])
            measure_done(sys.stdout)
            self.sending = False
            self.drain_until(time.perf_counter() + 2.0)
        lost = len(self.pending)
        report(sys.stdout, self.latencies, lost, seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reference_kombu")
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("--uri", required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    if args.role == "server":
        serve(args.uri)
        return
    with Connection(args.uri) as connection:
        ClosedLoopClient(connection, args.concurrency).run(args.warmup, args.seconds)


if __name__ == "__main__":
    main()
