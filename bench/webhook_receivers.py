"""Webhook endpoints for bench/webhooks_fanout.py: one asyncio HTTP server per port (httptools
parsing), answering 204 at once and noting when each event arrived; it writes the arrivals as
JSON to ``--out`` once every port has ``--expect`` events (or when it is stopped).

    python -m bench.webhook_receivers --ports 9001,9002,9003 --expect 10000 --out arrivals.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time

import httptools
import orjson

RESPONSE = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"


class Endpoint(asyncio.Protocol):
    def __init__(self, port: int, arrivals: dict[int, dict[str, float]], done) -> None:
        self.port, self.arrivals, self.done = port, arrivals, done
        self.parser = httptools.HttpRequestParser(self)
        self.body = bytearray()

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        event_id = orjson.loads(bytes(self.body))["id"]
        self.body.clear()
        self.arrivals[self.port].setdefault(event_id, time.time())
        self.transport.write(RESPONSE)
        self.done()


async def serve(ports: list[int], expect: int, out: str) -> None:
    arrivals: dict[int, dict[str, float]] = {port: {} for port in ports}
    finished = asyncio.Event()

    def done() -> None:
        if all(len(arrivals[port]) >= expect for port in ports):
            finished.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, finished.set)
    servers = [
        await loop.create_server(
            lambda port=port: Endpoint(port, arrivals, done), "127.0.0.1", port
        )
        for port in ports
    ]
    print("receivers: listening", flush=True)
    await finished.wait()
    for server in servers:
        server.close()
    with open(out, "w", encoding="utf-8") as stream:
        json.dump({str(port): found for port, found in arrivals.items()}, stream)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ports", required=True)
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    ports = [int(port) for port in args.ports.split(",")]
    asyncio.run(serve(ports, args.expect, args.out))


if __name__ == "__main__":
    main()
