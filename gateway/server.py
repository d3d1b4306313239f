"""The gateway's HTTP/1.1 connections: parsed by httptools instead of eventlet.wsgi.

nameko serves ``@http`` entry points through eventlet.wsgi, which reads each request line by
line and parses its headers with Python's email parser, then writes the answer header by
header; on an authenticated read that was a fifth of the gateway's time (docs/performance.md).
Here nameko's WebServer still accepts the connections and runs each in a managed thread, but a
connection is read by httptools (the C parser of llhttp, as uvicorn uses it), and the WSGI app
gets the environ it had under eventlet.wsgi, with the body already read.

What a client meets:

- keep-alive and pipelined requests, ``Expect: 100-continue``, chunked request bodies;
- a body over the limit of its route (``body_limit(method, path)``) is refused with 413 as
  soon as its Content-Length says so, or while it arrives, and the connection is closed;
  headers over ``MAX_HEADER_BYTES`` get 431;
- a request the parser cannot read gets 400 and the connection is closed;
- a header whose name holds an underscore is dropped, as nginx does, so that no client can
  pass one off for a hyphenated header a proxy set (``X_Forwarded_For`` for
  ``X-Forwarded-For``: both would become ``HTTP_X_FORWARDED_FOR``);
- a connection idle for ``IDLE_SECONDS`` is closed;
- a request head (request line and headers) must arrive whole within ``HEADER_SECONDS`` of
  its first byte, however slowly it trickles in, or it gets 408 and the connection is closed
  (nginx's ``client_header_timeout``): a client sending a byte now and then cannot hold a
  connection open for ever.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import sys
import time
from collections.abc import Callable
from email.utils import formatdate
from urllib.parse import unquote_to_bytes

import httptools
import orjson
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
    RequestTimeout,
)
from werkzeug.http import HTTP_STATUS_CODES

from gateway.problems import CONTENT_TYPE, problem_for

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 65536
IDLE_SECONDS = 75.0
HEADER_SECONDS = 20.0
RECEIVE_BYTES = 65536
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
NO_BODY_STATUSES = frozenset({204, 304})
CLOSED = (ConnectionError, socket.timeout, BrokenPipeError)


class Refused(Exception):
    """A request answered by the connection itself, which is then closed."""

    def __init__(self, error: HTTPException):
        super().__init__(error.description)
        self.error = error


class ParsedRequest:
    __slots__ = ("body", "headers", "keep_alive", "method", "path_info", "query", "url", "version")

    def __init__(self):
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.method = b"GET"
        self.version = "1.1"
        self.keep_alive = True
        self.path_info = "/"  # as WSGI wants it: the decoded bytes, read as latin-1
        self.query = ""


class RequestReader:
    """httptools' callbacks for one connection: the requests it has completed, in order."""

    def __init__(self, connection: socket.socket, body_limit: Callable[[str, str], int]):
        self.connection = connection
        self.body_limit = body_limit
        self.limit = 0  # of the request being read
        self.parser = httptools.HttpRequestParser(self)
        self.completed: list[ParsedRequest] = []
        self.current = ParsedRequest()
        self.in_body = False
        self.head_bytes = self.header_bytes = self.body_bytes = 0
        self.head_started: float | None = None  # monotonic time of a head's first byte

    def head_deadline(self, seconds: float) -> float | None:
        """When the head being read must be complete, or None between requests."""
        return None if self.head_started is None else self.head_started + seconds

    def feed(self, data: bytes) -> None:
        """Parses what arrived. Headers are counted when parsed, and the bytes of a head not
        yet parsed as they arrive (httptools holds an unfinished header without calling
        back), so neither many headers nor one endless header can grow without bound."""
        if not self.in_body:
            self.head_bytes += len(data)
            if self.head_started is None:
                self.head_started = time.monotonic()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, Refused):
                raise exc.__context__ from None
            raise Refused(BadRequest("The request could not be read.")) from None
        except httptools.HttpParserUpgrade:
            # No protocol upgrades: the request is answered in HTTP/1.1, then the connection
            # closed, as the parser reads nothing after an upgrade.
            for request in self.completed:
                request.keep_alive = False
        except httptools.HttpParserError as exc:
            raise Refused(BadRequest(f"The request could not be read: {exc}.")) from None
        if not self.in_body and self.head_bytes > MAX_HEADER_BYTES:
            raise Refused(_headers_too_large())

    def on_message_begin(self) -> None:
        self.current = ParsedRequest()
        self.header_bytes = self.body_bytes = 0

    def on_url(self, url: bytes) -> None:
        self.current.url += url
        self._count_header_bytes(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self.current.headers.append((name, value))
        self._count_header_bytes(len(name) + len(value))

    def on_headers_complete(self) -> None:
        request, parser = self.current, self.parser
        request.method = parser.get_method()
        request.version = parser.get_http_version()
        request.keep_alive = parser.should_keep_alive()
        url = httptools.parse_url(request.url)  # an invalid target is a 400, as any error here
        request.path_info = unquote_to_bytes(url.path or b"/").decode("latin-1")
        request.query = (url.query or b"").decode("latin-1")
        self.limit = self.body_limit(request.method.decode("ascii"), request.path_info)
        self.in_body = True
        self.head_bytes = 0
        self.head_started = None
        expects_continue = False
        for name, value in request.headers:
            lowered = name.lower()
            if lowered == b"content-length" and int(value) > self.limit:
                raise Refused(self._too_large())
            if lowered == b"expect" and value.lower() == b"100-continue":
                expects_continue = True
        if expects_continue and request.version == "1.1":
            self.connection.sendall(CONTINUE)

    def on_body(self, body: bytes) -> None:
        self.body_bytes += len(body)
        if self.body_bytes > self.limit:
            raise Refused(self._too_large())
        self.current.body.append(body)

    def on_message_complete(self) -> None:
        self.completed.append(self.current)
        self.in_body = False

    def _count_header_bytes(self, size: int) -> None:
        self.header_bytes += size
        if self.header_bytes > MAX_HEADER_BYTES:
            raise Refused(_headers_too_large())

    def _too_large(self) -> RequestEntityTooLarge:
        return RequestEntityTooLarge(f"The body must not be larger than {self.limit} bytes.")


def _head_too_slow(seconds: float) -> RequestTimeout:
    return RequestTimeout(f"The request line and headers must arrive within {seconds:g} seconds.")


def _headers_too_large() -> RequestHeaderFieldsTooLarge:
    return RequestHeaderFieldsTooLarge(
        f"The request line and headers must not be larger than {MAX_HEADER_BYTES} bytes."
    )


class HttpServer:
    """Serves connections accepted by nameko's WebServer with a WSGI app."""

    socket_timeout = IDLE_SECONDS
    header_timeout = HEADER_SECONDS

    def __init__(self, app, server_address: tuple[str, int], body_limit: Callable[[str, str], int]):
        self.app = app
        self.server_name = str(server_address[0])
        self.server_port = str(server_address[1])
        self.body_limit = body_limit
        self._date_second = -1
        self._date = b""

    def serve(self, connection: socket.socket, address) -> None:
        reader = RequestReader(connection, self.body_limit)
        try:
            while True:
                data = self._receive(connection, reader)
                if data is None:
                    self._refuse(connection, _head_too_slow(self.header_timeout))
                    return
                if not data:
                    return
                try:
                    reader.feed(data)
                except Refused as refused:
                    self._refuse(connection, refused.error)
                    return
                while reader.completed:
                    request = reader.completed.pop(0)
                    if not self._respond(connection, address, request):
                        return
        except CLOSED:
            return
        except Exception:  # one broken connection must not stop the gateway's container
            log.exception("unexpected error on a connection from %s", address)
        finally:
            connection.close()

    def _receive(self, connection: socket.socket, reader: RequestReader) -> bytes | None:
        """The next bytes; b"" when the client closed or stayed idle between requests, None
        when the head being read did not arrive in time."""
        deadline = reader.head_deadline(self.header_timeout)
        wait = self.socket_timeout
        if deadline is not None:
            wait = min(wait, deadline - time.monotonic())
            if wait <= 0:
                return None
        connection.settimeout(wait)
        try:
            return connection.recv(RECEIVE_BYTES)
        except TimeoutError:
            return None if deadline is not None else b""

    def _respond(self, connection: socket.socket, address, request: ParsedRequest) -> bool:
        """Answers one request; whether the connection stays open."""
        status, headers, body = self._call_app(self._environ(request, address))
        connection_header = None
        if not request.keep_alive:
            connection_header = "close"
        elif request.version == "1.0":
            connection_header = "keep-alive"  # an HTTP/1.0 client assumes close without it
        head = self._head(status, headers, body, connection_header)
        if body and request.method != b"HEAD":
            connection.sendall(head + body)
        else:
            connection.sendall(head)
        return request.keep_alive

    def _environ(self, request: ParsedRequest, address) -> dict:
        raw_uri = request.url.decode("latin-1")
        environ = {
            "REQUEST_METHOD": request.method.decode("ascii"),
            "SCRIPT_NAME": "",
            "PATH_INFO": request.path_info,
            "QUERY_STRING": request.query,
            "RAW_URI": raw_uri,
            "REQUEST_URI": raw_uri,
            "SERVER_NAME": self.server_name,
            "SERVER_PORT": self.server_port,
            "SERVER_PROTOCOL": f"HTTP/{request.version}",
            "REMOTE_ADDR": str(address[0]) if address else "",
            "REMOTE_PORT": str(address[1]) if address else "",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b"".join(request.body)),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers:
            key = name.decode("latin-1").upper()
            if "_" in key:
                continue
            key = key.replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            text = value.decode("latin-1")
            environ[key] = f"{environ[key]},{text}" if key in environ else text
        return environ

    def _call_app(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
        answer: list = []

        def start_response(status, headers, exc_info=None):
            answer[:] = [status, headers]
            return lambda data: chunks.append(data)

        chunks: list[bytes] = []
        try:
            result = self.app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception as exc:
            log.exception("unexpected error serving %s", environ.get("PATH_INFO"))
            return self._problem(exc, environ.get("PATH_INFO", ""))
        status, headers = answer
        return status, headers, b"".join(chunks)

    def _head(self, status: str, headers, body: bytes, connection: str | None) -> bytes:
        lines = [f"HTTP/1.1 {status}\r\n"]
        has_length = False
        for name, value in headers:
            if name.lower() == "content-length":
                has_length = True
            lines.append(f"{name}: {value}\r\n")
        if not has_length and int(status[:3]) not in NO_BODY_STATUSES:
            lines.append(f"Content-Length: {len(body)}\r\n")
        if connection is not None:
            lines.append(f"Connection: {connection}\r\n")
        return "".join(lines).encode("latin-1") + self._date_line() + b"\r\n"

    def _date_line(self) -> bytes:
        now = int(time.time())
        if now != self._date_second:
            self._date_second = now
            self._date = f"Date: {formatdate(now, usegmt=True)}\r\n".encode("ascii")
        return self._date

    def _refuse(self, connection: socket.socket, error: HTTPException) -> None:
        status, headers, body = self._problem(error, "")
        with contextlib.suppress(CLOSED):
            connection.sendall(self._head(status, headers, body, "close") + body)

    @staticmethod
    def _problem(exc: BaseException, instance: str) -> tuple[str, list[tuple[str, str]], bytes]:
        problem = problem_for(exc, instance, None)
        body = orjson.dumps(problem.body)
        headers = [("Content-Type", CONTENT_TYPE), *problem.headers.items()]
        return f"{problem.status} {HTTP_STATUS_CODES[problem.status]}", headers, body
