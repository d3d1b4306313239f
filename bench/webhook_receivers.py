"""Webhook endpoints for bench/webhooks_fanout.py: one asyncio HTTP server per port (httptools
parsing) that checks every delivery's signature, answers 204 (401 to a forged or stale one) and
notes when each event first arrived; it writes the arrivals (in the order of arrival) with the
count of forged deliveries and of repeats as JSON to ``--out`` once every port has ``--expect``
events (or when it is stopped).

The signature of every delivery is checked as the Standard Webhooks specification says (the
HMAC-SHA256 of ``<webhook-id>.<webhook-timestamp>.<body>`` with the port's secret, the
timestamp within five minutes), and every ``SAMPLE``-th one also with the ``standardwebhooks``
library, as a subscriber would (which costs about ten times as much).

    python -m bench.webhook_receivers --secrets secrets.json --expect 10000 --out arrivals.json

``secrets.json``: ``{"<port>": "whsec_…"}``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import signal
import time

import httptools
import orjson
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

OK = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
FORGED = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
TOLERANCE_SECONDS = 300
SAMPLE = 100
SIGNED = {b"webhook-id": "id", b"webhook-timestamp": "timestamp", b"webhook-signature": "signature"}


class Port:
    """One endpoint's secret and what it received."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.key = base64.b64decode(secret.removeprefix("whsec_"))
        self.library = Webhook(secret)
        self.arrivals: dict[str, float] = {}
        self.forged = self.repeats = self.checked = 0

    def genuine(self, headers: dict[str, str], body: bytes) -> bool:
        self.checked += 1
        if self.checked % SAMPLE == 0:
            try:
                self.library.verify(body, {f"webhook-{k}": v for k, v in headers.items()})
            except WebhookVerificationError:
                return False
            return True
        try:
            stamp = int(headers["timestamp"])
            signed = f"{headers['id']}.{stamp}.".encode() + body
        except (KeyError, ValueError):
            return False
        expected = base64.b64encode(hmac.new(self.key, signed, hashlib.sha256).digest())
        given = [part.partition(",") for part in headers.get("signature", "").split(" ")]
        return abs(time.time() - stamp) <= TOLERANCE_SECONDS and any(
            version == "v1" and hmac.compare_digest(expected, signature.encode())
            for version, _comma, signature in given
        )


class Endpoint(asyncio.Protocol):
    def __init__(self, port: Port, done) -> None:
        self.port, self.done = port, done
        self.parser = httptools.HttpRequestParser(self)
        self.body = bytearray()
        self.headers: dict[str, str] = {}

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_header(self, name: bytes, value: bytes) -> None:
        key = SIGNED.get(name.lower())
        if key is not None:
            self.headers[key] = value.decode()

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        body, headers = bytes(self.body), self.headers
        self.body.clear()
        self.headers = {}
        if not self.port.genuine(headers, body):
            self.port.forged += 1
            self.transport.write(FORGED)
            return
        event_id = orjson.loads(body)["id"]
        if event_id in self.port.arrivals:
            self.port.repeats += 1
        else:
            self.port.arrivals[event_id] = time.time()
        self.transport.write(OK)
        self.done()


async def serve(secrets: dict[int, str], expect: int, out: str) -> None:
    ports = {number: Port(secret) for number, secret in secrets.items()}
    finished = asyncio.Event()

    def done() -> None:
        if all(len(port.arrivals) >= expect for port in ports.values()):
            finished.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, finished.set)
    servers = [
        await loop.create_server(lambda port=port: Endpoint(port, done), "127.0.0.1", number)
        for number, port in ports.items()
    ]
    print("receivers: listening", flush=True)
    await finished.wait()
    for server in servers:
        server.close()
    found = {
        str(number): {"arrivals": port.arrivals, "forged": port.forged, "repeats": port.repeats,
                      "checked": port.checked}
        for number, port in ports.items()
    }  # fmt: skip
    with open(out, "w", encoding="utf-8") as stream:
        json.dump(found, stream)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--secrets", required=True)
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.secrets, encoding="utf-8") as stream:
        secrets = {int(port): secret for port, secret in json.load(stream).items()}
    asyncio.run(serve(secrets, args.expect, args.out))


if __name__ == "__main__":
    main()
