"""An outside system's webhook endpoint for the tests: a real HTTP server on loopback that
checks each delivery's Standard Webhooks signature with the subscriber's secret, keeps what
it took, and can be told to refuse (answer 500) the deliveries of some subjects."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self) -> None:
        self.secret: str | None = None
        self.refusing: set[str] = set()
        self.received: list[dict] = []
        self.forged = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.take(body, dict(self.headers))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/imi"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def take(self, body: bytes, headers: dict) -> int:
        try:
            envelope = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            with self._lock:
                self.forged += 1
            return 401
        if envelope["subject"] in self.refusing:
            return 500
        with self._lock:
            self.received.append({"webhook_id": headers.get("webhook-id"), **envelope})
        return 204

    def ids(self) -> list[str]:
        with self._lock:
            return [envelope["id"] for envelope in self.received]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
