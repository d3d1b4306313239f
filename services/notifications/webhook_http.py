"""The HTTP client of the webhook deliveries: a POST over kept-alive connections, a pool of them
per endpoint, the answer's status read by httptools' parser (the C parser of llhttp).

A delivery needs only that: no redirects (a 3xx is a failure), no retries (webhook_delivery
tries again with backoff), no cookies, no answer body (read to its end and dropped, up to
``MAX_ANSWER_BYTES``). urllib3, through http.client, spent about 0.4 ms of CPU on each post,
mostly building and parsing headers in Python; this writes the request in one piece and costs
about 0.06 ms (docs/performance.md, "Webhooks").

A kept-alive connection the endpoint closed meanwhile fails on its next use; the post is then
made once more on a new connection: with the same ``webhook-id``, which is what makes a repeat
harmless to a Standard Webhooks receiver. A connection idle for ``IDLE_SECONDS`` is closed
rather than reused.
"""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

import httptools

TIMEOUT_SECONDS = 10
IDLE_SECONDS = 30
MAX_ANSWER_BYTES = 64 * 1024
READ_BYTES = 65536
USER_AGENT = "imi-webhooks"
# RFC 3986's reserved and unreserved characters, and "%" (a path escaped already stays so)
PATH_SAFE = "/:@!$&'()*+,;=-._~?%"


class EndpointError(Exception):
    """The endpoint's connection failed or its answer was not HTTP."""


class StaleConnection(EndpointError):
    """A kept-alive connection closed before any of the answer came."""


@dataclass(frozen=True)
class Endpoint:
    tls: bool
    host: str
    port: int
    head: bytes  # the request line and the headers every post to it has


@lru_cache(maxsize=1024)
def endpoint(url: str) -> Endpoint:
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    target = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), PATH_SAFE)
    head = (
        f"POST {target} HTTP/1.1\r\nHost: {parts.netloc.encode('idna').decode()}\r\n"
        f"User-Agent: {USER_AGENT}\r\nContent-Type: application/json\r\n"
    )
    return Endpoint(tls, parts.hostname, parts.port or (443 if tls else 80), head.encode())


class Answer:
    """httptools' callbacks: where the answer ends, and its final status (a 1xx is skipped)."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.status: int | None = None
        self.headers_done = False

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_message_complete(self) -> None:
        status = self.parser.get_status_code()
        if status >= 200:
            self.status = status
        else:
            self.headers_done = False


class Connection:
    def __init__(self, place: Endpoint, context: ssl.SSLContext | None) -> None:
        sock = socket.create_connection((place.host, place.port), timeout=TIMEOUT_SECONDS)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if place.tls:
            sock = context.wrap_socket(sock, server_hostname=place.host)
        self.sock = sock
        self.used_at = time.monotonic()

    def post(self, request: bytes) -> tuple[int, bool]:
        """The answer's status, and whether the connection may serve another post."""
        self.sock.sendall(request)
        answer, received = Answer(), 0
        while answer.status is None:
            data = self.sock.recv(READ_BYTES)
            if not data:
                if answer.headers_done:  # an answer whose body ends with the connection
                    return answer.parser.get_status_code(), False
                raise (StaleConnection if received == 0 else EndpointError)(
                    "the endpoint closed the connection before answering"
                )
            received += len(data)
            if received > MAX_ANSWER_BYTES:
                if answer.headers_done:
                    return answer.parser.get_status_code(), False
                raise EndpointError("the answer's headers are too long")
            try:
                answer.parser.feed_data(data)
            except httptools.HttpParserError as exc:
                raise EndpointError(f"not an HTTP answer: {exc}") from None
        return answer.status, answer.parser.should_keep_alive()

    def close(self) -> None:
        self.sock.close()


class HttpClient:
    """Posts to endpoints over kept-alive connections, any number of them at once (green
    threads); the idle connections of each endpoint are kept, the last used first."""

    def __init__(self) -> None:
        self._idle: dict[Endpoint, list[Connection]] = {}
        self._context: ssl.SSLContext | None = None

    def post(self, url: str, headers: dict[str, str], body: bytes) -> int:
        """The status of the answer; EndpointError, or the socket's OSError, when none came."""
        place = endpoint(url)
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = b"".join((
            place.head, extra.encode(), b"Content-Length: %d\r\n\r\n" % len(body), body,
        ))  # fmt: skip
        reused = self._reusable(place)
        if reused is not None:
            try:
                return self._exchange(place, reused, request)
            except (StaleConnection, ConnectionError):
                pass  # closed by the endpoint while idle: once more on a new connection
        return self._exchange(place, self._connect(place), request)

    def _exchange(self, place: Endpoint, connection: Connection, request: bytes) -> int:
        try:
            status, keep = connection.post(request)
        except BaseException:
            connection.close()
            raise
        if keep:
            connection.used_at = time.monotonic()
            self._idle.setdefault(place, []).append(connection)
        else:
            connection.close()
        return status

    def _reusable(self, place: Endpoint) -> Connection | None:
        idle = self._idle.get(place)
        while idle:
            connection = idle.pop()
            if time.monotonic() - connection.used_at < IDLE_SECONDS:
                return connection
            connection.close()
        return None

    def _connect(self, place: Endpoint) -> Connection:
        if place.tls and self._context is None:
            self._context = ssl.create_default_context()
        return Connection(place, self._context)

    def close(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
